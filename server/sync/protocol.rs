//! The y-websocket wire protocol, decoded strictly and without any I/O.
//!
//! One WebSocket frame carries exactly one message: a varuint message type followed by its body.
//! yrs's own `Protocol::handle` accepts truncated input and trailing bytes; this decoder does
//! not: a message must be complete and end exactly where its last field ends. Decoding here never
//! panics. The update payload inside a sync message is walked here for its client ids (which must
//! fit in 53 bits, as in state vectors and presence; see [`super::update_ids`]) and decoded later
//! by [`super::doc`], behind a panic guard, because yrs's update decoder can panic on hostile
//! input.
//!
//! Message types (lib0 varuints):
//! - `0` sync, followed by `0` step 1 (a state vector), `1` step 2 or `2` update (a Yjs update);
//! - `1` awareness: a buffer holding `count`, then per entry `client id`, `clock`, `JSON state`;
//! - `3` query awareness (no body);
//! - `100` saved (server to client only, opt-in): a varuint with the number of update messages of
//!   this connection that are durably stored;
//! - `101` read-only (server to client only, no body): this connection may not edit, and its
//!   updates are dropped.

use std::sync::Arc;

use bytes::Bytes;
use yrs::{ClientID, StateVector};

pub const MSG_SYNC: u64 = 0;
pub const MSG_AWARENESS: u64 = 1;
pub const MSG_QUERY_AWARENESS: u64 = 3;
/// Doorbraak's own message type: "your updates are durably stored".
pub const MSG_SAVED: u64 = 100;
/// Doorbraak's own message type, no body: "you may read this canvas, not edit it; your updates
/// are dropped". Sent on joining and whenever an update is dropped.
pub const MSG_READ_ONLY: u64 = 101;

pub const SYNC_STEP_1: u64 = 0;
pub const SYNC_STEP_2: u64 = 1;
pub const SYNC_UPDATE: u64 = 2;

/// Yjs client ids are 53-bit so that JavaScript numbers can hold them.
const MAX_CLIENT_ID: u64 = (1 << 53) - 1;

/// A message from a client.
#[derive(Debug, Clone, PartialEq)]
pub enum ClientMessage {
    SyncStep1(StateVector),
    SyncStep2(Bytes),
    Update(Bytes),
    Awareness(Vec<AwarenessEntry>),
    QueryAwareness,
}

/// One client's presence as carried in an awareness message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AwarenessEntry {
    pub client_id: u64,
    pub clock: u64,
    /// The JSON state; `None` when the client removed its state (JSON `null`).
    pub state: Option<Arc<str>>,
}

/// Why a message was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DecodeError {
    #[error("message ends early")]
    Truncated,
    #[error("bytes after the end of the message")]
    TrailingBytes,
    #[error("number too large")]
    Overflow,
    #[error("unknown message type {0}")]
    UnknownType(u64),
    #[error("unknown sync message type {0}")]
    UnknownSyncType(u64),
    #[error("awareness state is not valid JSON")]
    InvalidJson,
    /// An update with a client id beyond 53 bits, or one yrs would misread (see
    /// [`super::update_ids`]).
    #[error("update is malformed or carries a client id beyond 53 bits")]
    InvalidUpdate,
}

/// Decodes one client message, refusing anything but an exact, complete message.
pub fn decode(frame: &[u8]) -> Result<ClientMessage, DecodeError> {
    let mut reader = Reader::new(frame);
    let message = match reader.var_uint()? {
        MSG_SYNC => match reader.var_uint()? {
            SYNC_STEP_1 => ClientMessage::SyncStep1(decode_state_vector(reader.buffer()?)?),
            SYNC_STEP_2 => ClientMessage::SyncStep2(update(reader.buffer()?)?),
            SYNC_UPDATE => ClientMessage::Update(update(reader.buffer()?)?),
            other => return Err(DecodeError::UnknownSyncType(other)),
        },
        MSG_AWARENESS => ClientMessage::Awareness(decode_awareness(reader.buffer()?)?),
        MSG_QUERY_AWARENESS => ClientMessage::QueryAwareness,
        other => return Err(DecodeError::UnknownType(other)),
    };
    reader.finish()?;
    Ok(message)
}

/// Whether a frame is a sync step 2 or an update (by its first two bytes, before decoding).
pub fn carries_update(frame: &[u8]) -> bool {
    frame.len() >= 2
        && frame[0] == MSG_SYNC as u8
        && matches!(u64::from(frame[1]), SYNC_STEP_2 | SYNC_UPDATE)
}

/// An update payload, checked for client ids JavaScript cannot hold before anything else sees it.
fn update(payload: &[u8]) -> Result<Bytes, DecodeError> {
    super::update_ids::check(payload).map_err(|_| DecodeError::InvalidUpdate)?;
    Ok(Bytes::copy_from_slice(payload))
}

fn decode_state_vector(buffer: &[u8]) -> Result<StateVector, DecodeError> {
    let mut reader = Reader::new(buffer);
    let count = reader.var_uint()?;
    // Each entry takes at least two bytes: a count beyond that is a lie, not a reason to allocate.
    if count > (reader.remaining() / 2) as u64 {
        return Err(DecodeError::Truncated);
    }
    let mut entries = Vec::with_capacity(count as usize);
    for _ in 0..count {
        let client = reader.client_id()?;
        let clock = u32::try_from(reader.var_uint()?).map_err(|_| DecodeError::Overflow)?;
        entries.push((ClientID::new(client), clock));
    }
    reader.finish()?;
    Ok(entries.into_iter().collect())
}

fn decode_awareness(buffer: &[u8]) -> Result<Vec<AwarenessEntry>, DecodeError> {
    let mut reader = Reader::new(buffer);
    let count = reader.var_uint()?;
    if count > (reader.remaining() / 3) as u64 {
        return Err(DecodeError::Truncated);
    }
    let mut entries = Vec::with_capacity(count as usize);
    for _ in 0..count {
        let client_id = reader.client_id()?;
        let clock = reader.var_uint()?;
        let json = std::str::from_utf8(reader.buffer()?).map_err(|_| DecodeError::InvalidJson)?;
        let value: serde_json::Value =
            serde_json::from_str(json).map_err(|_| DecodeError::InvalidJson)?;
        let state = (!value.is_null()).then(|| Arc::from(json));
        entries.push(AwarenessEntry {
            client_id,
            clock,
            state,
        });
    }
    reader.finish()?;
    Ok(entries)
}

/// `[0, 0, state vector]`: the server's sync step 1.
pub fn encode_sync_step1(state_vector: &StateVector) -> Bytes {
    use yrs::updates::encoder::Encode;
    sync_message(SYNC_STEP_1, &state_vector.encode_v1())
}

/// `[0, 1, update]`: the answer to a client's sync step 1.
pub fn encode_sync_step2(update: &[u8]) -> Bytes {
    sync_message(SYNC_STEP_2, update)
}

/// `[0, 2, update]`: an update relayed to the other clients.
pub fn encode_update(update: &[u8]) -> Bytes {
    sync_message(SYNC_UPDATE, update)
}

fn sync_message(kind: u64, payload: &[u8]) -> Bytes {
    let mut out = Vec::with_capacity(payload.len() + 8);
    write_var_uint(&mut out, MSG_SYNC);
    write_var_uint(&mut out, kind);
    write_buffer(&mut out, payload);
    out.into()
}

/// An awareness message carrying the given entries.
pub fn encode_awareness<'a>(entries: impl ExactSizeIterator<Item = &'a AwarenessEntry>) -> Bytes {
    let mut body = Vec::new();
    write_var_uint(&mut body, entries.len() as u64);
    for entry in entries {
        write_var_uint(&mut body, entry.client_id);
        write_var_uint(&mut body, entry.clock);
        write_buffer(
            &mut body,
            entry.state.as_deref().unwrap_or("null").as_bytes(),
        );
    }
    let mut out = Vec::with_capacity(body.len() + 4);
    write_var_uint(&mut out, MSG_AWARENESS);
    write_buffer(&mut out, &body);
    out.into()
}

/// The saved signal: `[100, count]`.
pub fn encode_saved(count: u64) -> Bytes {
    let mut out = Vec::with_capacity(6);
    write_var_uint(&mut out, MSG_SAVED);
    write_var_uint(&mut out, count);
    out.into()
}

pub fn encode_read_only() -> Bytes {
    Bytes::from_static(&[MSG_READ_ONLY as u8])
}

pub fn write_var_uint(out: &mut Vec<u8>, mut value: u64) {
    while value >= 0x80 {
        out.push((value as u8 & 0x7f) | 0x80);
        value >>= 7;
    }
    out.push(value as u8);
}

fn write_buffer(out: &mut Vec<u8>, bytes: &[u8]) {
    write_var_uint(out, bytes.len() as u64);
    out.extend_from_slice(bytes);
}

/// A bounds-checked cursor over lib0-encoded bytes.
pub struct Reader<'a> {
    bytes: &'a [u8],
    at: usize,
}

impl<'a> Reader<'a> {
    pub fn new(bytes: &'a [u8]) -> Self {
        Self { bytes, at: 0 }
    }

    fn remaining(&self) -> usize {
        self.bytes.len() - self.at
    }

    /// A lib0 varuint: 7 bits per byte, least significant first, high bit means "more".
    pub fn var_uint(&mut self) -> Result<u64, DecodeError> {
        let mut value: u64 = 0;
        for shift in (0..64).step_by(7) {
            let byte = *self.bytes.get(self.at).ok_or(DecodeError::Truncated)?;
            self.at += 1;
            let bits = u64::from(byte & 0x7f);
            if shift == 63 && bits > 1 {
                return Err(DecodeError::Overflow);
            }
            value |= bits << shift;
            if byte & 0x80 == 0 {
                return Ok(value);
            }
        }
        Err(DecodeError::Overflow)
    }

    fn client_id(&mut self) -> Result<u64, DecodeError> {
        let id = self.var_uint()?;
        if id > MAX_CLIENT_ID {
            Err(DecodeError::Overflow)
        } else {
            Ok(id)
        }
    }

    /// A varuint length followed by that many bytes.
    pub fn buffer(&mut self) -> Result<&'a [u8], DecodeError> {
        let len = usize::try_from(self.var_uint()?).map_err(|_| DecodeError::Overflow)?;
        if len > self.remaining() {
            return Err(DecodeError::Truncated);
        }
        let slice = &self.bytes[self.at..self.at + len];
        self.at += len;
        Ok(slice)
    }

    pub fn finish(&self) -> Result<(), DecodeError> {
        if self.at == self.bytes.len() {
            Ok(())
        } else {
            Err(DecodeError::TrailingBytes)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn awareness_entry(client_id: u64, clock: u64, state: Option<&str>) -> AwarenessEntry {
        AwarenessEntry {
            client_id,
            clock,
            state: state.map(Arc::from),
        }
    }

    #[test]
    fn round_trips_what_the_server_sends() {
        let entries = [
            awareness_entry(7, 3, Some(r#"{"user":{"name":"Aanjager"}}"#)),
            awareness_entry(9, 1, None),
        ];
        assert_eq!(
            decode(&encode_awareness(entries.iter())),
            Ok(ClientMessage::Awareness(entries.to_vec()))
        );
        assert_eq!(
            decode(&encode_update(b"\x00\x00")),
            Ok(ClientMessage::Update(Bytes::from_static(b"\x00\x00")))
        );
        assert_eq!(
            decode(&encode_sync_step2(b"\x00\x00")),
            Ok(ClientMessage::SyncStep2(Bytes::from_static(b"\x00\x00")))
        );
        let sv: StateVector = [(ClientID::new(5), 10)].into_iter().collect();
        assert_eq!(
            decode(&encode_sync_step1(&sv)),
            Ok(ClientMessage::SyncStep1(sv))
        );
        assert_eq!(decode(&[3]), Ok(ClientMessage::QueryAwareness));
    }

    #[test]
    fn refuses_truncated_and_padded_messages() {
        let update = encode_update(b"\x00\x00");
        for cut in 0..update.len() {
            assert_eq!(
                decode(&update[..cut]),
                Err(DecodeError::Truncated),
                "cut at {cut}"
            );
        }
        let mut padded = update.to_vec();
        padded.push(0);
        assert_eq!(decode(&padded), Err(DecodeError::TrailingBytes));
        assert_eq!(decode(&[3, 0]), Err(DecodeError::TrailingBytes));
    }

    #[test]
    fn refuses_unknown_types_and_lies() {
        assert_eq!(decode(&[2, 0]), Err(DecodeError::UnknownType(2)));
        assert_eq!(
            decode(&[MSG_SAVED as u8, 1]),
            Err(DecodeError::UnknownType(MSG_SAVED))
        );
        assert_eq!(decode(&[0, 7, 0]), Err(DecodeError::UnknownSyncType(7)));
        // A state vector claiming a billion entries in two bytes.
        assert_eq!(
            decode(&[0, 0, 5, 0x80, 0x94, 0xeb, 0xdc, 0x03]),
            Err(DecodeError::Truncated)
        );
        // A client id beyond 53 bits.
        let mut sv = vec![1];
        write_var_uint(&mut sv, 1 << 60);
        sv.push(1);
        let mut message = vec![0, 0];
        write_buffer(&mut message, &sv);
        assert_eq!(decode(&message), Err(DecodeError::Overflow));
        // A varuint that never ends.
        assert_eq!(decode(&[0xff; 12]), Err(DecodeError::Overflow));
    }

    /// One string item by `client` in the root `situatie`, or after `origin` when given, and a
    /// delete set naming `deleted`.
    fn update_by(client: u64, origin: Option<u64>, deleted: Option<u64>) -> Vec<u8> {
        let mut b = vec![1, 1];
        write_var_uint(&mut b, client);
        b.push(0);
        match origin {
            Some(origin) => {
                b.push(0x84); // string content with a left origin
                write_var_uint(&mut b, origin);
                b.push(0);
            }
            None => {
                b.extend([0x04, 1]); // string content, parent is a root type by name
                write_buffer(&mut b, b"situatie");
            }
        }
        write_buffer(&mut b, b"X");
        match deleted {
            Some(deleted) => {
                b.push(1);
                write_var_uint(&mut b, deleted);
                b.extend([1, 0, 1]);
            }
            None => b.push(0),
        }
        b
    }

    #[test]
    fn refuses_updates_with_client_ids_beyond_53_bits() {
        let fine = (1u64 << 53) - 1;
        let huge = 1u64 << 53;
        assert!(decode(&encode_update(&update_by(fine, None, None))).is_ok());
        assert!(decode(&encode_update(&update_by(7, Some(fine), Some(fine)))).is_ok());
        for bad in [
            update_by(huge, None, None),
            update_by(7, Some(huge), None),
            update_by(7, None, Some(huge)),
            update_by(u64::MAX, None, None),
        ] {
            assert_eq!(
                decode(&encode_update(&bad)),
                Err(DecodeError::InvalidUpdate)
            );
            assert_eq!(
                decode(&encode_sync_step2(&bad)),
                Err(DecodeError::InvalidUpdate)
            );
        }
    }

    #[test]
    fn accepts_what_yrs_itself_encodes() {
        use yrs::{Array, Doc, Map, MapPrelim, ReadTxn, Text, Transact};
        let doc = Doc::new();
        let text = doc.get_or_insert_text("situatie");
        let map = doc.get_or_insert_map("meta");
        let array = doc.get_or_insert_array("acties");
        {
            let mut txn = doc.transact_mut();
            text.push(&mut txn, "één twee 🚲");
            text.remove_range(&mut txn, 0, 2);
            map.insert(&mut txn, "label", "Casus T-17");
            map.insert(&mut txn, "bedrag", 12.5);
            map.insert(&mut txn, "aantal", 3);
            array.push_back(&mut txn, MapPrelim::default());
        }
        let update = doc
            .transact()
            .encode_state_as_update_v1(&StateVector::default());
        assert!(decode(&encode_update(&update)).is_ok());
    }

    #[test]
    fn refuses_awareness_states_that_are_not_json() {
        let entries = [awareness_entry(1, 1, Some("{not json"))];
        assert_eq!(
            decode(&encode_awareness(entries.iter())),
            Err(DecodeError::InvalidJson)
        );
    }
}

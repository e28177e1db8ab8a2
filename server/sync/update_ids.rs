//! Refuses Yjs v1 updates that carry client ids JavaScript cannot hold (> 2^53 - 1), before yrs
//! sees them. Mirrors yrs 0.28.1's `Update::decode_v1` byte for byte (src/update.rs:836-871,
//! `decode_block` src/update.rs:547-610, `ItemContent::decode` src/block.rs:2033-2076,
//! `TypeRef::decode` src/types/mod.rs:263-285, `Any::decode` src/any.rs:39-91,
//! `IdSet::decode` src/id_set.rs:355-368). Never panics, never recurses; allocates only a
//! stack of at most `MAX_ANY_DEPTH` entries.
//!
//! It is deliberately *stricter* than yrs where yrs would misbehave on hostile input:
//! - clocks (block ends, ID clocks, delete-set range ends) must stay <= i32::MAX (yrs adds u32
//!   clocks unchecked and casts them to i32 in `Update::integrate`: debug panics / release wraps);
//! - `Any` nesting depth is capped (yrs decodes `Any` recursively: deep nesting overflows the stack,
//!   which aborts the process);
//! - `Any` integers (tag 125) that would make yrs' `read_var::<i64>` shift >= 64 bits or negate
//!   i64::MIN (debug panics) are refused;
//! - every element count must fit in the bytes left (yrs `try_reserve`s counts up front);
//! - weak-link type refs (7, only decodable with yrs' `weak` feature) are refused;
//! - legacy ContentJSON (content ref 2) is refused: yrs 0.28.1 does not round-trip it.

/// A client id above 2^53 - 1, or bytes that are not a v1 update yrs would accept safely.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("update carries a client id beyond 53 bits or is malformed")]
pub struct BadIds;

/// Largest client id yrs keeps intact (`ClientID::new` masks to 53 bits, block.rs:84-100).
const MAX_CLIENT: u64 = (1 << 53) - 1;
/// Largest clock accepted (see module docs).
const MAX_CLOCK: u32 = i32::MAX as u32;
/// Deepest `Any` array/map nesting accepted.
const MAX_ANY_DEPTH: usize = 64;

// Block info byte (block.rs:29-70).
const BLOCK_GC: u8 = 0;
const BLOCK_SKIP: u8 = 10;
const HAS_ORIGIN: u8 = 0b1000_0000;
const HAS_RIGHT_ORIGIN: u8 = 0b0100_0000;
const HAS_PARENT_SUB: u8 = 0b0010_0000;

type Res<T> = Result<T, BadIds>;

struct Reader<'a> {
    buf: &'a [u8],
    pos: usize,
}

impl<'a> Reader<'a> {
    fn remaining(&self) -> usize {
        self.buf.len() - self.pos
    }

    fn u8(&mut self) -> Res<u8> {
        let b = *self.buf.get(self.pos).ok_or(BadIds)?;
        self.pos += 1;
        Ok(b)
    }

    fn exact(&mut self, len: usize) -> Res<&'a [u8]> {
        let end = self.pos.checked_add(len).ok_or(BadIds)?;
        let bytes = self.buf.get(self.pos..end).ok_or(BadIds)?;
        self.pos = end;
        Ok(bytes)
    }

    /// yrs `read_var_u64` (encoding/varint.rs:229-244): up to 11 bytes, bits past 64 wrap.
    fn var_u64(&mut self) -> Res<u64> {
        let mut num = 0u64;
        let mut len = 0u32;
        loop {
            let r = self.u8()?;
            num |= u64::wrapping_shl((r & 0x7f) as u64, len);
            len += 7;
            if r < 0x80 {
                return Ok(num);
            }
            if len > 70 {
                return Err(BadIds);
            }
        }
    }

    /// yrs `read_var_u32` (encoding/varint.rs:246-260): same byte consumption, u32 wrapping.
    fn var_u32(&mut self) -> Res<u32> {
        let mut num = 0u32;
        let mut len = 0u32;
        loop {
            let r = self.u8()?;
            num |= u32::wrapping_shl((r & 0x7f) as u32, len);
            len += 7;
            if r < 0x80 {
                return Ok(num);
            }
            if len > 70 {
                return Err(BadIds);
            }
        }
    }

    /// yrs `read_var_i64` (encoding/varint.rs:262-281), refusing what panics there in debug builds
    /// (a shift by >= 64 on the 10th byte, negating i64::MIN).
    fn skip_var_i64(&mut self) -> Res<()> {
        let r = self.u8()?;
        let mut num = (r & 0x3f) as i64;
        let negative = r & 0x40 != 0;
        if r & 0x80 == 0 {
            return Ok(());
        }
        let mut len = 6u32;
        loop {
            let r = self.u8()?;
            if len >= 64 {
                return Err(BadIds);
            }
            num |= ((r & 0x7f) as i64) << len; // len < 64: no overflow check fires
            len += 7;
            if r < 0x80 {
                return if negative && num == i64::MIN {
                    Err(BadIds)
                } else {
                    Ok(())
                };
            }
        }
    }

    /// `Read::read_buf` (encoding/read.rs): var u32 length + bytes.
    fn buf(&mut self) -> Res<&'a [u8]> {
        let len = self.var_u32()? as usize;
        self.exact(len)
    }

    /// `Read::read_string`: `read_buf` + UTF-8 check.
    fn string(&mut self) -> Res<&'a str> {
        std::str::from_utf8(self.buf()?).map_err(|_| BadIds)
    }

    /// A count of elements that each take at least `min_bytes` bytes: refused if it cannot fit.
    fn count(&self, n: u64, min_bytes: usize) -> Res<u64> {
        if n > (self.remaining() / min_bytes) as u64 {
            Err(BadIds)
        } else {
            Ok(n)
        }
    }

    fn client(&mut self) -> Res<()> {
        if self.var_u64()? > MAX_CLIENT {
            return Err(BadIds);
        }
        Ok(())
    }

    /// `DecoderV1::read_id` (updates/decoder.rs:84-92): var u64 client, var u32 clock.
    fn id(&mut self) -> Res<()> {
        self.client()?;
        if self.var_u32()? > MAX_CLOCK {
            return Err(BadIds);
        }
        Ok(())
    }
}

/// Checks every client id in a v1 update: block headers, origins, right origins, parent ids and the
/// delete set (no content type yrs decodes without the `weak` feature carries an id).
pub fn check(bytes: &[u8]) -> Result<(), BadIds> {
    walk_len(bytes).map(|_| ())
}

/// [check], returning how many bytes yrs would read (it ignores anything after the delete set).
pub(crate) fn walk_len(bytes: &[u8]) -> Res<usize> {
    let mut r = Reader { buf: bytes, pos: 0 };

    // Blocks, grouped by client.
    let clients = r.var_u32()? as u64;
    r.count(clients, 3)?;
    for _ in 0..clients {
        let blocks = r.var_u32()? as u64;
        r.client()?;
        let mut clock = r.var_u32()?;
        r.count(blocks, 1)?;
        for _ in 0..blocks {
            let len = block(&mut r)?;
            clock = clock.checked_add(len).ok_or(BadIds)?;
            if clock > MAX_CLOCK {
                return Err(BadIds);
            }
        }
    }

    // Delete set.
    let clients = r.var_u32()? as u64;
    r.count(clients, 3)?;
    for _ in 0..clients {
        r.client()?;
        let ranges = r.var_u32()? as u64;
        r.count(ranges, 2)?;
        for _ in 0..ranges {
            let start = r.var_u32()?;
            let len = r.var_u32()?;
            match start.checked_add(len) {
                Some(end) if end <= MAX_CLOCK => {}
                _ => return Err(BadIds),
            }
        }
    }
    // yrs ignores anything after the delete set; so do we.
    Ok(r.pos)
}

/// One struct; returns the clock length yrs gives it (0 for an empty item, which yrs drops).
fn block(r: &mut Reader) -> Res<u32> {
    let info = r.u8()?;
    match info {
        // Skip: `read_var::<u32>`; GC: `read_len` (same in v1). Zero length is an error in yrs.
        BLOCK_SKIP | BLOCK_GC => match r.var_u32()? {
            0 => Err(BadIds),
            len => Ok(len),
        },
        _ => {
            if info & HAS_ORIGIN != 0 {
                r.id()?;
            }
            if info & HAS_RIGHT_ORIGIN != 0 {
                r.id()?;
            }
            if info & (HAS_ORIGIN | HAS_RIGHT_ORIGIN) == 0 {
                // parent info is a var u32; exactly 1 means "root type name", anything else an ID
                if r.var_u32()? == 1 {
                    r.string()?;
                } else {
                    r.id()?;
                }
                if info & HAS_PARENT_SUB != 0 {
                    r.string()?;
                }
            }
            content(r, info & 0x0f)
        }
    }
}

/// `ItemContent::decode`; returns the item length (`ItemContent::len_utf16`, block.rs:1844).
fn content(r: &mut Reader, ref_num: u8) -> Res<u32> {
    Ok(match ref_num {
        // Deleted: var u32 length
        1 => r.var_u32()?,
        // JSON (legacy; Yjs >= 13 and yrs' API never create it): yrs 0.28.1 reads var u32 n and
        // then n + 1 strings (`while remaining >= 0`, block.rs:2036-2045) but writes n strings, so
        // a document holding one re-encodes to bytes it cannot decode (snapshots break, merging
        // a pending update panics in transaction.rs:390). Refused.
        2 => return Err(BadIds),
        // Binary: var u32 length + bytes
        3 => {
            r.buf()?;
            1
        }
        // String: var string; length in UTF-16 code units
        4 => {
            let s = r.string()?;
            u32::try_from(s.encode_utf16().count()).map_err(|_| BadIds)?
        }
        // Embed: a JSON text as var string (parsed by serde_json, depth-limited there)
        5 => {
            r.string()?;
            1
        }
        // Format: key string + JSON text string
        6 => {
            r.string()?;
            r.string()?;
            1
        }
        // Type: type ref byte (+ tag name for XmlElement)
        7 => {
            match r.u8()? {
                // Array, Map, Text, XmlFragment, XmlHook (no name in yrs!), XmlText, SubDoc, Undefined
                0 | 1 | 2 | 4 | 5 | 6 | 9 | 15 => {}
                // XmlElement: `read_key` = var string in v1
                3 => {
                    r.string()?;
                }
                // 7 = WeakLink: carries IDs, only decoded with yrs' `weak` feature: refused.
                _ => return Err(BadIds),
            }
            1
        }
        // Any: var u32 n, then n lib0 Any values
        8 => {
            let n = r.var_u32()?;
            r.count(n as u64, 1)?;
            for _ in 0..n {
                skip_any(r)?;
            }
            n
        }
        // Doc: guid string + options as one Any
        9 => {
            r.string()?;
            skip_any(r)?;
            1
        }
        _ => return Err(BadIds),
    })
}

/// One lib0 `Any` value (any.rs:39-91), iteratively and depth-limited.
fn skip_any(r: &mut Reader) -> Res<()> {
    // Open arrays/maps: (values still to read, is a map).
    let mut open: Vec<(u64, bool)> = Vec::new();
    loop {
        if let Some((left, is_map)) = open.last_mut() {
            *left -= 1; // > 0: finished containers are popped below
            if *is_map {
                r.string()?; // key
            }
        }
        match r.u8()? {
            127 | 126 | 121 | 120 => {} // undefined, null, false, true
            125 => r.skip_var_i64()?,   // integer: signed var int
            124 => {
                r.exact(4)?; // float32 BE
            }
            123 | 122 => {
                r.exact(8)?; // float64 BE, bigint64 BE
            }
            119 => {
                r.string()?; // string
            }
            116 => {
                r.buf()?; // Uint8Array
            }
            tag @ (118 | 117) => {
                // map / array: `read_var::<usize>` (= var u64) count
                let is_map = tag == 118;
                let n = r.var_u64()?;
                r.count(n, if is_map { 2 } else { 1 })?;
                if n > 0 {
                    if open.len() >= MAX_ANY_DEPTH {
                        return Err(BadIds);
                    }
                    open.push((n, is_map));
                }
            }
            _ => return Err(BadIds),
        }
        while matches!(open.last(), Some((0, _))) {
            open.pop();
        }
        if open.is_empty() {
            return Ok(());
        }
    }
}

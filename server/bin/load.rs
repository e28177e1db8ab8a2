//! `doorbraak-load`: a load generator that drives many real WebSocket clients against a running
//! y-websocket server (Doorbraak, or the JavaScript reference server for comparison) and prints
//! one line of JSON with the results.
//!
//! Scenarios:
//! - `fanout`: E editors on each canvas send R small text edits per second; every other client
//!   of the canvas times each edit's arrival. Reports fan-out latency percentiles, updates per
//!   second and whether every update reached every other client.
//! - `idle`: C canvases with K idle connections each, held open; reports server RSS.
//! - `history`: one client writes H updates to a canvas, then fresh clients time their full sync.
//!
//! Edits carry a marker `~E<editor>S<seq>~` in their text, so receivers find the send time
//! without applying updates (which would cost the generator more CPU than the server).

use std::{
    sync::{
        Arc, Mutex,
        atomic::{AtomicU64, Ordering},
    },
    time::{Duration, Instant},
};

use anyhow::{Context, bail};
use clap::{Parser, ValueEnum};
use doorbraak::sync::protocol::{self, Reader};
use futures_util::{SinkExt, StreamExt};
use tokio::{io::AsyncReadExt, io::AsyncWriteExt, net::TcpStream};
use tokio_tungstenite::{MaybeTlsStream, WebSocketStream, tungstenite::Message};
use yrs::{Doc, ReadTxn, StateVector, Text, TextRef, Transact, Update, updates::decoder::Decode};

type Ws = WebSocketStream<MaybeTlsStream<TcpStream>>;

#[derive(Debug, Clone, Copy, ValueEnum)]
enum Target {
    /// Doorbraak: canvases are created over HTTP, rooms live at /sync/{id}.
    Doorbraak,
    /// The y-websocket reference server: any path is a room.
    Reference,
}

#[derive(Debug, Clone, Copy, ValueEnum)]
enum Scenario {
    Fanout,
    Idle,
    History,
}

#[derive(Debug, Parser)]
#[command(
    name = "doorbraak-load",
    about = "Load generator for y-websocket servers"
)]
struct Args {
    /// host:port of the server.
    #[arg(long, default_value = "127.0.0.1:8080")]
    addr: String,
    /// host:port of further processes of the same server (Doorbraak on one PostgreSQL): the
    /// clients of each canvas are spread over `--addr` and these in turn (fanout).
    #[arg(long)]
    also_addr: Vec<String>,
    #[arg(long, value_enum, default_value = "doorbraak")]
    target: Target,
    #[arg(long, value_enum)]
    scenario: Scenario,
    /// Canvases (rooms).
    #[arg(long, default_value_t = 1)]
    canvases: usize,
    /// Clients per canvas.
    #[arg(long, default_value_t = 50)]
    clients: usize,
    /// Edits per second per editor (fanout).
    #[arg(long, default_value_t = 5.0)]
    rate: f64,
    /// Seconds of sending (fanout) or holding (idle).
    #[arg(long, default_value_t = 20)]
    seconds: u64,
    /// Updates written before timing the sync (history).
    #[arg(long, default_value_t = 20_000)]
    history: usize,
    /// Seconds to wait after seeding before the first fresh client syncs (history): with a
    /// short `--idle-unload-secs` on the server, that first client loads the canvas from disk.
    #[arg(long, default_value_t = 0)]
    pause_before_sync: u64,
    /// Server process id, to report its resident memory: now, and at its peak during this run.
    #[arg(long)]
    server_pid: Option<u32>,
    /// Personal access token of an account that may start canvases (Doorbraak only).
    #[arg(long, env = "DOORBRAAK_TOKEN", default_value = "")]
    token: String,
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let args = Args::parse();
    if let Some(pid) = args.server_pid {
        // The peak quoted is the load's: reset the server's high-water mark (VmHWM) now, so that
        // what it used while starting (argon2 hashing the demo passwords) does not count.
        std::fs::write(format!("/proc/{pid}/clear_refs"), "5")
            .context("resetting the server's peak memory")?;
    }
    let rooms = make_rooms(&args).await?;
    let mut report = match args.scenario {
        Scenario::Fanout => fanout(&args, &rooms).await?,
        Scenario::Idle => idle(&args, &rooms).await?,
        Scenario::History => history(&args, &rooms[0]).await?,
    };
    if let Some(pid) = args.server_pid {
        let status = std::fs::read_to_string(format!("/proc/{pid}/status"))
            .context("reading server status")?;
        let field = |name: &str| {
            status
                .lines()
                .find_map(|l| l.strip_prefix(name))
                .and_then(|v| v.split_whitespace().next()?.parse::<u64>().ok())
        };
        report["server_rss_mb"] = serde_json::json!(field("VmRSS:").map(|kb| kb as f64 / 1024.0));
        report["server_peak_rss_mb"] =
            serde_json::json!(field("VmHWM:").map(|kb| kb as f64 / 1024.0));
    }
    println!("{report}");
    Ok(())
}

/// Room URLs: new canvases on Doorbraak, fresh room names on the reference server.
async fn make_rooms(args: &Args) -> anyhow::Result<Vec<String>> {
    let mut rooms = Vec::with_capacity(args.canvases);
    for n in 0..args.canvases {
        let url = match args.target {
            Target::Doorbraak => {
                let body = format!(r#"{{"label":"Belasting {n}"}}"#);
                let answer = http_post(&args.addr, "/api/canvases", &body, &args.token).await?;
                let json: serde_json::Value =
                    serde_json::from_str(&answer).context("create answer")?;
                let id = json["id"].as_str().context("no id in create answer")?;
                // The token goes in a header (see `connect`), never in the URL.
                let _ = BEARER.set(args.token.clone());
                format!("ws://{}/sync/{id}", args.addr)
            }
            Target::Reference => format!("ws://{}/load-{}-{n}", args.addr, std::process::id()),
        };
        rooms.push(url);
    }
    Ok(rooms)
}

/// The room's URL on the process that client `n` of it connects to: `--addr` and then each
/// `--also-addr` in turn.
fn spread(args: &Args, url: &str, n: usize) -> String {
    let processes = 1 + args.also_addr.len();
    match n % processes {
        0 => url.to_owned(),
        k => url.replacen(&args.addr, &args.also_addr[k - 1], 1),
    }
}

async fn http_post(addr: &str, path: &str, body: &str, token: &str) -> anyhow::Result<String> {
    let mut stream = TcpStream::connect(addr)
        .await
        .context("connecting for HTTP")?;
    let request = format!(
        "POST {path} HTTP/1.1\r\nHost: {addr}\r\nContent-Type: application/json\r\n\
         Authorization: Bearer {token}\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    );
    stream.write_all(request.as_bytes()).await?;
    let mut response = String::new();
    stream.read_to_string(&mut response).await?;
    let (head, body) = response
        .split_once("\r\n\r\n")
        .context("malformed HTTP answer")?;
    if !head.starts_with("HTTP/1.1 201") {
        bail!("creating a canvas failed: {head}");
    }
    Ok(body.to_owned())
}

/// The token every Doorbraak socket sends as `Authorization: Bearer`; unset for the reference
/// server. One per run, so a process-wide value rather than a parameter of every scenario.
static BEARER: std::sync::OnceLock<String> = std::sync::OnceLock::new();

/// Connects and completes the sync handshake; returns the socket, and the time to full sync.
async fn connect(url: &str, doc: &Doc) -> anyhow::Result<(Ws, Duration)> {
    use tokio_tungstenite::tungstenite::client::IntoClientRequest;
    let started = Instant::now();
    let mut request = url.into_client_request()?;
    if let Some(token) = BEARER.get() {
        request
            .headers_mut()
            .insert("Authorization", format!("Bearer {token}").parse()?);
    }
    let (mut ws, _) = tokio_tungstenite::connect_async_with_config(request, None, true)
        .await
        .with_context(|| format!("connecting {url}"))?;
    let sv = doc.transact().state_vector();
    ws.send(Message::Binary(sync_step1(&sv).into())).await?;
    loop {
        let Some(message) = ws.next().await else {
            bail!("closed during the handshake")
        };
        let Message::Binary(data) = message? else {
            continue;
        };
        let mut reader = Reader::new(&data);
        if reader.var_uint()? != protocol::MSG_SYNC {
            continue;
        }
        match reader.var_uint()? {
            protocol::SYNC_STEP_1 => {
                let remote = StateVector::decode_v1(reader.buffer()?)?;
                let diff = doc.transact().encode_state_as_update_v1(&remote);
                ws.send(Message::Binary(protocol::encode_sync_step2(&diff)))
                    .await?;
            }
            protocol::SYNC_STEP_2 => {
                let update = Update::decode_v1(reader.buffer()?)?;
                doc.transact_mut().apply_update(update)?;
                return Ok((ws, started.elapsed()));
            }
            _ => {}
        }
    }
}

fn sync_step1(sv: &StateVector) -> Vec<u8> {
    use yrs::updates::encoder::Encode;
    let mut out = vec![0, 0];
    let encoded = sv.encode_v1();
    protocol::write_var_uint(&mut out, encoded.len() as u64);
    out.extend_from_slice(&encoded);
    out
}

/// An editor's own document: it produces valid updates without applying anyone else's.
struct Editor {
    doc: Doc,
    text: TextRef,
}

impl Editor {
    fn new() -> Self {
        let doc = Doc::new();
        let text = doc.get_or_insert_text("situation");
        Self { doc, text }
    }

    /// Appends `insert` and returns the update, as an editor's client sends it: encoded from its
    /// own transaction (yjs's `update` event). Diffing against the state vector from before
    /// instead costs time in the length of the text (yrs squashes the appended runs into one
    /// block and splits it again to encode the tail), which made this generator the limit of
    /// the history scenario.
    fn edit(&self, insert: &str) -> Vec<u8> {
        let mut txn = self.doc.transact_mut();
        let len = self.text.len(&txn);
        self.text.insert(&mut txn, len, insert);
        txn.encode_update_v1()
    }
}

/// Finds `~E<editor>S<seq>~` in an update without decoding it.
/// The markers of the edits an update carries: one for a relayed edit; several when a process
/// relays what another process committed as one difference (after that process folded the edits
/// into a snapshot before this one read them). The bytes before a marker may hold `~E` too (a
/// client id whose last byte is `~`, then an origin clock of 69, `E`): a candidate that does not
/// parse is skipped by one byte, never up to the next `~`, which may be the real marker's start.
fn find_markers(bytes: &[u8]) -> Vec<(usize, usize)> {
    let mut found = Vec::new();
    let mut at = 0;
    while let Some(start) = bytes[at..].windows(2).position(|w| w == b"~E") {
        let candidate = at + start + 2;
        match marker(&bytes[candidate..]) {
            Some((editor, seq, len)) => {
                found.push((editor, seq));
                at = candidate + len;
            }
            None => at += start + 1,
        }
    }
    found
}

/// `<editor>S<seq>~` at the start of `bytes`: the two numbers and the bytes they take.
fn marker(bytes: &[u8]) -> Option<(usize, usize, usize)> {
    let digits = |from: usize| {
        let len = bytes[from..]
            .iter()
            .take_while(|b| b.is_ascii_digit())
            .count();
        let value = std::str::from_utf8(&bytes[from..from + len])
            .ok()?
            .parse()
            .ok()?;
        Some((value, from + len))
    };
    let (editor, after) = digits(0)?;
    if bytes.get(after) != Some(&b'S') {
        return None;
    }
    let (seq, after) = digits(after + 1)?;
    (bytes.get(after) == Some(&b'~')).then_some((editor, seq, after + 1))
}

fn percentile(sorted: &[u64], p: f64) -> f64 {
    if sorted.is_empty() {
        return f64::NAN;
    }
    let index = ((sorted.len() as f64 * p).ceil() as usize).clamp(1, sorted.len()) - 1;
    sorted[index] as f64 / 1000.0
}

async fn fanout(args: &Args, rooms: &[String]) -> anyhow::Result<serde_json::Value> {
    let editors = args.clients;
    let per_editor = (args.rate * args.seconds as f64).ceil() as usize;
    let origin = Instant::now();
    // Send times in microseconds since `origin`, per global editor and sequence number.
    let sent_at: Arc<Vec<Vec<AtomicU64>>> = Arc::new(
        (0..editors * rooms.len())
            .map(|_| (0..per_editor).map(|_| AtomicU64::new(0)).collect())
            .collect(),
    );
    // How many edits each editor handed to its socket without an error: a missing delivery of
    // an edit that was never sent is the generator's, not the server's.
    let sent: Arc<Vec<AtomicU64>> = Arc::new(
        (0..editors * rooms.len())
            .map(|_| AtomicU64::new(0))
            .collect(),
    );
    let latencies = Arc::new(Mutex::new(Vec::<u64>::new()));
    let delivered = Arc::new(AtomicU64::new(0));
    let receipts = Arc::new(Mutex::new(Vec::<Receipts>::new()));

    // Connect everyone first, so that every client is present for every edit.
    let mut sockets = Vec::new();
    for (r, url) in rooms.iter().enumerate() {
        for e in 0..editors {
            let editor = Editor::new();
            let (ws, _) = connect(&spread(args, url, e), &editor.doc).await?;
            sockets.push((r * editors + e, editor, ws));
        }
    }
    let start = Instant::now();
    let period = Duration::from_secs_f64(1.0 / args.rate);
    let stop_reading = tokio_util::sync::CancellationToken::new();
    let (mut readers, mut writers) = (Vec::new(), Vec::new());
    for (global, editor, ws) in sockets {
        let (mut sink, mut stream) = ws.split();
        let (arrivals, latencies, delivered, stop, receipts) = (
            sent_at.clone(),
            latencies.clone(),
            delivered.clone(),
            stop_reading.clone(),
            receipts.clone(),
        );
        readers.push(tokio::spawn(async move {
            let sent_at = arrivals;
            let mut mine = Vec::new();
            let first = global - global % editors;
            let mut got = Receipts {
                reader: global,
                seen: vec![vec![false; per_editor]; editors],
                duplicates: 0,
                closed_early: false,
            };
            loop {
                let message = tokio::select! {
                    _ = stop.cancelled() => break,
                    message = stream.next() => message,
                };
                let Some(Ok(Message::Binary(data))) = message else {
                    if matches!(message, Some(Ok(_))) {
                        continue;
                    } else {
                        got.closed_early = true;
                        break;
                    }
                };
                // Relayed edits come as updates; count a sync step 2 too, should the server
                // ever answer with one, so that no delivery goes uncounted.
                if data.len() > 2 && data[0] == 0 && (data[1] == 2 || data[1] == 1) {
                    let now = origin.elapsed().as_micros() as u64;
                    for (editor, seq) in find_markers(&data) {
                        // The reference server echoes an update to its sender too; that is no
                        // fan-out.
                        if editor == global || !(first..first + editors).contains(&editor) {
                            continue;
                        }
                        let Some(seen) = got.seen[editor - first].get_mut(seq) else {
                            continue;
                        };
                        if std::mem::replace(seen, true) {
                            got.duplicates += 1;
                            continue;
                        }
                        mine.push(now.saturating_sub(sent_at[editor][seq].load(Ordering::Relaxed)));
                        delivered.fetch_add(1, Ordering::Relaxed);
                    }
                }
            }
            latencies.lock().map(|mut all| all.extend(mine)).ok();
            receipts.lock().map(|mut all| all.push(got)).ok();
        }));
        let (sent_at, sent) = (sent_at.clone(), sent.clone());
        writers.push(tokio::spawn(async move {
            // Spread the editors over the period so that edits do not arrive in lockstep.
            let offset = period.mul_f64((global % 97) as f64 / 97.0);
            let mut tick = tokio::time::interval_at(tokio::time::Instant::now() + offset, period);
            tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
            for seq in 0..per_editor {
                tick.tick().await;
                let update = editor.edit(&format!("~E{global}S{seq}~"));
                sent_at[global][seq].store(origin.elapsed().as_micros() as u64, Ordering::Relaxed);
                if sink
                    .send(Message::Binary(protocol::encode_update(&update)))
                    .await
                    .is_err()
                {
                    break;
                }
                sent[global].fetch_add(1, Ordering::Relaxed);
            }
            // Keep the connection open until the readers are done.
            let _keep = sink;
            std::future::pending::<()>().await;
        }));
    }
    let expected = (editors * rooms.len() * per_editor * (editors - 1)) as u64;
    let send_time = Duration::from_secs(args.seconds) + period;
    tokio::time::sleep(send_time).await;
    let drain_deadline = Instant::now() + Duration::from_secs(10);
    while delivered.load(Ordering::Relaxed) < expected && Instant::now() < drain_deadline {
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let elapsed = start.elapsed();
    stop_reading.cancel();
    for reader in readers {
        reader.await.ok();
    }
    for writer in writers {
        writer.abort();
    }
    let mut all = latencies.lock().map(|l| l.clone()).unwrap_or_default();
    all.sort_unstable();
    let received = delivered.load(Ordering::Relaxed);
    let sent: Vec<usize> = sent
        .iter()
        .map(|n| n.load(Ordering::Relaxed) as usize)
        .collect();
    let receipts = receipts
        .lock()
        .map(|mut r| std::mem::take(&mut *r))
        .unwrap_or_default();
    let missing = missing_deliveries(&receipts, &sent, &sent_at, editors);
    Ok(serde_json::json!({
        "scenario": "fanout",
        "canvases": rooms.len(),
        "editors_per_canvas": editors,
        "server_processes": 1 + args.also_addr.len(),
        "edits_per_second_per_editor": args.rate,
        "updates_sent": editors * rooms.len() * per_editor,
        "updates_per_second": (editors * rooms.len() * per_editor) as f64 / send_time.as_secs_f64(),
        "deliveries_expected": expected,
        "deliveries_received": received,
        "all_delivered": received == expected,
        "edits_not_sent": editors * rooms.len() * per_editor - sent.iter().sum::<usize>(),
        "readers_closed_early": receipts.iter().filter(|r| r.closed_early).count(),
        "duplicate_deliveries": receipts.iter().map(|r| r.duplicates).sum::<u64>(),
        "missing": missing,
        "latency_ms": { "p50": percentile(&all, 0.50), "p95": percentile(&all, 0.95), "p99": percentile(&all, 0.99), "max": percentile(&all, 1.0) },
        "wall_seconds": elapsed.as_secs_f64(),
    }))
}

/// What one client of a canvas received of the other editors' edits.
struct Receipts {
    reader: usize,
    /// Per editor of the canvas (by position in it), per sequence number.
    seen: Vec<Vec<bool>>,
    duplicates: u64,
    /// The server closed the connection (or it broke) before the run ended.
    closed_early: bool,
}

/// The edits that were sent but did not reach every other client of their canvas: at most 20,
/// each with how many readers missed it and when it was sent (ms after the start), to hold
/// against the server's log and its stored rows.
fn missing_deliveries(
    receipts: &[Receipts],
    sent: &[usize],
    sent_at: &[Vec<AtomicU64>],
    editors: usize,
) -> Vec<serde_json::Value> {
    let mut missed = std::collections::BTreeMap::<(usize, usize), usize>::new();
    for got in receipts {
        let first = got.reader - got.reader % editors;
        for (position, seen) in got.seen.iter().enumerate() {
            let editor = first + position;
            if editor == got.reader {
                continue;
            }
            for seq in (0..sent[editor]).filter(|&seq| !seen[seq]) {
                *missed.entry((editor, seq)).or_default() += 1;
            }
        }
    }
    missed
        .into_iter()
        .take(20)
        .map(|((editor, seq), readers)| {
            let at = sent_at[editor][seq].load(Ordering::Relaxed) as f64 / 1000.0;
            serde_json::json!({ "editor": editor, "seq": seq, "readers_missing": readers, "sent_ms": at })
        })
        .collect()
}

async fn idle(args: &Args, rooms: &[String]) -> anyhow::Result<serde_json::Value> {
    let mut sockets = Vec::new();
    for url in rooms {
        for _ in 0..args.clients {
            let doc = Doc::new();
            sockets.push(connect(url, &doc).await?.0);
        }
    }
    // Hold the connections; keep reading so pings are answered.
    let held = sockets.len();
    let readers: Vec<_> = sockets
        .into_iter()
        .map(|mut ws| tokio::spawn(async move { while let Some(Ok(_)) = ws.next().await {} }))
        .collect();
    tokio::time::sleep(Duration::from_secs(args.seconds)).await;
    let report =
        serde_json::json!({ "scenario": "idle", "canvases": rooms.len(), "connections": held });
    for reader in readers {
        reader.abort();
    }
    Ok(report)
}

async fn history(args: &Args, url: &str) -> anyhow::Result<serde_json::Value> {
    let editor = Editor::new();
    let (mut ws, _) = connect(url, &editor.doc).await?;
    let seeding = Instant::now();
    for n in 0..args.history {
        let update = editor.edit(&format!("{n} "));
        ws.send(Message::Binary(protocol::encode_update(&update)))
            .await?;
    }
    // A fresh client must see the last update before the timing starts.
    let expected = editor.text.get_string_len(&editor.doc);
    loop {
        let probe = Doc::new();
        let text = probe.get_or_insert_text("situation");
        let (_probe_ws, _) = connect(url, &probe).await?;
        if yrs::GetString::get_string(&text, &probe.transact()).len() >= expected {
            break;
        }
        // Often enough not to add much to a seeding that takes about a second.
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    let seeded = seeding.elapsed();
    ws.close(None).await.ok();
    drop(ws);
    tokio::time::sleep(Duration::from_secs(args.pause_before_sync)).await;
    let mut times = Vec::new();
    for _ in 0..args.clients {
        let doc = Doc::new();
        let text = doc.get_or_insert_text("situation");
        let (ws, took) = connect(url, &doc).await?;
        let len = yrs::GetString::get_string(&text, &doc.transact()).len();
        if len < expected {
            bail!("a fresh client got {len} of {expected} bytes");
        }
        times.push(took.as_micros() as u64);
        drop(ws);
    }
    let first = times.first().copied().unwrap_or_default();
    times.sort_unstable();
    Ok(serde_json::json!({
        "first_sync_after_pause_ms": first as f64 / 1000.0,
        "pause_seconds": args.pause_before_sync,
        "scenario": "history",
        "history_updates": args.history,
        "document_bytes": expected,
        "seed_seconds": seeded.as_secs_f64(),
        // Every update was committed (and, on SQLite, fsynced) before the probe could see it.
        "ingest_updates_per_second": args.history as f64 / seeded.as_secs_f64(),
        "clients": times.len(),
        "full_sync_ms": { "p50": percentile(&times, 0.5), "p99": percentile(&times, 0.99), "max": percentile(&times, 1.0) },
    }))
}

trait TextLen {
    fn get_string_len(&self, doc: &Doc) -> usize;
}

impl TextLen for TextRef {
    fn get_string_len(&self, doc: &Doc) -> usize {
        yrs::GetString::get_string(self, &doc.transact()).len()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// An editor whose document has this client id.
    fn editor(client_id: u64) -> Editor {
        let doc = Doc::with_client_id(client_id);
        let text = doc.get_or_insert_text("situation");
        Editor { doc, text }
    }

    #[test]
    fn every_edit_is_found_whatever_bytes_surround_its_marker() {
        // Client id 126 is the byte `~`; the eleventh edit's origin is clock 69, the byte `E`:
        // its update holds `~E` before the marker itself.
        for client_id in [126, 1, 0x7e7e, (1 << 53) - 1] {
            let editor = editor(client_id);
            for seq in 0..200 {
                let update = editor.edit(&format!("~E43S{seq}~"));
                let message = protocol::encode_update(&update);
                assert_eq!(find_markers(&message), [(43, seq)], "client {client_id}");
            }
        }
        // Several in one difference, between bytes that look like a marker's start.
        let bytes = b"\x00~E~E7x~E1S2~~E3S4~~ES~E5S~";
        assert_eq!(find_markers(bytes), [(1, 2), (3, 4)]);
    }
}

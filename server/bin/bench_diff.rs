//! `doorbraak-bench-diff`: how long the difference between two versions of a canvas takes on the
//! server, as `GET /api/canvases/{id}/verschil` does it: both frozen documents decoded into their
//! content, then compared per field (`canvas::diff`). Two cases: the demo canvas against itself
//! with one sentence added, and a canvas with a history of N separate edits (20,000 by default)
//! against its first version. Prints one line of JSON per case with the median and the slowest
//! of `--runs` runs.

use std::time::Instant;

use clap::Parser;
use doorbraak::{canvas::diff, demo, sync::doc::CanvasDoc};
use yrs::{Doc, GetString, ReadTxn, StateVector, Text, Transact, Update, updates::decoder::Decode};

#[derive(Parser)]
struct Args {
    /// Edits in the long history.
    #[arg(long, default_value_t = 20_000)]
    history: usize,
    /// Runs per case.
    #[arg(long, default_value_t = 21)]
    runs: usize,
}

fn snapshot(doc: &Doc) -> Vec<u8> {
    doc.transact()
        .encode_state_as_update_v1(&StateVector::default())
}

fn demo_doc() -> Doc {
    let doc = Doc::new();
    let update = Update::decode_v1(&demo::scooter_case()).expect("demo");
    doc.transact_mut().apply_update(update).expect("apply");
    doc
}

/// Milliseconds of `runs` comparisons of the two snapshots: (median, max).
fn time(before: &[u8], after: &[u8], runs: usize) -> (f64, f64) {
    let mut ms: Vec<f64> = (0..runs)
        .map(|_| {
            let started = Instant::now();
            let a = CanvasDoc::content_of_snapshot(before).expect("before");
            let b = CanvasDoc::content_of_snapshot(after).expect("after");
            std::hint::black_box(diff::between(&a, &b));
            started.elapsed().as_secs_f64() * 1000.0
        })
        .collect();
    ms.sort_by(f64::total_cmp);
    (ms[ms.len() / 2], ms[ms.len() - 1])
}

fn main() {
    let args = Args::parse();
    let doc = demo_doc();
    let before = snapshot(&doc);
    let situation = doc.get_or_insert_text("situation");
    {
        let mut txn = doc.transact_mut();
        let len = situation.len(&txn);
        situation.insert(&mut txn, len, " Na het overleg belt moeder de school.");
    }
    let after = snapshot(&doc);
    let (median, max) = time(&before, &after, args.runs);
    println!(
        "{}",
        serde_json::json!({"case": "demo", "bytes": [before.len(), after.len()], "runs": args.runs, "median_ms": median, "max_ms": max})
    );

    // A long history: every keystroke its own transaction, as typing in the editor makes them.
    let doc = demo_doc();
    let first = snapshot(&doc);
    let text = doc.get_or_insert_text("overview");
    for n in 0..args.history {
        let mut txn = doc.transact_mut();
        let len = text.len(&txn);
        // Now and then a deletion, so the history is not append-only.
        if n % 10 == 9 && len > 0 {
            text.remove_range(&mut txn, len - 1, 1);
        } else {
            text.insert(&mut txn, len, if n % 7 == 0 { " " } else { "x" });
        }
    }
    let last = snapshot(&doc);
    assert!(text.get_string(&doc.transact()).len() > args.history / 2);
    let (median, max) = time(&first, &last, args.runs);
    println!(
        "{}",
        serde_json::json!({"case": "history", "edits": args.history, "bytes": [first.len(), last.len()], "runs": args.runs, "median_ms": median, "max_ms": max})
    );
}

//! `doorbraak-bench-anonymity`: how long the anonymity rule (`anonymity::scan`) takes over a
//! canvas of `--kilobytes` of text (100 by default): the demo canvas's texts repeated, with a
//! phone number, an IBAN, a BSN, an address and a name in every tenth paragraph, as a canvas
//! full of slips would be. The first scan (which compiles the patterns and loads
//! libphonenumber's tables) is reported apart. Prints one line of JSON with the median and the
//! slowest of `--runs` runs.

use std::time::Instant;

use clap::Parser;
use doorbraak::{anonymity, demo, sync::doc::CanvasDoc};

#[derive(Parser)]
struct Args {
    #[arg(long, default_value_t = 100)]
    kilobytes: usize,
    #[arg(long, default_value_t = 21)]
    runs: usize,
}

fn canvas_text(kilobytes: usize) -> String {
    let content = CanvasDoc::content_of_snapshot(&demo::scooter_case()).expect("the demo canvas");
    let s = &content.steps;
    let prose = [
        s.situation.as_str(),
        s.future.as_str(),
        s.overview.text.as_str(),
        s.breakthrough.text.as_str(),
        s.value_triangle.involvement.as_str(),
    ]
    .join("\n");
    let slips = "Bel mevrouw Jansen op 06-12345678 of mail naar j.jansen@example.nl; zij woont op de \
                 Kerkstraat 12, 6811 AB Arnhem. Rekening NL91 ABNA 0417 1643 00, BSN 123456782, \
                 geboren op 12-03-2015.\n";
    let mut text = String::new();
    let mut n = 0;
    while text.len() < kilobytes * 1024 {
        text.push_str(&prose);
        text.push('\n');
        if n % 10 == 0 {
            text.push_str(slips);
        }
        n += 1;
    }
    text
}

fn main() {
    let args = Args::parse();
    let text = canvas_text(args.kilobytes);
    let started = Instant::now();
    let findings = anonymity::scan(&text, "Demo: scooter i.p.v. leerlingenvervoer").len();
    let first_ms = started.elapsed().as_secs_f64() * 1000.0;
    let mut ms: Vec<f64> = (0..args.runs)
        .map(|_| {
            let started = Instant::now();
            let n = anonymity::scan(&text, "").len();
            std::hint::black_box(n);
            started.elapsed().as_secs_f64() * 1000.0
        })
        .collect();
    ms.sort_by(f64::total_cmp);
    println!(
        "{}",
        serde_json::json!({"case": "canvas", "bytes": text.len(), "findings": findings, "runs": args.runs,
            "first_ms": first_ms, "median_ms": ms[ms.len() / 2], "max_ms": ms[ms.len() - 1]})
    );
}

//! Operational metrics in the Prometheus text format.
//!
//! A handful of atomics is all the server needs, so there is no metrics framework: counters and
//! gauges are `AtomicU64`s and the one histogram has fixed buckets. Nothing here ever holds canvas
//! content.

use std::{
    fmt::Write,
    sync::atomic::{AtomicU64, Ordering::Relaxed},
    time::Duration,
};

/// Upper bounds, in seconds, of the persist latency buckets.
const PERSIST_BUCKETS: [f64; 12] = [
    0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5,
];

#[derive(Debug, Default)]
pub struct Metrics {
    pub open_connections: AtomicU64,
    pub loaded_canvases: AtomicU64,
    pub updates_received: AtomicU64,
    pub updates_broadcast: AtomicU64,
    pub clients_disconnected_slow: AtomicU64,
    pub connections_rejected: AtomicU64,
    persist: Histogram,
}

#[derive(Debug, Default)]
struct Histogram {
    buckets: [AtomicU64; PERSIST_BUCKETS.len()],
    count: AtomicU64,
    sum_micros: AtomicU64,
}

impl Metrics {
    /// Records how long one group commit took.
    pub fn observe_persist(&self, took: Duration) {
        let seconds = took.as_secs_f64();
        for (bound, bucket) in PERSIST_BUCKETS.iter().zip(&self.persist.buckets) {
            if seconds <= *bound {
                bucket.fetch_add(1, Relaxed);
            }
        }
        self.persist.count.fetch_add(1, Relaxed);
        self.persist
            .sum_micros
            .fetch_add(took.as_micros() as u64, Relaxed);
    }

    /// Renders all metrics in the Prometheus text exposition format.
    pub fn render(&self) -> String {
        let mut out = String::new();
        let gauges = [
            (
                "doorbraak_open_connections",
                "Open WebSocket connections.",
                &self.open_connections,
            ),
            (
                "doorbraak_loaded_canvases",
                "Canvases loaded in memory.",
                &self.loaded_canvases,
            ),
        ];
        for (name, help, value) in gauges {
            let _ = writeln!(
                out,
                "# HELP {name} {help}\n# TYPE {name} gauge\n{name} {}",
                value.load(Relaxed)
            );
        }
        let counters = [
            (
                "doorbraak_updates_received_total",
                "Document updates received from clients.",
                &self.updates_received,
            ),
            (
                "doorbraak_updates_broadcast_total",
                "Document update messages sent to other clients.",
                &self.updates_broadcast,
            ),
            (
                "doorbraak_clients_disconnected_slow_total",
                "Clients disconnected because they read too slowly.",
                &self.clients_disconnected_slow,
            ),
            (
                "doorbraak_connections_rejected_total",
                "WebSocket upgrades refused by the per-address limit.",
                &self.connections_rejected,
            ),
        ];
        for (name, help, value) in counters {
            let _ = writeln!(
                out,
                "# HELP {name} {help}\n# TYPE {name} counter\n{name} {}",
                value.load(Relaxed)
            );
        }
        let name = "doorbraak_persist_seconds";
        let _ = writeln!(
            out,
            "# HELP {name} Duration of one group commit of document updates.\n# TYPE {name} histogram"
        );
        for (bound, bucket) in PERSIST_BUCKETS.iter().zip(&self.persist.buckets) {
            let _ = writeln!(
                out,
                "{name}_bucket{{le=\"{bound}\"}} {}",
                bucket.load(Relaxed)
            );
        }
        let count = self.persist.count.load(Relaxed);
        let sum = self.persist.sum_micros.load(Relaxed) as f64 / 1e6;
        let _ = writeln!(
            out,
            "{name}_bucket{{le=\"+Inf\"}} {count}\n{name}_sum {sum}\n{name}_count {count}"
        );
        out
    }
}

//! The log: lines on standard error, as text (coloured only when standard error is a terminal,
//! so that a journal or a file gets no escape codes) or as one JSON object per line for a log
//! collector. And its filter: whatever `RUST_LOG` says, libraries that trace message payloads
//! stay quiet.
//!
//! At `trace`, tungstenite logs every WebSocket frame with its payload and hyper logs request
//! heads (cookies, tokens); both would put canvas content and credentials in the logs. Their
//! directives in `RUST_LOG` are dropped and replaced by a cap at `info`, which a bare `trace`
//! cannot lift because a directive naming a target wins over one that does not.

use std::io::IsTerminal;

use tracing_subscriber::EnvFilter;

use crate::config::LogFormat;

/// Installs the global subscriber. Logs go to standard error; standard output carries only
/// the line announcing the address, for scripts.
pub fn init(format: LogFormat) {
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter(std::env::var("RUST_LOG").ok().as_deref()))
        .with_writer(std::io::stderr);
    match format {
        LogFormat::Text => builder.with_ansi(std::io::stderr().is_terminal()).init(),
        LogFormat::Json => builder.json().with_ansi(false).init(),
    }
}

/// Crates whose debug and trace output can carry payloads or credentials.
const CAPPED: [&str; 6] = [
    "tungstenite",
    "tokio_tungstenite",
    "hyper",
    "hyper_util",
    "h2",
    "yrs",
];

/// The filter for `user` (the value of `RUST_LOG`, if set), `info` by default.
pub fn filter(user: Option<&str>) -> EnvFilter {
    let kept: Vec<&str> = user
        .unwrap_or("info")
        .split(',')
        .map(str::trim)
        .filter(|directive| !directive.is_empty() && !names_capped(directive))
        .collect();
    let mut filter = EnvFilter::try_new(kept.join(",")).unwrap_or_else(|_| EnvFilter::new("info"));
    for target in CAPPED {
        if let Ok(directive) = format!("{target}=info").parse() {
            filter = filter.add_directive(directive);
        }
    }
    // PostgreSQL's notices ("relation _sqlx_migrations already exists, skipping" at every start)
    // are noise at info; a warning from the server still shows.
    if !user.unwrap_or_default().contains("sqlx::postgres::notice")
        && let Ok(directive) = "sqlx::postgres::notice=warn".parse()
    {
        filter = filter.add_directive(directive);
    }
    filter
}

/// Whether a directive names one of the capped crates (or one of their modules).
fn names_capped(directive: &str) -> bool {
    let target = directive
        .split(['=', '['])
        .next()
        .unwrap_or_default()
        .trim();
    CAPPED
        .iter()
        .any(|capped| target == *capped || target.starts_with(&format!("{capped}::")))
}

#[cfg(test)]
mod tests {
    use tracing::Level;
    use tracing_subscriber::layer::SubscriberExt;

    use super::*;

    fn enabled(user: &str, target_is_tungstenite: bool, level: Level) -> bool {
        let subscriber = tracing_subscriber::registry().with(filter(Some(user)));
        tracing::subscriber::with_default(subscriber, || {
            if target_is_tungstenite {
                match level {
                    Level::TRACE => {
                        tracing::enabled!(target: "tungstenite::protocol", Level::TRACE)
                    }
                    _ => tracing::enabled!(target: "tungstenite::protocol", Level::INFO),
                }
            } else {
                tracing::enabled!(target: "doorbraak::sync", Level::TRACE)
            }
        })
    }

    #[test]
    fn payload_tracing_of_libraries_stays_off_whatever_is_asked() {
        for user in [
            "trace",
            "tungstenite=trace",
            "trace,tungstenite::protocol=trace",
            "debug,hyper=trace",
        ] {
            assert!(!enabled(user, true, Level::TRACE), "{user}");
        }
        assert!(
            enabled("trace", true, Level::INFO),
            "warnings and errors still come through"
        );
        assert!(
            enabled("trace", false, Level::TRACE),
            "our own tracing is as asked"
        );
        assert!(!enabled("info", false, Level::TRACE));
    }
}

//! The `doorbraak` binary: parse the configuration, set up logging, bind, serve.

use anyhow::Context;
use clap::Parser;
use doorbraak::{
    AppState,
    config::{Cli, Command, ServeArgs},
    demo, serve, store,
};
use tokio::net::TcpListener;
use tracing_subscriber::EnvFilter;

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    // Logs go to stderr; stdout carries only the line announcing the address, for scripts.
    tracing_subscriber::fmt()
        .with_env_filter(
            EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new("info")),
        )
        .with_writer(std::io::stderr)
        .init();
    match Cli::parse().into_command() {
        Command::Serve(args) => run_server(args).await,
    }
}

async fn run_server(args: ServeArgs) -> anyhow::Result<()> {
    let store = store::open(&args.database_url)
        .await
        .context("opening the database")?;
    if args.demo
        && demo::seed(store.as_ref())
            .await
            .context("seeding the demo canvas")?
    {
        tracing::info!(canvas_id = demo::DEMO_CANVAS_ID, "demo canvas created");
    }
    let listener = TcpListener::bind(args.bind)
        .await
        .with_context(|| format!("binding {}", args.bind))?;
    let address = listener.local_addr().context("reading the bound address")?;
    let state = AppState::new(store, args.limits);
    println!("doorbraak listening on http://{address}");
    tracing::info!(%address, "listening");
    serve(listener, state, shutdown_signal())
        .await
        .context("serving")?;
    tracing::info!("stopped");
    Ok(())
}

/// Resolves on Ctrl-C or SIGTERM.
async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut signal) => {
                signal.recv().await;
            }
            Err(_) => std::future::pending().await,
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        _ = ctrl_c => {},
        _ = terminate => {},
    }
}

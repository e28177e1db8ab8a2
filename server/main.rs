//! The `doorbraak` binary: parse the configuration, set up logging, bind, serve.

use std::{io::Write, process::ExitCode};

use anyhow::Context;
use clap::Parser;
use doorbraak::{
    AppState, accounts,
    config::{
        AccountArgs, AdminCommand, BackupArgs, Cli, Command, CopyArgs, ServeArgs, TokenCommand,
    },
    demo, format, logging, serve, store, sync,
};
use tokio::net::TcpListener;

#[tokio::main]
async fn main() -> ExitCode {
    match run().await {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            // The message and its causes on one line; no backtrace for a person at a terminal.
            eprintln!("Fout: {error:#}");
            ExitCode::FAILURE
        }
    }
}

async fn run() -> anyhow::Result<()> {
    let cli = Cli::parse();
    logging::init(cli.log_format);
    match cli.into_command() {
        Command::Serve(args) => run_server(args).await,
        Command::Admin(AdminCommand::Create(args)) => create_beheerder(args).await,
        Command::Token(TokenCommand::Create(args)) => create_token(args).await,
        Command::Backup(args) => backup(args).await,
        Command::Copy(args) => copy(args).await,
    }
}

/// `doorbraak copy`: the whole SQLite database into an empty PostgreSQL database, checked.
async fn copy(args: CopyArgs) -> anyhow::Result<()> {
    let started = std::time::Instant::now();
    let report = store::copy::copy(&args.from, &args.to, sync::doc::same_document)
        .await
        .context("kopiëren mislukt")?;
    println!(
        "Gekopieerd en gecontroleerd in {} s: {} tabellen met samen {} rijen, in elke tabel \
         evenveel als in SQLite; {} canvassen in PostgreSQL gelijk aan SQLite.",
        format!("{:.1}", started.elapsed().as_secs_f64()).replace('.', ","),
        report.tables,
        format::thousands(report.rows),
        report.canvases
    );
    Ok(())
}

/// `doorbraak backup`: one consistent copy of the database in a new file, checked.
async fn backup(args: BackupArgs) -> anyhow::Result<()> {
    let report = store::backup(&args.database_url, &args.to)
        .await
        .with_context(|| format!("backing up into {}", args.to.display()))?;
    println!(
        "Reservekopie gemaakt: {} ({} bytes; {} canvassen, {} accounts, {} regels in het auditlog). \
         De kopie is gecontroleerd.",
        args.to.display(),
        report.bytes,
        report.canvases,
        report.accounts,
        report.audit_entries
    );
    Ok(())
}

/// `doorbraak admin create`: the first beheerder, with a password from standard input.
async fn create_beheerder(args: AccountArgs) -> anyhow::Result<()> {
    let store = store::open(&args.database_url)
        .await
        .context("opening the database")?;
    let password = read_password().context("reading the password")?;
    let account =
        accounts::create_beheerder(directory(&store), &args.email, &args.name, &password).await?;
    println!("Beheerder aangemaakt: {}", account.email);
    Ok(())
}

/// `doorbraak token create`: prints only the token, so scripts can capture it.
async fn create_token(args: AccountArgs) -> anyhow::Result<()> {
    let store = store::open(&args.database_url)
        .await
        .context("opening the database")?;
    println!(
        "{}",
        accounts::create_token(directory(&store), &args.email, &args.name, args.days).await?
    );
    Ok(())
}

/// The directory side of the database.
fn directory(db: &std::sync::Arc<dyn store::Database>) -> &dyn store::Directory {
    db.as_ref()
}

/// Asks twice, unseen, on a terminal; otherwise reads the first line of standard input.
fn read_password() -> anyhow::Result<String> {
    use std::io::IsTerminal;
    if std::io::stdin().is_terminal() {
        let password = rpassword::prompt_password("Wachtwoord: ")?;
        if rpassword::prompt_password("Nogmaals: ")? != password {
            anyhow::bail!("De wachtwoorden zijn niet gelijk.");
        }
        Ok(password)
    } else {
        let mut line = String::new();
        std::io::stdin().read_line(&mut line)?;
        Ok(line.trim_end_matches(['\r', '\n']).to_owned())
    }
}

async fn run_server(args: ServeArgs) -> anyhow::Result<()> {
    // Marks a PostgreSQL database as served (any number of processes may) until the server
    // stops, before its migrations run: `doorbraak copy` refuses to write into it meanwhile, and
    // while a copy (or an older Doorbraak that served alone) holds it, this one waits.
    let mut serving = if store::postgres::is_url(&args.database_url) {
        Some(
            store::postgres::serving(&args.database_url)
                .await
                .context("marking the database as served")?,
        )
    } else {
        None
    };
    let store = store::open(&args.database_url)
        .await
        .context("opening the database")?;
    if args.demo {
        // Processes started at the same moment on one PostgreSQL database seed one at a time.
        if let Some(conn) = serving.as_mut() {
            store::postgres::seeding_demo(conn)
                .await
                .context("waiting to seed the demo")?;
        }
        let created = demo::seed(store.as_ref())
            .await
            .context("seeding the demo")?;
        if let Some(conn) = serving.as_mut()
            && let Err(error) = store::postgres::demo_seeded(conn).await
        {
            // The seed is in place; the lock went with the connection, if that dropped.
            tracing::warn!(%error, "could not release the demo's seeding lock");
        }
        if created {
            tracing::info!(canvas_id = demo::DEMO_CANVAS_ID, "demo canvas created");
        }
    }
    let listener = TcpListener::bind(args.bind)
        .await
        .with_context(|| format!("binding {}", args.bind))?;
    let address = listener.local_addr().context("reading the bound address")?;
    let state = AppState::new(store, args.limits, args.auth, args.workflow).await;
    let shutdown = shutdown_signal();
    // Written without println!, which panics when whoever started us closed stdout.
    let mut out = std::io::stdout();
    let _ = writeln!(out, "doorbraak listening on http://{address}");
    if args.demo {
        let _ = writeln!(
            out,
            "Demo-accounts, alle met wachtwoord {}:",
            demo::DEMO_PASSWORD
        );
        for (email, what) in demo::accounts() {
            let _ = writeln!(out, "  {email:<34} {what}");
        }
    }
    let _ = out.flush();
    tracing::info!(%address, "listening");
    serve(listener, state, shutdown).await.context("serving")?;
    tracing::info!("stopped");
    Ok(())
}

/// Resolves on Ctrl-C or SIGTERM. The handlers are installed when this is called, not when it
/// is first awaited: a SIGTERM that arrives right after the listening line was printed (a
/// supervisor that stops what it just started) ends the server gracefully instead of killing it.
fn shutdown_signal() -> impl std::future::Future<Output = ()> {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{SignalKind, signal};
        let terminate = signal(SignalKind::terminate());
        let interrupt = signal(SignalKind::interrupt());
        async move {
            let (Ok(mut terminate), Ok(mut interrupt)) = (terminate, interrupt) else {
                return std::future::pending().await;
            };
            tokio::select! {
                _ = terminate.recv() => {},
                _ = interrupt.recv() => {},
            }
        }
    }
    #[cfg(not(unix))]
    async {
        let _ = tokio::signal::ctrl_c().await;
    }
}

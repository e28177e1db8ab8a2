//! Command line and environment configuration.
//!
//! Every flag has an environment variable twin so that the same binary is configured the same way
//! from a shell, a service manager or a test harness. `serve` is the default subcommand: its flags
//! are also accepted without naming it.

use std::{net::SocketAddr, time::Duration};

use clap::{Args, Parser, Subcommand};

/// The `doorbraak` command line.
#[derive(Debug, Parser)]
#[command(name = "doorbraak", version, about = "Werkplaats voor doorbraakteams")]
#[command(args_conflicts_with_subcommands = true)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Option<Command>,
    #[command(flatten)]
    pub serve: ServeArgs,
}

impl Cli {
    /// The subcommand to run, with `serve` as the default.
    pub fn into_command(self) -> Command {
        self.command.unwrap_or(Command::Serve(self.serve))
    }
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Start the server (the default).
    Serve(ServeArgs),
    /// Manage beheerders (administrators).
    #[command(subcommand)]
    Admin(AdminCommand),
    /// Manage personal access tokens.
    #[command(subcommand)]
    Token(TokenCommand),
}

#[derive(Debug, Subcommand)]
pub enum AdminCommand {
    /// Create a beheerder. The password is read from standard input (asked for, unseen, on a
    /// terminal).
    Create(AccountArgs),
}

#[derive(Debug, Subcommand)]
pub enum TokenCommand {
    /// Create a personal access token for an account and print only the token.
    Create(AccountArgs),
}

/// Which database and which account a command is about.
#[derive(Debug, Clone, Args)]
pub struct AccountArgs {
    /// The account's e-mail address.
    #[arg(long)]
    pub email: String,

    /// The person's name (for `admin create`) or what the token is for (for `token create`).
    #[arg(long, default_value = "")]
    pub name: String,

    /// Database URL, as for `serve`.
    #[arg(
        long,
        env = "DOORBRAAK_DATABASE_URL",
        default_value = "sqlite://data/doorbraak.db"
    )]
    pub database_url: String,
}

/// Settings of the server.
#[derive(Debug, Clone, Args)]
pub struct ServeArgs {
    /// Address to listen on. Port 0 picks a free port.
    #[arg(long, env = "DOORBRAAK_BIND", default_value = "127.0.0.1:8080")]
    pub bind: SocketAddr,

    /// Database URL; `sqlite://PATH` creates and migrates the file on first start.
    #[arg(
        long,
        env = "DOORBRAAK_DATABASE_URL",
        default_value = "sqlite://data/doorbraak.db"
    )]
    pub database_url: String,

    /// Seed the demo canvas (the fictitious scooter case) if it is not there yet.
    #[arg(long, env = "DOORBRAAK_DEMO")]
    pub demo: bool,

    #[command(flatten)]
    pub limits: Limits,

    #[command(flatten)]
    pub auth: AuthSettings,

    #[command(flatten)]
    pub workflow: WorkflowSettings,
}

/// The escalation workflow.
#[derive(Debug, Clone, Args)]
pub struct WorkflowSettings {
    /// Days an escalation may wait before the dashboard and the team's overview mark it.
    #[arg(long, env = "DOORBRAAK_ESCALATION_SIGNAL_DAYS", default_value_t = 14)]
    pub escalation_signal_days: u64,
}

impl Default for WorkflowSettings {
    fn default() -> Self {
        #[derive(Parser)]
        struct Defaults {
            #[command(flatten)]
            workflow: WorkflowSettings,
        }
        Defaults::parse_from(["doorbraak"]).workflow
    }
}

/// Sessions, cookies and one-time links.
#[derive(Debug, Clone, Args)]
pub struct AuthSettings {
    /// Minutes of inactivity after which a session ends (a session lasts 12 hours at most).
    #[arg(long, env = "DOORBRAAK_SESSION_IDLE_MINUTES", default_value_t = 60)]
    pub session_idle_minutes: u64,

    /// Mark the session cookie `Secure`. Set this when users reach the server over HTTPS; it is
    /// also set per request when a proxy sends `X-Forwarded-Proto: https`.
    #[arg(long, env = "DOORBRAAK_SECURE_COOKIES")]
    pub secure_cookies: bool,

    /// Days an invitation link stays valid.
    #[arg(long, env = "DOORBRAAK_INVITATION_DAYS", default_value_t = 7)]
    pub invitation_days: u64,

    /// The address users reach the server at (e.g. `https://doorbraak.gemeente.nl`), used in
    /// invitation and reset links; by default taken from the request.
    #[arg(long, env = "DOORBRAAK_PUBLIC_URL")]
    pub public_url: Option<String>,
}

impl AuthSettings {
    /// How long a session may go without requests.
    pub fn session_idle(&self) -> Duration {
        Duration::from_secs(self.session_idle_minutes.max(1).saturating_mul(60))
    }

    /// How long an invitation link works.
    pub fn invitation_validity(&self) -> Duration {
        Duration::from_secs(self.invitation_days.max(1).saturating_mul(86_400))
    }
}

impl Default for AuthSettings {
    fn default() -> Self {
        #[derive(Parser)]
        struct Defaults {
            #[command(flatten)]
            auth: AuthSettings,
        }
        Defaults::parse_from(["doorbraak"]).auth
    }
}

/// Limits and timings of the sync service; the defaults suit a production team.
#[derive(Debug, Clone, Args)]
pub struct Limits {
    /// Largest accepted WebSocket message in bytes; larger ones close the connection.
    #[arg(long, env = "DOORBRAAK_MAX_MESSAGE_BYTES", default_value_t = 1024 * 1024)]
    pub max_message_bytes: usize,

    /// Bytes per second one connection may send before its reads are throttled.
    #[arg(long, env = "DOORBRAAK_CLIENT_BYTES_PER_SEC", default_value_t = 1024 * 1024)]
    pub client_bytes_per_sec: u32,

    /// Messages per second one connection may send before its reads are throttled.
    #[arg(long, env = "DOORBRAAK_CLIENT_MESSAGES_PER_SEC", default_value_t = 200)]
    pub client_messages_per_sec: u32,

    /// Open WebSocket connections allowed from one IP address.
    #[arg(long, env = "DOORBRAAK_MAX_CONNECTIONS_PER_IP", default_value_t = 100)]
    pub max_connections_per_ip: usize,

    /// Messages queued for one client before it counts as too slow and is disconnected.
    #[arg(long, env = "DOORBRAAK_SEND_QUEUE", default_value_t = 1024)]
    pub send_queue: usize,

    /// Seconds after which a presence (awareness) entry that was not renewed is removed.
    #[arg(long, env = "DOORBRAAK_AWARENESS_TIMEOUT_SECS", default_value_t = 30)]
    pub awareness_timeout_secs: u64,

    /// Seconds between pings; a connection silent for two intervals is closed.
    #[arg(long, env = "DOORBRAAK_PING_INTERVAL_SECS", default_value_t = 15)]
    pub ping_interval_secs: u64,

    /// Seconds a canvas without connections stays in memory.
    #[arg(long, env = "DOORBRAAK_IDLE_UNLOAD_SECS", default_value_t = 60)]
    pub idle_unload_secs: u64,

    /// Number of logged updates after which a canvas's log is compacted into a snapshot.
    #[arg(long, env = "DOORBRAAK_COMPACT_AFTER", default_value_t = 500)]
    pub compact_after: u64,
}

impl Limits {
    pub fn awareness_timeout(&self) -> Duration {
        Duration::from_secs(self.awareness_timeout_secs.max(1))
    }

    pub fn ping_interval(&self) -> Duration {
        Duration::from_secs(self.ping_interval_secs.max(1))
    }

    pub fn idle_unload(&self) -> Duration {
        Duration::from_secs(self.idle_unload_secs)
    }
}

impl Default for Limits {
    fn default() -> Self {
        // Parse an empty command line so the defaults live in one place: the attributes above.
        #[derive(Parser)]
        struct Defaults {
            #[command(flatten)]
            limits: Limits,
        }
        Defaults::parse_from(["doorbraak"]).limits
    }
}

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
    /// How log lines on standard error look: `text` for people (coloured only on a terminal),
    /// `json` for a log collector (one JSON object per line).
    #[arg(
        long,
        global = true,
        value_enum,
        env = "DOORBRAAK_LOG_FORMAT",
        default_value = "text"
    )]
    pub log_format: LogFormat,
}

/// The shape of log lines.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum LogFormat {
    Text,
    Json,
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
    /// Write an online backup of the SQLite database into a new file, while the server runs,
    /// and check it.
    Backup(BackupArgs),
    /// Copy a whole SQLite database into an empty PostgreSQL database, in one transaction, and
    /// check the copy before it is committed (moving an installation to PostgreSQL).
    Copy(CopyArgs),
}

/// Where `doorbraak copy` reads and where it writes. No defaults and no environment variables:
/// both are named every time.
#[derive(Debug, Clone, Args)]
pub struct CopyArgs {
    /// The SQLite database to copy (`sqlite://PATH`); a server may be running on it.
    #[arg(long)]
    pub from: String,

    /// The empty PostgreSQL database to copy into (`postgres://USER@HOST:PORT/DB`; a password
    /// may also come from `PGPASSWORD` or `~/.pgpass`).
    #[arg(long)]
    pub to: String,
}

/// Where the database is and where its backup goes.
#[derive(Debug, Clone, Args)]
pub struct BackupArgs {
    /// Database URL, as for `serve`.
    #[arg(
        long,
        env = "DOORBRAAK_DATABASE_URL",
        default_value = "sqlite://data/doorbraak.db"
    )]
    pub database_url: String,

    /// The new file to write (refused if it exists).
    #[arg(long)]
    pub to: std::path::PathBuf,
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

    /// For `token create`: days the token works (at most 366).
    #[arg(long, default_value_t = defaults::TOKEN_DAYS)]
    pub days: u64,
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
    #[arg(long, env = "DOORBRAAK_ESCALATION_SIGNAL_DAYS", default_value_t = defaults::ESCALATION_SIGNAL_DAYS)]
    pub escalation_signal_days: u64,

    /// Minutes a guest of an overleg keeps reading its agenda's canvases after it ends.
    #[arg(long, env = "DOORBRAAK_GUEST_GRACE_MINUTES", default_value_t = defaults::GUEST_GRACE_MINUTES)]
    pub guest_grace_minutes: u64,

    /// Days a closed canvas that is not archived is kept; after them it is deleted with the
    /// casework it holds (the aanjager is warned 30 and 7 days before).
    #[arg(long, env = "DOORBRAAK_RETENTION_DAYS", default_value_t = defaults::RETENTION_DAYS)]
    pub retention_days: u64,
}

/// The defaults, in one place: the flags' attributes and the `Default` impls use them. `Default`
/// never parses a command line, so it reads no environment variables and cannot exit.
pub mod defaults {
    pub const ESCALATION_SIGNAL_DAYS: u64 = 14;
    pub const GUEST_GRACE_MINUTES: u64 = 15;
    /// About six months.
    pub const RETENTION_DAYS: u64 = 183;
    pub const SESSION_IDLE_MINUTES: u64 = 60;
    pub const INVITATION_DAYS: u64 = 7;
    /// Days a personal access token is valid unless its creator chooses otherwise.
    pub const TOKEN_DAYS: u64 = 90;
    pub const RECHECK_SECS: u64 = 30;
    pub const MAX_MESSAGE_BYTES: usize = 1024 * 1024;
    pub const MAX_UPDATE_BYTES: usize = 16 * 1024 * 1024;
    pub const MAX_CANVAS_BYTES: u64 = 64 * 1024 * 1024;
    pub const CLIENT_BYTES_PER_SEC: u32 = 1024 * 1024;
    pub const CLIENT_MESSAGES_PER_SEC: u32 = 200;
    pub const MAX_CONNECTIONS_PER_IP: usize = 100;
    pub const SEND_QUEUE: usize = 1024;
    pub const AWARENESS_TIMEOUT_SECS: u64 = 30;
    pub const PING_INTERVAL_SECS: u64 = 15;
    pub const IDLE_UNLOAD_SECS: u64 = 60;
    pub const COMPACT_AFTER: u64 = 500;
    pub const HEADER_READ_TIMEOUT_SECS: u64 = 10;
}

impl Default for WorkflowSettings {
    fn default() -> Self {
        Self {
            escalation_signal_days: defaults::ESCALATION_SIGNAL_DAYS,
            retention_days: defaults::RETENTION_DAYS,
            guest_grace_minutes: defaults::GUEST_GRACE_MINUTES,
        }
    }
}

/// Sessions, cookies and one-time links.
#[derive(Debug, Clone, Args)]
pub struct AuthSettings {
    /// Minutes of inactivity after which a session ends (a session lasts 12 hours at most).
    #[arg(long, env = "DOORBRAAK_SESSION_IDLE_MINUTES", default_value_t = defaults::SESSION_IDLE_MINUTES)]
    pub session_idle_minutes: u64,

    /// The same in seconds, overriding the minutes: for tests that watch a session expire.
    #[arg(long, env = "DOORBRAAK_SESSION_IDLE_SECS", hide = true)]
    pub session_idle_secs: Option<u64>,

    /// Mark the session cookie `Secure`. Set this when users reach the server over HTTPS; it is
    /// also set per request when a proxy sends `X-Forwarded-Proto: https`.
    #[arg(long, env = "DOORBRAAK_SECURE_COOKIES")]
    pub secure_cookies: bool,

    /// Days an invitation link stays valid.
    #[arg(long, env = "DOORBRAAK_INVITATION_DAYS", default_value_t = defaults::INVITATION_DAYS)]
    pub invitation_days: u64,

    /// The address users reach the server at (e.g. `https://doorbraak.gemeente.nl`), used in
    /// invitation and reset links; by default taken from the request.
    #[arg(long, env = "DOORBRAAK_PUBLIC_URL")]
    pub public_url: Option<String>,

    /// Reverse proxies (CIDR list, e.g. `10.0.0.0/8,::1/128`) whose `X-Forwarded-For` names the
    /// real client address for the per-address limits and the audit log; from any other peer the
    /// header is ignored.
    #[arg(long, env = "DOORBRAAK_TRUSTED_PROXIES", value_delimiter = ',')]
    pub trusted_proxies: Vec<ipnet::IpNet>,

    /// Days a new personal access token works unless its maker chooses otherwise (1 to 366).
    #[arg(long, env = "DOORBRAAK_TOKEN_DAYS", default_value_t = defaults::TOKEN_DAYS)]
    pub token_days: u64,

    /// Seconds between re-checks of every open connection's credential and access; one whose
    /// access changed without the server hearing of it is closed by the next re-check. At most
    /// a quarter of the session idle time (and a minute), so sessions end on time.
    #[arg(long, env = "DOORBRAAK_RECHECK_SECS", default_value_t = defaults::RECHECK_SECS)]
    pub recheck_secs: u64,
}

impl AuthSettings {
    /// How long a session may go without requests.
    pub fn session_idle(&self) -> Duration {
        if let Some(secs) = self.session_idle_secs {
            return Duration::from_secs(secs.max(1));
        }
        Duration::from_secs(self.session_idle_minutes.max(1).saturating_mul(60))
    }

    /// How long an invitation link works.
    pub fn invitation_validity(&self) -> Duration {
        Duration::from_secs(self.invitation_days.max(1).saturating_mul(86_400))
    }
}

impl Default for AuthSettings {
    fn default() -> Self {
        Self {
            session_idle_minutes: defaults::SESSION_IDLE_MINUTES,
            session_idle_secs: None,
            secure_cookies: false,
            invitation_days: defaults::INVITATION_DAYS,
            public_url: None,
            trusted_proxies: Vec::new(),
            token_days: defaults::TOKEN_DAYS,
            recheck_secs: defaults::RECHECK_SECS,
        }
    }
}

/// Limits and timings of the sync service; the defaults suit a production team.
#[derive(Debug, Clone, Args)]
pub struct Limits {
    /// Largest accepted WebSocket message in bytes; larger ones close the connection. Document
    /// updates of people who may edit have the larger `--max-update-bytes`.
    #[arg(long, env = "DOORBRAAK_MAX_MESSAGE_BYTES", default_value_t = defaults::MAX_MESSAGE_BYTES)]
    pub max_message_bytes: usize,

    /// Largest document update (sync step 2 or update) in bytes from someone who may edit: work
    /// done offline arrives as one such message when the client reconnects.
    #[arg(long, env = "DOORBRAAK_MAX_UPDATE_BYTES", default_value_t = defaults::MAX_UPDATE_BYTES)]
    pub max_update_bytes: usize,

    /// Largest stored size of one canvas (its snapshot and log) in bytes; an update that would
    /// take it past this is refused, and the client keeps it.
    #[arg(long, env = "DOORBRAAK_MAX_CANVAS_BYTES", default_value_t = defaults::MAX_CANVAS_BYTES)]
    pub max_canvas_bytes: u64,

    /// Bytes per second one connection may send before its reads are throttled.
    #[arg(long, env = "DOORBRAAK_CLIENT_BYTES_PER_SEC", default_value_t = defaults::CLIENT_BYTES_PER_SEC)]
    pub client_bytes_per_sec: u32,

    /// Messages per second one connection may send before its reads are throttled.
    #[arg(long, env = "DOORBRAAK_CLIENT_MESSAGES_PER_SEC", default_value_t = defaults::CLIENT_MESSAGES_PER_SEC)]
    pub client_messages_per_sec: u32,

    /// Open WebSocket connections allowed from one IP address.
    #[arg(long, env = "DOORBRAAK_MAX_CONNECTIONS_PER_IP", default_value_t = defaults::MAX_CONNECTIONS_PER_IP)]
    pub max_connections_per_ip: usize,

    /// Messages queued for one client before it counts as too slow and is disconnected.
    #[arg(long, env = "DOORBRAAK_SEND_QUEUE", default_value_t = defaults::SEND_QUEUE)]
    pub send_queue: usize,

    /// Seconds after which a presence (awareness) entry that was not renewed is removed.
    #[arg(long, env = "DOORBRAAK_AWARENESS_TIMEOUT_SECS", default_value_t = defaults::AWARENESS_TIMEOUT_SECS)]
    pub awareness_timeout_secs: u64,

    /// Seconds between pings; a connection silent for two intervals is closed.
    #[arg(long, env = "DOORBRAAK_PING_INTERVAL_SECS", default_value_t = defaults::PING_INTERVAL_SECS)]
    pub ping_interval_secs: u64,

    /// Seconds a canvas without connections stays in memory.
    #[arg(long, env = "DOORBRAAK_IDLE_UNLOAD_SECS", default_value_t = defaults::IDLE_UNLOAD_SECS)]
    pub idle_unload_secs: u64,

    /// Number of logged updates after which a canvas's log is compacted into a snapshot.
    #[arg(long, env = "DOORBRAAK_COMPACT_AFTER", default_value_t = defaults::COMPACT_AFTER)]
    pub compact_after: u64,

    /// Seconds a connection may take to send a complete request head, and may stay idle between
    /// requests; slower connections are closed.
    #[arg(long, env = "DOORBRAAK_HEADER_READ_TIMEOUT_SECS", default_value_t = defaults::HEADER_READ_TIMEOUT_SECS)]
    pub header_read_timeout_secs: u64,
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

    /// The largest frame the WebSocket layer reads at all: somewhat above the largest allowed
    /// message, so that one just over it still gets a clear close reason.
    pub fn frame_cap(&self) -> usize {
        self.max_message_bytes
            .max(self.max_update_bytes)
            .saturating_add(64 * 1024)
    }

    pub fn header_read_timeout(&self) -> Duration {
        Duration::from_secs(self.header_read_timeout_secs.max(1))
    }
}

impl Default for Limits {
    fn default() -> Self {
        Self {
            max_message_bytes: defaults::MAX_MESSAGE_BYTES,
            max_update_bytes: defaults::MAX_UPDATE_BYTES,
            max_canvas_bytes: defaults::MAX_CANVAS_BYTES,
            client_bytes_per_sec: defaults::CLIENT_BYTES_PER_SEC,
            client_messages_per_sec: defaults::CLIENT_MESSAGES_PER_SEC,
            max_connections_per_ip: defaults::MAX_CONNECTIONS_PER_IP,
            send_queue: defaults::SEND_QUEUE,
            awareness_timeout_secs: defaults::AWARENESS_TIMEOUT_SECS,
            ping_interval_secs: defaults::PING_INTERVAL_SECS,
            idle_unload_secs: defaults::IDLE_UNLOAD_SECS,
            compact_after: defaults::COMPACT_AFTER,
            header_read_timeout_secs: defaults::HEADER_READ_TIMEOUT_SECS,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_are_the_flags_defaults_and_ignore_the_environment() {
        // SAFETY: nothing else in this test binary reads this variable; clap reads it here.
        unsafe { std::env::set_var("DOORBRAAK_COMPACT_AFTER", "3") };
        let parsed = Cli::parse_from(["doorbraak"]).serve;
        let defaults = Limits::default();
        unsafe { std::env::remove_var("DOORBRAAK_COMPACT_AFTER") };
        assert_eq!(
            parsed.limits.compact_after, 3,
            "the flag reads its variable"
        );
        assert_eq!(
            defaults.compact_after,
            defaults::COMPACT_AFTER,
            "Default does not"
        );
        let flags = Cli::parse_from(["doorbraak"]).serve;
        assert_eq!(format!("{:?}", flags.limits), format!("{defaults:?}"));
        assert_eq!(
            format!("{:?}", flags.auth),
            format!("{:?}", AuthSettings::default())
        );
        assert_eq!(
            format!("{:?}", flags.workflow),
            format!("{:?}", WorkflowSettings::default())
        );
    }
}

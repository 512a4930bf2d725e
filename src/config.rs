//! Command line and environment → `Config`.

use std::net::SocketAddr;
use std::path::PathBuf;

use clap::{Args, Parser, Subcommand};

#[derive(Debug, Parser)]
#[command(
    name = "korps",
    version,
    about = "Korps — the platform of the national corps of mentors and parent coaches"
)]
pub struct Cli {
    #[command(flatten)]
    pub config: Config,
    #[command(subcommand)]
    pub command: Option<Command>,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Serve Korps over HTTP (the default).
    Serve,
    /// Apply the database migrations and exit.
    Migrate,
    /// Create the first national staff account of a real deployment.
    /// The password is read from KORPS_PASSWORD or asked for at a prompt, never given as a flag.
    CreateUser {
        #[arg(long)]
        email: String,
        #[arg(long)]
        name: String,
    },
    /// Remove a user's second factor when nobody in Korps can: national staff who lost both
    /// their phone and their recovery codes. They set it up anew at their next login.
    ResetSecondFactor {
        #[arg(long)]
        email: String,
    },
    /// Anonymise and delete what has outlived its retention period (the server does it
    /// daily) and print the counts. With --dry-run nothing is changed.
    Retention {
        #[arg(long)]
        dry_run: bool,
    },
    /// Write the whole database to FILE (pg_dump, custom format). Keep it encrypted and
    /// off the host: it holds personal data.
    Backup { file: std::path::PathBuf },
    /// Restore FILE (from `korps backup`) into an empty database: a new KORPS_DATA_DIR,
    /// or a new database. Then start Korps as usual.
    Restore { file: std::path::PathBuf },
    /// Load the demo municipalities, users and content (idempotent).
    DemoData {
        /// Also generate N times the real corps (N·100 members, N·2,000 courses,
        /// N·50,000 sessions) in 23 extra municipalities, to measure performance.
        #[arg(long, default_value_t = 0)]
        scale: i32,
    },
}

#[derive(Debug, Clone, Args)]
pub struct Config {
    /// PostgreSQL to serve from, logged in as the runtime role `korps_app` (row-level
    /// security applies to it). Without it Korps runs its own private cluster in `--data-dir`.
    #[arg(long, env = "DATABASE_URL", global = true)]
    pub database_url: Option<String>,

    /// The same database logged in as the tables' owner: migrations (at start and by
    /// `migrate`) and `demo-data` run with it. Without it `serve` applies no migrations.
    #[arg(long, env = "KORPS_MIGRATION_DATABASE_URL", global = true)]
    pub migration_database_url: Option<String>,

    /// Address to serve on.
    #[arg(
        long = "bind",
        env = "KORPS_BIND",
        default_value = "127.0.0.1:8080",
        global = true
    )]
    pub bind: SocketAddr,

    /// Where the embedded PostgreSQL cluster lives when DATABASE_URL is not set.
    #[arg(long, env = "KORPS_DATA_DIR", default_value = "var/pg", global = true)]
    pub data_dir: PathBuf,

    /// Serve the cookies without `Secure`, for local plain HTTP only. Their names then lack
    /// the `__Host-` prefix too, which browsers accept only on `Secure` cookies.
    #[arg(long, env = "KORPS_INSECURE_COOKIES", global = true, value_parser = parse_flag, default_value = "0")]
    pub insecure_cookies: bool,

    /// Trust `X-Forwarded-For`/`X-Forwarded-Proto` from a reverse proxy in front of Korps.
    #[arg(long, env = "KORPS_TRUST_PROXY", global = true, value_parser = parse_flag, default_value = "0")]
    pub trust_proxy: bool,

    /// Failed logins from one network (an IPv4 address, an IPv6 /64) within an hour
    /// before each further try from it waits (1 s, doubling, at most 15 minutes). Raise it
    /// when many users share one address (a town hall behind one NAT).
    #[arg(
        long,
        env = "KORPS_LOGIN_LIMIT_PER_ADDRESS",
        default_value_t = 20,
        global = true
    )]
    pub login_limit_per_address: i64,

    /// Form submissions (POSTs) per minute from one client network (an IPv4 address or an
    /// IPv6 /64), counted in memory by each instance. Raise it when very many users share
    /// one address.
    #[arg(
        long,
        env = "KORPS_POST_LIMIT_PER_MINUTE",
        default_value_t = 300,
        value_parser = clap::value_parser!(u32).range(1..),
        global = true
    )]
    pub post_limit_per_minute: u32,

    /// Seconds without a request after which a signed-in session ends. The page warns two
    /// minutes before and offers to stay logged in.
    #[arg(
        long,
        env = "KORPS_IDLE_TIMEOUT",
        default_value_t = 1800,
        value_parser = clap::value_parser!(i64).range(2..),
        global = true
    )]
    pub idle_timeout: i64,

    /// The address people reach Korps at: links in mails and the calendar feed's
    /// address start with it. Default: `http://localhost:<port of --bind>`.
    #[arg(long, env = "KORPS_PUBLIC_URL", global = true)]
    pub public_url: Option<String>,

    /// Where mails go: `smtp://host:port` (STARTTLS when offered), `smtps://host:465`
    /// (implicit TLS), with `user:password@` for a login, or `?tls=required`. Without it
    /// each mail is written as an `.eml` file under `--mail-dir`.
    #[arg(long, env = "KORPS_SMTP_URL", global = true)]
    pub smtp_url: Option<String>,

    /// The sender of Korps' mails.
    #[arg(
        long,
        env = "KORPS_MAIL_FROM",
        default_value = "Korps <korps@localhost>",
        global = true
    )]
    pub mail_from: String,

    /// Where mails are written as files when no SMTP server is configured.
    #[arg(
        long,
        env = "KORPS_MAIL_DIR",
        default_value = "var/mail",
        global = true
    )]
    pub mail_dir: PathBuf,

    /// Seconds between the background worker's rounds (sending mail, planning reminders).
    #[arg(long, env = "KORPS_JOB_INTERVAL", default_value_t = 20, global = true)]
    pub job_interval: u64,

    /// Seconds the national figures may be reused before they are read again (0: read on
    /// every request). The national pages say when their figures were read.
    #[arg(
        long,
        env = "KORPS_FIGURES_MAX_AGE",
        default_value_t = 300,
        global = true
    )]
    pub figures_max_age: u64,

    /// How log lines are written: `text` (for people) or `json` (one object per line, for a
    /// log collector). Each line written while a request is served names its request id.
    #[arg(long, env = "KORPS_LOG_FORMAT", default_value = "text", value_parser = ["text", "json"], global = true)]
    pub log_format: String,

    /// Serve `/metrics` (Prometheus text format) on the main address to requests that
    /// carry `Authorization: Bearer <this token>`. Without it (and without
    /// `--metrics-bind`) there is no `/metrics`.
    #[arg(
        long,
        env = "KORPS_METRICS_TOKEN",
        global = true,
        hide_env_values = true
    )]
    pub metrics_token: Option<String>,

    /// Serve `/metrics` without a token on this separate address (one that only the
    /// monitoring network reaches, e.g. `10.0.0.5:9464`).
    #[arg(long, env = "KORPS_METRICS_BIND", global = true)]
    pub metrics_bind: Option<SocketAddr>,

    /// Seconds a stopping server (SIGTERM, Ctrl-C) lets the requests in flight finish
    /// before it ends them. It takes no new connections meanwhile.
    #[arg(
        long,
        env = "KORPS_SHUTDOWN_GRACE",
        default_value_t = 30,
        global = true
    )]
    pub shutdown_grace: u64,
}

/// Accepts the usual spellings of a boolean environment variable.
fn parse_flag(value: &str) -> Result<bool, String> {
    match value.trim().to_ascii_lowercase().as_str() {
        "1" | "true" | "yes" | "on" => Ok(true),
        "" | "0" | "false" | "no" | "off" => Ok(false),
        other => Err(format!("expected 1 or 0, got {other:?}")),
    }
}

impl Config {
    /// A configuration for tests: an explicit database, secure defaults.
    pub fn for_tests(database_url: String) -> Self {
        Config {
            database_url: Some(database_url),
            migration_database_url: None,
            bind: "127.0.0.1:0".parse().expect("valid address"),
            data_dir: PathBuf::from("var/pg"),
            insecure_cookies: true,
            trust_proxy: false,
            login_limit_per_address: 5,
            // One test posts hundreds of forms from 127.0.0.1 within seconds.
            post_limit_per_minute: 100_000,
            idle_timeout: 1800,
            public_url: Some("http://korps.test".into()),
            smtp_url: None,
            mail_from: "Korps <korps@korps.test>".into(),
            mail_dir: PathBuf::from("var/test-mail"),
            job_interval: 3600,
            // Tests read the figures they just wrote; one test turns the cache on.
            figures_max_age: 0,
            log_format: "text".into(),
            metrics_token: None,
            metrics_bind: None,
            shutdown_grace: 30,
        }
    }

    /// The address users reach Korps at, without a trailing slash: the start of links in
    /// mails and of the calendar feed's address.
    pub fn public_url(&self) -> String {
        match &self.public_url {
            Some(url) if !url.trim().is_empty() => url.trim().trim_end_matches('/').to_string(),
            _ => format!("http://localhost:{}", self.bind.port()),
        }
    }
}

//! The `korps` command: serve (default), migrate, create-user, demo-data, retention.

use std::future::IntoFuture;
use std::process::ExitCode;

use clap::Parser;
use sqlx::ConnectOptions;
use sqlx::postgres::PgConnectOptions;
use tracing_subscriber::EnvFilter;
use uuid::Uuid;

use korps::app;
use korps::config::{Cli, Command, Config};
use korps::db::embedded::{Durability, EmbeddedPostgres};
use korps::db::{Scope, TenantTx};
use korps::state::AppState;
use korps::{auth, clock, db, demo, jobs, retention};

type AnyError = Box<dyn std::error::Error + Send + Sync>;

#[tokio::main]
async fn main() -> ExitCode {
    let cli = Cli::parse();
    let filter =
        EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new("info,sqlx=warn"));
    // Each line written while a request is served carries the request's span: its method,
    // path (without the query) and id.
    if cli.config.log_format == "json" {
        tracing_subscriber::fmt()
            .json()
            .with_current_span(true)
            .with_span_list(false)
            .with_env_filter(filter)
            .init();
    } else {
        tracing_subscriber::fmt().with_env_filter(filter).init();
    }
    match run(cli).await {
        Ok(()) => ExitCode::SUCCESS,
        Err(err) => {
            eprintln!("korps: {err}");
            ExitCode::FAILURE
        }
    }
}

/// The database to use: DATABASE_URL (with KORPS_MIGRATION_DATABASE_URL), or the
/// embedded cluster (started here).
struct Database {
    /// The runtime login, `korps_app`: row-level security applies to it.
    runtime: PgConnectOptions,
    /// The tables' owner, for migrations and demo data. None when only DATABASE_URL is set.
    owner: Option<PgConnectOptions>,
    cluster: Option<EmbeddedPostgres>,
    /// The embedded database was created just now: load the demo data.
    fresh: bool,
}

impl Database {
    fn owner(&self, command: &str) -> Result<&PgConnectOptions, AnyError> {
        self.owner.as_ref().ok_or_else(|| {
            format!("`korps {command}` runs as the tables' owner: set KORPS_MIGRATION_DATABASE_URL")
                .into()
        })
    }
}

async fn database(config: &Config) -> Result<Database, AnyError> {
    if let Some(url) = &config.database_url {
        return Ok(Database {
            runtime: db::options_from_url(url)?,
            owner: config
                .migration_database_url
                .as_deref()
                .map(db::options_from_url)
                .transpose()?,
            cluster: None,
            fresh: false,
        });
    }
    if config.migration_database_url.is_some() {
        return Err(
            "KORPS_MIGRATION_DATABASE_URL is set but DATABASE_URL is not: set both \
                    (the runtime login and the owner), or neither for the embedded cluster"
                .into(),
        );
    }
    let dir = config.data_dir.clone();
    let cluster =
        tokio::task::spawn_blocking(move || EmbeddedPostgres::start(&dir, Durability::Durable))
            .await??;
    tracing::info!(dir = %cluster.dir().display(), "embedded PostgreSQL started");
    let fresh =
        db::create_database_if_missing(&cluster.connect_options("postgres"), "korps").await?;
    // The cluster's superuser owns the tables; korps_app logs in over the private socket,
    // which needs no password (the socket is reachable by this OS user only).
    let owner = cluster.connect_options("korps");
    Ok(Database {
        runtime: db::app_role_options(&owner),
        owner: Some(owner),
        cluster: Some(cluster),
        fresh,
    })
}

async fn run(cli: Cli) -> Result<(), AnyError> {
    let config = cli.config;
    let database = database(&config).await?;
    let result = match cli.command.unwrap_or(Command::Serve) {
        Command::Serve => serve(config, &database).await,
        Command::Migrate => match database.owner("migrate") {
            Ok(owner) => db::migrate(owner).await.map_err(Into::into),
            Err(err) => Err(err),
        },
        Command::DemoData { scale } => match database.owner("demo-data") {
            Ok(owner) => demo_data(owner, scale).await,
            Err(err) => Err(err),
        },
        Command::CreateUser { email, name } => create_user(&database, &email, &name).await,
        Command::ResetSecondFactor { email } => reset_second_factor(&database, &email).await,
        Command::Retention { dry_run } => retention(&database, dry_run).await,
        Command::Backup { file } => match database.owner("backup") {
            Ok(owner) => {
                let target = owner_target(&config, owner);
                db::backup::backup(&target, &file).map(|()| {
                    println!("Backed up to {}.", file.display());
                })
            }
            Err(err) => Err(err),
        },
        Command::Restore { file } => match database.owner("restore") {
            Ok(owner) => {
                let target = owner_target(&config, owner);
                db::backup::restore(&target, owner, &file)
                    .await
                    .map(|()| println!("Restored {}.", file.display()))
            }
            Err(err) => Err(err),
        },
    };
    if let Some(cluster) = &database.cluster {
        cluster.stop();
    }
    result
}

/// The owner's connection for pg_dump and pg_restore: the URL of a managed database (it
/// may carry the password), else the embedded cluster's socket.
fn owner_target<'a>(config: &'a Config, owner: &'a PgConnectOptions) -> db::backup::Target<'a> {
    match config.migration_database_url.as_deref() {
        Some(url) => db::backup::Target::Url(url),
        None => db::backup::Target::Options(owner),
    }
}

async fn serve(mut config: Config, database: &Database) -> Result<(), AnyError> {
    // The embedded cluster is the local demo/development setup, served over plain HTTP
    // on this machine: the session cookie cannot be `Secure` there.
    if database.cluster.is_some() && config.bind.ip().is_loopback() {
        config.insecure_cookies = true;
    }
    match &database.owner {
        Some(owner) => db::migrate(owner).await?,
        None => tracing::warn!(
            "KORPS_MIGRATION_DATABASE_URL is not set: no migrations applied; \
             run `korps migrate` with it after every upgrade"
        ),
    }
    if let (Some(owner), Some(_)) = (&database.owner, &database.cluster) {
        if database.fresh {
            demo_data(owner, 0).await?;
        }
        demo::print_logins();
    }
    if config
        .metrics_token
        .as_ref()
        .is_some_and(|token| token.len() < 32)
    {
        return Err(
            "KORPS_METRICS_TOKEN must be at least 32 characters (e.g. openssl rand -hex 32)".into(),
        );
    }
    let pool = db::runtime_pool(&database.runtime);
    db::ensure_row_level_security_applies(&pool).await?;
    let state = AppState::new(pool, config.clone());
    let listener = tokio::net::TcpListener::bind(config.bind).await?;
    println!("Korps serves on http://{}", listener.local_addr()?);
    // Set once by SIGTERM or Ctrl-C: the server stops taking connections, the worker stops
    // at its next safe point.
    let (stop, stopped) = tokio::sync::watch::channel(false);
    tokio::spawn(async move {
        shutdown_signal().await;
        let _ = stop.send(true);
    });
    let worker = jobs::start(state.pool.clone(), &config, stopped.clone())?;
    if let Some(address) = config.metrics_bind {
        let metrics = tokio::net::TcpListener::bind(address).await?;
        tracing::info!(address = %metrics.local_addr()?, "metrics served without a token");
        let router = app::metrics_router(state.clone());
        tokio::spawn(
            axum::serve(metrics, router)
                .with_graceful_shutdown(stopping(stopped.clone()))
                .into_future(),
        );
    }
    let service = app::router(state).into_make_service_with_connect_info::<std::net::SocketAddr>();
    let server = axum::serve(listener, service)
        .with_graceful_shutdown(stopping(stopped.clone()))
        .into_future();
    // One deadline from the signal for both: the requests in flight and the worker's step.
    let grace = std::time::Duration::from_secs(config.shutdown_grace);
    let finished = async {
        let served = server.await;
        if served.is_ok() {
            let _ = worker.await;
        }
        served
    };
    let deadline = async {
        stopping(stopped).await;
        tokio::time::sleep(grace).await;
    };
    tokio::select! {
        served = finished => served?,
        () = deadline => tracing::warn!(
            seconds = grace.as_secs(),
            "requests or the worker still running after the shutdown grace; ending them"
        ),
    }
    tracing::info!("stopped");
    Ok(())
}

/// Resolves when `stopped` turns true.
async fn stopping(mut stopped: tokio::sync::watch::Receiver<bool>) {
    let _ = stopped.wait_for(|stop| *stop).await;
}

async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    let terminate = async {
        if let Ok(mut signal) =
            tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate())
        {
            signal.recv().await;
        }
    };
    tokio::select! {
        () = ctrl_c => {},
        () = terminate => {},
    }
    tracing::info!("shutting down: no new connections; finishing the requests in flight");
}

async fn demo_data(options: &PgConnectOptions, scale: i32) -> Result<(), AnyError> {
    db::migrate(options).await?;
    let mut conn = options.clone().connect().await?;
    demo::load(&mut conn).await?;
    println!("Demo data loaded.");
    if scale > 0 {
        let started = std::time::Instant::now();
        demo::scale::generate(
            &mut conn,
            scale,
            &auth::password::hash(demo::PASSWORD.to_string()).await?,
        )
        .await?;
        demo::enrol_second_factors(&mut conn).await?;
        println!(
            "Generated {scale} times the corps in {:.1} s.",
            started.elapsed().as_secs_f64()
        );
    }
    Ok(())
}

/// Bootstraps a national staff account. The password comes from KORPS_PASSWORD or a
/// prompt — never a flag, which would end up in shell history and process lists. The
/// account is written by the runtime role in a national transaction, under the same
/// row-level security as every other write (no one is signed in: the user id is nil).
async fn create_user(database: &Database, email: &str, name: &str) -> Result<(), AnyError> {
    if let Some(owner) = &database.owner {
        db::migrate(owner).await?;
    }
    let password = match std::env::var("KORPS_PASSWORD") {
        Ok(password) => password,
        Err(_) => {
            let first = rpassword::prompt_password("Password (at least 12 characters): ")?;
            let second = rpassword::prompt_password("Repeat password: ")?;
            if first != second {
                return Err("the passwords differ".into());
            }
            first
        }
    };
    if password.chars().count() < auth::password::MIN_LENGTH {
        return Err("the password must be at least 12 characters".into());
    }
    if auth::password::is_common(&password) {
        return Err("the password is among the most common breached passwords".into());
    }
    let hash = auth::password::hash(password).await?;
    let pool = db::runtime_pool(&database.runtime);
    let mut tx = TenantTx::begin(
        &pool,
        Scope::National {
            user_id: Uuid::nil(),
        },
    )
    .await?;
    korps::staff::repo::insert_national(tx.conn(), email, name, &hash).await?;
    tx.commit().await?;
    println!(
        "National staff account {email} created. At the first login it sets up its second factor."
    );
    Ok(())
}

/// Resets a second factor from the command line (audited, as national staff's doing),
/// through the runtime role like every other change.
async fn reset_second_factor(database: &Database, email: &str) -> Result<(), AnyError> {
    if let Some(owner) = &database.owner {
        db::migrate(owner).await?;
    }
    let pool = db::runtime_pool(&database.runtime);
    let done = auth::second_factor::reset_by_operator(&pool, email).await?;
    pool.close().await;
    if !done {
        return Err(format!("no active account with the e-mail {email}").into());
    }
    println!("The second factor of {email} is removed; it is set up anew at the next login.");
    Ok(())
}

/// Runs retention now (also when the server has run it today) as the runtime role in the
/// job's scope, and prints what it did: counts per kind, never a name.
async fn retention(database: &Database, dry_run: bool) -> Result<(), AnyError> {
    if let Some(owner) = &database.owner {
        db::migrate(owner).await?;
    }
    let pool = db::runtime_pool(&database.runtime);
    let outcome = retention::run(&pool, clock::today(), dry_run).await?;
    pool.close().await;
    match outcome {
        retention::Outcome::Ran(report) => {
            let heading = if dry_run {
                "Dry run, nothing changed. Would have done:"
            } else {
                "Retention done:"
            };
            println!("{heading}");
            for what in retention::model::WHATS {
                println!("  {what}: {}", report.total(what));
            }
            Ok(())
        }
        retention::Outcome::Locked => {
            Err("another instance is running retention right now; try again later".into())
        }
        retention::Outcome::AlreadyRan => Ok(()),
    }
}

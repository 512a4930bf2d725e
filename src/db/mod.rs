//! Database access: the pools, migrations, the embedded cluster, and the tenant-scoped
//! transaction that every query on tenant data runs in.

pub mod backup;
pub mod embedded;
mod tenant;

use std::str::FromStr;
use std::time::Duration;

use sqlx::postgres::{PgConnectOptions, PgPoolOptions};
use sqlx::{ConnectOptions, Connection, Executor, PgConnection, PgPool};

pub use tenant::{Scope, TenantTx};

/// The role every runtime query runs as: no superuser, no BYPASSRLS, not the tables' owner.
pub const APP_ROLE: &str = "korps_app";

pub fn options_from_url(url: &str) -> Result<PgConnectOptions, sqlx::Error> {
    PgConnectOptions::from_str(url)
}

/// Applies the migrations as the connecting (owner) role.
pub async fn migrate(options: &PgConnectOptions) -> Result<(), sqlx::Error> {
    let mut conn = options
        .clone()
        .disable_statement_logging()
        .connect()
        .await?;
    sqlx::migrate!("./migrations").run(&mut conn).await?;
    conn.close().await?;
    Ok(())
}

/// Creates `database` on the server of `options` unless it exists; true if it was created.
pub async fn create_database_if_missing(
    options: &PgConnectOptions,
    database: &str,
) -> Result<bool, sqlx::Error> {
    let mut conn = options.clone().database("postgres").connect().await?;
    let exists: bool =
        sqlx::query_scalar("SELECT EXISTS (SELECT 1 FROM pg_database WHERE datname = $1)")
            .bind(database)
            .fetch_one(&mut conn)
            .await?;
    if !exists {
        // Identifiers cannot be bound; the name is one of ours, quoted as an identifier.
        let statement = format!("CREATE DATABASE \"{}\"", database.replace('"', "\"\""));
        conn.execute(statement.as_str()).await?;
    }
    conn.close().await?;
    Ok(!exists)
}

/// Options for logging in as `korps_app` on the server of `owner`, for clusters where
/// it needs no password: the embedded cluster's socket and the tests' clusters (trust).
/// Elsewhere DATABASE_URL names the runtime login itself.
pub fn app_role_options(owner: &PgConnectOptions) -> PgConnectOptions {
    owner.clone().username(APP_ROLE)
}

/// The runtime pool, logged in as the runtime role (`korps_app`), so row-level security
/// applies to every query. Connections get time limits so a stuck query cannot hold one.
pub fn runtime_pool(options: &PgConnectOptions) -> PgPool {
    PgPoolOptions::new()
        .max_connections(16)
        .min_connections(0)
        // While PostgreSQL is down a page gives up after 2 s and answers 503 (with the
        // readiness check below, within 3 s in all).
        .acquire_timeout(Duration::from_secs(2))
        .idle_timeout(Duration::from_secs(300))
        .after_connect(|conn, _meta| {
            Box::pin(async move {
                conn.execute(
                    "SET statement_timeout = '30s'; \
                     SET idle_in_transaction_session_timeout = '60s'; \
                     SET application_name = 'korps'",
                )
                .await?;
                Ok(())
            })
        })
        .connect_lazy_with(options.clone().disable_statement_logging())
}

/// Refuses to serve when the runtime role could read past row-level security.
pub async fn ensure_row_level_security_applies(pool: &PgPool) -> Result<(), String> {
    let mut conn = pool.acquire().await.map_err(|err| err.to_string())?;
    check_runtime_role(&mut conn).await
}

/// Checks the role `conn` logged in as (`session_user`: a `SET ROLE` can always be undone)
/// and every role it is a member of: none may be a superuser, have BYPASSRLS, or own a
/// table, sequence, view, function or schema in this database (an owner may switch
/// row-level security off, or drop what it owns). Err says which role and why.
pub async fn check_runtime_role(conn: &mut PgConnection) -> Result<(), String> {
    let rows: Vec<(String, String, bool, bool, bool, bool, bool)> = sqlx::query_as(
        "SELECT session_user::text, r.rolname::text, r.rolsuper, r.rolbypassrls,
                EXISTS (SELECT 1 FROM pg_class c WHERE c.relowner = r.oid),
                EXISTS (SELECT 1 FROM pg_proc p WHERE p.proowner = r.oid),
                EXISTS (SELECT 1 FROM pg_namespace n WHERE n.nspowner = r.oid)
         FROM pg_roles r
         WHERE pg_has_role(session_user, r.oid, 'MEMBER')
         ORDER BY r.rolname <> session_user, r.rolname",
    )
    .fetch_all(&mut *conn)
    .await
    .map_err(|err| err.to_string())?;
    let login = rows.first().map(|row| row.0.clone()).unwrap_or_default();
    let problems: Vec<String> = rows
        .iter()
        .filter_map(|(_, role, superuser, bypass, tables, functions, schemas)| {
            let what: Vec<&str> = [
                (*superuser, "is a superuser"),
                (*bypass, "has BYPASSRLS"),
                (*tables, "owns tables"),
                (*functions, "owns functions"),
                (*schemas, "owns a schema"),
            ]
            .into_iter()
            .filter_map(|(holds, what)| holds.then_some(what))
            .collect();
            if what.is_empty() {
                None
            } else if *role == login {
                Some(format!("{role} {}", what.join(", ")))
            } else {
                Some(format!(
                    "it is a member of {role}, which {}",
                    what.join(", ")
                ))
            }
        })
        .take(3)
        .collect();
    if problems.is_empty() {
        return Ok(());
    }
    Err(format!(
        "the runtime database role {login} could bypass row-level security ({}); refusing \
         to serve. DATABASE_URL must log in as {APP_ROLE}, and the tables' owner goes in \
         KORPS_MIGRATION_DATABASE_URL (docs/deployment.md, \"Database roles\")",
        problems.join("; ")
    ))
}

/// True when the database answers a trivial query within 300 ms (a live one answers in
/// a millisecond; the error pages ask it after a failure, so it must not add much wait).
pub async fn is_ready(pool: &PgPool) -> bool {
    tokio::time::timeout(
        Duration::from_millis(300),
        sqlx::query("SELECT 1").execute(pool),
    )
    .await
    .is_ok_and(|result| result.is_ok())
}

/// True when `err` is a unique violation of the named constraint or index, so a handler
/// can turn it into a message next to the field instead of an error page.
pub fn is_unique_violation(err: &sqlx::Error, constraint: &str) -> bool {
    matches!(err, sqlx::Error::Database(db) if db.is_unique_violation() && db.constraint() == Some(constraint))
}

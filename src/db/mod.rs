//! Database access: the pools, migrations, the embedded cluster, and the tenant-scoped
//! transaction that every query on tenant data runs in.

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

/// The runtime pool. Each connection switches to `korps_app`, so row-level security
/// applies to every query, and gets time limits so a stuck query cannot hold a connection.
pub fn runtime_pool(options: &PgConnectOptions) -> PgPool {
    PgPoolOptions::new()
        .max_connections(16)
        .min_connections(0)
        .acquire_timeout(Duration::from_secs(3))
        .idle_timeout(Duration::from_secs(300))
        .after_connect(|conn, _meta| {
            Box::pin(async move {
                conn.execute(
                    "SET ROLE korps_app; SET statement_timeout = '30s'; \
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
    check_role(&mut conn).await
}

async fn check_role(conn: &mut PgConnection) -> Result<(), String> {
    let (role, bypasses): (String, bool) = sqlx::query_as(
        "SELECT current_user::text, rolsuper OR rolbypassrls FROM pg_roles WHERE rolname = current_user",
    )
    .fetch_one(&mut *conn)
    .await
    .map_err(|err| err.to_string())?;
    if bypasses {
        return Err(format!(
            "the runtime database role {role} can bypass row-level security; refusing to serve"
        ));
    }
    if role != APP_ROLE {
        return Err(format!(
            "runtime queries run as {role}, expected {APP_ROLE}; refusing to serve"
        ));
    }
    Ok(())
}

/// True when the database answers a trivial query.
pub async fn is_ready(pool: &PgPool) -> bool {
    tokio::time::timeout(
        Duration::from_secs(2),
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

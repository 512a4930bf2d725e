//! `korps backup FILE` and `korps restore FILE`: the whole database as one file, with
//! PostgreSQL's own `pg_dump` and `pg_restore` (custom format), taken from the embedded
//! cluster's installation so that their major version is the server's. A restore goes
//! into an empty database only (a new `KORPS_DATA_DIR`, or a new database), after the
//! cluster-wide roles the dump refers to are made.

use std::path::{Path, PathBuf};
use std::process::Command;

use sqlx::postgres::PgConnectOptions;
use sqlx::{ConnectOptions, Connection, Executor};

use super::embedded::find_bindir;

type AnyError = Box<dyn std::error::Error + Send + Sync>;

/// Where a backup comes from or a restore goes: the owner's connection string (a
/// managed PostgreSQL, with its password) or the embedded cluster's socket.
pub enum Target<'a> {
    Url(&'a str),
    Options(&'a PgConnectOptions),
}

/// A PostgreSQL client program next to the server's (`pg_dump`, `pg_restore`), or from
/// PATH.
fn program(name: &str) -> PathBuf {
    find_bindir()
        .map(|dir| dir.join(name))
        .filter(|path| path.is_file())
        .unwrap_or_else(|| PathBuf::from(name))
}

fn command(name: &str, target: &Target<'_>) -> Command {
    let mut command = Command::new(program(name));
    command.arg("--no-password");
    match target {
        Target::Url(url) => {
            command.arg(format!("--dbname={url}"));
        }
        Target::Options(options) => {
            let host = match options.get_socket() {
                Some(dir) => dir.display().to_string(),
                None => options.get_host().to_string(),
            };
            command
                .env("PGHOST", host)
                .env("PGPORT", options.get_port().to_string())
                .env("PGUSER", options.get_username())
                .arg(format!(
                    "--dbname={}",
                    options.get_database().unwrap_or("korps")
                ));
        }
    }
    command
}

fn run(mut command: Command, what: &str) -> Result<(), AnyError> {
    let output = command
        .output()
        .map_err(|err| format!("{what}: cannot start {:?}: {err}", command.get_program()))?;
    if output.status.success() {
        Ok(())
    } else {
        Err(format!(
            "{what} failed ({}): {}",
            output.status,
            String::from_utf8_lossy(&output.stderr).trim()
        )
        .into())
    }
}

/// Writes the whole database to `file` (pg_dump's custom format, compressed).
pub fn backup(target: &Target<'_>, file: &Path) -> Result<(), AnyError> {
    let mut dump = command("pg_dump", target);
    dump.arg("--format=custom")
        .arg(format!("--file={}", file.display()));
    run(dump, "pg_dump")
}

/// Restores `file` into the empty database `owner` connects to (`target` names the same
/// database for pg_restore), in one transaction: all of it or nothing.
pub async fn restore(
    target: &Target<'_>,
    owner: &PgConnectOptions,
    file: &Path,
) -> Result<(), AnyError> {
    if !file.is_file() {
        return Err(format!("no backup at {}", file.display()).into());
    }
    let mut conn = owner.connect().await?;
    let tables: i64 = sqlx::query_scalar(
        "SELECT count(*) FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
         WHERE n.nspname = 'public' AND c.relkind IN ('r', 'p')",
    )
    .fetch_one(&mut conn)
    .await?;
    if tables > 0 {
        return Err(format!(
            "the database already has {tables} tables: restore into an empty one (a new \
             KORPS_DATA_DIR, or a new database) so that nothing is overwritten"
        )
        .into());
    }
    // The roles are the cluster's, not the database's: a dump does not carry them.
    conn.execute(
        "DO $$
         BEGIN
             IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'korps_app') THEN
                 CREATE ROLE korps_app LOGIN NOSUPERUSER NOBYPASSRLS NOCREATEDB NOCREATEROLE;
             END IF;
             IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'korps_definer') THEN
                 CREATE ROLE korps_definer NOLOGIN NOSUPERUSER NOBYPASSRLS NOCREATEDB NOCREATEROLE;
             END IF;
             IF NOT (SELECT rolsuper FROM pg_roles WHERE rolname = current_user)
                AND NOT pg_has_role(current_user, 'korps_definer', 'MEMBER') THEN
                 EXECUTE format('GRANT korps_definer TO %I', current_user);
             END IF;
         END $$",
    )
    .await?;
    conn.close().await?;
    let mut load = command("pg_restore", target);
    load.arg("--exit-on-error")
        .arg("--single-transaction")
        .arg(file);
    run(load, "pg_restore")
}

//! The second factor as stored: a user's TOTP secret, the newest step accepted, and
//! their recovery codes (argon2id hashes). Checking a code runs in two short transactions
//! around the arithmetic, so no connection waits on hashing.

use sqlx::PgPool;
use uuid::Uuid;

use super::{password, totp};
use crate::db::{Scope, TenantTx};
use crate::error::AppResult;

pub struct Factor {
    pub secret: Vec<u8>,
    pub confirmed: bool,
    pub last_step: i64,
}

/// The user's factor, confirmed or waiting for its first code (run in the user's scope).
pub async fn get(tx: &mut TenantTx, user_id: Uuid) -> Result<Option<Factor>, sqlx::Error> {
    let row = sqlx::query!(
        "SELECT secret, confirmed_at IS NOT NULL AS \"confirmed!\", last_step
         FROM second_factors WHERE user_id = $1",
        user_id
    )
    .fetch_optional(tx.conn())
    .await?;
    Ok(row.map(|row| Factor {
        secret: row.secret,
        confirmed: row.confirmed,
        last_step: row.last_step,
    }))
}

/// Whether the user has a confirmed second factor: for the user, and for those who manage
/// them (their coordinators, national staff), who may not read the secret itself.
pub async fn enrolled(tx: &mut TenantTx, user_id: Uuid) -> Result<bool, sqlx::Error> {
    sqlx::query_scalar!(
        r#"SELECT second_factor_enrolled($1) AS "enrolled!""#,
        user_id
    )
    .fetch_one(tx.conn())
    .await
}

/// Whether the user must have a second factor: national staff and coordinators always,
/// mentors and parent coaches where their municipality requires it, and every new account
/// and every account whose second factor was reset.
pub async fn required(tx: &mut TenantTx, user_id: Uuid) -> Result<bool, sqlx::Error> {
    sqlx::query_scalar!(
        r#"SELECT EXISTS (
             SELECT 1 FROM memberships m
             LEFT JOIN municipalities mu ON mu.id = m.municipality_id
             WHERE m.user_id = $1
               AND (m.roles && ARRAY['national', 'coordinator'] OR mu.require_second_factor)
           ) OR coalesce((SELECT enrol_second_factor FROM users WHERE id = $1), false)
           AS "required!""#,
        user_id
    )
    .fetch_one(tx.conn())
    .await
}

/// Starts (or starts over) an enrolment with a new secret, which it returns. A confirmed
/// factor is not replaced: None then.
pub async fn begin_enrolment(
    tx: &mut TenantTx,
    user_id: Uuid,
) -> Result<Option<Vec<u8>>, sqlx::Error> {
    let secret = totp::new_secret();
    let stored = sqlx::query_scalar!(
        "INSERT INTO second_factors (user_id, secret) VALUES ($1, $2)
         ON CONFLICT (user_id) DO UPDATE SET secret = EXCLUDED.secret, created_at = now()
           WHERE second_factors.confirmed_at IS NULL
         RETURNING user_id",
        user_id,
        &secret
    )
    .fetch_optional(tx.conn())
    .await?;
    Ok(stored.map(|_| secret))
}

/// Confirms an enrolment with the step of its first code; false if there was nothing
/// waiting (confirmed already, or reset meanwhile).
pub async fn confirm(tx: &mut TenantTx, user_id: Uuid, step: i64) -> Result<bool, sqlx::Error> {
    let done = sqlx::query!(
        "UPDATE second_factors SET confirmed_at = now(), last_step = $2
         WHERE user_id = $1 AND confirmed_at IS NULL",
        user_id,
        step
    )
    .execute(tx.conn())
    .await?;
    if done.rows_affected() != 1 {
        return Ok(false);
    }
    sqlx::query!(
        "UPDATE users SET enrol_second_factor = false WHERE id = $1",
        user_id
    )
    .execute(tx.conn())
    .await?;
    Ok(true)
}

/// Takes `step` as used. False when it, or a later one, was taken before — also by a
/// request racing this one: the row decides, not what was read earlier.
pub async fn take_step(tx: &mut TenantTx, user_id: Uuid, step: i64) -> Result<bool, sqlx::Error> {
    let done = sqlx::query!(
        "UPDATE second_factors SET last_step = $2
         WHERE user_id = $1 AND confirmed_at IS NOT NULL AND last_step < $2",
        user_id,
        step
    )
    .execute(tx.conn())
    .await?;
    Ok(done.rows_affected() == 1)
}

/// Replaces the user's recovery codes with these hashes.
pub async fn replace_recovery_codes(
    tx: &mut TenantTx,
    user_id: Uuid,
    hashes: &[String],
) -> Result<(), sqlx::Error> {
    sqlx::query!("DELETE FROM recovery_codes WHERE user_id = $1", user_id)
        .execute(tx.conn())
        .await?;
    for hash in hashes {
        sqlx::query!(
            "INSERT INTO recovery_codes (id, user_id, code_hash) VALUES ($1, $2, $3)",
            Uuid::now_v7(),
            user_id,
            hash
        )
        .execute(tx.conn())
        .await?;
    }
    Ok(())
}

/// How many unused recovery codes the user has left.
pub async fn recovery_codes_left(tx: &mut TenantTx, user_id: Uuid) -> Result<i64, sqlx::Error> {
    sqlx::query_scalar!(
        r#"SELECT count(*) AS "count!" FROM recovery_codes WHERE user_id = $1 AND used_at IS NULL"#,
        user_id
    )
    .fetch_one(tx.conn())
    .await
}

/// Hashes fresh recovery codes (off the async workers) and returns them with their hashes.
pub async fn new_recovery_codes() -> AppResult<(Vec<String>, Vec<String>)> {
    let codes = totp::new_recovery_codes();
    let mut hashes = Vec::with_capacity(codes.len());
    for code in &codes {
        let digits = match totp::parse(code) {
            totp::Entered::Recovery(digits) => digits,
            _ => unreachable!("new recovery codes parse as recovery codes"),
        };
        hashes.push(password::hash(digits).await?);
    }
    Ok((codes, hashes))
}

/// Removes the user's second factor and recovery codes and ends every session of theirs:
/// they enrol anew at their next login. The caller checks who may do this.
pub async fn reset(tx: &mut TenantTx, user_id: Uuid) -> Result<(), sqlx::Error> {
    let done = sqlx::query_scalar!(r#"SELECT reset_second_factor($1) AS "done!""#, user_id)
        .fetch_one(tx.conn())
        .await?;
    if !done {
        return Err(sqlx::Error::RowNotFound);
    }
    sqlx::query!(
        "UPDATE users SET session_generation = session_generation + 1, updated_at = now()
         WHERE id = $1",
        user_id
    )
    .execute(tx.conn())
    .await?;
    Ok(())
}

/// Resets the second factor of the account with this e-mail from the command line, with
/// national staff's rights, and logs it in the account's municipality (or the national
/// log). False when there is no such active account.
pub async fn reset_by_operator(pool: &PgPool, email: &str) -> AppResult<bool> {
    let mut tx = TenantTx::begin(
        pool,
        Scope::National {
            user_id: Uuid::nil(),
        },
    )
    .await?;
    let Some(user_id) = super::repo::account_for_email(&mut tx, email).await? else {
        return Ok(false);
    };
    reset(&mut tx, user_id).await?;
    let municipality = super::repo::first_membership(&mut tx, user_id)
        .await?
        .and_then(|m| m.municipality_id);
    crate::audit::record_for(
        &mut tx,
        municipality,
        None,
        crate::web::client::ClientAddr(None),
        crate::audit::Event::new("second_factor_reset")
            .subject("user", user_id)
            .details(serde_json::json!({ "by": "command line" })),
    )
    .await?;
    tx.commit().await?;
    Ok(true)
}

/// How a code typed at login (or to renew recovery codes) was received.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Checked {
    /// A code from the app, now used.
    Code,
    /// A recovery code, now used.
    Recovery,
    Wrong,
    /// A right code that was used before.
    Used,
    /// Neither six nor twelve digits.
    Malformed,
    /// The user has no confirmed second factor.
    NotEnrolled,
}

/// Checks what the user typed against their confirmed factor and takes it as used if it
/// is right: a code's step, or a recovery code. Runs its own short transactions in the
/// user's scope; argon2 runs between them with no connection held.
pub async fn check_entered(
    pool: &PgPool,
    user_id: Uuid,
    entered: &str,
    unix_time: u64,
) -> AppResult<Checked> {
    let scope = Scope::User { user_id };
    match totp::parse(entered) {
        totp::Entered::Malformed => Ok(Checked::Malformed),
        totp::Entered::Code(code) => {
            let mut tx = TenantTx::begin(pool, scope).await?;
            let Some(factor) = get(&mut tx, user_id).await?.filter(|f| f.confirmed) else {
                return Ok(Checked::NotEnrolled);
            };
            let checked = match totp::check(&factor.secret, &code, unix_time, factor.last_step) {
                Ok(step) if take_step(&mut tx, user_id, step).await? => Checked::Code,
                Ok(_) | Err(totp::Refused::Used) => Checked::Used,
                Err(totp::Refused::Wrong) => Checked::Wrong,
            };
            tx.commit().await?;
            Ok(checked)
        }
        totp::Entered::Recovery(digits) => {
            let mut tx = TenantTx::begin(pool, scope).await?;
            if !enrolled(&mut tx, user_id).await? {
                return Ok(Checked::NotEnrolled);
            }
            let unused = sqlx::query!(
                "SELECT id, code_hash FROM recovery_codes WHERE user_id = $1 AND used_at IS NULL",
                user_id
            )
            .fetch_all(tx.conn())
            .await?;
            tx.commit().await?;
            let mut matched = None;
            for row in unused {
                if password::verify(digits.clone(), Some(row.code_hash)).await {
                    matched = Some(row.id);
                    break;
                }
            }
            let Some(id) = matched else {
                return Ok(Checked::Wrong);
            };
            let mut tx = TenantTx::begin(pool, scope).await?;
            let taken = sqlx::query!(
                "UPDATE recovery_codes SET used_at = now() WHERE id = $1 AND used_at IS NULL",
                id
            )
            .execute(tx.conn())
            .await?
            .rows_affected()
                == 1;
            tx.commit().await?;
            Ok(if taken {
                Checked::Recovery
            } else {
                Checked::Used
            })
        }
    }
}

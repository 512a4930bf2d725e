//! The tenant-scoped transaction: the only way repo code reaches tenant data.
//!
//! It sets the transaction-local settings that the row-level security policies read
//! (`app.municipality_id`, `app.user_id`, `app.national`). They are `set_config(..., true)`
//! — local to the transaction — because pooled connections are reused by other users.

use sqlx::{PgConnection, PgPool, Postgres, Transaction};
use uuid::Uuid;

/// Whose eyes a transaction looks through.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scope {
    /// Before login: no tenant rows are visible at all.
    Anonymous,
    /// A signed-in user before a municipality is chosen: only their own memberships.
    User { user_id: Uuid },
    /// A user working in one municipality.
    Municipality {
        user_id: Uuid,
        municipality_id: Uuid,
    },
    /// National staff: national policies, never citizen data.
    National { user_id: Uuid },
    /// The background worker: sends the outbox and plans reminders across
    /// municipalities (`app.job`); it reads citizen data only through a user's own scope.
    Job,
}

impl Scope {
    pub fn user_id(&self) -> Option<Uuid> {
        match *self {
            Scope::Anonymous => None,
            Scope::User { user_id }
            | Scope::Municipality { user_id, .. }
            | Scope::National { user_id } => Some(user_id),
            Scope::Job => None,
        }
    }

    pub fn municipality_id(&self) -> Option<Uuid> {
        match *self {
            Scope::Municipality {
                municipality_id, ..
            } => Some(municipality_id),
            _ => None,
        }
    }
}

pub struct TenantTx {
    tx: Transaction<'static, Postgres>,
    scope: Scope,
}

impl TenantTx {
    pub async fn begin(pool: &PgPool, scope: Scope) -> Result<Self, sqlx::Error> {
        let waiting = std::time::Instant::now();
        let begun = pool.begin().await;
        crate::metrics::record_acquire(
            waiting.elapsed(),
            matches!(begun, Err(sqlx::Error::PoolTimedOut)),
        );
        let mut tx = begun?;
        let municipality = scope
            .municipality_id()
            .map(|id| id.to_string())
            .unwrap_or_default();
        let user = scope.user_id().map(|id| id.to_string()).unwrap_or_default();
        let national = if matches!(scope, Scope::National { .. }) {
            "on"
        } else {
            ""
        };
        let job = if scope == Scope::Job { "on" } else { "" };
        sqlx::query!(
            "SELECT set_config('app.municipality_id', $1, true) AS municipality, \
                    set_config('app.user_id', $2, true) AS user, \
                    set_config('app.national', $3, true) AS national, \
                    set_config('app.job', $4, true) AS job",
            municipality,
            user,
            national,
            job
        )
        .fetch_one(&mut *tx)
        .await?;
        Ok(TenantTx { tx, scope })
    }

    pub fn scope(&self) -> Scope {
        self.scope
    }

    /// The connection to run a query on, inside this transaction.
    pub fn conn(&mut self) -> &mut PgConnection {
        &mut self.tx
    }

    pub async fn commit(self) -> Result<(), sqlx::Error> {
        self.tx.commit().await
    }
}

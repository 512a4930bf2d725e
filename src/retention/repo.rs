//! SQL for retention: the run (`retention_run`, a definer function for the job), what
//! falls due (`retention_due`, read through the coordinator's own eyes) and the holds.

use time::Date;
use uuid::Uuid;

use super::model::Count;
use crate::db::TenantTx;

/// The advisory lock that lets one instance run retention at a time.
pub const LOCK_KEY: i64 = 0x6b6f_7270_735f_7265; // "korps_re"

/// Takes the transaction's retention lock; false when another transaction holds it.
pub async fn try_lock(tx: &mut TenantTx) -> Result<bool, sqlx::Error> {
    let locked = sqlx::query_scalar!(
        r#"SELECT pg_try_advisory_xact_lock($1) AS "locked!""#,
        LOCK_KEY
    )
    .fetch_one(tx.conn())
    .await?;
    Ok(locked)
}

/// Whether the run has been done on `day`.
pub async fn ran_on(tx: &mut TenantTx, day: Date) -> Result<bool, sqlx::Error> {
    let ran = sqlx::query_scalar!(
        r#"SELECT EXISTS (SELECT 1 FROM retention_runs WHERE day = $1) AS "ran!""#,
        day
    )
    .fetch_one(tx.conn())
    .await?;
    Ok(ran)
}

/// Runs retention as of `today` (the job's scope only) and returns its counts.
pub async fn run(
    tx: &mut TenantTx,
    today: Date,
    choice_keys: &[String],
) -> Result<Vec<Count>, sqlx::Error> {
    let rows = sqlx::query!(
        r#"SELECT municipality_id, what AS "what!", n AS "n!" FROM retention_run($1, $2)"#,
        today,
        choice_keys
    )
    .fetch_all(tx.conn())
    .await?;
    Ok(rows
        .into_iter()
        .map(|r| Count {
            municipality_id: r.municipality_id,
            what: r.what,
            n: r.n,
        })
        .collect())
}

/// A citizen of the municipality that falls due for anonymisation or deletion.
pub struct Due {
    pub citizen_id: Uuid,
    pub name: String,
    pub anonymise: bool,
    pub due_on: Date,
    pub held: bool,
}

/// What falls due by `until`, seen on `today`, in the transaction's municipality.
pub async fn due(tx: &mut TenantTx, today: Date, until: Date) -> Result<Vec<Due>, sqlx::Error> {
    let rows = sqlx::query!(
        r#"SELECT d.citizen_id AS "citizen_id!", y.name, d.action AS "action!",
                  d.due_on AS "due_on!", d.held AS "held!"
           FROM retention_due($1, $2) d JOIN citizens y ON y.id = d.citizen_id
           WHERE d.municipality_id = $3
           ORDER BY d.due_on, lower(y.name)"#,
        today,
        until,
        tx.scope().municipality_id()
    )
    .fetch_all(tx.conn())
    .await?;
    Ok(rows
        .into_iter()
        .map(|r| Due {
            citizen_id: r.citizen_id,
            name: r.name,
            anonymise: r.action == "anonymise",
            due_on: r.due_on,
            held: r.held,
        })
        .collect())
}

/// A hold not yet released (in force, or lapsed at its review date).
pub struct Hold {
    pub id: Uuid,
    pub citizen_id: Uuid,
    pub citizen_name: String,
    pub reason: String,
    pub held_by: String,
    pub held_on: Date,
    pub review_by: Date,
    pub renewed_on: Option<Date>,
}

/// The municipality's holds not released, the soonest review first.
pub async fn holds(tx: &mut TenantTx) -> Result<Vec<Hold>, sqlx::Error> {
    sqlx::query_as!(
        Hold,
        r#"SELECT h.id, h.citizen_id, y.name AS citizen_name, h.reason,
                  coalesce(u.name, '') AS "held_by!", h.held_on, h.review_by, h.renewed_on
           FROM retention_holds h
           JOIN citizens y ON y.id = h.citizen_id
           LEFT JOIN users u ON u.id = h.held_by
           WHERE h.municipality_id = $1 AND h.released_on IS NULL
           ORDER BY h.review_by, lower(y.name)"#,
        tx.scope().municipality_id()
    )
    .fetch_all(tx.conn())
    .await
}

/// The hold `id` of the municipality, if it is not released.
pub async fn open_hold(tx: &mut TenantTx, id: Uuid) -> Result<Option<(Uuid, Uuid)>, sqlx::Error> {
    let row = sqlx::query!(
        "SELECT id, citizen_id FROM retention_holds
         WHERE id = $1 AND municipality_id = $2 AND released_on IS NULL",
        id,
        tx.scope().municipality_id()
    )
    .fetch_optional(tx.conn())
    .await?;
    Ok(row.map(|r| (r.id, r.citizen_id)))
}

/// Whether the citizen belongs to the municipality and is not anonymised.
pub async fn citizen_exists(tx: &mut TenantTx, id: Uuid) -> Result<bool, sqlx::Error> {
    let found = sqlx::query_scalar!(
        r#"SELECT EXISTS (SELECT 1 FROM citizens
                          WHERE id = $1 AND municipality_id = $2 AND anonymised_on IS NULL) AS "found!""#,
        id,
        tx.scope().municipality_id()
    )
    .fetch_one(tx.conn())
    .await?;
    Ok(found)
}

/// Holds the citizen's case from `today` for a year; an open hold (also a lapsed one) is
/// replaced by this one: released today by the same user.
pub async fn place(
    tx: &mut TenantTx,
    citizen_id: Uuid,
    reason: &str,
    today: Date,
    review_by: Date,
) -> Result<Uuid, sqlx::Error> {
    let user = tx.scope().user_id();
    let municipality = tx.scope().municipality_id();
    sqlx::query!(
        "UPDATE retention_holds SET released_on = $2, released_by = $3, version = version + 1
         WHERE citizen_id = $1 AND municipality_id = $4 AND released_on IS NULL",
        citizen_id,
        today,
        user,
        municipality
    )
    .execute(tx.conn())
    .await?;
    let id = Uuid::now_v7();
    sqlx::query!(
        "INSERT INTO retention_holds (id, municipality_id, citizen_id, reason, held_by, held_on, review_by)
         VALUES ($1, $2, $3, $4, $5, $6, $7)",
        id,
        municipality,
        citizen_id,
        reason,
        user,
        today,
        review_by
    )
    .execute(tx.conn())
    .await?;
    Ok(id)
}

/// Renews the hold for another year from `today`.
pub async fn renew(
    tx: &mut TenantTx,
    id: Uuid,
    today: Date,
    review_by: Date,
) -> Result<bool, sqlx::Error> {
    let done = sqlx::query!(
        "UPDATE retention_holds SET review_by = $2, renewed_on = $3, renewed_by = $4, version = version + 1
         WHERE id = $1 AND municipality_id = $5 AND released_on IS NULL",
        id,
        review_by,
        today,
        tx.scope().user_id(),
        tx.scope().municipality_id()
    )
    .execute(tx.conn())
    .await?;
    Ok(done.rows_affected() == 1)
}

/// Releases the hold: the case follows the ordinary rules again.
pub async fn release(tx: &mut TenantTx, id: Uuid, today: Date) -> Result<bool, sqlx::Error> {
    let done = sqlx::query!(
        "UPDATE retention_holds SET released_on = $2, released_by = $3, version = version + 1
         WHERE id = $1 AND municipality_id = $4 AND released_on IS NULL",
        id,
        today,
        tx.scope().user_id(),
        tx.scope().municipality_id()
    )
    .execute(tx.conn())
    .await?;
    Ok(done.rows_affected() == 1)
}

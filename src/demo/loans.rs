//! Demo loans between municipalities: one requested (Høje-Taastrup), one forwarded to
//! Aarhus and waiting for its answer (a København mentor course), one agreed and running
//! — Odense's parent coach Lise Frost works on a København parent-coaching course — and
//! one ended with its settlement (Aarhus lent Peter Skov to Aalborg); besides, Aarhus's
//! request for a parent coach was declined by København and Odense withdrew one. Loaded
//! once: nothing happens when a loan exists.

use sqlx::{Connection, PgConnection, Row};
use time::{Date, Duration};
use uuid::Uuid;

use crate::clock;

type AnyError = Box<dyn std::error::Error + Send + Sync>;

/// The municipality's waiting (referred) course of a kind, and its coordinator.
async fn waiting(
    conn: &mut PgConnection,
    municipality: &str,
    kind: &str,
) -> Result<Option<(Uuid, Uuid, Uuid)>, AnyError> {
    let row = sqlx::query(
        "SELECT c.id, c.municipality_id,
                (SELECT m.user_id FROM memberships m WHERE m.municipality_id = c.municipality_id
                   AND 'coordinator' = ANY (m.roles) LIMIT 1) AS coordinator
         FROM courses c JOIN municipalities mu ON mu.id = c.municipality_id
         WHERE mu.name = $1 AND c.kind = $2 AND c.state = 'referred'
         ORDER BY c.referred_on LIMIT 1",
    )
    .bind(municipality)
    .bind(kind)
    .fetch_optional(&mut *conn)
    .await?;
    Ok(row.map(|r| (r.get("id"), r.get("municipality_id"), r.get("coordinator"))))
}

async fn member(conn: &mut PgConnection, email: &str) -> Result<(Uuid, Uuid, Uuid), AnyError> {
    let row = sqlx::query(
        "SELECT cm.id, cm.municipality_id, cm.user_id FROM corps_members cm
         JOIN users u ON u.id = cm.user_id WHERE u.email = $1",
    )
    .bind(email)
    .fetch_one(&mut *conn)
    .await?;
    Ok((
        row.get("id"),
        row.get("municipality_id"),
        row.get("user_id"),
    ))
}

struct Loan<'a> {
    course: (Uuid, Uuid, Uuid),
    kind: &'a str,
    needs: &'a str,
    languages: &'a [&'a str],
    from: Date,
    to: Date,
    hours: f64,
    state: &'a str,
    lending: Option<Uuid>,
    note: &'a str,
    member: Option<Uuid>,
    rate: Option<f64>,
    agreed_on: Option<Date>,
    assigned_on: Option<Date>,
    ended_on: Option<Date>,
    settled_hours: Option<f64>,
}

async fn insert(conn: &mut PgConnection, loan: Loan<'_>) -> Result<Uuid, AnyError> {
    let id = Uuid::now_v7();
    let languages: Vec<String> = loan.languages.iter().map(|l| l.to_string()).collect();
    sqlx::query(
        "INSERT INTO loans (id, municipality_id, course_id, kind, needs, languages, period_from, period_to,
                            hours_per_week, state, lending_municipality_id, forward_note, member_id,
                            hourly_rate, agreed_on, assigned_on, ended_on, settled_hours, requested_by,
                            created_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9::float8, $10, $11, $12, $13, $14::float8, $15, $16, $17,
                 $18::float8, $19, ($7::date - 10)::timestamptz)",
    )
    .bind(id)
    .bind(loan.course.1)
    .bind(loan.course.0)
    .bind(loan.kind)
    .bind(loan.needs)
    .bind(&languages)
    .bind(loan.from)
    .bind(loan.to)
    .bind(loan.hours)
    .bind(loan.state)
    .bind(loan.lending)
    .bind(loan.note)
    .bind(loan.member)
    .bind(loan.rate)
    .bind(loan.agreed_on)
    .bind(loan.assigned_on)
    .bind(loan.ended_on)
    .bind(loan.settled_hours)
    .bind(loan.course.2)
    .execute(&mut *conn)
    .await?;
    Ok(id)
}

/// Gives the course to the lent member from `start`, with weekly sessions up to `last`.
#[allow(clippy::too_many_arguments)]
async fn work(
    conn: &mut PgConnection,
    course: (Uuid, Uuid, Uuid),
    member: (Uuid, Uuid, Uuid),
    start: Date,
    last: Date,
    state: &str,
    closed: Option<Date>,
    note: &str,
) -> Result<(), AnyError> {
    sqlx::query(
        "UPDATE courses SET member_id = $2, state = $3, matched_on = $4, started_on = $4 + 7,
                ended_on = $5, closed_on = $5 WHERE id = $1",
    )
    .bind(course.0)
    .bind(member.0)
    .bind(state)
    .bind(start)
    .bind(closed)
    .execute(&mut *conn)
    .await?;
    sqlx::query(
        "INSERT INTO course_events (id, municipality_id, course_id, actor_id, kind, from_state, to_state, note, at)
         VALUES ($1, $2, $3, $4, 'matched', 'referred', 'matched', $5, $6::date::timestamptz)",
    )
    .bind(Uuid::now_v7())
    .bind(course.1)
    .bind(course.0)
    .bind(course.2)
    .bind(note)
    .bind(start)
    .execute(&mut *conn)
    .await?;
    let mut day = start + Duration::days(7);
    let mut first = true;
    while day <= last {
        sqlx::query(
            "INSERT INTO course_sessions (id, municipality_id, course_id, held_on, duration_minutes, kind,
                                          participants, notes, next_step, logged_by, created_at)
             VALUES ($1, $2, $3, $4, 60, $5, '', $6, $7, $8, $4::timestamptz)",
        )
        .bind(Uuid::now_v7())
        .bind(course.1)
        .bind(course.0)
        .bind(day)
        .bind(if first { "pre_meeting" } else { "session" })
        .bind(if first {
            "Formøde med borgeren og koordinatoren. Aftalt ugentlige møder."
        } else {
            "Ugentligt møde: talt om hverdagen, venner og fritid."
        })
        .bind("Mødes igen næste uge.")
        .bind(member.2)
        .execute(&mut *conn)
        .await?;
        first = false;
        day += Duration::days(7);
    }
    Ok(())
}

pub async fn load(conn: &mut PgConnection) -> Result<(), AnyError> {
    let exists: bool = sqlx::query_scalar("SELECT EXISTS (SELECT 1 FROM loans)")
        .fetch_one(&mut *conn)
        .await?;
    if exists {
        return Ok(());
    }
    let today = clock::today();
    let days = Duration::days;
    let mut tx = conn.begin().await?;
    let aarhus: Uuid = sqlx::query_scalar("SELECT id FROM municipalities WHERE name = 'Aarhus'")
        .fetch_one(&mut *tx)
        .await?;

    if let Some(course) = waiting(&mut tx, "Høje-Taastrup", "mentor").await? {
        insert(
            &mut tx,
            Loan {
                course,
                kind: "mentor",
                needs: "Mandlig mentor med erfaring fra arbejde med unge i risiko for ekstremisme. \
                        Gerne arabisktalende. Møder i dagtimerne.",
                languages: &["ar", "da"],
                from: today + days(7),
                to: today + days(187),
                hours: 3.0,
                state: "requested",
                lending: None,
                note: "",
                member: None,
                rate: None,
                agreed_on: None,
                assigned_on: None,
                ended_on: None,
                settled_hours: None,
            },
        )
        .await?;
    }
    if let Some(course) = waiting(&mut tx, "København", "mentor").await? {
        insert(
            &mut tx,
            Loan {
                course,
                kind: "mentor",
                needs: "Mentor til en ung mand, der er ved at trække sig fra et radikaliseret \
                        miljø på nettet. Arabisk er en fordel. Møder i dagtimerne.",
                languages: &["ar", "da"],
                from: today + days(3),
                to: today + days(120),
                hours: 2.5,
                state: "forwarded",
                lending: Some(aarhus),
                note: "Aarhus har ledig kapacitet hos flere mentorer.",
                member: None,
                rate: None,
                agreed_on: None,
                assigned_on: None,
                ended_on: None,
                settled_hours: None,
            },
        )
        .await?;
    }
    if let Some(course) = waiting(&mut tx, "København", "parent_coaching").await? {
        let lise = member(&mut tx, "lise.frost@example.org").await?;
        let start = today - days(30);
        insert(
            &mut tx,
            Loan {
                course,
                kind: "parent_coaching",
                needs: "Forældrecoach til en mor, der ønsker støtte til at tale med sin søn om hans \
                        nye venner. Samtaler på dansk.",
                languages: &["da"],
                from: start,
                to: today + days(150),
                hours: 2.0,
                state: "agreed",
                lending: Some(lise.1),
                note: "Lise Frost i Odense har en ledig plads.",
                member: Some(lise.0),
                rate: Some(385.0),
                agreed_on: Some(start - days(4)),
                assigned_on: Some(start),
                ended_on: None,
                settled_hours: None,
            },
        )
        .await?;
        work(
            &mut tx,
            course,
            lise,
            start,
            today - days(2),
            "active",
            None,
            "Udlånt fra Odense",
        )
        .await?;
    }
    if let Some(course) = waiting(&mut tx, "Aalborg", "mentor").await? {
        let peter = member(&mut tx, "peter.skov@example.org").await?;
        let (from, ended) = (today - days(200), today - days(20));
        let sessions = ((ended - (from + days(7))).whole_days() / 7 + 1) as f64;
        insert(
            &mut tx,
            Loan {
                course,
                kind: "mentor",
                needs: "Mentor med erfaring fra behandlingsområdet til en ung mand med uro og \
                        vrede. Møder gerne om aftenen.",
                languages: &["da"],
                from,
                to: ended,
                hours: 1.5,
                state: "ended",
                lending: Some(peter.1),
                note: "Peter Skov kan tage forløbet.",
                member: Some(peter.0),
                rate: Some(400.0),
                agreed_on: Some(from - days(5)),
                assigned_on: Some(from),
                ended_on: Some(ended),
                settled_hours: Some(sessions),
            },
        )
        .await?;
        work(
            &mut tx,
            course,
            peter,
            from,
            ended,
            "closed",
            Some(ended),
            "Udlånt fra Aarhus",
        )
        .await?;
    }
    let kobenhavn: Uuid =
        sqlx::query_scalar("SELECT id FROM municipalities WHERE name = 'København'")
            .fetch_one(&mut *tx)
            .await?;
    if let Some(course) = waiting(&mut tx, "Aarhus", "parent_coaching").await? {
        let id = insert(
            &mut tx,
            Loan {
                course,
                kind: "parent_coaching",
                needs: "Forældrecoach til et forældrepar, der taler tyrkisk. Samtaler om aftenen.",
                languages: &["tr"],
                from: today + days(14),
                to: today + days(180),
                hours: 2.0,
                state: "declined",
                lending: Some(kobenhavn),
                note: "Nadia Sørensen kunne måske tage forløbet.",
                member: None,
                rate: None,
                agreed_on: None,
                assigned_on: None,
                ended_on: None,
                settled_hours: None,
            },
        )
        .await?;
        sqlx::query("UPDATE loans SET decline_reason = $2 WHERE id = $1")
            .bind(id)
            .bind("Vores forældrecoaches er fuldt optaget frem til februar.")
            .execute(&mut *tx)
            .await?;
    }
    if let Some(course) = waiting(&mut tx, "Odense", "parent_coaching").await? {
        insert(
            &mut tx,
            Loan {
                course,
                kind: "parent_coaching",
                needs: "Forældrecoach med erfaring i at tale med forældre om bekymring for \
                        ekstremisme. Dansk.",
                languages: &["da"],
                from: today + days(10),
                to: today + days(100),
                hours: 1.5,
                state: "withdrawn",
                lending: None,
                note: "",
                member: None,
                rate: None,
                agreed_on: None,
                assigned_on: None,
                ended_on: None,
                settled_hours: None,
            },
        )
        .await?;
    }
    tx.commit().await?;
    Ok(())
}

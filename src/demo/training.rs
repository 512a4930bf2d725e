//! Demo training: two cohorts drawn from the past training round (as the 2015 guide ran a
//! winter and an autumn cohort from one round) — a completed one, with every module held,
//! attendance recorded and its members trained, and a running one, with modules held and
//! ahead and nominations from the approved municipalities — plus a past network meeting
//! with attendance and an upcoming advanced module. Deterministic; loaded once: nothing
//! happens when a cohort exists. An earlier round with Odense's approved application and
//! its long completed cohort come first. Members the other demo data and tests rely on stay trained.

use sqlx::{Connection, PgConnection};
use time::{Date, Duration};
use uuid::Uuid;

use crate::clock;

type AnyError = Box<dyn std::error::Error + Send + Sync>;

/// (title, first day, last day (days from today), programmes)
type ModuleSpec = (&'static str, i64, Option<i64>, &'static [&'static str]);

const COMPLETED_MODULES: &[ModuleSpec] = &[
    (
        "Modul 1 – Fælles introdag for mentorer og forældrecoaches",
        -300,
        None,
        &["mentor", "parent_coach", "coordinator"],
    ),
    ("Modul 2 – Mentor", -287, Some(-286), &["mentor"]),
    (
        "Modul 2 – Forældrecoach",
        -266,
        Some(-265),
        &["parent_coach"],
    ),
    ("Koordinatormodul", -258, None, &["coordinator"]),
    ("Modul 3 – Mentor", -230, Some(-229), &["mentor"]),
    (
        "Modul 3 – Forældrecoach",
        -210,
        Some(-209),
        &["parent_coach"],
    ),
    ("Modul 4 – Mentor", -190, None, &["mentor"]),
    ("Modul 4 – Forældrecoach", -176, None, &["parent_coach"]),
];

const FIRST_MODULES: &[ModuleSpec] = &[
    (
        "Modul 1 – Fælles introdag for mentorer og forældrecoaches",
        -1100,
        None,
        &["mentor", "parent_coach"],
    ),
    ("Modul 2 – Mentor", -1086, Some(-1085), &["mentor"]),
    (
        "Modul 2 – Forældrecoach",
        -1079,
        Some(-1078),
        &["parent_coach"],
    ),
    ("Modul 3 – Mentor", -1030, Some(-1029), &["mentor"]),
    (
        "Modul 3 – Forældrecoach",
        -1023,
        Some(-1022),
        &["parent_coach"],
    ),
    ("Modul 4 – Mentor", -990, None, &["mentor"]),
    ("Modul 4 – Forældrecoach", -983, None, &["parent_coach"]),
];

const RUNNING_MODULES: &[ModuleSpec] = &[
    (
        "Modul 1 – Fælles introdag for mentorer og forældrecoaches",
        -40,
        None,
        &["mentor", "parent_coach"],
    ),
    ("Modul 2 – Mentor", -20, Some(-19), &["mentor"]),
    ("Modul 2 – Forældrecoach", -13, Some(-12), &["parent_coach"]),
    ("Modul 3 – Mentor", 15, Some(16), &["mentor"]),
    ("Modul 3 – Forældrecoach", 22, Some(23), &["parent_coach"]),
    ("Modul 4 – Mentor", 50, None, &["mentor"]),
    ("Modul 4 – Forældrecoach", 57, None, &["parent_coach"]),
];

const PLACE: &str = "Hotel Koldingfjord, Kolding";

pub async fn load(conn: &mut PgConnection) -> Result<(), AnyError> {
    let existing: i64 = sqlx::query_scalar("SELECT count(*) FROM training_cohorts")
        .fetch_one(&mut *conn)
        .await?;
    if existing > 0 {
        return Ok(());
    }
    // The past training round of the applications demo, with its approved applications.
    let round: Option<(Uuid, Option<Date>)> = sqlx::query_as(
        "SELECT id, corps_until FROM application_rounds
         WHERE kind = 'training' AND state = 'closed' ORDER BY deadline DESC LIMIT 1",
    )
    .fetch_optional(&mut *conn)
    .await?;
    let Some((round_id, corps_until)) = round else {
        return Ok(());
    };
    let today = clock::today();
    let corps_until = corps_until.unwrap_or(today + Duration::days(730));
    let national: Option<Uuid> =
        sqlx::query_scalar("SELECT id FROM users WHERE email = 'national@example.org'")
            .fetch_optional(&mut *conn)
            .await?;
    let year = today.year();
    let mut tx = conn.begin().await?;

    // An earlier round, in which Odense (one of the first municipalities of the corps)
    // was approved, and its cohort, long completed; the obligation ends this year.
    let earlier_round = earlier_round(&mut tx, year, national).await?;
    let first = cohort(
        &mut tx,
        &format!("Første hold, {}", year - 3),
        earlier_round,
        Date::from_calendar_date(year, time::Month::December, 31)?,
        national,
    )
    .await?;
    let first_modules = modules(&mut tx, first, FIRST_MODULES, today, national).await?;
    for (email, programme) in [
        ("mentor.odense@example.org", "mentor"),
        ("coach.odense@example.org", "parent_coach"),
    ] {
        let Some(nomination) = nominate(&mut tx, first, email, programme, -1130).await? else {
            continue;
        };
        let mut last = None;
        for (module_id, start, end, programmes) in &first_modules {
            if programmes.contains(&programme) {
                attend(&mut tx, *module_id, nomination, national).await?;
                last = last.max(Some(end.unwrap_or(*start)));
            }
        }
        if let Some(last) = last {
            let until = Date::from_calendar_date(year, time::Month::December, 31)?;
            trained(&mut tx, nomination, programme, first, last, until).await?;
        }
    }

    // The completed cohort: everyone attended everything and is trained.
    let completed = cohort(
        &mut tx,
        &format!("Hold 1, {}", year - 1),
        round_id,
        corps_until,
        national,
    )
    .await?;
    let completed_modules = modules(&mut tx, completed, COMPLETED_MODULES, today, national).await?;
    let completed_people = [
        ("mentor.aarhus@example.org", "mentor"),
        ("coach.aarhus@example.org", "parent_coach"),
        ("mikkel.bach@example.org", "mentor"),
        ("koordinator.kobenhavn@example.org", "coordinator"),
        ("signe.lauridsen@example.org", "mentor"),
    ];
    for (email, programme) in completed_people {
        let Some(nomination) = nominate(&mut tx, completed, email, programme, -330).await? else {
            continue;
        };
        let mut last = None;
        for (module_id, first, end, programmes) in &completed_modules {
            if programmes.contains(&programme) {
                attend(&mut tx, *module_id, nomination, national).await?;
                let day = end.unwrap_or(*first);
                last = last.max(Some(day));
            }
        }
        if let Some(last) = last {
            trained(&mut tx, nomination, programme, completed, last, corps_until).await?;
        }
    }

    // The running cohort: Modul 1 recorded, Modul 2 held but not yet recorded.
    let running = cohort(
        &mut tx,
        &format!("Hold 2, {year}"),
        round_id,
        corps_until,
        national,
    )
    .await?;
    let running_modules = modules(&mut tx, running, RUNNING_MODULES, today, national).await?;
    for (email, programme) in [
        ("jonas.brandt@example.org", "mentor"),
        ("koordinator.kobenhavn@example.org", "mentor"),
    ] {
        let Some(nomination) = nominate(&mut tx, running, email, programme, -60).await? else {
            continue;
        };
        sqlx::query(
            "UPDATE corps_members SET training_status = 'in_training', trained_on = NULL
             WHERE id = (SELECT member_id FROM training_nominations WHERE id = $1)",
        )
        .bind(nomination)
        .execute(&mut *tx)
        .await?;
        if let Some((module_id, ..)) = running_modules.first() {
            attend(&mut tx, *module_id, nomination, national).await?;
        }
    }

    // Corps-wide events.
    let meeting = event(
        &mut tx,
        "network_meeting",
        "Nationalt netværksmøde for mentorer og forældrecoaches",
        today - Duration::days(60),
        "Nationalt Center for Forebyggelse af Ekstremisme, København",
        national,
    )
    .await?;
    for email in [
        "mentor.aarhus@example.org",
        "coach.aarhus@example.org",
        "mentor.odense@example.org",
        "mikkel.bach@example.org",
        "signe.lauridsen@example.org",
    ] {
        sqlx::query(
            "INSERT INTO corps_event_attendance (event_id, member_id, municipality_id, recorded_by)
             SELECT $1, cm.id, cm.municipality_id, $3 FROM corps_members cm
             JOIN users u ON u.id = cm.user_id WHERE u.email = $2 AND cm.training_status = 'trained'
             ON CONFLICT DO NOTHING",
        )
        .bind(meeting)
        .bind(email)
        .bind(national)
        .execute(&mut *tx)
        .await?;
    }
    event(
        &mut tx,
        "advanced_module",
        "Overbygningsmodul: Inddragelse af pårørende og netværk",
        today + Duration::days(35),
        "Comwell Middelfart",
        national,
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

/// A closed training round three years back with Odense's approved application (two
/// mentor and two parent-coach seats); returns the round.
async fn earlier_round(
    tx: &mut PgConnection,
    year: i32,
    by: Option<Uuid>,
) -> Result<Uuid, AnyError> {
    let round = Uuid::now_v7();
    let deadline = clock::now() - Duration::days(1200);
    sqlx::query(
        "INSERT INTO application_rounds (id, kind, title, description, state, deadline, corps_until, created_by,
                                         opened_at, closed_at)
         VALUES ($1, 'training', $2, $3, 'closed', $4, $5, $6, $4 - interval '60 days', $4)",
    )
    .bind(round)
    .bind(format!("Mentor- og forældrecoachuddannelse {}", year - 3))
    .bind("Grunduddannelsen som mentor og pårørende/forældrecoach: seks dage, fordelt på tre gange to dage med overnatning.")
    .bind(deadline)
    .bind(Date::from_calendar_date(year, time::Month::December, 31)?)
    .bind(by)
    .execute(&mut *tx)
    .await?;
    let application = Uuid::now_v7();
    sqlx::query(
        "INSERT INTO applications (id, round_id, municipality_id, state, mentor_candidates, parent_coach_candidates,
                                   challenges, organisation_staff, organisation_responsible, organisation_partners,
                                   organisation_coordination, recruitment, target_groups, management_support, legal_basis,
                                   commit_lend, commit_method, commit_corps, decision_reason, mentor_seats,
                                   parent_coach_seats, decided_at, decided_by, submitted_at, created_at, updated_at)
         SELECT $1, $2, id, 'approved', 2, 2,
                'Unge i Vollsmose og Korsløkke tiltrækkes af ekstremistiske miljøer; infohuset har set flere henvendelser.',
                'Fire medarbejdere fra SSP og familieafdelingen.', 'Chefen for Børn og Unge.',
                'Fyns Politi og infohuset.', 'Månedlig supervision ved koordinatoren.',
                'Erfarne relationsmedarbejdere med frikøbte timer.', 'Via infohuset og SSP.',
                'Direktionen har godkendt indsatsen.', 'Serviceloven § 52 og lov om aktiv beskæftigelse.',
                true, true, true, 'Tilsagn: erfaring fra projekt \"Helhedsorienteret forebyggelse af ekstremisme\".',
                2, 2, $3 + interval '30 days', $4, $3 - interval '2 days', $3 - interval '20 days', $3 + interval '30 days'
         FROM municipalities WHERE code = 461",
    )
    .bind(application)
    .bind(round)
    .bind(deadline)
    .bind(by)
    .execute(&mut *tx)
    .await?;
    Ok(round)
}

async fn cohort(
    tx: &mut PgConnection,
    name: &str,
    round_id: Uuid,
    corps_until: Date,
    by: Option<Uuid>,
) -> Result<Uuid, sqlx::Error> {
    let id = Uuid::now_v7();
    sqlx::query(
        "INSERT INTO training_cohorts (id, name, round_id, mentor_seats, parent_coach_seats, coordinator_seats,
                                       corps_until, created_by)
         VALUES ($1, $2, $3, 25, 25, 5, $4, $5)",
    )
    .bind(id)
    .bind(name)
    .bind(round_id)
    .bind(corps_until)
    .bind(by)
    .execute(&mut *tx)
    .await?;
    Ok(id)
}

/// Inserts the modules; returns (id, first day, last day, programmes) of each.
async fn modules(
    tx: &mut PgConnection,
    cohort_id: Uuid,
    specs: &[ModuleSpec],
    today: Date,
    by: Option<Uuid>,
) -> Result<Vec<(Uuid, Date, Option<Date>, &'static [&'static str])>, sqlx::Error> {
    let mut out = Vec::new();
    for (title, first, last, programmes) in specs {
        let id = Uuid::now_v7();
        let starts_on = today + Duration::days(*first);
        let ends_on = last.map(|d| today + Duration::days(d));
        let codes: Vec<String> = programmes.iter().map(|p| p.to_string()).collect();
        sqlx::query(
            "INSERT INTO training_modules (id, cohort_id, title, starts_on, ends_on, place, programmes, created_by)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
        )
        .bind(id)
        .bind(cohort_id)
        .bind(title)
        .bind(starts_on)
        .bind(ends_on)
        .bind(PLACE)
        .bind(&codes)
        .bind(by)
        .execute(&mut *tx)
        .await?;
        out.push((id, starts_on, ends_on, *programmes));
    }
    Ok(out)
}

/// Nominates the account with `email` (by its municipality's coordinator); `None` when
/// the account is not in the demo.
async fn nominate(
    tx: &mut PgConnection,
    cohort_id: Uuid,
    email: &str,
    programme: &str,
    days: i64,
) -> Result<Option<Uuid>, sqlx::Error> {
    let row: Option<(Uuid, Uuid, Option<Uuid>)> = sqlx::query_as(
        "SELECT u.id, m.municipality_id,
                (SELECT cm.id FROM corps_members cm WHERE cm.user_id = u.id AND cm.municipality_id = m.municipality_id)
         FROM users u JOIN memberships m ON m.user_id = u.id WHERE u.email = $1 AND m.municipality_id IS NOT NULL",
    )
    .bind(email)
    .fetch_optional(&mut *tx)
    .await?;
    let Some((user_id, municipality_id, member_id)) = row else {
        return Ok(None);
    };
    let member_id = member_id.filter(|_| programme != "coordinator");
    if programme != "coordinator" && member_id.is_none() {
        return Ok(None);
    }
    let id = Uuid::now_v7();
    let at = clock::now() + Duration::days(days);
    sqlx::query(
        "INSERT INTO training_nominations (id, cohort_id, municipality_id, user_id, member_id, programme,
                                           nominated_by, nominated_at)
         VALUES ($1, $2, $3, $4, $5, $6,
                 (SELECT user_id FROM memberships WHERE municipality_id = $3 AND 'coordinator' = ANY (roles)
                  ORDER BY created_at LIMIT 1), $7)",
    )
    .bind(id)
    .bind(cohort_id)
    .bind(municipality_id)
    .bind(user_id)
    .bind(member_id)
    .bind(programme)
    .bind(at)
    .execute(&mut *tx)
    .await?;
    Ok(Some(id))
}

async fn attend(
    tx: &mut PgConnection,
    module_id: Uuid,
    nomination_id: Uuid,
    by: Option<Uuid>,
) -> Result<(), sqlx::Error> {
    sqlx::query(
        "INSERT INTO training_attendance (module_id, nomination_id, municipality_id, recorded_by)
         SELECT $1, n.id, n.municipality_id, $3 FROM training_nominations n WHERE n.id = $2",
    )
    .bind(module_id)
    .bind(nomination_id)
    .bind(by)
    .execute(&mut *tx)
    .await?;
    Ok(())
}

async fn trained(
    tx: &mut PgConnection,
    nomination_id: Uuid,
    programme: &str,
    cohort_id: Uuid,
    on: Date,
    corps_until: Date,
) -> Result<(), sqlx::Error> {
    sqlx::query("UPDATE training_nominations SET completed_on = $2 WHERE id = $1")
        .bind(nomination_id)
        .bind(on)
        .execute(&mut *tx)
        .await?;
    if programme == "coordinator" {
        return Ok(());
    }
    sqlx::query(
        "UPDATE corps_members SET training_status = 'trained', trained_on = $2, trained_programme = $3,
                trained_cohort_id = $4, corps_until = $5
         WHERE id = (SELECT member_id FROM training_nominations WHERE id = $1)",
    )
    .bind(nomination_id)
    .bind(on)
    .bind(programme)
    .bind(cohort_id)
    .bind(corps_until)
    .execute(&mut *tx)
    .await?;
    Ok(())
}

async fn event(
    tx: &mut PgConnection,
    kind: &str,
    title: &str,
    on: Date,
    place: &str,
    by: Option<Uuid>,
) -> Result<Uuid, sqlx::Error> {
    let id = Uuid::now_v7();
    sqlx::query(
        "INSERT INTO corps_events (id, kind, title, starts_on, place, programmes, created_by)
         VALUES ($1, $2, $3, $4, $5, ARRAY['mentor', 'parent_coach'], $6)",
    )
    .bind(id)
    .bind(kind)
    .bind(title)
    .bind(on)
    .bind(place)
    .bind(by)
    .execute(&mut *tx)
    .await?;
    Ok(id)
}

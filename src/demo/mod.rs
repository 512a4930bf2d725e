//! Demo data: the municipalities and logins of ARCHITECTURE.md, and realistic staff.
//! Loading is idempotent (existing municipalities and accounts are left alone). It runs
//! as the database owner, like migrations.

mod applications;
mod content;
mod loans;
pub mod scale;
mod training;

use sqlx::{Connection, PgConnection};
use uuid::Uuid;

use crate::auth::password;
use crate::vocab::Role;

pub const PASSWORD: &str = "korps-demo-2026";

/// The official codes of the demo municipalities.
const DEMO_CODES: &[i16] = &[751, 461, 101, 851, 169];

/// (name, official code, region)
const MUNICIPALITIES: &[(&str, i16, &str)] = &[
    ("Aarhus", 751, "midtjylland"),
    ("Odense", 461, "syddanmark"),
    ("København", 101, "hovedstaden"),
    ("Aalborg", 851, "nordjylland"),
    ("Høje-Taastrup", 169, "hovedstaden"),
];

/// (e-mail, name, municipality code or None for national staff, roles)
const USERS: &[(&str, &str, Option<i16>, &[Role])] = &[
    ("national@example.org", "Lene Kjær", None, &[Role::National]),
    (
        "koordinator.aarhus@example.org",
        "Mette Lund",
        Some(751),
        &[Role::Coordinator],
    ),
    (
        "mentor.aarhus@example.org",
        "Ahmad Rahimi",
        Some(751),
        &[Role::Mentor],
    ),
    (
        "coach.aarhus@example.org",
        "Susanne Holm",
        Some(751),
        &[Role::ParentCoach],
    ),
    (
        "koordinator.odense@example.org",
        "Jens Mortensen",
        Some(461),
        &[Role::Coordinator],
    ),
    (
        "mentor.odense@example.org",
        "Fatima Ali",
        Some(461),
        &[Role::Mentor],
    ),
    (
        "coach.odense@example.org",
        "Birgitte Nørgaard",
        Some(461),
        &[Role::ParentCoach],
    ),
    (
        "koordinator.kobenhavn@example.org",
        "Rasmus Winther",
        Some(101),
        &[Role::Coordinator, Role::Mentor],
    ),
    (
        "koordinator.aalborg@example.org",
        "Hanne Dahl",
        Some(851),
        &[Role::Coordinator],
    ),
    (
        "koordinator.hoje-taastrup@example.org",
        "Yasmin Karimi",
        Some(169),
        &[Role::Coordinator],
    ),
    (
        "jonas.brandt@example.org",
        "Jonas Brandt",
        Some(751),
        &[Role::Mentor],
    ),
    (
        "amira.hassan@example.org",
        "Amira Hassan",
        Some(751),
        &[Role::Mentor, Role::ParentCoach],
    ),
    (
        "peter.skov@example.org",
        "Peter Skov",
        Some(751),
        &[Role::Mentor],
    ),
    (
        "karen.vestergaard@example.org",
        "Karen Vestergaard",
        Some(751),
        &[Role::ParentCoach],
    ),
    (
        "omar.haddad@example.org",
        "Omar Haddad",
        Some(461),
        &[Role::Mentor],
    ),
    (
        "lise.frost@example.org",
        "Lise Frost",
        Some(461),
        &[Role::ParentCoach],
    ),
    (
        "mikkel.bach@example.org",
        "Mikkel Bach",
        Some(101),
        &[Role::Mentor],
    ),
    (
        "nadia.sørensen@example.org",
        "Nadia Sørensen",
        Some(101),
        &[Role::ParentCoach],
    ),
    (
        "tobias.krogh@example.org",
        "Tobias Krogh",
        Some(851),
        &[Role::Mentor],
    ),
    (
        "signe.lauridsen@example.org",
        "Signe Lauridsen",
        Some(169),
        &[Role::Mentor, Role::ParentCoach],
    ),
];

/// The logins printed at start-up and listed in the README.
pub const LOGINS: &[(&str, &str)] = &[
    ("national@example.org", "nationalt center"),
    ("koordinator.aarhus@example.org", "koordinator, Aarhus"),
    ("mentor.aarhus@example.org", "mentor, Aarhus"),
    ("coach.aarhus@example.org", "forældrecoach, Aarhus"),
    ("koordinator.odense@example.org", "koordinator, Odense"),
    ("mentor.odense@example.org", "mentor, Odense"),
    ("coach.odense@example.org", "forældrecoach, Odense"),
];

pub async fn load(conn: &mut PgConnection) -> Result<(), Box<dyn std::error::Error + Send + Sync>> {
    let hash = password::hash(PASSWORD.to_string()).await?;
    let mut tx = conn.begin().await?;
    for (name, code, region) in MUNICIPALITIES {
        sqlx::query!(
            "INSERT INTO municipalities (id, name, code, region) VALUES ($1, $2, $3, $4) ON CONFLICT DO NOTHING",
            Uuid::now_v7(),
            name,
            code,
            region
        )
        .execute(&mut *tx)
        .await?;
    }
    for (email, name, code, roles) in USERS {
        let user_id = Uuid::now_v7();
        let inserted = sqlx::query!(
            "INSERT INTO users (id, email, name, password_hash) VALUES ($1, $2, $3, $4) ON CONFLICT DO NOTHING",
            user_id,
            email,
            name,
            hash
        )
        .execute(&mut *tx)
        .await?
        .rows_affected();
        if inserted == 0 {
            continue;
        }
        sqlx::query!(
            "INSERT INTO memberships (id, user_id, municipality_id, roles)
             VALUES ($1, $2, (SELECT id FROM municipalities WHERE code = $3), $4)",
            Uuid::now_v7(),
            user_id,
            *code,
            *roles as &[Role]
        )
        .execute(&mut *tx)
        .await?;
    }
    tx.commit().await?;
    content::load(conn).await?;
    applications::load(conn).await?;
    loans::load(conn).await?;
    training::load(conn).await?;
    holds(conn).await?;
    enrol_second_factors(conn).await?;
    Ok(())
}

/// A legal hold on one case in Aarhus and one in Odense (the retention page shows them),
/// placed two months ago by the municipality's first coordinator. Once per municipality.
async fn holds(conn: &mut PgConnection) -> Result<(), sqlx::Error> {
    sqlx::query!(
        "INSERT INTO retention_holds (id, municipality_id, citizen_id, reason, held_by, held_on, review_by)
         SELECT gen_random_uuid(), mu.id, y.id,
                'Aktindsigtssag hos Ankestyrelsen: bevares, til den er afgjort.',
                c.user_id, current_date - 60, current_date + 305
         FROM municipalities mu
         CROSS JOIN LATERAL (SELECT y.id FROM citizens y WHERE y.municipality_id = mu.id
                             ORDER BY y.referred_on, y.id LIMIT 1) y
         CROSS JOIN LATERAL (SELECT m.user_id FROM memberships m
                             WHERE m.municipality_id = mu.id AND 'coordinator' = ANY (m.roles)
                             ORDER BY m.created_at, m.id LIMIT 1) c
         WHERE mu.name IN ('Aarhus', 'Odense')
           AND NOT EXISTS (SELECT 1 FROM retention_holds h WHERE h.municipality_id = mu.id)"
    )
    .execute(conn)
    .await?;
    Ok(())
}

/// Enrols every demo account without a second factor with the demo TOTP secret
/// (`auth::totp::DEMO_SECRET`, written in the README beside the password), so demo
/// logins work with any authenticator app set up with that secret. Also for the accounts
/// of the scale generator.
pub async fn enrol_second_factors(conn: &mut PgConnection) -> Result<(), sqlx::Error> {
    let secret = crate::auth::totp::demo_secret();
    let mut tx = conn.begin().await?;
    let users: Vec<Uuid> = sqlx::query_scalar(
        "SELECT id FROM users u WHERE email LIKE '%@example.org'
           AND NOT EXISTS (SELECT 1 FROM second_factors f WHERE f.user_id = u.id)",
    )
    .fetch_all(&mut *tx)
    .await?;
    for user in users {
        // Each row as its owner, as row-level security wants it.
        sqlx::query("SELECT set_config('app.user_id', $1, true)")
            .bind(user.to_string())
            .execute(&mut *tx)
            .await?;
        sqlx::query(
            "INSERT INTO second_factors (user_id, secret, confirmed_at) VALUES ($1, $2, now())",
        )
        .bind(user)
        .bind(&secret)
        .execute(&mut *tx)
        .await?;
    }
    sqlx::query("SELECT set_config('app.user_id', '', true)")
        .execute(&mut *tx)
        .await?;
    tx.commit().await
}

pub fn print_logins() {
    println!(
        "\nDemo logins (password: {PASSWORD}; second factor: TOTP secret {}, SHA-1, 6 digits, 30 s):",
        crate::auth::totp::DEMO_SECRET
    );
    for (email, who) in LOGINS {
        println!("  {email:<34} {who}");
    }
    println!();
}

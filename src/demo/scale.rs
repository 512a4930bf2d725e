//! `korps demo-data --scale N`: N times the real corps on top of the demo — about 100·N
//! members, 2,000·N courses, 50,000·N sessions and their ratings, measurements and
//! coaching over 23 generated municipalities — to
//! measure that pages stay fast (see `scripts/bench.sh`). Generated in SQL, so ten times
//! the corps takes seconds, not minutes.

use sqlx::{Connection, PgConnection};
use uuid::Uuid;

type AnyError = Box<dyn std::error::Error + Send + Sync>;

/// The number of municipalities in the real corps.
const MUNICIPALITIES: i32 = 23;
const SESSIONS_PER_COURSE: i32 = 27;

/// The coordinator login of the first generated municipality, for benchmarks.
pub const BENCH_COORDINATOR: &str = "skala.koordinator@example.org";
pub const BENCH_MENTOR: &str = "skala.mentor@example.org";

pub async fn generate(
    conn: &mut PgConnection,
    scale: i32,
    password_hash: &str,
) -> Result<(), AnyError> {
    let members_each = (100 * scale + MUNICIPALITIES - 1) / MUNICIPALITIES;
    let courses_each = (2_000 * scale + MUNICIPALITIES - 1) / MUNICIPALITIES;
    for index in 0..MUNICIPALITIES {
        let code = 900 + index as i16;
        let mut tx = conn.begin().await?;
        let id: Option<Uuid> = sqlx::query_scalar("SELECT id FROM municipalities WHERE code = $1")
            .bind(code)
            .fetch_optional(&mut *tx)
            .await?;
        if id.is_some() {
            continue; // generated before
        }
        let municipality = Uuid::now_v7();
        sqlx::query("INSERT INTO municipalities (id, name, code, region) VALUES ($1, $2, $3, $4)")
            .bind(municipality)
            .bind(format!("Skalakommune {}", index + 1))
            .bind(code)
            .bind(
                [
                    "hovedstaden",
                    "sjaelland",
                    "syddanmark",
                    "midtjylland",
                    "nordjylland",
                ][index as usize % 5],
            )
            .execute(&mut *tx)
            .await?;
        sqlx::query("SELECT set_config('app.municipality_id', $1, true)")
            .bind(municipality.to_string())
            .execute(&mut *tx)
            .await?;
        // Staff: one coordinator, then mentors and parent coaches taking turns.
        sqlx::query(
            "INSERT INTO users (id, email, name, password_hash)
             SELECT gen_random_uuid(),
                    CASE WHEN $3 = 0 AND i = 0 THEN $4 WHEN $3 = 0 AND i = 1 THEN $5 ELSE format('skala-%s-%s@example.org', $3, i) END,
                    format('Skala %s-%s', $3, i), $2
             FROM generate_series(0, $1) AS i",
        )
        .bind(members_each)
        .bind(password_hash)
        .bind(index)
        .bind(BENCH_COORDINATOR)
        .bind(BENCH_MENTOR)
        .execute(&mut *tx)
        .await?;
        sqlx::query(
            "INSERT INTO memberships (id, user_id, municipality_id, roles)
             SELECT gen_random_uuid(), u.id, $1,
                    CASE WHEN u.name = format('Skala %s-0', $2) THEN ARRAY['coordinator']
                         WHEN right(u.name, 1)::int % 2 = 0 THEN ARRAY['parent_coach'] ELSE ARRAY['mentor'] END
             FROM users u WHERE u.name LIKE format('Skala %s-%%', $2)",
        )
        .bind(municipality)
        .bind(index)
        .execute(&mut *tx)
        .await?;
        sqlx::query(
            "INSERT INTO corps_members (id, municipality_id, user_id, training_status, capacity, languages, availability)
             SELECT gen_random_uuid(), $1, m.user_id, 'trained', 20, ARRAY['da'], ARRAY['daytime']
             FROM memberships m WHERE m.municipality_id = $1 AND NOT 'coordinator' = ANY (m.roles)",
        )
        .bind(municipality)
        .execute(&mut *tx)
        .await?;
        // One citizen per course; courses spread over two years and every state.
        sqlx::query(
            "INSERT INTO citizens (id, municipality_id, kind, name, birth_year, referred_on, referral_source, criteria, legal_basis)
             SELECT gen_random_uuid(), $1, 'mentee', format('Borger %s', i), 2000 + i % 10, current_date - (i % 730),
                    'infohouse', ARRAY['signs_of_concern'], 'social_services_act'
             FROM generate_series(1, $2) AS i",
        )
        .bind(municipality)
        .bind(courses_each)
        .execute(&mut *tx)
        .await?;
        sqlx::query(
            "WITH members AS (SELECT id, row_number() OVER (ORDER BY id) - 1 AS n, count(*) OVER () AS total FROM corps_members WHERE municipality_id = $1),
                  people AS (SELECT id, referred_on, row_number() OVER (ORDER BY id) AS n FROM citizens WHERE municipality_id = $1)
             INSERT INTO courses (id, municipality_id, kind, member_id, state, referred_on, matched_on, started_on, ended_on, closed_on)
             SELECT gen_random_uuid(), $1, 'mentor', m.id,
                    (ARRAY['closed','closed','closed','closed','closed','closed','active','active','active','active',
                           'ending','follow_up','matched','pre_meeting','referred','cancelled'])[1 + p.n % 16],
                    p.referred_on, p.referred_on + 7, p.referred_on + 14,
                    CASE WHEN p.n % 16 < 6 OR p.n % 16 IN (10, 11) THEN least(p.referred_on + 200, current_date) END,
                    CASE WHEN p.n % 16 < 6 THEN least(p.referred_on + 380, current_date) END
             FROM people p JOIN members m ON m.n = p.n % m.total",
        )
        .bind(municipality)
        .execute(&mut *tx)
        .await?;
        sqlx::query("UPDATE courses SET member_id = NULL, matched_on = NULL, started_on = NULL WHERE municipality_id = $1 AND state = 'referred'")
            .bind(municipality)
            .execute(&mut *tx)
            .await?;
        sqlx::query(
            "INSERT INTO course_participants (course_id, citizen_id, municipality_id, joined_on)
             SELECT c.id, p.id, $1, c.referred_on
             FROM (SELECT id, referred_on, row_number() OVER (ORDER BY id) AS n FROM courses WHERE municipality_id = $1) c
             JOIN (SELECT id, row_number() OVER (ORDER BY id) AS n FROM citizens WHERE municipality_id = $1) p ON p.n = c.n",
        )
        .bind(municipality)
        .execute(&mut *tx)
        .await?;
        sqlx::query(
            "INSERT INTO course_sessions (id, municipality_id, course_id, held_on, duration_minutes, kind, notes, logged_by)
             SELECT gen_random_uuid(), $1, c.id, least(c.started_on + s * 7, current_date), 60, 'session', 'Ugentlig samtale.', cm.user_id
             FROM courses c JOIN corps_members cm ON cm.id = c.member_id
             CROSS JOIN generate_series(0, $2 - 1) AS s
             WHERE c.municipality_id = $1 AND c.started_on IS NOT NULL",
        )
        .bind(municipality)
        .bind(SESSIONS_PER_COURSE)
        .execute(&mut *tx)
        .await?;
        // LAT tools: a progress rating every two months of a course, and the pre and post
        // measurement (post only for ended courses), so the dashboards have work to do.
        sqlx::query(
            "WITH a AS (
               INSERT INTO tool_answers (id, municipality_id, course_id, tool, version, answers, filled_on, filled_by)
               SELECT gen_random_uuid(), $1, c.id, 'development_plan', 1,
                      jsonb_build_object('progress', least(10, 3 + k + abs(hashtext(c.id::text)) % 3)),
                      c.started_on + k * 60, cm.user_id
               FROM courses c JOIN corps_members cm ON cm.id = c.member_id CROSS JOIN generate_series(0, 5) AS k
               WHERE c.municipality_id = $1 AND c.started_on IS NOT NULL
                 AND c.started_on + k * 60 <= coalesce(c.ended_on, current_date)
               RETURNING id, course_id, answers, filled_on)
             INSERT INTO measurements (id, municipality_id, course_id, answer_id, kind, value, measured_on)
             SELECT gen_random_uuid(), $1, course_id, id, 'progress', (answers->>'progress')::numeric, filled_on FROM a",
        )
        .bind(municipality)
        .execute(&mut *tx)
        .await?;
        sqlx::query(
            "WITH a AS (
               INSERT INTO tool_answers (id, municipality_id, course_id, tool, version, phase, answers, filled_on, filled_by)
               SELECT gen_random_uuid(), $1, c.id, 'measurement', 1, p.phase,
                      jsonb_build_object('wellbeing', 36 + c.h % 30 + CASE WHEN p.phase = 'post' THEN 4 + c.h % 16 ELSE 0 END,
                                         'mastery', 10 + c.h % 8 + CASE WHEN p.phase = 'post' THEN 3 ELSE 0 END),
                      CASE p.phase WHEN 'pre' THEN c.started_on ELSE c.ended_on END, cm.user_id
               FROM (SELECT *, abs(hashtext(id::text)) AS h FROM courses WHERE municipality_id = $1) c
               JOIN corps_members cm ON cm.id = c.member_id CROSS JOIN (VALUES ('pre'), ('post')) AS p (phase)
               WHERE c.started_on IS NOT NULL AND (p.phase = 'pre' OR c.ended_on IS NOT NULL)
               RETURNING id, course_id, phase, answers, filled_on)
             INSERT INTO measurements (id, municipality_id, course_id, answer_id, kind, value, measured_on)
             SELECT gen_random_uuid(), $1, course_id, id, 'wellbeing_' || phase, (answers->>'wellbeing')::numeric, filled_on FROM a
             UNION ALL
             SELECT gen_random_uuid(), $1, course_id, id, 'mastery_' || phase, (answers->>'mastery')::numeric, filled_on FROM a",
        )
        .bind(municipality)
        .execute(&mut *tx)
        .await?;
        // The coordinator's monthly coaching of every member over the last year.
        sqlx::query(
            "INSERT INTO coaching_log (id, municipality_id, member_id, coordinator_id, held_on, notes)
             SELECT gen_random_uuid(), $1, cm.id,
                    (SELECT user_id FROM memberships WHERE municipality_id = $1 AND 'coordinator' = ANY (roles) LIMIT 1),
                    current_date - k * 30, 'Månedlig coaching.'
             FROM corps_members cm CROSS JOIN generate_series(0, 11) AS k WHERE cm.municipality_id = $1",
        )
        .bind(municipality)
        .execute(&mut *tx)
        .await?;
        tx.commit().await?;
    }
    sqlx::query("ANALYZE").execute(&mut *conn).await?;
    Ok(())
}

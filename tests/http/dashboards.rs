//! The dashboards: the coordinator's overview, the member's start page, the handover and
//! the national dashboard with its small-cell suppression.

use korps::dashboards::model::Count;
use korps::db::Scope;

use crate::support::TestApp;

/// The national centre's figures: every count rounded to 5 ("<5" for 1 to 4), areas the
/// sums of their municipalities' rounded counts, and never a name of a citizen or a member.
#[tokio::test]
async fn the_national_dashboard_rounds_every_count_and_shows_no_names() {
    let app = TestApp::spawn().await;
    let national = app.login("national@example.org").await;
    let page = national.get("/nationalt-overblik").await;
    assert_eq!(page.status, 200);
    let rows = page.texts("#national-areas tbody tr");

    // Every municipality's corps size, as the page must show it.
    let mut conn = app.owner_conn().await;
    let members: Vec<(String, i64)> = sqlx::query_as(
        "SELECT mu.name, count(cm.id) FILTER (WHERE cm.active AND u.active)
         FROM municipalities mu LEFT JOIN corps_members cm ON cm.municipality_id = mu.id
         LEFT JOIN users u ON u.id = cm.user_id GROUP BY mu.name",
    )
    .fetch_all(&mut conn)
    .await
    .unwrap();
    let mut saw_small = false;
    for (name, count) in &members {
        let row = rows
            .iter()
            .find(|r| r.starts_with(&format!("{name} ")))
            .unwrap_or_else(|| panic!("a row for {name}: {rows:?}"));
        saw_small |= (1..5).contains(count);
        let expected = Count::protect(*count).shown();
        assert!(
            row.starts_with(&format!("{name} {expected} ")),
            "{row} shows {expected} corps members ({count})"
        );
    }
    assert!(
        saw_small,
        "the demo has a municipality with fewer than 5 members"
    );

    // The country adds up each municipality's rounded cells of the courses alive in the
    // last 12 whole months — not the exact total.
    let cells: Vec<(i64,)> = sqlx::query_as(
        "SELECT count(*) FROM courses
         WHERE referred_on <= (date_trunc('month', current_date) - interval '1 day')::date
           AND coalesce(closed_on, 'infinity'::date) >= (date_trunc('month', current_date) - interval '12 months')::date
         GROUP BY municipality_id, kind, state",
    )
    .fetch_all(&mut conn)
    .await
    .unwrap();
    let expected = Count::sum(cells.iter().map(|(n,)| Count::protect(*n))).shown();
    let exact: i64 = cells.iter().map(|(n,)| n).sum();
    let country = rows
        .iter()
        .find(|r| r.starts_with("Hele landet "))
        .expect("a country row");
    let shown: Vec<&str> = country.split(' ').collect();
    assert_eq!(
        shown[4], expected,
        "{country} counts the rounded cells ({exact} exactly)"
    );

    // No citizen and no member is named anywhere on the page, whatever the area.
    let names: Vec<(String,)> = sqlx::query_as(
        "SELECT name FROM citizens UNION SELECT u.name FROM users u JOIN corps_members cm ON cm.user_id = u.id",
    )
    .fetch_all(&mut conn)
    .await
    .unwrap();
    let aarhus = app.municipality_id("Aarhus").await;
    for path in [
        "/nationalt-overblik".to_string(),
        format!("/nationalt-overblik?area={aarhus}"),
        "/nationalt-overblik?area=midtjylland&kind=mentor".to_string(),
    ] {
        let page = national.get(&path).await;
        assert_eq!(page.status, 200);
        let body = page.html().html();
        for (name,) in &names {
            assert!(!body.contains(name.as_str()), "{path} names {name}");
        }
    }

    // One municipality's details: its table, but no background of its few citizens.
    let page = national
        .get(&format!("/nationalt-overblik?area={aarhus}"))
        .await;
    assert!(
        page.texts("h2").iter().any(|h| h.ends_with(": Aarhus")),
        "the details are Aarhus's"
    );
    assert!(
        page.texts("p")
            .iter()
            .any(|p| p.contains("kun for regioner og hele landet")),
        "no background for one municipality"
    );

    // Loans per municipality: Aarhus lent Peter Skov to Aalborg (demo), Odense lent to
    // København; one loan is "<5", the hours logged on it to the nearest 5.
    let loans = national
        .get("/nationalt-overblik")
        .await
        .texts("#national-loans tbody tr");
    let hours: f64 = app
        .scalar(
            "SELECT sum(s.duration_minutes)::float8 / 60 FROM course_sessions s
             JOIN loans l ON l.course_id = s.course_id JOIN municipalities m ON m.id = l.municipality_id
             WHERE m.name = 'Aalborg' AND l.state = 'ended'",
        )
        .await;
    let rounded = (hours / 5.0).round() * 5.0;
    let expected = format!("Aalborg <5 0 {}", format!("{rounded:.1}").replace('.', ","));
    assert!(loans.contains(&expected), "{expected}: {loans:?}");
    assert!(loans.contains(&"Aarhus 0 <5 0,0".to_string()), "{loans:?}");

    let coordinator = app.login("koordinator.aarhus@example.org").await;
    assert_eq!(coordinator.get("/nationalt-overblik").await.status, 403);
}

/// Periods are whole months, never the month under way: a day cannot be chosen, and a
/// month that cannot be read is said next to its field with what was typed kept.
#[tokio::test]
async fn the_national_period_is_whole_months_up_to_last_month() {
    let app = TestApp::spawn().await;
    let national = app.login("national@example.org").await;
    let today = korps::clock::today();
    let this_month = today.replace_day(1).unwrap();
    let last_month = korps::courses::rules::add_months(this_month, -1);
    let month = |d: time::Date| format!("{:02}-{}", u8::from(d.month()), d.year());
    let value = |page: &crate::support::Page, field: &str| {
        page.attr(&format!("input[name={field}]"), "value")
            .unwrap_or_default()
    };

    // By default the 12 whole months before this one.
    let page = national.get("/nationalt-overblik").await;
    assert_eq!(value(&page, "to"), month(last_month));
    assert_eq!(
        value(&page, "from"),
        month(korps::courses::rules::add_months(last_month, -11))
    );
    assert!(
        page.text_of("#figures-as-of").starts_with("Tal opdateret "),
        "{}",
        page.text_of("#figures-as-of")
    );

    // A day is read as its month; this month is cut back to the last whole one.
    let page = national
        .get(&format!(
            "/nationalt-overblik?from=15-03-2026&to={}",
            month(this_month)
        ))
        .await;
    assert_eq!(value(&page, "from"), "03-2026");
    assert_eq!(value(&page, "to"), month(last_month));

    // "2026-13" is no month: the message is next to the field, what was typed is kept.
    let page = national.get("/nationalt-overblik?from=2026-13&to=").await;
    assert_eq!(page.status, 200);
    assert_eq!(value(&page, "from"), "2026-13");
    assert!(
        page.text_of(".form-error")
            .contains("Skriv måneden som måned og år"),
        "{}",
        page.text_of(".form-error")
    );
    let page = national
        .get("/nationalt-overblik?from=05-2026&to=03-2026")
        .await;
    assert!(
        page.text_of(".form-error").contains("før til-måneden"),
        "{}",
        page.text_of(".form-error")
    );
}

/// With the figures kept for 5 minutes, a new course does not move them at once, and the
/// page says when they were read; a new period is read at once.
#[tokio::test]
async fn the_national_figures_are_kept_a_few_minutes_and_say_when_they_were_read() {
    let app = TestApp::spawn_with(|c| c.figures_max_age = 300).await;
    let national = app.login("national@example.org").await;
    let first = national.get("/nationalt-overblik").await;
    let as_of = first.text_of("#figures-as-of");
    let country = |page: &crate::support::Page| {
        page.texts("#national-areas tbody tr")
            .into_iter()
            .find(|r| r.starts_with("Hele landet "))
            .unwrap()
    };
    let before = country(&first);
    // Aarhus' members leave the corps: the country's count of members would move.
    let aarhus = app.municipality_id("Aarhus").await;
    let mut conn = app.owner_conn().await;
    sqlx::query("UPDATE corps_members SET active = false WHERE municipality_id = $1")
        .bind(aarhus)
        .execute(&mut conn)
        .await
        .unwrap();
    let again = national.get("/nationalt-overblik").await;
    assert_eq!(again.text_of("#figures-as-of"), as_of);
    assert_eq!(country(&again), before, "the kept figures");
    // Another period is read now, and shows the change.
    let other = national
        .get("/nationalt-overblik?from=01-2025&to=06-2025")
        .await;
    let members = |row: &str| row.split(' ').nth(2).unwrap().to_string();
    assert_ne!(members(&country(&other)), members(&before), "read now");
    // The API answers from the same figures, with when they were read.
    let api = national.get("/api/v1/statistik").await;
    assert!(api.text.contains("\"figures_as_of\""), "{}", api.text);
}

/// The aggregate functions answer only a national transaction: a municipality's
/// transaction, or one with no tenant, gets nothing from them.
#[tokio::test]
async fn the_national_figures_are_only_for_national_staff() {
    let app = TestApp::spawn().await;
    let aarhus = app.municipality_id("Aarhus").await;
    let national_user = app.user_id("national@example.org").await;
    let coordinator = app.user_id("koordinator.aarhus@example.org").await;
    let sql = "SELECT (SELECT count(*) FROM national_courses('', '2000-01-01', '2100-01-01'))
              + (SELECT count(*) FROM national_corps())
              + (SELECT count(*) FROM national_background('', '2000-01-01', '2100-01-01', 2026::smallint))";
    let mut tx = app
        .tenant_tx(Scope::Municipality {
            user_id: coordinator,
            municipality_id: aarhus,
        })
        .await;
    let seen: i64 = sqlx::query_scalar(sql).fetch_one(tx.conn()).await.unwrap();
    assert_eq!(seen, 0, "a municipality reads no national figures");
    drop(tx);
    let mut tx = app
        .tenant_tx(Scope::National {
            user_id: national_user,
        })
        .await;
    let seen: i64 = sqlx::query_scalar(sql).fetch_one(tx.conn()).await.unwrap();
    assert!(seen > 0, "national staff read the aggregates");
}

#[tokio::test]
async fn the_coordinator_overview_shows_load_coaching_and_the_progress_trend() {
    let app = TestApp::spawn().await;
    let coordinator = app.login("koordinator.aarhus@example.org").await;
    let page = coordinator.get("/overblik").await;
    assert_eq!(page.status, 200);
    let rows = page.texts("table tbody tr");
    let (open, capacity): (i64, i16) = sqlx::query_as(
        "SELECT (SELECT count(*) FROM courses c WHERE c.member_id = cm.id
                   AND c.state IN ('matched', 'pre_meeting', 'active', 'ending')), cm.capacity
         FROM corps_members cm JOIN users u ON u.id = cm.user_id WHERE u.name = 'Ahmad Rahimi'",
    )
    .fetch_one(&mut app.owner_conn().await)
    .await
    .unwrap();
    assert!(
        rows.iter()
            .any(|r| r.starts_with(&format!("Ahmad Rahimi {open} / {capacity} "))),
        "the member's load: {rows:?}"
    );
    assert!(
        page.has("a[href^='/coaching?member=']"),
        "a link to the coaching log"
    );
    assert!(page.has("svg#state-chart, svg[aria-labelledby^='state-chart']"));
    assert!(
        page.has("svg[aria-labelledby^='trend-chart']"),
        "the monthly progress trend is drawn"
    );
}

#[tokio::test]
async fn the_member_sees_the_last_rating_and_a_trend_per_course() {
    let app = TestApp::spawn().await;
    let mentor = app.login("mentor.aarhus@example.org").await;
    let (value,): (f64,) = sqlx::query_as(
        "SELECT m.value::float8 FROM measurements m JOIN courses c ON c.id = m.course_id
         JOIN corps_members cm ON cm.id = c.member_id JOIN users u ON u.id = cm.user_id
         WHERE u.email = 'mentor.aarhus@example.org' AND m.kind = 'progress'
           AND c.state IN ('referred', 'matched', 'pre_meeting', 'active', 'ending', 'follow_up')
         ORDER BY m.measured_on DESC LIMIT 1",
    )
    .fetch_one(&mut app.owner_conn().await)
    .await
    .unwrap();
    let page = mentor.get("/").await;
    let item = page
        .texts("li")
        .into_iter()
        .find(|li| li.contains("Seneste progressionsmåling"))
        .expect("a course with its last rating");
    assert!(
        item.contains(&format!("Seneste progressionsmåling: {value} (")),
        "{item} shows {value}"
    );
    assert!(page.has("svg.korps-sparkline[role='img'][aria-label]"));
}

#[tokio::test]
async fn the_handover_shows_the_plan_and_the_ratings_when_consent_allows() {
    let app = TestApp::spawn().await;
    let coordinator = app.login("koordinator.aarhus@example.org").await;
    // A course with a development plan whose participants all consented to the handover.
    let course: uuid::Uuid = app
        .scalar(
            "SELECT c.id FROM courses c JOIN municipalities mu ON mu.id = c.municipality_id
             WHERE mu.name = 'Aarhus'
               AND EXISTS (SELECT 1 FROM tool_answers a WHERE a.course_id = c.id AND a.tool = 'development_plan')
               AND EXISTS (SELECT 1 FROM measurements m WHERE m.course_id = c.id AND m.kind = 'progress')
               AND NOT EXISTS (SELECT 1 FROM course_participants p WHERE p.course_id = c.id
                 AND NOT EXISTS (SELECT 1 FROM consents k WHERE k.citizen_id = p.citizen_id
                                   AND k.kind = 'handover' AND k.withdrawn_on IS NULL))
             LIMIT 1",
        )
        .await;
    let goal: String = app
        .scalar(&format!(
            "SELECT answers->'goals'->0->>'goal' FROM tool_answers WHERE course_id = '{course}'
               AND tool = 'development_plan' ORDER BY filled_on DESC, created_at DESC LIMIT 1"
        ))
        .await;
    let page = coordinator
        .get(&format!("/forloeb/{course}/overdragelse"))
        .await;
    assert_eq!(page.status, 200);
    let body = page.text_of("main");
    assert!(body.contains("Udviklings- og progressionsplan"), "{body}");
    assert!(
        body.contains(&goal),
        "the plan's goal {goal} is handed over"
    );
    assert!(
        page.has("svg[aria-labelledby^='progress-chart']"),
        "the rating history"
    );
}

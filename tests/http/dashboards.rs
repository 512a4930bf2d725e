//! The dashboards: the coordinator's overview, the member's start page, the handover and
//! the national dashboard with its small-cell suppression.

use korps::db::Scope;

use crate::support::TestApp;

/// The national centre's figures: "<5" where a count is small, the exact count where it is
/// not, and never a name of a citizen or a member.
#[tokio::test]
async fn the_national_dashboard_suppresses_small_counts_and_shows_no_names() {
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
        let expected = if (1..5).contains(count) {
            saw_small = true;
            "<5".to_string()
        } else {
            count.to_string()
        };
        assert!(
            row.starts_with(&format!("{name} {expected} ")),
            "{row} shows {expected} corps members"
        );
    }
    assert!(
        saw_small,
        "the demo has a municipality with fewer than 5 members"
    );

    // The country adds up every course alive in the last year.
    let courses: i64 = app
        .scalar(
            "SELECT count(*) FROM courses WHERE referred_on <= current_date
               AND coalesce(closed_on, 'infinity'::date) >= (current_date - interval '1 year')::date",
        )
        .await;
    let country = rows
        .iter()
        .find(|r| r.starts_with("Hele landet "))
        .expect("a country row");
    assert!(
        country.contains(&format!(" {courses} ")),
        "{country} counts {courses} courses"
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

    // One municipality's details: the course cells are suppressed too.
    let page = national
        .get(&format!("/nationalt-overblik?area={aarhus}"))
        .await;
    assert!(
        page.texts("h2").iter().any(|h| h.ends_with(": Aarhus")),
        "the details are Aarhus's"
    );

    // Loans per municipality: Aarhus lent Peter Skov to Aalborg (demo), Odense lent to
    // København; the hours are those logged on the lent courses.
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
    let expected = format!("Aalborg 1 0 {}", format!("{hours:.1}").replace('.', ","));
    assert!(loans.contains(&expected), "{expected}: {loans:?}");
    assert!(loans.contains(&"Aarhus 0 1 0,0".to_string()), "{loans:?}");

    let coordinator = app.login("koordinator.aarhus@example.org").await;
    assert_eq!(coordinator.get("/nationalt-overblik").await.status, 403);
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

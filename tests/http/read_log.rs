//! The complete read log (issue: privacy a data protection officer can prove): every
//! response that shows a citizen's data writes an audit entry naming that citizen — list
//! pages for each citizen on them, with the search words — and the entry is written even
//! when the request's transaction rolls back (a 409 or a 422).
//!
//! The walk follows every link a coordinator and a mentor can reach from their start page,
//! and for each page checks that every citizen whose name it shows has an entry by this
//! user written during that request.

use std::collections::{BTreeSet, VecDeque};

use scraper::{Html, Selector};
use uuid::Uuid;

use crate::support::{Client, Page, TestApp};

/// Every citizen of Korps, as the owner sees them: (id, name as HTML shows it).
async fn citizens(app: &TestApp) -> Vec<(Uuid, String)> {
    let mut conn = app.owner_conn().await;
    let rows: Vec<(Uuid, String)> = sqlx::query_as("SELECT id, name FROM citizens")
        .fetch_all(&mut conn)
        .await
        .unwrap();
    rows.into_iter()
        .map(|(id, name)| (id, escape(&name)))
        .collect()
}

fn escape(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
        .replace('\'', "&#x27;")
}

/// The database's clock now: every entry a request writes after this is later.
async fn now(app: &TestApp) -> time::OffsetDateTime {
    let mut conn = app.owner_conn().await;
    sqlx::query_scalar("SELECT clock_timestamp()")
        .fetch_one(&mut conn)
        .await
        .unwrap()
}

/// The names in `page` of citizens none of whom has an entry by `user` since `since`.
/// (Demo names repeat, within a municipality and across them: a name counts as logged
/// when some citizen of that name was logged by this request.)
async fn unlogged(
    app: &TestApp,
    everyone: &[(Uuid, String)],
    user: Uuid,
    since: time::OffsetDateTime,
    page: &Page,
) -> Vec<String> {
    let shown: Vec<&(Uuid, String)> = everyone
        .iter()
        .filter(|(_, name)| page.text.contains(name.as_str()))
        .collect();
    if shown.is_empty() {
        return Vec::new();
    }
    let ids: Vec<Uuid> = shown.iter().map(|(id, _)| *id).collect();
    let mut conn = app.owner_conn().await;
    let logged: Vec<Uuid> = sqlx::query_scalar(
        "SELECT DISTINCT citizen_id FROM audit_log
         WHERE actor_id = $1 AND at >= $2 AND citizen_id = ANY($3)",
    )
    .bind(user)
    .bind(since)
    .bind(&ids)
    .fetch_all(&mut conn)
    .await
    .unwrap();
    let mut missing: Vec<String> = shown
        .iter()
        .filter(|(_, name)| {
            !shown
                .iter()
                .any(|(id, other)| other == name && logged.contains(id))
        })
        .map(|(_, name)| name.clone())
        .collect();
    missing.sort();
    missing.dedup();
    missing
}

/// The links of a page worth following: Korps's own pages, not its assets, feeds or
/// fragments.
fn links(page: &Page) -> Vec<String> {
    let html = Html::parse_document(&page.text);
    let selector = Selector::parse("a[href]").unwrap();
    html.select(&selector)
        .filter_map(|a| a.value().attr("href"))
        .map(|href| href.split('#').next().unwrap_or_default().to_string())
        .filter(|href| {
            href.starts_with('/')
                && !href.starts_with("//")
                && !href.starts_with("/static/")
                && !href.starts_with("/kalender/")
                && !href.starts_with("/logout")
        })
        .collect()
}

/// The path without its query, to cap how many variants of one list are walked.
fn path_of(href: &str) -> &str {
    href.split('?').next().unwrap_or_default()
}

struct Walk {
    pages: usize,
    showing_citizens: usize,
    missing: Vec<(String, u16, Vec<String>)>,
}

async fn walk(app: &TestApp, client: &Client, user: Uuid) -> Walk {
    let everyone = citizens(app).await;
    let mut queue: VecDeque<String> = VecDeque::from(["/".to_string()]);
    let mut seen: BTreeSet<String> = BTreeSet::new();
    let mut variants: std::collections::HashMap<String, usize> = Default::default();
    let mut walk = Walk {
        pages: 0,
        showing_citizens: 0,
        missing: Vec::new(),
    };
    while let Some(href) = queue.pop_front() {
        if !seen.insert(href.clone()) || walk.pages >= 600 {
            continue;
        }
        let n = variants.entry(path_of(&href).to_string()).or_default();
        *n += 1;
        if *n > 4 {
            continue;
        }
        let since = now(app).await;
        let page = client.get(&href).await;
        walk.pages += 1;
        if everyone
            .iter()
            .any(|(_, name)| page.text.contains(name.as_str()))
        {
            walk.showing_citizens += 1;
        }
        let missing = unlogged(app, &everyone, user, since, &page).await;
        if !missing.is_empty() {
            walk.missing.push((href.clone(), page.status, missing));
        }
        if page.status == 200 {
            for link in links(&page) {
                if !seen.contains(&link) {
                    queue.push_back(link);
                }
            }
        }
    }
    walk
}

#[tokio::test]
async fn every_page_a_coordinator_or_a_mentor_opens_logs_each_citizen_it_shows() {
    let app = TestApp::spawn().await;
    for email in [
        "koordinator.aarhus@example.org",
        "mentor.aarhus@example.org",
        "coach.aarhus@example.org",
    ] {
        let client = app.login(email).await;
        let user = app.user_id(email).await;
        let walk = walk(&app, &client, user).await;
        assert!(
            walk.showing_citizens >= 3,
            "{email}: the walk reached pages with citizens ({} of {} pages)",
            walk.showing_citizens,
            walk.pages
        );
        assert!(
            walk.missing.is_empty(),
            "{email}: pages that showed citizens without logging them: {:#?}",
            walk.missing
        );
    }
}

async fn logged_since(
    app: &TestApp,
    user: Uuid,
    citizen: Uuid,
    since: time::OffsetDateTime,
) -> i64 {
    let mut conn = app.owner_conn().await;
    sqlx::query_scalar(
        "SELECT count(*) FROM audit_log WHERE actor_id = $1 AND citizen_id = $2 AND at >= $3",
    )
    .bind(user)
    .bind(citizen)
    .bind(since)
    .fetch_one(&mut conn)
    .await
    .unwrap()
}

#[tokio::test]
async fn a_page_that_ends_in_409_or_422_still_logs_the_citizens_it_shows() {
    let app = TestApp::spawn().await;
    let email = "koordinator.aarhus@example.org";
    let coordinator = app.login(email).await;
    let user = app.user_id(email).await;
    // A mentee with an active course and a session, from the demo data.
    let mut conn = app.owner_conn().await;
    let (course, citizen, session): (Uuid, Uuid, Uuid) = sqlx::query_as(
        "SELECT c.id, p.citizen_id, s.id FROM courses c
         JOIN municipalities m ON m.id = c.municipality_id AND m.name = 'Aarhus'
         JOIN course_participants p ON p.course_id = c.id
         JOIN course_sessions s ON s.course_id = c.id
         WHERE c.state = 'active' AND c.kind = 'mentor' LIMIT 1",
    )
    .fetch_one(&mut conn)
    .await
    .unwrap();

    // 422: a consent without its answers, on the citizen page.
    let since = now(&app).await;
    let refused = coordinator
        .post(&format!("/borgere/{citizen}/samtykker"), &[])
        .await;
    assert_eq!(refused.status, 422);
    assert!(
        logged_since(&app, user, citizen, since).await >= 1,
        "422 on the citizen page"
    );

    // 409: the citizen edited with a stale version.
    let edit = coordinator
        .get(&format!("/borgere/{citizen}/rediger"))
        .await;
    let mut fields = edit.form_fields(&format!("form[action='/borgere/{citizen}']"));
    for (name, value) in &mut fields {
        if name == "version" {
            *value = "0".into();
        }
    }
    let fields: Vec<(&str, &str)> = fields
        .iter()
        .filter(|(name, _)| name != "csrf_token")
        .map(|(n, v)| (n.as_str(), v.as_str()))
        .collect();
    let since = now(&app).await;
    let stale = coordinator
        .post(&format!("/borgere/{citizen}"), &fields)
        .await;
    assert_eq!(stale.status, 409);
    assert!(
        logged_since(&app, user, citizen, since).await >= 1,
        "409 on the citizen form"
    );

    // 422: a session without its answers.
    let since = now(&app).await;
    let refused = coordinator
        .post(
            &format!("/forloeb/{course}/sessioner"),
            &[("form_key", &Uuid::new_v4().to_string())],
        )
        .await;
    assert_eq!(refused.status, 422);
    assert!(
        logged_since(&app, user, citizen, since).await >= 1,
        "422 on the session form"
    );

    // 409: a session saved with a stale version.
    let edit = coordinator
        .get(&format!("/forloeb/{course}/sessioner/{session}"))
        .await;
    assert_eq!(edit.status, 200);
    let mut fields = edit.form_fields(&format!(
        "form[action='/forloeb/{course}/sessioner/{session}']"
    ));
    for (name, value) in &mut fields {
        if name == "version" {
            *value = "0".into();
        }
    }
    let fields: Vec<(&str, &str)> = fields
        .iter()
        .filter(|(name, _)| name != "csrf_token")
        .map(|(n, v)| (n.as_str(), v.as_str()))
        .collect();
    let since = now(&app).await;
    let stale = coordinator
        .post(&format!("/forloeb/{course}/sessioner/{session}"), &fields)
        .await;
    assert_eq!(stale.status, 409);
    assert!(
        logged_since(&app, user, citizen, since).await >= 1,
        "409 on the session form"
    );

    // 422: a course moved on without what the step needs.
    let since = now(&app).await;
    let refused = coordinator
        .post(&format!("/forloeb/{course}/status"), &[("to", "ending")])
        .await;
    assert_eq!(refused.status, 422);
    assert!(
        logged_since(&app, user, citizen, since).await >= 1,
        "422 on the course page"
    );
}

#[tokio::test]
async fn a_list_logs_each_citizen_on_it_with_the_search_words() {
    let app = TestApp::spawn().await;
    let email = "koordinator.aarhus@example.org";
    let coordinator = app.login(email).await;
    let user = app.user_id(email).await;
    let since = now(&app).await;
    let page = coordinator.get("/borgere?q=a&kind=mentee").await;
    assert_eq!(page.status, 200);
    let rows = page.texts("table tbody tr").len() as i64;
    assert!(rows > 0);
    let mut conn = app.owner_conn().await;
    let (entries, distinct, with_words): (i64, i64, i64) = sqlx::query_as(
        "SELECT count(*), count(DISTINCT citizen_id),
                count(*) FILTER (WHERE details->>'q' = 'a' AND details->>'kind' = 'mentee')
         FROM audit_log WHERE actor_id = $1 AND at >= $2 AND action = 'citizen_list_read'",
    )
    .bind(user)
    .bind(since)
    .fetch_one(&mut conn)
    .await
    .unwrap();
    assert_eq!(entries, rows, "one entry per citizen on the page");
    assert_eq!(distinct, rows);
    assert_eq!(with_words, rows, "each with the search words and filters");
}

#[tokio::test]
async fn a_page_whose_reads_cannot_be_logged_is_not_shown() {
    let app = TestApp::spawn().await;
    let coordinator = app.login("koordinator.aarhus@example.org").await;
    let mut conn = app.owner_conn().await;
    let (citizen, name): (Uuid, String) = sqlx::query_as(
        "SELECT z.id, z.name FROM citizens z JOIN municipalities m ON m.id = z.municipality_id
         WHERE m.name = 'Aarhus' LIMIT 1",
    )
    .fetch_one(&mut conn)
    .await
    .unwrap();
    // The log refuses the runtime role's entries, as a full disk or a broken grant would.
    sqlx::query("REVOKE INSERT ON audit_log FROM korps_app")
        .execute(&mut conn)
        .await
        .unwrap();
    let page = coordinator.get(&format!("/borgere/{citizen}")).await;
    assert_eq!(page.status, 500);
    assert!(
        !page.text.contains(&escape(&name)),
        "the citizen's data is withheld when its read cannot be logged"
    );
    sqlx::query("GRANT INSERT ON audit_log TO korps_app")
        .execute(&mut conn)
        .await
        .unwrap();
    let page = coordinator.get(&format!("/borgere/{citizen}")).await;
    assert_eq!(page.status, 200);
    assert!(page.text.contains(&escape(&name)));
}

#[tokio::test]
async fn the_audit_log_filters_by_the_citizen_the_entries_are_about() {
    let app = TestApp::spawn().await;
    let coordinator = app.login("koordinator.aarhus@example.org").await;
    let mut conn = app.owner_conn().await;
    let ids: Vec<Uuid> = sqlx::query_scalar(
        "SELECT z.id FROM citizens z JOIN municipalities m ON m.id = z.municipality_id
         WHERE m.name = 'Aarhus' ORDER BY z.id LIMIT 2",
    )
    .fetch_all(&mut conn)
    .await
    .unwrap();
    coordinator.get(&format!("/borgere/{}", ids[0])).await;
    coordinator.get(&format!("/borgere/{}", ids[0])).await;
    coordinator.get(&format!("/borgere/{}", ids[1])).await;
    let all = coordinator.get("/adgangslog").await;
    for id in &ids {
        assert!(
            all.has(&format!("a[href=\"/adgangslog?citizen={id}\"]")),
            "an entry about the citizen links to their entries only"
        );
    }
    for id in &ids {
        let expected: i64 = app
            .scalar(&format!(
                "SELECT count(*) FROM audit_log a JOIN municipalities m ON m.id = a.municipality_id
                 WHERE m.name = 'Aarhus' AND a.citizen_id = '{id}'"
            ))
            .await;
        let page = coordinator.get(&format!("/adgangslog?citizen={id}")).await;
        assert_eq!(page.status, 200);
        assert_eq!(page.texts("table tbody tr").len() as i64, expected);
        assert!(page.text.contains("Viser kun poster om én borger"));
    }
}

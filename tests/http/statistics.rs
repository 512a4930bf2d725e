//! Open statistics (issue 14, points 4 and 5): API tokens of national staff, the figures
//! of the national page as JSON and CSV for a national session or a token, and the
//! pictures of the regions and the years — never a name.

use serde_json::Value;

use crate::support::{Client, TestApp};

/// Creates a token named `name` as `national` and returns it as the page shows it once.
async fn create_token(national: &Client, name: &str) -> String {
    let key = form_key(national).await;
    let created = national
        .post("/api-adgang", &[("name", name), ("form_key", &key)])
        .await;
    assert_eq!(created.status, 303, "{}", created.text);
    assert_eq!(created.location(), "/api-adgang");
    let page = national.get("/api-adgang").await;
    page.attr("#new_token", "value")
        .expect("the new token is shown")
}

/// The hidden key of the page's create form (a repeated submission creates one token).
async fn form_key(national: &Client) -> String {
    national
        .get("/api-adgang")
        .await
        .attr("input[name=form_key]", "value")
        .expect("the create form's key")
}

/// A GET with `Authorization: Bearer <token>` and no cookies: (status, headers, body).
async fn with_token(
    app: &TestApp,
    path: &str,
    token: Option<&str>,
) -> (u16, reqwest::header::HeaderMap, String) {
    let http = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    let mut request = http.get(format!("{}{path}", app.base));
    if let Some(token) = token {
        request = request.header("authorization", format!("Bearer {token}"));
    }
    let response = request.send().await.unwrap();
    let status = response.status().as_u16();
    let headers = response.headers().clone();
    (status, headers, response.text().await.unwrap())
}

fn json(body: &str) -> Value {
    serde_json::from_str(body).unwrap_or_else(|err| panic!("JSON ({err}): {body}"))
}

/// Every citizen's and member's name: none may appear in the national views.
async fn names(app: &TestApp) -> Vec<String> {
    let mut conn = app.owner_conn().await;
    sqlx::query_scalar(
        "SELECT name FROM citizens UNION SELECT u.name FROM users u JOIN corps_members cm ON cm.user_id = u.id",
    )
    .fetch_all(&mut conn)
    .await
    .unwrap()
}

#[tokio::test]
async fn a_token_is_shown_once_kept_as_a_hash_and_revoked_by_its_owner() {
    let app = TestApp::spawn().await;
    let national = app.login("national@example.org").await;

    // The page is in the national menu.
    let start = national.get("/").await;
    assert!(
        start
            .texts("nav.nav .nav-link")
            .contains(&"API-adgang".to_string())
    );

    // A label is required: 422, the message next to the field, the input kept.
    let key = form_key(&national).await;
    let refused = national
        .post("/api-adgang", &[("name", "   "), ("form_key", &key)])
        .await;
    assert_eq!(refused.status, 422);
    assert_eq!(
        refused.field_error("name"),
        "Skriv et navn, så du kan kende tokenet igen."
    );
    let long = "å".repeat(101);
    let refused = national
        .post("/api-adgang", &[("name", &long), ("form_key", &key)])
        .await;
    assert_eq!(refused.status, 422);
    assert_eq!(
        refused.attr("#name", "value").as_deref(),
        Some(long.as_str())
    );

    let token = create_token(&national, "Årsrapport 2026").await;
    assert_eq!(token.len(), 64);
    // Shown once: the next visit has only the list.
    let again = national.get("/api-adgang").await;
    assert!(!again.has("#new_token"));
    assert!(!again.text.contains(&token));
    let rows = again.texts("#tokens tbody tr");
    assert_eq!(rows.len(), 1, "{rows:?}");
    assert!(rows[0].starts_with("Årsrapport 2026 "), "{rows:?}");
    assert!(rows[0].contains("Aldrig brugt"), "{rows:?}");

    // Only the hash is stored.
    let mut conn = app.owner_conn().await;
    let (stored, hash): (String, Vec<u8>) =
        sqlx::query_as("SELECT name, token_hash FROM api_tokens")
            .fetch_one(&mut conn)
            .await
            .unwrap();
    assert_eq!(stored, "Årsrapport 2026");
    use sha2::Digest;
    assert_eq!(hash, sha2::Sha256::digest(token.as_bytes()).to_vec());
    let anywhere: i64 = sqlx::query_scalar(
        "SELECT count(*) FROM api_tokens t WHERE position($1 in t.name) > 0
           OR encode(t.token_hash, 'hex') = $1",
    )
    .bind(&token)
    .fetch_one(&mut conn)
    .await
    .unwrap();
    assert_eq!(anywhere, 0, "the token itself is nowhere in the table");
    let in_log: i64 = sqlx::query_scalar(
        "SELECT count(*) FROM audit_log WHERE details::text LIKE '%' || $1 || '%'",
    )
    .bind(&token)
    .fetch_one(&mut conn)
    .await
    .unwrap();
    assert_eq!(in_log, 0, "nor in the audit log");

    // Used: the list says when.
    let (status, _, _) = with_token(&app, "/api/v1/statistik", Some(&token)).await;
    assert_eq!(status, 200);
    let used = national.get("/api-adgang").await.texts("#tokens tbody tr");
    assert!(!used[0].contains("Aldrig brugt"), "{used:?}");

    // Another user's token cannot be revoked from here: 404, and it still works.
    let other: uuid::Uuid = uuid::Uuid::now_v7();
    let other_token = "ab".repeat(32);
    sqlx::query(
        "INSERT INTO api_tokens (id, user_id, name, token_hash)
         SELECT $1, id, 'Andens', sha256(convert_to($2, 'UTF8')) FROM users WHERE email = 'koordinator.aarhus@example.org'",
    )
    .bind(other)
    .bind(&other_token)
    .execute(&mut conn)
    .await
    .unwrap();
    let refused = national
        .post(&format!("/api-adgang/{other}/tilbagekald"), &[])
        .await;
    assert_eq!(refused.status, 404);
    let untouched: Option<time::OffsetDateTime> =
        sqlx::query_scalar("SELECT revoked_at FROM api_tokens WHERE id = $1")
            .bind(other)
            .fetch_one(&mut conn)
            .await
            .unwrap();
    assert!(untouched.is_none());
    // Nor is it national staff's: a coordinator's token reads nothing.
    let (status, _, _) = with_token(&app, "/api/v1/statistik", Some(&other_token)).await;
    assert_eq!(status, 401);

    // Revoked by its owner (audited): it answers 401 from now on.
    let id: uuid::Uuid =
        sqlx::query_scalar("SELECT id FROM api_tokens WHERE name = 'Årsrapport 2026'")
            .fetch_one(&mut conn)
            .await
            .unwrap();
    let revoked = national
        .post(&format!("/api-adgang/{id}/tilbagekald"), &[])
        .await;
    assert_eq!(revoked.status, 303);
    let list = national.get("/api-adgang").await;
    assert!(
        list.texts("#tokens tbody tr")[0].contains("Tilbagekaldt"),
        "{:?}",
        list.texts("#tokens tbody tr")
    );
    let (status, headers, body) = with_token(&app, "/api/v1/statistik", Some(&token)).await;
    assert_eq!(status, 401);
    assert!(
        headers["content-type"]
            .to_str()
            .unwrap()
            .starts_with("application/json")
    );
    assert_eq!(json(&body)["error"], "unauthorized");
    let actions: Vec<String> = sqlx::query_scalar(
        "SELECT action FROM audit_log WHERE action LIKE 'api_token_%' ORDER BY at",
    )
    .fetch_all(&mut conn)
    .await
    .unwrap();
    assert_eq!(actions, ["api_token_created", "api_token_revoked"]);
}

#[tokio::test]
async fn the_api_gives_the_figures_of_the_page_to_a_token_of_national_staff_only() {
    let app = TestApp::spawn().await;
    let national = app.login("national@example.org").await;
    let token = create_token(&national, "Åbne data").await;

    // JSON for a token: no session is made.
    let query = "kind=&area=midtjylland";
    let (status, headers, body) =
        with_token(&app, &format!("/api/v1/statistik?{query}"), Some(&token)).await;
    assert_eq!(status, 200, "{body}");
    assert!(
        headers["content-type"]
            .to_str()
            .unwrap()
            .starts_with("application/json")
    );
    let cookies: Vec<&str> = headers
        .get_all("set-cookie")
        .iter()
        .map(|v| v.to_str().unwrap())
        .collect();
    assert!(
        cookies.iter().all(|c| !c.contains("session")),
        "no session for a token: {cookies:?}"
    );
    let sessions: i64 = app.scalar("SELECT count(*) FROM user_sessions").await;
    assert_eq!(sessions, 1, "only the browser's own session");
    let stats = json(&body);

    // The same figures as the page for the same query.
    let page = national.get(&format!("/nationalt-overblik?{query}")).await;
    assert_eq!(page.status, 200);
    let rows = page.texts("#national-areas tbody tr");
    let areas = stats["areas"].as_array().unwrap();
    assert_eq!(areas.len(), rows.len());
    for (area, row) in areas.iter().zip(&rows) {
        let s = |key: &str| area[key].as_str().unwrap().to_string();
        let expected = format!(
            "{} {} {} {} {} {} {} {} ({}) {} ({})",
            s("name"),
            s("corps_members"),
            s("trained_members"),
            s("courses"),
            s("active_courses"),
            s("rated_share"),
            s("measured_share"),
            s("wellbeing_change"),
            s("wellbeing_courses"),
            s("mastery_change"),
            s("mastery_courses")
        );
        assert_eq!(&expected, row);
    }
    assert!(
        rows.iter().any(|r| r.contains("<5")),
        "the demo has suppressed figures: {rows:?}"
    );
    assert!(
        body.contains("\"<5\""),
        "the API gives \"<5\", not the count"
    );
    assert_eq!(stats["area"]["name"], "Region Midtjylland");
    let years: Vec<String> = stats["courses_per_year"]
        .as_array()
        .unwrap()
        .iter()
        .map(|y| format!("{} {}", y["year"], y["courses"].as_str().unwrap()))
        .collect();
    assert!(!years.is_empty());
    assert_eq!(page.texts("#years-table tbody tr"), years);
    let states: Vec<String> = stats["courses_by_kind_and_state"]
        .as_array()
        .unwrap()
        .iter()
        .map(|k| {
            let cells: Vec<&str> = k["states"]
                .as_array()
                .unwrap()
                .iter()
                .map(|s| s["courses"].as_str().unwrap())
                .collect();
            format!(
                "{} {} {}",
                k["name"].as_str().unwrap(),
                cells.join(" "),
                k["total"].as_str().unwrap()
            )
        })
        .collect();
    let table =
        page.texts("h2 + .table--responsive-scroll table.table:not(#national-areas) tbody tr");
    for row in &states {
        assert!(table.contains(row), "{row} in {table:?}");
    }

    // CSV: the same figures, Danish headings, semicolons.
    let (status, headers, csv) = with_token(
        &app,
        &format!("/api/v1/statistik.csv?{query}"),
        Some(&token),
    )
    .await;
    assert_eq!(status, 200);
    assert!(
        headers["content-type"]
            .to_str()
            .unwrap()
            .starts_with("text/csv")
    );
    let csv = csv.trim_start_matches('\u{feff}');
    assert!(csv.starts_with("Tabel;Område;Kategori;Mål;Værdi"), "{csv}");
    for area in areas {
        let line = format!(
            "Områder;{};{};Korpsmedlemmer;{}",
            area["name"].as_str().unwrap(),
            match area["level"].as_str().unwrap() {
                "region" => "Region",
                "municipality" => "Kommune",
                _ => "Hele landet",
            },
            area["corps_members"].as_str().unwrap()
        );
        assert!(csv.lines().any(|l| l == line), "{line} in\n{csv}");
    }
    for y in stats["courses_per_year"].as_array().unwrap() {
        let line = format!(
            "Forløb pr. år;Region Midtjylland;{};Forløb;{}",
            y["year"],
            y["courses"].as_str().unwrap()
        );
        assert!(csv.lines().any(|l| l == line), "{line} in\n{csv}");
    }

    // A national session reads it too; a coordinator's and a mentor's get 403.
    let (status, body) = {
        let page = national.get("/api/v1/statistik").await;
        (page.status, page.text)
    };
    assert_eq!(status, 200);
    assert!(json(&body)["areas"].is_array());
    for email in [
        "koordinator.aarhus@example.org",
        "mentor.aarhus@example.org",
    ] {
        let other = app.login(email).await;
        for path in ["/api/v1/statistik", "/api/v1/statistik.csv"] {
            let refused = other.get(path).await;
            assert_eq!(refused.status, 403, "{email} {path}");
            assert_eq!(json(&refused.text)["error"], "forbidden");
        }
        assert_eq!(other.get("/api-adgang").await.status, 403);
    }

    // No credentials or a wrong token: 401 with a JSON body.
    for (path, token) in [
        ("/api/v1/statistik", None),
        ("/api/v1/statistik.csv", None),
        ("/api/v1/statistik", Some("not-a-token")),
        ("/api/v1/statistik", Some(&*"0".repeat(64))),
    ] {
        let (status, headers, body) = with_token(&app, path, token).await;
        assert_eq!(status, 401, "{path} {token:?}");
        assert_eq!(headers["www-authenticate"], "Bearer");
        assert_eq!(json(&body)["error"], "unauthorized");
    }

    // A date that cannot be read: 400 naming the field.
    let (status, _, body) =
        with_token(&app, "/api/v1/statistik?from=32-13-2026", Some(&token)).await;
    assert_eq!(status, 400);
    assert!(json(&body)["fields"]["from"].is_string(), "{body}");
}

#[tokio::test]
async fn a_deactivated_users_tokens_stop_working() {
    let app = TestApp::spawn().await;
    let national = app.login("national@example.org").await;
    let token = create_token(&national, "Årsrapport").await;
    assert_eq!(
        with_token(&app, "/api/v1/statistik", Some(&token)).await.0,
        200
    );
    let mut conn = app.owner_conn().await;
    sqlx::query("UPDATE users SET active = false WHERE email = 'national@example.org'")
        .execute(&mut conn)
        .await
        .unwrap();
    assert_eq!(
        with_token(&app, "/api/v1/statistik", Some(&token)).await.0,
        401
    );
    // Reactivated, the token stays revoked: a new one must be made.
    sqlx::query("UPDATE users SET active = true WHERE email = 'national@example.org'")
        .execute(&mut conn)
        .await
        .unwrap();
    assert_eq!(
        with_token(&app, "/api/v1/statistik", Some(&token)).await.0,
        401
    );
}

#[tokio::test]
async fn the_pictures_and_the_api_name_no_one() {
    let app = TestApp::spawn().await;
    let national = app.login("national@example.org").await;
    let token = create_token(&national, "Navnetjek").await;
    let names = names(&app).await;
    assert!(!names.is_empty());

    // The regions side by side: all five, each figure drawn and in the table.
    let page = national.get("/nationalt-overblik").await;
    let regions = page.texts("#regions-table tbody tr th");
    assert_eq!(
        regions,
        [
            "Region Hovedstaden",
            "Region Sjælland",
            "Region Syddanmark",
            "Region Midtjylland",
            "Region Nordjylland"
        ]
    );
    for id in [
        "regions-members",
        "regions-trained",
        "regions-courses",
        "regions-active",
    ] {
        assert!(
            page.has(&format!("svg[aria-labelledby='{id}-title {id}-desc']")),
            "{id}"
        );
    }
    // A region's row in the table is its row in the national table.
    let areas = page.texts("#national-areas tbody tr");
    for row in page.texts("#regions-table tbody tr") {
        let region = regions
            .iter()
            .find(|r| row.starts_with(r.as_str()))
            .unwrap();
        if let Some(line) = areas.iter().find(|a| a.starts_with(&format!("{region} "))) {
            assert!(line.starts_with(&row), "{row} / {line}");
        } else {
            assert_eq!(row, format!("{region} 0 0 0 0"));
        }
    }
    assert!(page.has("svg[aria-labelledby='years-chart-title years-chart-desc']"));
    assert!(page.has("#open-data-csv") && page.has("#open-data-json"));

    let aarhus = app.municipality_id("Aarhus").await;
    let mut bodies = vec![(
        "token page".to_string(),
        national.get("/api-adgang").await.text,
    )];
    for query in [
        String::new(),
        format!("area={aarhus}"),
        "area=midtjylland&kind=mentor".to_string(),
    ] {
        bodies.push((
            format!("page {query}"),
            national
                .get(&format!("/nationalt-overblik?{query}"))
                .await
                .text,
        ));
        for path in ["/api/v1/statistik", "/api/v1/statistik.csv"] {
            let (status, _, body) =
                with_token(&app, &format!("{path}?{query}"), Some(&token)).await;
            assert_eq!(status, 200);
            bodies.push((format!("{path}?{query}"), body));
        }
    }
    for (what, body) in &bodies {
        for name in &names {
            assert!(!body.contains(name.as_str()), "{what} names {name}");
        }
    }
}

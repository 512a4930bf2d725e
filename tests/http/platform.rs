//! Health, security headers, error pages, CSRF and database outages.

use reqwest::header::{HeaderMap, HeaderValue};

use crate::support::{Client, TestApp};

#[tokio::test]
async fn health_and_readiness_answer() {
    let app = TestApp::spawn().await;
    let client = app.client();
    assert_eq!(client.get("/healthz").await.status, 200);
    assert_eq!(client.get("/readyz").await.status, 200);
}

#[tokio::test]
async fn every_page_carries_the_security_headers_and_a_safe_cookie() {
    let app = TestApp::spawn_with(|config| config.insecure_cookies = false).await;
    let page = app.client().get("/login").await;
    assert_eq!(page.status, 200);
    let csp = page.header("content-security-policy");
    for directive in [
        "script-src 'self'",
        "object-src 'none'",
        "base-uri 'none'",
        "frame-ancestors 'none'",
    ] {
        assert!(csp.contains(directive), "CSP lacks {directive}: {csp}");
    }
    assert!(!csp.contains("unsafe-inline"));
    assert_eq!(page.header("x-content-type-options"), "nosniff");
    assert_eq!(page.header("referrer-policy"), "same-origin");
    assert_eq!(page.header("cache-control"), "no-store");
    // The login page's only cookie is the visitor's CSRF cookie; no session yet.
    let cookie = page.header("set-cookie");
    assert!(cookie.starts_with("__Host-korps_csrf="), "{cookie}");
    for flag in ["HttpOnly", "SameSite=Lax", "Secure", "Path=/"] {
        assert!(cookie.contains(flag), "cookie lacks {flag}: {cookie}");
    }
    assert!(!cookie.contains("Domain"), "{cookie}");
}

#[tokio::test]
async fn pages_have_no_inline_scripts_and_link_the_design_system() {
    let app = TestApp::spawn().await;
    let page = app.client().get("/login").await;
    let html = page.html();
    let scripts = scraper::Selector::parse("script").unwrap();
    for script in html.select(&scripts) {
        assert!(script.value().attr("src").is_some(), "inline script found");
        assert!(script.text().collect::<String>().trim().is_empty());
    }
    let css = page.attr("link[rel=stylesheet]", "href").unwrap();
    assert!(css.contains("dkfds"), "{css}");
    let asset = app.client().get(&css).await;
    assert_eq!(asset.status, 200);
    assert!(asset.header("cache-control").contains("immutable"));
    assert_eq!(page.attr("html", "lang").as_deref(), Some("da"));
    assert!(page.has("a.skipnav[href='#main-content']"));
    assert!(page.has("main#main-content"));
}

#[tokio::test]
async fn unknown_pages_get_the_404_page_in_the_layout() {
    let app = TestApp::spawn().await;
    let client = app.login("koordinator.aarhus@example.org").await;
    let page = client.get("/findes-ikke").await;
    assert_eq!(page.status, 404);
    assert_eq!(page.text_of("h1"), "Siden findes ikke");
    assert!(
        page.text.contains("Mette Lund"),
        "the layout shows who is logged in"
    );
    let bad_id = client.get("/medarbejdere/not-a-uuid").await;
    assert!(
        bad_id.status == 400 || bad_id.status == 404 || bad_id.status == 422,
        "{}",
        bad_id.status
    );
    assert!(bad_id.has("h1"), "rejections are pages too");
}

#[tokio::test]
async fn a_post_without_a_valid_token_is_refused() {
    let app = TestApp::spawn().await;
    let client = app.login("koordinator.aarhus@example.org").await;
    let form = [
        ("name", "Ny Mentor"),
        ("email", "ny@aarhus.dk"),
        ("roles", "mentor"),
        ("form_key", "0191f1d4-0000-7000-8000-000000000001"),
    ];
    assert_eq!(
        client.post_raw("/medarbejdere", &form).await.status,
        403,
        "no token"
    );
    let mut wrong = form.to_vec();
    wrong.push(("csrf_token", "0000"));
    assert_eq!(
        client.post_raw("/medarbejdere", &wrong).await.status,
        403,
        "wrong token"
    );
    assert_eq!(
        app.scalar::<i64>("SELECT count(*) FROM users WHERE email = 'ny@aarhus.dk'")
            .await,
        0
    );
}

#[tokio::test]
async fn a_post_from_another_origin_is_refused_even_with_the_token() {
    let app = TestApp::spawn().await;
    let client = app.login("koordinator.aarhus@example.org").await;
    let token = client.token().await;
    let fields = [("csrf_token", token.as_str()), ("locale", "en")];
    let mut cross_site = HeaderMap::new();
    cross_site.insert("sec-fetch-site", HeaderValue::from_static("cross-site"));
    assert_eq!(
        client
            .post_with_headers("/konto/sprog", &fields, cross_site)
            .await
            .status,
        403
    );
    let mut other_origin = HeaderMap::new();
    other_origin.insert("origin", HeaderValue::from_static("https://evil.example"));
    assert_eq!(
        client
            .post_with_headers("/konto/sprog", &fields, other_origin)
            .await
            .status,
        403
    );
    let mut same_origin = HeaderMap::new();
    same_origin.insert("sec-fetch-site", HeaderValue::from_static("same-origin"));
    assert_eq!(
        client
            .post_with_headers("/konto/sprog", &fields, same_origin)
            .await
            .status,
        303
    );
}

#[tokio::test]
async fn no_get_changes_state() {
    let app = TestApp::spawn().await;
    let client = app.login("koordinator.aarhus@example.org").await;
    assert_eq!(
        client.get("/logout").await.status,
        405,
        "logout is POST only"
    );
    assert_eq!(client.get("/").await.status, 200, "still logged in");
}

#[tokio::test]
async fn while_the_database_is_down_pages_answer_503_and_recover_by_themselves() {
    use std::sync::atomic::Ordering;

    let (app, proxy) = TestApp::spawn_behind_proxy(|_| {}).await;
    let client: Client = app.login("koordinator.aarhus@example.org").await;
    assert_eq!(client.get("/").await.status, 200);

    // A citizen's form, as the page gave it, with its one-time key.
    let form = client.get("/borgere/ny").await;
    let key = form.attr("input[name=form_key]", "value").unwrap();
    let citizen = [
        ("kind", "mentee"),
        ("name", "Sendt Under Nedbrud"),
        ("birth_year", "2008"),
        ("referred_on", "01-11-2026"),
        ("referral_source", "infohouse"),
        ("criteria", "signs_of_concern"),
        ("legal_basis", "social_services_act"),
        ("form_key", key.as_str()),
    ];

    proxy.up.store(false, Ordering::SeqCst);
    tokio::time::sleep(std::time::Duration::from_millis(200)).await;
    let asked = std::time::Instant::now();
    let down = client.get("/medarbejdere").await;
    let waited = asked.elapsed();
    assert_eq!(down.status, 503);
    assert!(waited.as_secs_f64() < 3.0, "503 after {waited:?}");
    assert!(
        !down.header("retry-after").is_empty(),
        "503 carries Retry-After"
    );
    assert_eq!(down.text_of("h1"), "Korps er midlertidigt utilgængelig");
    assert_eq!(client.get("/readyz").await.status, 503);
    assert_eq!(
        client.get("/healthz").await.status,
        200,
        "the process is still up"
    );
    // A form sent now: 503 within 3 s, saying that nothing is saved and what to do.
    let asked = std::time::Instant::now();
    let sent = client.post("/borgere", &citizen).await;
    let waited = asked.elapsed();
    assert_eq!(sent.status, 503);
    assert!(waited.as_secs_f64() < 3.0, "503 after {waited:?}");
    assert!(!sent.header("retry-after").is_empty());
    assert!(
        sent.text_of("main").contains("ikke gemt") && sent.text_of("main").contains("Gå tilbage"),
        "{}",
        sent.text_of("main")
    );

    proxy.up.store(true, Ordering::SeqCst);
    let mut recovered = false;
    for _ in 0..50 {
        if client.get("/medarbejdere").await.status == 200 {
            recovered = true;
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    assert!(recovered, "pages work again without a restart");
    assert_eq!(client.get("/readyz").await.status, 200);
    // Nothing was saved during the outage; sent again, the form is saved once.
    let named = "SELECT count(*) FROM citizens WHERE name = 'Sendt Under Nedbrud'";
    assert_eq!(app.scalar::<i64>(named).await, 0, "never a false save");
    let again = client.post("/borgere", &citizen).await;
    assert_eq!(again.status, 303);
    assert_eq!(app.scalar::<i64>(named).await, 1);
}

#[tokio::test]
async fn an_internal_error_is_a_page_without_details() {
    let app = TestApp::spawn().await;
    let client = app.login("koordinator.aarhus@example.org").await;
    let mut conn = app.owner_conn().await;
    sqlx::query("ALTER TABLE audit_log RENAME TO audit_log_moved")
        .execute(&mut conn)
        .await
        .unwrap();
    let page = client.get("/adgangslog").await;
    assert_eq!(page.status, 500);
    assert_eq!(page.text_of("h1"), "Der opstod en fejl");
    assert!(
        !page.text.contains("audit_log"),
        "no database detail on the page"
    );
    assert!(
        !page.text.contains("relation"),
        "no database detail on the page"
    );
}

/// `korps backup` and then `korps restore` into an empty database give the same rows,
/// and Korps serves from the restored database; a restore over a database with tables is
/// refused and touches nothing.
#[tokio::test]
async fn a_backup_restored_into_an_empty_database_has_the_same_rows_and_serves() {
    use korps::db::backup::{self, Target};
    use sqlx::ConnectOptions;
    use sqlx::postgres::PgConnectOptions;

    let app = TestApp::spawn().await;
    let coordinator = app.login("koordinator.aarhus@example.org").await;
    assert_eq!(coordinator.get("/borgere").await.status, 200);
    let file = std::env::temp_dir().join(format!("korps-{}.dump", uuid::Uuid::new_v4()));
    backup::backup(&Target::Options(&app.owner), &file).expect("pg_dump");

    let name = format!("restored_{}", uuid::Uuid::new_v4().simple());
    korps::db::create_database_if_missing(&app.owner, &name)
        .await
        .unwrap();
    let restored = app.owner.clone().database(&name);
    backup::restore(&Target::Options(&restored), &restored, &file)
        .await
        .expect("pg_restore");

    async fn counts(options: &PgConnectOptions) -> Vec<(&'static str, i64)> {
        let mut conn = options.connect().await.unwrap();
        let mut out = Vec::new();
        for table in [
            "municipalities",
            "users",
            "citizens",
            "courses",
            "course_sessions",
            "measurements",
            "consents",
            "tool_answers",
            "audit_log",
            "user_sessions",
        ] {
            let n: i64 = sqlx::query_scalar(&format!("SELECT count(*) FROM {table}"))
                .fetch_one(&mut conn)
                .await
                .unwrap();
            out.push((table, n));
        }
        out
    }
    let original = counts(&app.owner).await;
    assert!(original.iter().all(|(_, n)| *n > 0), "{original:?}");
    assert_eq!(counts(&restored).await, original);

    // And into a fresh cluster of its own (a new machine): the roles are made there too.
    let dir = std::env::temp_dir().join(format!("korps-fresh-{}", uuid::Uuid::new_v4()));
    let fresh_dir = dir.clone();
    let cluster = tokio::task::spawn_blocking(move || {
        korps::db::embedded::EmbeddedPostgres::start(
            &fresh_dir,
            korps::db::embedded::Durability::Throwaway,
        )
        .expect("a fresh cluster")
    })
    .await
    .unwrap();
    korps::db::create_database_if_missing(&cluster.connect_options("postgres"), "korps")
        .await
        .unwrap();
    let elsewhere = cluster.connect_options("korps");
    backup::restore(&Target::Options(&elsewhere), &elsewhere, &file)
        .await
        .expect("pg_restore into a fresh cluster");
    assert_eq!(counts(&elsewhere).await, original);
    let pool = korps::db::runtime_pool(&korps::db::app_role_options(&elsewhere));
    let there = TestApp::serve(
        pool,
        elsewhere.clone(),
        korps::config::Config::for_tests(String::new()),
    )
    .await;
    let coordinator = there.login("koordinator.aarhus@example.org").await;
    assert_eq!(coordinator.get("/borgere").await.status, 200);
    there.pool.close().await;
    tokio::task::spawn_blocking(move || cluster.stop())
        .await
        .unwrap();
    let _ = std::fs::remove_dir_all(dir);

    let again = backup::restore(&Target::Options(&restored), &restored, &file).await;
    assert!(
        again
            .as_ref()
            .is_err_and(|e| e.to_string().contains("empty")),
        "{:?}",
        again.err().map(|e| e.to_string())
    );
    assert_eq!(counts(&restored).await, original, "nothing touched");

    let pool = korps::db::runtime_pool(&korps::db::app_role_options(&restored));
    let served = TestApp::serve(
        pool,
        restored.clone(),
        korps::config::Config::for_tests(String::new()),
    )
    .await;
    let coordinator = served.login("koordinator.aarhus@example.org").await;
    assert_eq!(coordinator.get("/borgere").await.status, 200);
    std::fs::remove_file(&file).ok();
}

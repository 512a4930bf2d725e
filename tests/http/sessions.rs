//! Issue 12, points 4, 5 and 7: request limits before the session (413, 429), visitors
//! cost no session row, the `__Host-` cookies, the list of sessions with "Log de andre
//! ud", the purge, and the configurable idle timeout with "Forbliv logget ind".

use std::time::Duration;

use reqwest::header::{HeaderMap, HeaderValue};
use tokio::io::{AsyncReadExt, AsyncWriteExt};

use crate::support::outage::Proxy;
use crate::support::{Client, PASSWORD, TestApp};

const MENTOR: &str = "mentor.aarhus@example.org";
const COORDINATOR: &str = "koordinator.aarhus@example.org";
const FIREFOX_ON_WINDOWS: &str =
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:125.0) Gecko/20100101 Firefox/125.0";
const ONE_MIB: usize = 1024 * 1024;

/// The bytes the app exchanged with the database while `request` ran; in-flight work of
/// earlier requests is let settle first.
async fn database_bytes_during<F: std::future::Future<Output = T>, T>(
    proxy: &Proxy,
    request: F,
) -> (T, u64) {
    tokio::time::sleep(Duration::from_millis(300)).await;
    let before = proxy.bytes();
    let result = request.await;
    tokio::time::sleep(Duration::from_millis(300)).await;
    (result, proxy.bytes() - before)
}

async fn count(app: &TestApp, sql: &str) -> i64 {
    app.scalar::<i64>(sql).await
}

/// A POST with a chunked body (no Content-Length to refuse it by) of `size` bytes,
/// written by hand, with `client`'s cookies; the status line of the answer.
async fn post_chunked(app: &TestApp, client: &Client, path: &str, size: usize) -> String {
    let mut stream = tokio::net::TcpStream::connect(app.addr).await.unwrap();
    let head = format!(
        "POST {path} HTTP/1.1\r\nHost: {addr}\r\nOrigin: http://{addr}\r\n\
         Content-Type: application/x-www-form-urlencoded\r\nTransfer-Encoding: chunked\r\n\
         Cookie: {cookies}\r\nConnection: close\r\n\r\n",
        addr = app.addr,
        cookies = client.cookies()
    );
    stream.write_all(head.as_bytes()).await.unwrap();
    let chunk = vec![b'a'; 16 * 1024];
    for _ in 0..size / chunk.len() {
        let framed = [
            format!("{:x}\r\n", chunk.len()).into_bytes(),
            chunk.clone(),
            b"\r\n".to_vec(),
        ]
        .concat();
        // The server may answer and close before the whole body is sent.
        if stream.write_all(&framed).await.is_err() {
            break;
        }
    }
    let _ = stream.write_all(b"0\r\n\r\n").await;
    let mut answer = Vec::new();
    let _ = stream.read_to_end(&mut answer).await;
    let answer = String::from_utf8_lossy(&answer);
    answer.lines().next().unwrap_or_default().to_string()
}

#[tokio::test]
async fn a_large_form_post_is_refused_with_413_before_any_database_work() {
    let (app, proxy) = TestApp::spawn_behind_proxy(|_| {}).await;
    let big = "x".repeat(ONE_MIB);

    // A visitor: the login form with a password of 1 MiB.
    let visitor = app.client();
    visitor.token().await;
    let (page, bytes) = database_bytes_during(
        &proxy,
        visitor.post("/login", &[("email", MENTOR), ("password", &big)]),
    )
    .await;
    assert_eq!(page.status, 413);
    assert_eq!(page.text_of("h1"), "For stor fil eller formular");
    assert_eq!(bytes, 0, "the database saw nothing of the 1 MiB login");
    assert_eq!(count(&app, "SELECT count(*) FROM login_attempts").await, 0);
    assert_eq!(
        count(&app, "SELECT count(*) FROM tower_sessions.session").await,
        0
    );

    // The same without a Content-Length: the body is counted as it comes.
    let (status, bytes) =
        database_bytes_during(&proxy, post_chunked(&app, &visitor, "/login", ONE_MIB)).await;
    assert!(status.contains(" 413 "), "{status}");
    assert_eq!(bytes, 0, "nor of a chunked one");

    // A route that takes a file takes it only from a session.
    let (page, bytes) = database_bytes_during(
        &proxy,
        visitor.post(
            "/ansoegninger/0191f1d4-1111-7222-8333-444455556666/rediger",
            &[("answer", &big)],
        ),
    )
    .await;
    assert_eq!(page.status, 413, "a visitor cannot use the upload limit");
    assert_eq!(bytes, 0);

    // A signed-in user's form: refused before the session is even read.
    let user = app.login(COORDINATOR).await;
    user.token().await;
    let (page, bytes) =
        database_bytes_during(&proxy, user.post("/konto/sprog", &[("locale", &big)])).await;
    assert_eq!(page.status, 413);
    assert_eq!(
        bytes, 0,
        "the database saw nothing of the signed-in 1 MiB POST"
    );
    assert!(user.cookies().contains("korps_session="));
    let (status, bytes) =
        database_bytes_during(&proxy, post_chunked(&app, &user, "/konto/sprog", ONE_MIB)).await;
    assert!(status.contains(" 413 "), "{status}");
    assert_eq!(bytes, 0, "nor of a signed-in chunked one");
    let small = user.post("/konto/sprog", &[("locale", "da")]).await;
    assert_eq!(small.status, 303, "a form of ordinary size goes through");
}

#[tokio::test]
async fn posts_beyond_the_rate_get_429_with_the_wait_in_danish() {
    let (app, proxy) = TestApp::spawn_behind_proxy(|config| {
        config.post_limit_per_minute = 3;
        config.trust_proxy = true;
    })
    .await;
    let from = |address: &'static str| {
        let mut headers = HeaderMap::new();
        headers.insert("x-forwarded-for", HeaderValue::from_static(address));
        Client::with_headers(&app.base, headers)
    };
    let client = from("2001:db8:1:2::1");
    for _ in 0..3 {
        let page = client
            .post("/login", &[("email", MENTOR), ("password", "forkert")])
            .await;
        assert_eq!(page.status, 422);
    }
    let (page, bytes) = database_bytes_during(
        &proxy,
        client.post("/login", &[("email", MENTOR), ("password", PASSWORD)]),
    )
    .await;
    assert_eq!(page.status, 429);
    assert_eq!(page.text_of("h1"), "For mange forespørgsler");
    // The wait is what is left of the minute: 20 s for 3 a minute, less on a slow machine.
    let wait: u64 = page.header("retry-after").parse().unwrap();
    assert!((1..=20).contains(&wait), "Retry-After {wait}");
    assert!(
        page.text_of("main")
            .contains(&format!("Vent {wait} sekunder, og prøv så igen.")),
        "{}",
        page.text_of("main")
    );
    assert_eq!(bytes, 0, "refused before any database work");

    // Another address in the same /64 is the same client.
    let neighbour = from("2001:db8:1:2:ffff:ffff:ffff:ffff");
    let page = neighbour
        .post("/login", &[("email", MENTOR), ("password", PASSWORD)])
        .await;
    assert_eq!(page.status, 429, "a new address in the /64 does not help");
    // Pages still show, and other networks are not held up.
    assert_eq!(client.get("/login").await.status, 200);
    let other = from("2001:db8:1:3::1");
    let page = other
        .post("/login", &[("email", MENTOR), ("password", PASSWORD)])
        .await;
    assert_eq!(page.status, 303, "another network logs in");
}

#[tokio::test]
async fn a_visitor_costs_no_session_row_and_the_login_form_works_in_a_fresh_browser() {
    let (app, proxy) = TestApp::spawn_behind_proxy(|_| {}).await;
    let visitor = app.client();
    // The first page reads the key that signs visitors' tokens, once per instance.
    assert_eq!(visitor.get("/login").await.status, 200);
    let (pages, bytes) = database_bytes_during(&proxy, async {
        vec![
            visitor.get("/login").await.status,
            visitor.get("/login?next=/borgere").await.status,
            visitor.get("/tilgaengelighed").await.status,
            visitor.get("/findes-ikke").await.status,
            visitor.get("/borgere").await.status,
            app.client().get("/login").await.status,
        ]
    })
    .await;
    assert_eq!(pages, [200, 200, 200, 404, 303, 200]);
    assert_eq!(bytes, 0, "a visitor's pages do no database work at all");
    assert_eq!(
        count(&app, "SELECT count(*) FROM tower_sessions.session").await,
        0
    );

    let page = visitor.login(MENTOR, PASSWORD).await;
    assert_eq!(page.status, 303, "{}", page.text);
    assert_eq!(visitor.get("/").await.status, 200);
    assert_eq!(
        count(&app, "SELECT count(*) FROM tower_sessions.session").await,
        1
    );
    assert_eq!(count(&app, "SELECT count(*) FROM user_sessions").await, 1);
}

async fn log_in_with(client: &Client, token: &str) -> u16 {
    let fields = [
        ("email", MENTOR),
        ("password", PASSWORD),
        ("csrf_token", token),
    ];
    client.post_raw("/login", &fields).await.status
}

#[tokio::test]
async fn a_visitors_token_fits_only_the_browser_it_was_made_for() {
    let app = TestApp::spawn().await;
    let mine = app.client();
    let theirs = app.client();
    let my_token = mine.token().await;
    let their_token = theirs.token().await;
    assert_ne!(my_token, their_token);
    assert_eq!(
        log_in_with(&mine, &their_token).await,
        403,
        "another's token"
    );
    assert_eq!(
        log_in_with(&mine, &"0".repeat(64)).await,
        403,
        "a made-up token"
    );
    assert_eq!(log_in_with(&mine, "").await, 403, "no token");
    let fresh = app.client();
    assert_eq!(
        log_in_with(&fresh, &my_token).await,
        403,
        "without the cookie"
    );
    assert_eq!(log_in_with(&mine, &my_token).await, 303, "its own");
}

/// The `__Host-` session cookie a response sets.
fn session_cookie(response: &reqwest::Response) -> String {
    response
        .headers()
        .get_all("set-cookie")
        .iter()
        .map(|value| value.to_str().unwrap().to_string())
        .find(|value| value.starts_with("__Host-korps_session="))
        .expect("the session cookie")
}

/// Cookies as a browser on HTTPS keeps them: the test sends them by hand (the test client
/// speaks plain HTTP and would keep `Secure` cookies to itself).
#[tokio::test]
async fn over_https_the_cookies_carry_the_host_prefix_and_plain_names_count_for_nothing() {
    let app = TestApp::spawn_with(|config| config.insecure_cookies = false).await;
    let http = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    let login_page = http
        .get(format!("{}/login", app.base))
        .send()
        .await
        .unwrap();
    let set_cookie = login_page.headers()["set-cookie"]
        .to_str()
        .unwrap()
        .to_string();
    assert!(set_cookie.starts_with("__Host-korps_csrf="), "{set_cookie}");
    for attribute in ["Path=/", "Secure", "HttpOnly", "SameSite=Lax"] {
        assert!(
            set_cookie.contains(attribute),
            "{set_cookie} lacks {attribute}"
        );
    }
    assert!(!set_cookie.contains("Domain"), "{set_cookie}");
    let nonce = set_cookie
        .split(';')
        .next()
        .unwrap()
        .trim_start_matches("__Host-korps_csrf=")
        .to_string();
    let html = scraper::Html::parse_document(&login_page.text().await.unwrap());
    let token = html
        .select(&scraper::Selector::parse("input[name=csrf_token]").unwrap())
        .next()
        .and_then(|input| input.value().attr("value"))
        .unwrap()
        .to_string();
    let post_login = |cookie: String| {
        let http = http.clone();
        let (base, token) = (app.base.clone(), token.clone());
        async move {
            http.post(format!("{base}/login"))
                .header("origin", base.as_str())
                .header("cookie", cookie)
                .form(&[
                    ("email", MENTOR),
                    ("password", PASSWORD),
                    ("csrf_token", &token),
                ])
                .send()
                .await
                .unwrap()
        }
    };
    let plain = post_login(format!("korps_csrf={nonce}")).await;
    assert_eq!(
        plain.status(),
        403,
        "the cookie without its prefix is not it"
    );
    let csrf_cookie = format!("__Host-korps_csrf={nonce}");
    let password_step = post_login(csrf_cookie.clone()).await;
    assert_eq!(password_step.status(), 303);
    assert_eq!(password_step.headers()["location"], "/login/kode");
    let pending = session_cookie(&password_step);
    // The code step, with both cookies as the browser would send them.
    let cookies = format!("{csrf_cookie}; {}", pending.split(';').next().unwrap());
    let code_page = http
        .get(format!("{}/login/kode", app.base))
        .header("cookie", cookies.as_str())
        .send()
        .await
        .unwrap();
    let html = scraper::Html::parse_document(&code_page.text().await.unwrap());
    let token = html
        .select(&scraper::Selector::parse("input[name=csrf_token]").unwrap())
        .next()
        .and_then(|input| input.value().attr("value"))
        .unwrap()
        .to_string();
    let signed_in = http
        .post(format!("{}/login/kode", app.base))
        .header("origin", app.base.as_str())
        .header("cookie", cookies.as_str())
        .form(&[
            ("code", crate::support::demo_code(0).as_str()),
            ("csrf_token", &token),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(signed_in.status(), 303);
    let session = session_cookie(&signed_in);
    for attribute in ["Path=/", "Secure", "HttpOnly", "SameSite=Lax"] {
        assert!(session.contains(attribute), "{session} lacks {attribute}");
    }
    assert!(!session.contains("Domain"), "{session}");
    let id = session.split(';').next().unwrap();
    let start = |cookie: String| {
        let http = http.clone();
        let base = app.base.clone();
        async move {
            http.get(format!("{base}/"))
                .header("cookie", cookie)
                .send()
                .await
                .unwrap()
                .status()
        }
    };
    assert_eq!(
        start(id.to_string()).await,
        200,
        "the prefixed session works"
    );
    let unprefixed = id.replace("__Host-korps_session=", "korps_session=");
    assert_eq!(
        start(unprefixed).await,
        303,
        "a session cookie without the prefix is not taken"
    );
}

#[tokio::test]
async fn the_account_lists_where_one_is_logged_in_and_logs_the_others_out() {
    let app = TestApp::spawn().await;
    let here = app.login(MENTOR).await;
    let mut firefox = HeaderMap::new();
    firefox.insert("user-agent", HeaderValue::from_static(FIREFOX_ON_WINDOWS));
    let there = Client::with_headers(&app.base, firefox);
    assert_eq!(there.login(MENTOR, PASSWORD).await.status, 303);
    assert_eq!(there.get("/").await.status, 200);
    let coordinator = app.login(COORDINATOR).await;

    let page = here.get("/konto").await;
    assert_eq!(page.text_of("#sessioner"), "Her er du logget ind");
    let rows = page.texts("#sessions tbody tr");
    assert_eq!(rows.len(), 2, "{rows:?}");
    assert!(
        rows[0].starts_with("Ukendt browser Denne enhed 127.0.0.1"),
        "this one first and marked: {rows:?}"
    );
    assert!(
        rows[1].starts_with("Firefox på Windows 127.0.0.1"),
        "{rows:?}"
    );

    let done = here.post("/konto/sessioner/log-andre-ud", &[]).await;
    assert_eq!(done.status, 303);
    let page = here.follow(&done.location()).await;
    assert!(page.text.contains("Du er logget ud alle andre steder."));
    assert_eq!(page.texts("#sessions tbody tr").len(), 1);
    assert_eq!(
        page.text_of("#sessions-status"),
        "Du er ikke logget ind andre steder."
    );

    let ended = there.get("/").await;
    assert_eq!(ended.status, 303, "the other session has ended");
    let login = there.follow("/").await;
    assert!(
        login
            .text
            .contains("Du er blevet logget ud fra en anden enhed."),
        "and is told why"
    );
    assert_eq!(here.get("/").await.status, 200, "this one goes on");
    assert_eq!(
        coordinator.get("/").await.status,
        200,
        "another user's session is untouched"
    );
    assert_eq!(
        count(
            &app,
            "SELECT count(*) FROM audit_log WHERE action = 'sessions_ended'"
        )
        .await,
        1
    );

    // Logging out takes the session off the list.
    assert_eq!(here.post("/logout", &[]).await.status, 303);
    assert_eq!(
        count(
            &app,
            "SELECT count(*) FROM user_sessions s JOIN users u ON u.id = s.user_id
             WHERE u.email = 'mentor.aarhus@example.org'"
        )
        .await,
        0
    );
}

#[tokio::test]
async fn a_password_change_ends_every_other_session_and_the_list_follows() {
    let app = TestApp::spawn().await;
    let here = app.login(MENTOR).await;
    let there = app.login(MENTOR).await;
    assert_eq!(
        here.get("/konto").await.texts("#sessions tbody tr").len(),
        2
    );
    let changed = here
        .post(
            "/konto/adgangskode",
            &[
                ("current_password", PASSWORD),
                ("new_password", "et helt nyt kodeord 2026"),
                ("repeat_password", "et helt nyt kodeord 2026"),
            ],
        )
        .await;
    assert_eq!(changed.status, 303, "{}", changed.text);
    assert_eq!(there.get("/").await.status, 303);
    let page = here.get("/konto").await;
    let rows = page.texts("#sessions tbody tr");
    assert_eq!(rows.len(), 1, "only this session is left: {rows:?}");
    assert!(rows[0].contains("Denne enhed"));
}

#[tokio::test]
async fn expired_and_ended_sessions_are_purged() {
    let app = TestApp::spawn().await;
    let live = app.login(MENTOR).await;
    assert_eq!(live.get("/").await.status, 200);
    let gone = app.login(COORDINATOR).await;
    assert_eq!(gone.get("/").await.status, 200);
    let mut conn = app.owner_conn().await;
    // The coordinator's session has been idle past the timeout; a row of an old
    // generation and a visitor's expired leftover in the store.
    sqlx::query(
        "UPDATE user_sessions SET last_seen_at = now() - interval '31 minutes'
         WHERE user_id = (SELECT id FROM users WHERE email = $1)",
    )
    .bind(COORDINATOR)
    .execute(&mut conn)
    .await
    .unwrap();
    sqlx::query(
        "INSERT INTO user_sessions (id, user_id, generation, started_at, last_seen_at)
         SELECT gen_random_uuid(), id, session_generation - 1, now(), now() FROM users WHERE email = $1",
    )
    .bind(MENTOR)
    .execute(&mut conn)
    .await
    .unwrap();
    sqlx::query(
        "INSERT INTO tower_sessions.session (id, data, expiry_date)
         VALUES ('leftover', '\\x80', now() - interval '1 minute')",
    )
    .execute(&mut conn)
    .await
    .unwrap();

    let purged = korps::auth::sessions::purge(&app.pool, 1800).await.unwrap();
    assert_eq!(purged.expired, 1, "{purged:?}");
    assert_eq!(purged.ended, 2, "{purged:?}");
    let left: Vec<String> =
        sqlx::query_scalar("SELECT u.email FROM user_sessions s JOIN users u ON u.id = s.user_id")
            .fetch_all(&mut conn)
            .await
            .unwrap();
    assert_eq!(left, [MENTOR], "the live session stays");
    assert_eq!(live.get("/").await.status, 200, "and works");
    assert_eq!(
        korps::auth::sessions::purge(&app.pool, 1800).await.unwrap(),
        korps::auth::sessions::Purged::default(),
        "a second round finds nothing"
    );
}

/// The seconds the page says the session has left.
fn idle_left(page: &crate::support::Page) -> i64 {
    page.attr("#korps-session-timeout", "data-idle-left")
        .and_then(|value| value.parse().ok())
        .expect("the page carries the session's clock")
}

#[tokio::test]
async fn staying_logged_in_starts_the_idle_time_again() {
    // With 30 s, activity is written back every 3 s: a page within that does not count.
    let app = TestApp::spawn_with(|config| config.idle_timeout = 30).await;
    let client = app.login(MENTOR).await;
    let page = client.get("/").await;
    assert_eq!(
        page.attr("#korps-session-timeout", "data-idle-timeout")
            .as_deref(),
        Some("30")
    );
    assert_eq!(
        page.attr("#korps-session-timeout", "data-warn-before")
            .as_deref(),
        Some("10")
    );
    tokio::time::sleep(Duration::from_millis(2200)).await;
    let before = idle_left(&client.get("/").await);
    assert!(before <= 28, "{before}");
    assert_eq!(
        client.post("/konto/sessioner/forbliv", &[]).await.status,
        204
    );
    let after = idle_left(&client.get("/").await);
    assert!(
        after >= 29,
        "staying starts the whole idle time again: {after}"
    );

    assert!(
        !app.client()
            .get("/login")
            .await
            .has("#korps-session-timeout"),
        "visitors get no warning"
    );
    let visitor = app.client();
    let refused = visitor.post("/konto/sessioner/forbliv", &[]).await;
    assert_eq!(refused.status, 303, "a visitor has nothing to stay in");
}

#[tokio::test]
async fn the_idle_timeout_is_configurable_and_an_ended_session_stays_ended() {
    let app = TestApp::spawn_with(|config| config.idle_timeout = 3).await;
    let client = app.login(MENTOR).await;
    assert_eq!(client.get("/").await.status, 200);
    tokio::time::sleep(Duration::from_millis(2000)).await;
    assert_eq!(client.get("/").await.status, 200, "2 s idle is within 3");
    tokio::time::sleep(Duration::from_millis(3500)).await;
    let page = client.get("/").await;
    assert_eq!(page.status, 303, "idle past the timeout: logged out");
    assert_eq!(
        client.post("/konto/sessioner/forbliv", &[]).await.status,
        403,
        "an ended session cannot be brought back (its token ended with it)"
    );
}

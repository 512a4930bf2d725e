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
    let cookie = page.header("set-cookie");
    assert!(cookie.starts_with("korps_session="), "{cookie}");
    for flag in ["HttpOnly", "SameSite=Lax", "Secure"] {
        assert!(cookie.contains(flag), "cookie lacks {flag}: {cookie}");
    }
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

/// A TCP proxy in front of the database that a test can cut and restore.
mod outage {
    use std::sync::Arc;
    use std::sync::atomic::{AtomicBool, Ordering};

    use tokio::net::{TcpListener, TcpStream, UnixStream};

    pub struct Proxy {
        pub port: u16,
        pub up: Arc<AtomicBool>,
    }

    /// Forwards 127.0.0.1:<port> to the database's socket or TCP address while `up`.
    pub async fn start(target: TargetAddr) -> Proxy {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let port = listener.local_addr().unwrap().port();
        let up = Arc::new(AtomicBool::new(true));
        let flag = up.clone();
        tokio::spawn(async move {
            loop {
                let Ok((mut inbound, _)) = listener.accept().await else {
                    return;
                };
                let flag = flag.clone();
                let target = target.clone();
                tokio::spawn(async move {
                    if !flag.load(Ordering::SeqCst) {
                        return; // dropped: connection refused/reset
                    }
                    let result = match &target {
                        TargetAddr::Unix(path) => match UnixStream::connect(path).await {
                            Ok(mut outbound) => pump(&mut inbound, &mut outbound, &flag).await,
                            Err(_) => return,
                        },
                        TargetAddr::Tcp(addr) => match TcpStream::connect(addr).await {
                            Ok(mut outbound) => pump(&mut inbound, &mut outbound, &flag).await,
                            Err(_) => return,
                        },
                    };
                    let _ = result;
                });
            }
        });
        Proxy { port, up }
    }

    async fn pump<A, B>(a: &mut A, b: &mut B, flag: &AtomicBool) -> std::io::Result<()>
    where
        A: tokio::io::AsyncRead + tokio::io::AsyncWrite + Unpin,
        B: tokio::io::AsyncRead + tokio::io::AsyncWrite + Unpin,
    {
        let copy = tokio::io::copy_bidirectional(a, b);
        tokio::pin!(copy);
        loop {
            tokio::select! {
                _ = &mut copy => return Ok(()),
                () = tokio::time::sleep(std::time::Duration::from_millis(50)) => {
                    if !flag.load(Ordering::SeqCst) { return Ok(()); }
                }
            }
        }
    }

    #[derive(Clone)]
    pub enum TargetAddr {
        Unix(std::path::PathBuf),
        Tcp(String),
    }
}

#[tokio::test]
async fn while_the_database_is_down_pages_answer_503_and_recover_by_themselves() {
    use std::sync::atomic::Ordering;

    let owner = crate::support::fresh_database().await;
    let target = match owner.get_socket() {
        Some(dir) => outage::TargetAddr::Unix(dir.join(format!(".s.PGSQL.{}", owner.get_port()))),
        None => outage::TargetAddr::Tcp(format!("{}:{}", owner.get_host(), owner.get_port())),
    };
    let proxy = outage::start(target).await;
    let through_proxy = sqlx::postgres::PgConnectOptions::new()
        .host("127.0.0.1")
        .port(proxy.port)
        .username(korps::db::APP_ROLE)
        .database(owner.get_database().unwrap());
    let pool = korps::db::runtime_pool(&through_proxy);
    let app = TestApp::serve(pool, owner, korps::config::Config::for_tests(String::new())).await;
    let client: Client = app.login("koordinator.aarhus@example.org").await;
    assert_eq!(client.get("/").await.status, 200);

    proxy.up.store(false, Ordering::SeqCst);
    tokio::time::sleep(std::time::Duration::from_millis(200)).await;
    let down = client.get("/medarbejdere").await;
    assert_eq!(down.status, 503);
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

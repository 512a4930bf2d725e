//! What operations rely on: `/metrics`, the request id on error pages and in JSON logs, a
//! graceful stop on SIGTERM, a real PostgreSQL stopped and started under the server, and
//! two instances on one database behind a load balancer.

use std::io::{BufRead, Read, Write};
use std::sync::atomic::Ordering;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use korps::config::Config;
use korps::db::embedded::{Durability, EmbeddedPostgres};
use reqwest::header::{HeaderMap, HeaderValue};
use sqlx::ConnectOptions;
use sqlx::postgres::PgConnectOptions;

use crate::support::{Client, TestApp, fresh_database, outage};

const AARHUS: &str = "koordinator.aarhus@example.org";
const TOKEN: &str = "hemmelig-nøgle-til-overvågningen-af-korps";

async fn scrape(app: &TestApp, token: Option<&str>) -> (u16, String) {
    let mut request = reqwest::Client::new().get(format!("{}/metrics", app.base));
    if let Some(token) = token {
        request = request.bearer_auth(token);
    }
    let response = request.send().await.unwrap();
    (
        response.status().as_u16(),
        response.text().await.unwrap_or_default(),
    )
}

/// The value of the series whose line starts with `series` (name and labels as written).
fn value(metrics: &str, series: &str) -> Option<f64> {
    metrics
        .lines()
        .find_map(|line| line.strip_prefix(series)?.strip_prefix(' '))
        .and_then(|value| value.parse().ok())
}

#[tokio::test]
async fn metrics_need_the_token_and_count_requests_by_route_template_never_by_id() {
    let closed = TestApp::spawn().await;
    assert_eq!(
        scrape(&closed, None).await.0,
        404,
        "no token configured: no /metrics"
    );

    let app = TestApp::spawn_with(|config| config.metrics_token = Some(TOKEN.into())).await;
    assert_eq!(scrape(&app, None).await.0, 401);
    assert_eq!(scrape(&app, Some("forkert")).await.0, 401);
    assert_eq!(scrape(&app, Some(&TOKEN[..TOKEN.len() - 1])).await.0, 401);

    let coordinator = app.login(AARHUS).await;
    let citizen: uuid::Uuid = app
        .scalar(
            "SELECT c.id FROM citizens c JOIN municipalities m ON m.id = c.municipality_id
             WHERE m.name = 'Aarhus' ORDER BY c.name LIMIT 1",
        )
        .await;
    let series = r#"korps_http_requests_total{method="GET",route="/borgere/{id}",status="2xx"}"#;
    let (status, before) = scrape(&app, Some(TOKEN)).await;
    assert_eq!(status, 200);
    let before = value(&before, series).unwrap_or(0.0);
    for _ in 0..3 {
        assert_eq!(
            coordinator.get(&format!("/borgere/{citizen}")).await.status,
            200
        );
    }
    assert_eq!(coordinator.get("/findes-ikke/1234").await.status, 404);
    let (_, metrics) = scrape(&app, Some(TOKEN)).await;
    assert!(
        value(&metrics, series).unwrap() >= before + 3.0,
        "three citizen pages counted under the template:\n{metrics}"
    );
    assert!(metrics.contains(
        r#"korps_http_request_duration_seconds_bucket{method="GET",route="/borgere/{id}",status="2xx",le="0.1"}"#
    ));
    assert!(
        metrics.contains(r#"route="unmatched",status="4xx""#),
        "an unknown path is one series"
    );
    assert!(
        !metrics.contains(&citizen.to_string()) && !metrics.contains("findes-ikke"),
        "no id and no path of a request in the metrics"
    );
    for name in [
        "korps_db_pool_connections ",
        "korps_db_pool_idle_connections ",
        "korps_db_pool_max_connections 16",
        "korps_db_pool_acquire_seconds_count ",
        "korps_db_pool_timeouts_total ",
        "korps_mails_waiting ",
        "korps_mail_oldest_waiting_seconds ",
        "korps_mails_failed ",
    ] {
        assert!(metrics.contains(name), "{name} missing:\n{metrics}");
    }

    // A job's run is counted, and its lag shown from then on.
    let sender = korps::mail::Sender::new(app.pool.clone(), &Config::for_tests(String::new()))
        .expect("sender");
    let (_stop, stopped) = tokio::sync::watch::channel(false);
    korps::jobs::tick(
        &app.pool,
        &sender,
        &Config::for_tests(String::new()),
        &stopped,
    )
    .await;
    let (_, metrics) = scrape(&app, Some(TOKEN)).await;
    for job in korps::metrics::JOBS {
        let runs = format!(r#"korps_job_runs_total{{job="{job}",outcome="ok"}}"#);
        assert!(
            value(&metrics, &runs).unwrap_or(0.0) >= 1.0,
            "{runs}:\n{metrics}"
        );
        let lag = format!(r#"korps_job_lag_seconds{{job="{job}"}}"#);
        assert!(value(&metrics, &lag).is_some(), "{lag}:\n{metrics}");
    }
}

#[tokio::test]
async fn the_separate_metrics_address_serves_without_a_token() {
    let app = TestApp::spawn().await;
    let state = korps::state::AppState::new(app.pool.clone(), Config::for_tests(String::new()));
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move {
        axum::serve(listener, korps::app::metrics_router(state))
            .await
            .unwrap();
    });
    let response = reqwest::get(format!("http://{addr}/metrics"))
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    assert!(
        response.headers()["content-type"]
            .to_str()
            .unwrap()
            .starts_with("text/plain; version=0.0.4")
    );
    assert!(
        response
            .text()
            .await
            .unwrap()
            .contains("korps_mails_waiting")
    );
    let other = reqwest::get(format!("http://{addr}/")).await.unwrap();
    assert_eq!(other.status(), 404, "only /metrics there");
}

#[tokio::test]
async fn an_error_page_names_the_request_id_the_log_has() {
    let app = TestApp::spawn().await;
    let coordinator = app.login(AARHUS).await;
    let page = coordinator
        .get("/borgere/00000000-0000-0000-0000-000000000000")
        .await;
    assert_eq!(page.status, 404);
    let id = page.header("x-request-id");
    assert_eq!(id.len(), 36, "a request id: {id:?}");
    assert!(
        page.text_of(".error-reference").contains(&id),
        "{}",
        page.text_of("main")
    );
    // An id the client sends is not taken: Korps makes its own.
    let mut headers = HeaderMap::new();
    headers.insert(
        "x-request-id",
        HeaderValue::from_static("en-andens-fejlkode"),
    );
    let claimed = Client::with_headers(&app.base, headers)
        .get("/findes-ikke")
        .await;
    assert_eq!(claimed.status, 404);
    assert_ne!(claimed.header("x-request-id"), "en-andens-fejlkode");
    assert!(!claimed.text.contains("en-andens-fejlkode"));
    // Also on a refusal made before the session is read.
    let refused = from_another_site(&app.base).await;
    assert_eq!(refused.status, 403);
    assert!(
        refused
            .text_of(".error-reference")
            .contains(&refused.header("x-request-id"))
    );
}

/// A login form posted from another site: refused (403) before the session is read.
async fn from_another_site(base: &str) -> crate::support::Page {
    let mut headers = HeaderMap::new();
    headers.insert("origin", HeaderValue::from_static("https://evil.example"));
    Client::new(base)
        .post_with_headers("/login", &[("email", "x@example.org")], headers)
        .await
}

/// The runtime login's URL for the `korps` binary.
fn runtime_url(owner: &PgConnectOptions) -> String {
    let database = owner.get_database().unwrap();
    match owner.get_socket() {
        Some(dir) => format!(
            "postgres://{}@localhost:{}/{database}?host={}",
            korps::db::APP_ROLE,
            owner.get_port(),
            dir.display()
        ),
        None => format!(
            "postgres://{}@{}:{}/{database}",
            korps::db::APP_ROLE,
            owner.get_host(),
            owner.get_port()
        ),
    }
}

/// The `korps` binary serving the test's database, its log (standard output) collected.
struct Binary {
    child: std::process::Child,
    address: String,
    base: String,
    lines: Arc<Mutex<Vec<String>>>,
    mail_dir: std::path::PathBuf,
}

impl Binary {
    fn start(owner: &PgConnectOptions) -> Binary {
        let mail_dir = std::env::temp_dir().join(format!("korps-mail-{}", uuid::Uuid::new_v4()));
        let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_korps"))
            .env_clear()
            .env("PATH", std::env::var("PATH").unwrap_or_default())
            .env("DATABASE_URL", runtime_url(owner))
            .env("KORPS_BIND", "127.0.0.1:0")
            .env("KORPS_INSECURE_COOKIES", "1")
            .env("KORPS_MAIL_DIR", &mail_dir)
            .env("KORPS_JOB_INTERVAL", "3600")
            .env("KORPS_LOG_FORMAT", "json")
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::piped())
            .spawn()
            .expect("start korps");
        let lines = Arc::new(Mutex::new(Vec::<String>::new()));
        let (address_tx, address_rx) = std::sync::mpsc::channel();
        let stdout = child.stdout.take().unwrap();
        let kept = lines.clone();
        std::thread::spawn(move || {
            for line in std::io::BufReader::new(stdout)
                .lines()
                .map_while(Result::ok)
            {
                if let Some(address) = line.strip_prefix("Korps serves on http://") {
                    let _ = address_tx.send(address.to_string());
                }
                kept.lock().unwrap().push(line);
            }
        });
        let address = address_rx
            .recv_timeout(Duration::from_secs(30))
            .expect("the server says where it serves");
        Binary {
            child,
            base: format!("http://{address}"),
            address,
            lines,
            mail_dir,
        }
    }
}

/// Korps killed (SIGKILL, no chance to tidy up) right after it acknowledged a save: the
/// save is in the database, since the acknowledgement comes only after the commit.
#[tokio::test]
async fn a_save_acknowledged_before_korps_is_killed_is_kept() {
    let owner = fresh_database().await;
    let mut korps = Binary::start(&owner);
    let client = Client::new(&korps.base);
    assert_eq!(
        client.login(AARHUS, crate::support::PASSWORD).await.status,
        303
    );
    let saved = client
        .post(
            "/borgere",
            &[
                ("kind", "mentee"),
                ("name", "Gemt Før Nedbrud"),
                ("birth_year", "2008"),
                ("referred_on", "01-11-2026"),
                ("referral_source", "infohouse"),
                ("criteria", "signs_of_concern"),
                ("legal_basis", "social_services_act"),
                ("form_key", &crate::support::form_key()),
            ],
        )
        .await;
    assert_eq!(saved.status, 303);
    korps.child.kill().unwrap();
    korps.child.wait().unwrap();
    let mut conn = owner.connect().await.unwrap();
    let kept: i64 =
        sqlx::query_scalar("SELECT count(*) FROM citizens WHERE name = 'Gemt Før Nedbrud'")
            .fetch_one(&mut conn)
            .await
            .unwrap();
    assert_eq!(kept, 1);
    let _ = std::fs::remove_dir_all(&korps.mail_dir);
}

/// SIGTERM while a request is still arriving: the server takes no new connection, answers
/// the one in flight in full, and exits 0. Its log is JSON with the request id in each
/// line written during a request.
#[tokio::test]
async fn on_sigterm_the_request_in_flight_completes_and_the_process_exits_0() {
    let owner = fresh_database().await;
    let Binary {
        mut child,
        address,
        base,
        lines,
        mail_dir,
    } = Binary::start(&owner);

    // A line written during a request carries its id.
    let refused = from_another_site(&base).await;
    assert_eq!(refused.status, 403);
    let refused_id = refused.header("x-request-id");

    // A login whose body is still arriving when SIGTERM comes.
    let client = Client::new(&base);
    let token = client.token().await;
    let body = serde_urlencoded::to_string([
        ("email", AARHUS),
        ("password", crate::support::PASSWORD),
        ("csrf_token", token.as_str()),
    ])
    .unwrap();
    let mut stream = std::net::TcpStream::connect(&address).unwrap();
    write!(
        stream,
        "POST /login HTTP/1.1\r\nHost: {address}\r\nOrigin: {base}\r\nCookie: {}\r\n\
         Content-Type: application/x-www-form-urlencoded\r\nContent-Length: {}\r\n\
         Connection: close\r\n\r\n",
        client.cookies(),
        body.len()
    )
    .unwrap();
    let (first, rest) = body.split_at(body.len() / 2);
    stream.write_all(first.as_bytes()).unwrap();
    stream.flush().unwrap();
    std::thread::sleep(Duration::from_millis(300));

    // SAFETY: signalling our own child.
    unsafe {
        libc::kill(child.id() as i32, libc::SIGTERM);
    }
    std::thread::sleep(Duration::from_millis(1500));
    assert!(
        child.try_wait().unwrap().is_none(),
        "still running while a request is in flight"
    );
    assert!(
        std::net::TcpStream::connect(&address).is_err(),
        "no new connections once stopping"
    );
    stream.write_all(rest.as_bytes()).unwrap();
    let mut answer = String::new();
    stream
        .set_read_timeout(Some(Duration::from_secs(20)))
        .unwrap();
    stream.read_to_string(&mut answer).unwrap();
    assert!(
        answer.starts_with("HTTP/1.1 303"),
        "the login in flight is answered in full: {answer}"
    );
    assert!(
        answer
            .to_ascii_lowercase()
            .contains("location: /login/kode")
    );

    let deadline = Instant::now() + Duration::from_secs(20);
    let status = loop {
        if let Some(status) = child.try_wait().unwrap() {
            break status;
        }
        assert!(
            Instant::now() < deadline,
            "the process exits after the drain"
        );
        std::thread::sleep(Duration::from_millis(100));
    };
    assert!(status.success(), "exit status {status:?}");

    std::thread::sleep(Duration::from_millis(200));
    let lines = lines.lock().unwrap().clone();
    let json: Vec<serde_json::Value> = lines
        .iter()
        .filter(|line| !line.starts_with("Korps serves on"))
        .map(|line| serde_json::from_str(line).unwrap_or_else(|_| panic!("not JSON: {line}")))
        .collect();
    let refusal = json
        .iter()
        .find(|line| {
            line["fields"]["message"]
                .as_str()
                .is_some_and(|m| m.contains("another origin"))
        })
        .expect("the refusal is logged");
    assert_eq!(refusal["span"]["id"], refused_id.as_str(), "{refusal}");
    assert_eq!(refusal["span"]["path"], "/login");
    assert!(
        json.iter()
            .any(|line| line["fields"]["message"] == "stopped"),
        "{lines:#?}"
    );
    let _ = std::fs::remove_dir_all(mail_dir);
}

/// A cluster of the test's own that it can crash and start: durable (fsync, synchronous
/// commit, as in production), migrated, with the demo data.
async fn own_cluster(dir: &std::path::Path) -> EmbeddedPostgres {
    let dir = dir.to_path_buf();
    let cluster = tokio::task::spawn_blocking(move || {
        EmbeddedPostgres::start(&dir, Durability::Durable).expect("start a cluster")
    })
    .await
    .unwrap();
    korps::db::create_database_if_missing(&cluster.connect_options("postgres"), "korps")
        .await
        .unwrap();
    let owner = cluster.connect_options("korps");
    korps::db::migrate(&owner).await.unwrap();
    let mut conn = owner.connect().await.unwrap();
    korps::demo::load(&mut conn).await.unwrap();
    cluster
}

/// PostgreSQL itself crashed (an immediate shutdown: no checkpoint, the log replayed at
/// the next start) and started again under the running server: 503 within 3 s meanwhile,
/// served again after without a restart of Korps, and every write acknowledged before and
/// after is there.
#[tokio::test]
async fn a_real_postgresql_crashed_and_started_under_the_server() {
    let dir = std::env::temp_dir().join(format!("korps-restart-{}", uuid::Uuid::new_v4()));
    let cluster = own_cluster(&dir).await;
    let owner = cluster.connect_options("korps");
    let pool = korps::db::runtime_pool(&korps::db::app_role_options(&owner));
    let app = TestApp::serve(pool, owner.clone(), Config::for_tests(String::new())).await;
    let client = app.login(AARHUS).await;

    let client = &client;
    let citizen = |name: &'static str, key: String| async move {
        let fields = [
            ("kind", "mentee"),
            ("name", name),
            ("birth_year", "2008"),
            ("referred_on", "01-11-2026"),
            ("referral_source", "infohouse"),
            ("criteria", "signs_of_concern"),
            ("legal_basis", "social_services_act"),
            ("form_key", key.as_str()),
        ];
        client.post("/borgere", &fields).await
    };
    let before = citizen("Gemt Før Stop", crate::support::form_key()).await;
    assert_eq!(before.status, 303, "{}", before.text);
    let key_during = crate::support::form_key();

    tokio::task::spawn_blocking(move || {
        cluster.crash();
        drop(cluster);
    })
    .await
    .unwrap();

    for path in ["/", "/borgere"] {
        let asked = Instant::now();
        let page = client.get(path).await;
        assert_eq!(page.status, 503, "{path}");
        assert!(
            asked.elapsed() < Duration::from_secs(3),
            "{path} after {:?}",
            asked.elapsed()
        );
        assert!(!page.header("retry-after").is_empty());
    }
    assert_eq!(client.get("/readyz").await.status, 503);
    assert_eq!(client.get("/healthz").await.status, 200);
    let asked = Instant::now();
    let during = citizen("Sendt Under Stop", key_during.clone()).await;
    assert_eq!(during.status, 503);
    assert!(asked.elapsed() < Duration::from_secs(3));
    assert!(during.text_of("main").contains("ikke gemt"));

    let restart_dir = dir.clone();
    let cluster = tokio::task::spawn_blocking(move || {
        EmbeddedPostgres::start(&restart_dir, Durability::Durable).expect("start again")
    })
    .await
    .unwrap();
    let mut served = false;
    for _ in 0..60 {
        if client.get("/borgere").await.status == 200 {
            served = true;
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert!(served, "served again without a restart of Korps");
    assert_eq!(client.get("/readyz").await.status, 200);
    let after = citizen("Sendt Under Stop", key_during).await;
    assert_eq!(after.status, 303, "the form sent again is saved");
    let after_too = citizen("Gemt Efter Start", crate::support::form_key()).await;
    assert_eq!(after_too.status, 303);

    let mut conn = owner.connect().await.unwrap();
    for (name, expected) in [
        ("Gemt Før Stop", 1),
        ("Sendt Under Stop", 1),
        ("Gemt Efter Start", 1),
    ] {
        let n: i64 = sqlx::query_scalar("SELECT count(*) FROM citizens WHERE name = $1")
            .bind(name)
            .fetch_one(&mut conn)
            .await
            .unwrap();
        assert_eq!(n, expected, "{name}");
    }
    drop(conn);
    app.pool.close().await;
    tokio::task::spawn_blocking(move || cluster.stop())
        .await
        .unwrap();
    let _ = std::fs::remove_dir_all(dir);
}

/// Two instances on one database behind a balancer that sends each connection to the next
/// one: the login's steps, the CSRF tokens, the flash after a save and an uploaded file
/// work whichever answers; a mail queued is sent once and retention runs once when both
/// run their jobs at the same moment.
#[tokio::test]
async fn two_instances_on_one_database_share_sessions_and_run_each_job_once() {
    let one = TestApp::spawn().await;
    let pool = korps::db::runtime_pool(&korps::db::app_role_options(&one.owner));
    let two = TestApp::serve(pool, one.owner.clone(), Config::for_tests(String::new())).await;
    let (port, counts) = outage::round_robin(vec![one.addr, two.addr]).await;
    let base = format!("http://127.0.0.1:{port}");
    let mut headers = HeaderMap::new();
    headers.insert("connection", HeaderValue::from_static("close"));
    let client = Client::with_headers(&base, headers);

    let signed_in = client.login(AARHUS, crate::support::PASSWORD).await;
    assert_eq!(signed_in.status, 303, "{}", signed_in.text);
    for _ in 0..4 {
        assert_eq!(client.get("/borgere").await.status, 200);
    }
    // The session is valid on each instance asked directly.
    for server in [&one, &two] {
        let page = reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .unwrap()
            .get(format!("{}/borgere", server.base))
            .header("cookie", client.cookies())
            .send()
            .await
            .unwrap();
        assert_eq!(page.status(), 200, "signed in on {}", server.base);
    }
    // A save on one and the flash on the next page from the other.
    let form = client.get("/borgere/ny").await;
    let key = form.attr("input[name=form_key]", "value").unwrap();
    let saved = client
        .post(
            "/borgere",
            &[
                ("kind", "mentee"),
                ("name", "To Servere"),
                ("birth_year", "2009"),
                ("referred_on", "01-11-2026"),
                ("referral_source", "infohouse"),
                ("criteria", "signs_of_concern"),
                ("legal_basis", "social_services_act"),
                ("form_key", key.as_str()),
            ],
        )
        .await;
    assert_eq!(saved.status, 303, "{}", saved.text);
    let shown = client.get(&saved.location()).await;
    assert!(shown.has(".alert-success"), "the flash crosses instances");
    // A file uploaded through one is downloaded through the other.
    let national = Client::with_headers(&base, {
        let mut headers = HeaderMap::new();
        headers.insert("connection", HeaderValue::from_static("close"));
        headers
    });
    one.forget_used_codes("national@example.org").await;
    assert_eq!(
        national
            .login("national@example.org", crate::support::PASSWORD)
            .await
            .status,
        303
    );
    let round =
        crate::applications::open_round(&national, "advisory", "Rådgivning to servere", "3").await;
    let application = crate::applications::start(&client, round).await;
    let bytes = crate::applications::pdf();
    let sent = crate::applications::advisory_answers(
        &client,
        application,
        "submit",
        Some(("minutes", "referat.pdf", &bytes)),
    )
    .await;
    assert_eq!(sent.status, 303, "{}", sent.text);
    for _ in 0..2 {
        let (status, _, body) = client
            .get_bytes(&format!("/ansoegninger/{application}/bilag"))
            .await;
        assert_eq!((status, body.as_slice()), (200, bytes.as_slice()));
    }
    assert!(
        counts.iter().all(|count| count.load(Ordering::SeqCst) >= 5),
        "both instances answered: {counts:?}"
    );

    // Both run their jobs at once: each mail goes out once, retention runs once.
    let mut conn = one.owner_conn().await;
    sqlx::query(
        "INSERT INTO outbox (id, kind, to_address, subject, body)
         SELECT gen_random_uuid(), 'digest', 'to' || n || '@example.org', 'Samlet overblik', 'Hej'
         FROM generate_series(1, 20) AS n",
    )
    .execute(&mut conn)
    .await
    .unwrap();
    let runs_before: i64 = sqlx::query_scalar("SELECT count(*) FROM retention_runs")
        .fetch_one(&mut conn)
        .await
        .unwrap();
    let mail_dir = std::env::temp_dir().join(format!("korps-mail-{}", uuid::Uuid::new_v4()));
    let mut config = Config::for_tests(String::new());
    config.mail_dir = mail_dir.clone();
    let senders = [
        korps::mail::Sender::new(one.pool.clone(), &config).unwrap(),
        korps::mail::Sender::new(two.pool.clone(), &config).unwrap(),
    ];
    let (_stop, stopped) = tokio::sync::watch::channel(false);
    tokio::join!(
        korps::jobs::tick(&one.pool, &senders[0], &config, &stopped),
        korps::jobs::tick(&two.pool, &senders[1], &config, &stopped),
    );
    let files = std::fs::read_dir(&mail_dir)
        .unwrap()
        .flatten()
        .filter(|entry| {
            std::fs::read_to_string(entry.path())
                .is_ok_and(|mail| mail.contains("To: to") && mail.contains("@example.org"))
        })
        .count();
    let sent: i64 = sqlx::query_scalar(
        "SELECT count(*) FROM outbox
         WHERE sent_at IS NOT NULL AND attempts = 1 AND to_address LIKE 'to%@example.org'",
    )
    .fetch_one(&mut conn)
    .await
    .unwrap();
    assert_eq!(
        (files, sent),
        (20, 20),
        "each mail written once, sent at the first try"
    );
    let runs: i64 = sqlx::query_scalar("SELECT count(*) FROM retention_runs")
        .fetch_one(&mut conn)
        .await
        .unwrap();
    assert_eq!(runs, runs_before + 1, "retention ran on one instance only");
    let _ = std::fs::remove_dir_all(mail_dir);
}

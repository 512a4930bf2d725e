//! Test harness: a real PostgreSQL (a throwaway embedded cluster per test run, or
//! DATABASE_URL), one fresh database per test cloned from a migrated template with the
//! demo data, and the real router served over TCP. Clients speak HTTP like a browser.
#![allow(dead_code)]

pub mod outage;
pub mod smtp;

use std::net::SocketAddr;
use std::path::PathBuf;
use std::str::FromStr;
use std::sync::{Arc, OnceLock};

use korps::app;
use korps::config::Config;
use korps::db::embedded::{Durability, EmbeddedPostgres};
use korps::db::{self, Scope, TenantTx};
use korps::state::AppState;
use reqwest::header::{HeaderMap, HeaderValue};
use reqwest::redirect::Policy;
use scraper::{Html, Selector};
use sqlx::postgres::PgConnectOptions;
use sqlx::{ConnectOptions, Connection, Executor, PgPool};
use tokio::sync::OnceCell;
use uuid::Uuid;

pub const PASSWORD: &str = korps::demo::PASSWORD;

/// The code of the demo accounts' authenticator app, `ahead` steps of 30 s from now.
pub fn demo_code(ahead: u64) -> String {
    code_for(&korps::auth::totp::demo_secret(), ahead)
}

/// The code for `secret`, `ahead` steps of 30 s from now.
pub fn code_for(secret: &[u8], ahead: u64) -> String {
    korps::auth::totp::code_at(secret, unix_now() + 30 * ahead)
}

pub fn unix_now() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs()
}

/// Sleeps into the next 30-second step.
pub async fn next_step() {
    let into = unix_now() % 30;
    tokio::time::sleep(std::time::Duration::from_millis((30 - into) * 1000 + 200)).await;
}

/// A secret shown as base32 text on the enrolment page ("ABCD EFGH …"), as bytes.
pub fn secret_from_text(text: &str) -> Vec<u8> {
    let plain: String = text.split_whitespace().collect();
    totp_rs::Secret::try_from_base32(&plain)
        .expect("base32")
        .as_bytes()
        .to_vec()
}

const TEMPLATE: &str = "korps_test_template";

struct Cluster {
    /// Superuser connection options (database "postgres").
    admin: PgConnectOptions,
    _embedded: Option<EmbeddedPostgres>,
}

fn cluster() -> &'static Cluster {
    static CLUSTER: OnceLock<Cluster> = OnceLock::new();
    CLUSTER.get_or_init(|| {
        if let Ok(url) = std::env::var("DATABASE_URL") {
            let admin = PgConnectOptions::from_str(&url)
                .expect("DATABASE_URL")
                .database("postgres");
            return Cluster {
                admin,
                _embedded: None,
            };
        }
        let dir = test_cluster_dir();
        let embedded =
            EmbeddedPostgres::start(&dir, Durability::Throwaway).expect("start the test cluster");
        Cluster {
            admin: embedded.connect_options("postgres"),
            _embedded: Some(embedded),
        }
    })
}

/// A folder per test process; folders of finished runs are removed.
fn test_cluster_dir() -> PathBuf {
    let base = std::env::temp_dir();
    if let Ok(entries) = std::fs::read_dir(&base) {
        for entry in entries.flatten() {
            let name = entry.file_name().to_string_lossy().to_string();
            if let Some(pid) = name
                .strip_prefix("korps-test-")
                .and_then(|pid| pid.parse::<i32>().ok())
            {
                // SAFETY: signal 0 only checks whether the process exists.
                if unsafe { libc::kill(pid, 0) } != 0 {
                    let _ = std::fs::remove_dir_all(entry.path());
                }
            }
        }
    }
    base.join(format!("korps-test-{}", std::process::id()))
}

/// Migrates the template database and loads the demo data, once per test process.
async fn template() -> &'static () {
    static READY: OnceCell<()> = OnceCell::const_new();
    READY
        .get_or_init(|| async {
            let admin = &cluster().admin;
            let mut conn = admin.clone().connect().await.expect("connect as admin");
            conn.execute(format!("DROP DATABASE IF EXISTS {TEMPLATE} WITH (FORCE)").as_str())
                .await
                .unwrap();
            conn.execute(format!("CREATE DATABASE {TEMPLATE}").as_str())
                .await
                .unwrap();
            let options = admin.clone().database(TEMPLATE);
            db::migrate(&options).await.expect("migrate template");
            let mut template = options.connect().await.unwrap();
            korps::demo::load(&mut template).await.expect("demo data");
            template.close().await.unwrap();
            conn.close().await.unwrap();
        })
        .await
}

/// A fresh database for one test: a copy of the template.
pub async fn fresh_database() -> PgConnectOptions {
    template().await;
    let admin = &cluster().admin;
    let name = format!("korps_t_{}", Uuid::new_v4().simple());
    let mut conn = admin.clone().connect().await.unwrap();
    // Copies from one template can collide when started at the same instant; retry.
    for attempt in 0.. {
        match conn
            .execute(format!("CREATE DATABASE {name} TEMPLATE {TEMPLATE}").as_str())
            .await
        {
            Ok(_) => break,
            Err(err) if attempt < 20 => {
                let _ = err;
                tokio::time::sleep(std::time::Duration::from_millis(50 + attempt * 25)).await;
            }
            Err(err) => panic!("create test database: {err}"),
        }
    }
    conn.close().await.unwrap();
    admin.clone().database(&name)
}

pub struct TestApp {
    pub base: String,
    pub addr: SocketAddr,
    /// The runtime pool (as korps_app, so row-level security applies).
    pub pool: PgPool,
    /// Owner/superuser options for the test's database, for setting up odd states.
    pub owner: PgConnectOptions,
}

impl TestApp {
    pub async fn spawn() -> TestApp {
        Self::spawn_with(|_| {}).await
    }

    pub async fn spawn_with(configure: impl FnOnce(&mut Config)) -> TestApp {
        // `KORPS_TEST_LOG=korps=debug cargo test …` shows the server's log, e.g. why a
        // request failed with 500.
        if let Ok(filter) = std::env::var("KORPS_TEST_LOG") {
            let _ = tracing_subscriber::fmt()
                .with_env_filter(tracing_subscriber::EnvFilter::new(filter))
                .with_test_writer()
                .try_init();
        }
        let owner = fresh_database().await;
        let pool = db::runtime_pool(&db::app_role_options(&owner));
        db::ensure_row_level_security_applies(&pool)
            .await
            .expect("RLS applies to the runtime role");
        let mut config = Config::for_tests(String::new());
        configure(&mut config);
        Self::serve(pool, owner, config).await
    }

    /// The app with its database behind a proxy that a test can cut and that counts the
    /// bytes the app exchanges with the database.
    pub async fn spawn_behind_proxy(
        configure: impl FnOnce(&mut Config),
    ) -> (TestApp, outage::Proxy) {
        let owner = fresh_database().await;
        let target = match owner.get_socket() {
            Some(dir) => {
                outage::TargetAddr::Unix(dir.join(format!(".s.PGSQL.{}", owner.get_port())))
            }
            None => outage::TargetAddr::Tcp(format!("{}:{}", owner.get_host(), owner.get_port())),
        };
        let proxy = outage::start(target).await;
        let through_proxy = PgConnectOptions::new()
            .host("127.0.0.1")
            .port(proxy.port)
            .username(korps::db::APP_ROLE)
            .database(owner.get_database().unwrap());
        let pool = db::runtime_pool(&through_proxy);
        let mut config = Config::for_tests(String::new());
        configure(&mut config);
        (Self::serve(pool, owner, config).await, proxy)
    }

    /// Serves the app on `pool` (which may point anywhere, e.g. through a proxy).
    pub async fn serve(pool: PgPool, owner: PgConnectOptions, config: Config) -> TestApp {
        let state = AppState::new(pool.clone(), config);
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let service = app::router(state).into_make_service_with_connect_info::<SocketAddr>();
        tokio::spawn(async move {
            axum::serve(listener, service).await.unwrap();
        });
        TestApp {
            base: format!("http://{addr}"),
            addr,
            pool,
            owner,
        }
    }

    pub fn client(&self) -> Client {
        Client::new(&self.base)
    }

    /// A client logged in as `email` with the demo password and the demo second factor.
    pub async fn login(&self, email: &str) -> Client {
        // Several logins of one user in one test fall in one 30-second step: the test
        // starts each with the user's codes unused, as a new step would.
        self.forget_used_codes(email).await;
        let client = self.client();
        let response = client.login(email, PASSWORD).await;
        assert_eq!(
            response.status, 303,
            "login as {email} failed: {}",
            response.text
        );
        client
    }

    /// Lets the user's codes of this 30-second step be used again (a test shortcut).
    pub async fn forget_used_codes(&self, email: &str) {
        let mut conn = self.owner_conn().await;
        sqlx::query(
            "UPDATE second_factors SET last_step = 0
             WHERE user_id = (SELECT id FROM users WHERE lower(email) = lower($1))",
        )
        .bind(email)
        .execute(&mut conn)
        .await
        .unwrap();
    }

    /// The path (with its token) of the last link mailed to `email` to choose a password.
    pub async fn mailed_link(&self, email: &str) -> String {
        self.mailbox().link(email).await
    }

    /// A handle on the mails Korps queued, for tests that run elsewhere (a browser's task).
    pub fn mailbox(&self) -> Mailbox {
        Mailbox {
            owner: self.owner.clone(),
        }
    }

    /// Follows the link mailed to `email`, chooses `password`, enrols a second factor and
    /// returns the signed-in client with the secret its app would hold.
    pub async fn accept_link(&self, email: &str, password: &str) -> (Client, Vec<u8>) {
        let client = self.client();
        let link = self.mailed_link(email).await;
        let form = client.get(&link).await;
        assert_eq!(form.status, 200, "the link opens: {}", form.text);
        let token = form.attr("input[name=token]", "value").unwrap();
        let chosen = client
            .post(
                "/adgang",
                &[
                    ("token", &token),
                    ("new_password", password),
                    ("repeat_password", password),
                ],
            )
            .await;
        assert_eq!(chosen.status, 303, "password chosen: {}", chosen.text);
        let secret = client.enrol(&chosen.location()).await;
        (client, secret)
    }

    pub async fn owner_conn(&self) -> sqlx::PgConnection {
        self.owner.clone().connect().await.unwrap()
    }

    /// Runs `sql` returning one value as the owner (bypasses row-level security).
    pub async fn scalar<T>(&self, sql: &str) -> T
    where
        T: for<'r> sqlx::Decode<'r, sqlx::Postgres> + sqlx::Type<sqlx::Postgres> + Send + Unpin,
    {
        let mut conn = self.owner_conn().await;
        sqlx::query_scalar(sql).fetch_one(&mut conn).await.unwrap()
    }

    pub async fn user_id(&self, email: &str) -> Uuid {
        let mut conn = self.owner_conn().await;
        sqlx::query_scalar("SELECT id FROM users WHERE email = $1")
            .bind(email)
            .fetch_one(&mut conn)
            .await
            .unwrap()
    }

    pub async fn municipality_id(&self, name: &str) -> Uuid {
        let mut conn = self.owner_conn().await;
        sqlx::query_scalar("SELECT id FROM municipalities WHERE name = $1")
            .bind(name)
            .fetch_one(&mut conn)
            .await
            .unwrap()
    }

    /// Adds `entries` logins to the audit log of `municipality`: a list many pages long,
    /// for tests of paging.
    pub async fn grow_audit_log(&self, municipality: &str, entries: i32) {
        let id = self.municipality_id(municipality).await;
        sqlx::query(
            "INSERT INTO audit_log (id, municipality_id, action)
             SELECT gen_random_uuid(), $1, 'login_succeeded' FROM generate_series(1, $2)",
        )
        .bind(id)
        .bind(entries)
        .execute(&mut self.owner_conn().await)
        .await
        .unwrap();
    }

    /// A transaction as korps_app in `scope`.
    pub async fn tenant_tx(&self, scope: Scope) -> TenantTx {
        TenantTx::begin(&self.pool, scope).await.unwrap()
    }
}

/// A fresh one-time key for a create form, as a page gives each form it shows.
pub fn form_key() -> String {
    uuid::Uuid::new_v4().to_string()
}

/// What a test looks at in a response.
pub struct Page {
    pub status: u16,
    pub headers: HeaderMap,
    pub text: String,
}

impl Page {
    pub fn html(&self) -> Html {
        Html::parse_document(&self.text)
    }

    pub fn location(&self) -> String {
        self.headers
            .get("location")
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default()
            .to_string()
    }

    /// Texts of all elements matching `selector`, whitespace collapsed.
    pub fn texts(&self, selector: &str) -> Vec<String> {
        let selector = Selector::parse(selector).expect("selector");
        self.html()
            .select(&selector)
            .map(|el| {
                el.text()
                    .collect::<Vec<_>>()
                    .join(" ")
                    .split_whitespace()
                    .collect::<Vec<_>>()
                    .join(" ")
            })
            .collect()
    }

    pub fn text_of(&self, selector: &str) -> String {
        self.texts(selector).into_iter().next().unwrap_or_default()
    }

    pub fn has(&self, selector: &str) -> bool {
        !self.texts(selector).is_empty() || {
            let selector = Selector::parse(selector).expect("selector");
            self.html().select(&selector).next().is_some()
        }
    }

    pub fn attr(&self, selector: &str, attr: &str) -> Option<String> {
        let selector = Selector::parse(selector).expect("selector");
        self.html()
            .select(&selector)
            .next()
            .and_then(|el| el.value().attr(attr))
            .map(str::to_string)
    }

    /// The message shown next to a form field (dkfds `form-error-message`).
    /// The fields of the form `selector` as a browser would send it unchanged: text as
    /// shown, the selected option, ticked boxes only.
    pub fn form_fields(&self, selector: &str) -> Vec<(String, String)> {
        let html = Html::parse_document(&self.text);
        let form = html
            .select(&Selector::parse(selector).unwrap())
            .next()
            .expect("the form");
        let mut fields = Vec::new();
        for input in
            form.select(&Selector::parse("input[name], textarea[name], select[name]").unwrap())
        {
            let el = input.value();
            let name = el.attr("name").unwrap().to_string();
            match el.name() {
                "textarea" => fields.push((name, input.text().collect::<String>())),
                "select" => {
                    let selected = input
                        .select(&Selector::parse("option[selected]").unwrap())
                        .next()
                        .or_else(|| input.select(&Selector::parse("option").unwrap()).next())
                        .and_then(|o| o.value().attr("value"))
                        .unwrap_or_default();
                    fields.push((name, selected.to_string()));
                }
                _ => {
                    let kind = el.attr("type").unwrap_or("text");
                    if (kind == "checkbox" || kind == "radio") && el.attr("checked").is_none() {
                        continue;
                    }
                    fields.push((name, el.attr("value").unwrap_or_default().to_string()));
                }
            }
        }
        fields
    }

    pub fn field_error(&self, field: &str) -> String {
        self.text_of(&format!("#{field}-error"))
            .trim_start_matches("Fejl:")
            .trim()
            .to_string()
    }

    pub fn header(&self, name: &str) -> String {
        self.headers
            .get(name)
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default()
            .to_string()
    }
}

/// A browser-like client: keeps cookies, sends Origin on POST, does not follow redirects
/// (tests assert them), and remembers the last CSRF token it saw in a page.
/// The outbox as a person's mailbox: what Korps sent to an address.
#[derive(Clone)]
pub struct Mailbox {
    owner: PgConnectOptions,
}

impl Mailbox {
    /// The path (with its token) of the last link mailed to `email` to choose a password.
    pub async fn link(&self, email: &str) -> String {
        let mut conn = self.owner.clone().connect().await.unwrap();
        let body: String = sqlx::query_scalar(
            "SELECT body FROM outbox WHERE lower(to_address) = lower($1)
               AND kind IN ('account_setup', 'account_reset', 'account_enrol')
             ORDER BY created_at DESC, id DESC LIMIT 1",
        )
        .bind(email)
        .fetch_one(&mut conn)
        .await
        .unwrap_or_else(|err| panic!("no link mailed to {email}: {err}"));
        let start = body.find("/adgang?token=").expect("a link in the mail");
        body[start..].split_whitespace().next().unwrap().to_string()
    }
}

pub struct Client {
    pub base: String,
    http: reqwest::Client,
    jar: Arc<reqwest::cookie::Jar>,
    token: std::sync::Mutex<Option<String>>,
}

impl Client {
    pub fn new(base: &str) -> Client {
        Client::with_headers(base, HeaderMap::new())
    }

    /// A client behind a proxy that says it comes from `address` (the app must trust
    /// its proxy: `Config::trust_proxy`).
    pub fn from_address(base: &str, address: &str) -> Client {
        let mut headers = HeaderMap::new();
        headers.insert("x-forwarded-for", HeaderValue::from_str(address).unwrap());
        Client::with_headers(base, headers)
    }

    /// A client that sends `headers` with every request (a browser's User-Agent, a
    /// proxy's X-Forwarded-For).
    pub fn with_headers(base: &str, mut headers: HeaderMap) -> Client {
        headers.insert("origin", HeaderValue::from_str(base).unwrap());
        let jar = Arc::new(reqwest::cookie::Jar::default());
        let http = reqwest::Client::builder()
            .cookie_provider(jar.clone())
            .redirect(Policy::none())
            .default_headers(headers)
            .build()
            .unwrap();
        Client {
            base: base.to_string(),
            http,
            jar,
            token: std::sync::Mutex::new(None),
        }
    }

    /// The cookies this client sends, as a `Cookie` header's value.
    pub fn cookies(&self) -> String {
        use reqwest::cookie::CookieStore;
        let url = self.base.parse().expect("the base URL");
        self.jar
            .cookies(&url)
            .and_then(|value| value.to_str().ok().map(str::to_string))
            .unwrap_or_default()
    }

    async fn read(&self, response: reqwest::Response) -> Page {
        let status = response.status().as_u16();
        let headers = response.headers().clone();
        let text = response.text().await.unwrap_or_default();
        let page = Page {
            status,
            headers,
            text,
        };
        if let Some(token) = page.attr("input[name=csrf_token]", "value") {
            if !token.is_empty() {
                *self.token.lock().unwrap() = Some(token);
            }
        }
        page
    }

    pub async fn get(&self, path: &str) -> Page {
        let response = self
            .http
            .get(format!("{}{path}", self.base))
            .send()
            .await
            .unwrap();
        self.read(response).await
    }

    /// Follows redirects from `path` (GET) and returns the final page.
    pub async fn follow(&self, path: &str) -> Page {
        let mut page = self.get(path).await;
        let mut hops = 0;
        while (300..400).contains(&page.status) && hops < 5 {
            page = self.get(&page.location()).await;
            hops += 1;
        }
        page
    }

    /// The session's CSRF token (from the last page seen, or a fresh GET of /login).
    pub async fn token(&self) -> String {
        if let Some(token) = self.token.lock().unwrap().clone() {
            return token;
        }
        // The login form has one for visitors; every page's log-out form for users.
        for page in ["/login", "/tilgaengelighed"] {
            self.get(page).await;
            if self.token.lock().unwrap().is_some() {
                break;
            }
        }
        self.token
            .lock()
            .unwrap()
            .clone()
            .expect("a page with a CSRF token")
    }

    /// POSTs a form with the session's CSRF token added.
    pub async fn post(&self, path: &str, fields: &[(&str, &str)]) -> Page {
        let token = self.token().await;
        let mut body: Vec<(&str, &str)> = fields.to_vec();
        body.push(("csrf_token", &token));
        self.post_raw(path, &body).await
    }

    /// POSTs exactly `fields`, no token added.
    pub async fn post_raw(&self, path: &str, fields: &[(&str, &str)]) -> Page {
        let response = self
            .http
            .post(format!("{}{path}", self.base))
            .form(fields)
            .send()
            .await
            .unwrap();
        self.read(response).await
    }

    pub async fn post_with_headers(
        &self,
        path: &str,
        fields: &[(&str, &str)],
        headers: HeaderMap,
    ) -> Page {
        let response = self
            .http
            .post(format!("{}{path}", self.base))
            .headers(headers)
            .form(fields)
            .send()
            .await
            .unwrap();
        self.read(response).await
    }

    /// POSTs a multipart form as a browser does: the CSRF token first, then `fields`,
    /// then the file part (`(field name, file name, bytes)`) if any.
    pub async fn post_multipart(
        &self,
        path: &str,
        fields: &[(&str, &str)],
        file: Option<(&str, &str, &[u8])>,
    ) -> Page {
        let token = self.token().await;
        let boundary = "korpsTestBoundary7MA4YWxkTrZu0gW";
        let mut body: Vec<u8> = Vec::new();
        let mut text = |name: &str, value: &str| {
            body.extend_from_slice(
                format!(
                    "--{boundary}\r\nContent-Disposition: form-data; name=\"{name}\"\r\n\r\n{value}\r\n"
                )
                .as_bytes(),
            );
        };
        text("csrf_token", &token);
        for (name, value) in fields {
            text(name, value);
        }
        if let Some((name, file_name, bytes)) = file {
            body.extend_from_slice(
                format!(
                    "--{boundary}\r\nContent-Disposition: form-data; name=\"{name}\"; filename=\"{file_name}\"\r\nContent-Type: application/pdf\r\n\r\n"
                )
                .as_bytes(),
            );
            body.extend_from_slice(bytes);
            body.extend_from_slice(b"\r\n");
        }
        body.extend_from_slice(format!("--{boundary}--\r\n").as_bytes());
        let response = self
            .http
            .post(format!("{}{path}", self.base))
            .header(
                "content-type",
                format!("multipart/form-data; boundary={boundary}"),
            )
            .body(body)
            .send()
            .await
            .unwrap();
        self.read(response).await
    }

    /// GETs raw bytes (downloads).
    pub async fn get_bytes(&self, path: &str) -> (u16, HeaderMap, Vec<u8>) {
        let response = self
            .http
            .get(format!("{}{path}", self.base))
            .send()
            .await
            .unwrap();
        let status = response.status().as_u16();
        let headers = response.headers().clone();
        let bytes = response.bytes().await.unwrap_or_default().to_vec();
        (status, headers, bytes)
    }

    /// Logs in with the password and, for demo accounts, the demo second factor; the
    /// answer to the last step.
    pub async fn login(&self, email: &str, password: &str) -> Page {
        let page = self.login_password(email, password).await;
        if page.status == 303 && page.location() == "/login/kode" {
            return self.enter_demo_code().await;
        }
        page
    }

    /// The login's first step alone.
    pub async fn login_password(&self, email: &str, password: &str) -> Page {
        self.get("/login").await;
        let page = self
            .post("/login", &[("email", email), ("password", password)])
            .await;
        if page.status == 303 {
            // Login renews the session's token, as a browser sees on the next page.
            *self.token.lock().unwrap() = None;
        }
        page
    }

    /// The code step with the demo secret: this step's code, or the next one's when an
    /// earlier login in this step used it, or the next one's after waiting for it.
    pub async fn enter_demo_code(&self) -> Page {
        self.enter_code_for(&korps::auth::totp::demo_secret()).await
    }

    pub async fn enter_code_for(&self, secret: &[u8]) -> Page {
        for ahead in [0, 1] {
            let page = self.submit_code(&code_for(secret, ahead)).await;
            if page.status != 422 || !page.text.contains("allerede brugt") {
                return page;
            }
        }
        next_step().await;
        self.submit_code(&code_for(secret, 1)).await
    }

    pub async fn submit_code(&self, code: &str) -> Page {
        let page = self.post("/login/kode", &[("code", code)]).await;
        if page.status == 303 {
            *self.token.lock().unwrap() = None;
        }
        page
    }

    /// Enrols a second factor from the enrolment page at `path` (reading the secret shown
    /// there, as a person types it into an app); returns the secret.
    pub async fn enrol(&self, path: &str) -> Vec<u8> {
        let page = self.get(path).await;
        assert_eq!(page.status, 200, "the enrolment page: {}", page.text);
        assert!(page.has(".korps-qr-box svg"), "a QR code is shown");
        let secret = secret_from_text(&page.text_of(".korps-secret"));
        let confirmed = self
            .post("/totrin", &[("code", &code_for(&secret, 0))])
            .await;
        assert_eq!(confirmed.status, 303, "enrolled: {}", confirmed.text);
        *self.token.lock().unwrap() = None;
        secret
    }
}

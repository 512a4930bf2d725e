//! A real browser for the tests: chromedriver on a free port, headless Chromium with a
//! fresh profile, and the few things a user does with a page (open, type, tick, choose,
//! click, read). Every test runs its body through `browse`, which saves a screenshot when
//! the body fails and always shuts the browser down.

use korps::i18n::Locale;
use std::future::Future;
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::os::unix::process::CommandExt;
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use fantoccini::elements::Element;
use fantoccini::wd::TimeoutConfiguration;
use fantoccini::{Client, ClientBuilder, Locator};
use hyper_util::client::legacy::connect::HttpConnector;
use serde_json::{Value, json};

use crate::axe;

/// Chromium's flags (ARCHITECTURE.md, Tests), besides the profile folder.
const CHROMIUM_FLAGS: &[&str] = &[
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--window-size=1280,900",
];

/// Longest a whole test body may take before it counts as hung.
const TEST_TIMEOUT: Duration = Duration::from_secs(180);
/// Longest wait for a page to appear after a click.
const NAVIGATION_TIMEOUT: Duration = Duration::from_secs(15);

fn chromium_binary() -> String {
    std::env::var("CHROME_BIN").unwrap_or_else(|_| "/usr/bin/chromium".into())
}

fn chromedriver_binary() -> String {
    std::env::var("CHROMEDRIVER").unwrap_or_else(|_| "/usr/bin/chromedriver".into())
}

/// A chromedriver process in its own process group, which also holds the Chromium it
/// starts; the whole group is killed when dropped.
struct Driver {
    child: Child,
    url: String,
}

impl Driver {
    fn start() -> Driver {
        let binary = chromedriver_binary();
        let port = free_port();
        let mut command = Command::new(&binary);
        command
            .arg(format!("--port={port}"))
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .process_group(0);
        // SAFETY: prctl is async-signal-safe. It makes chromedriver exit if the test
        // thread dies without running destructors (a killed test run).
        unsafe {
            command.pre_exec(|| {
                libc::prctl(libc::PR_SET_PDEATHSIG, libc::SIGTERM);
                Ok(())
            });
        }
        let child = command.spawn().unwrap_or_else(|err| {
            panic!(
                "cannot start chromedriver ({binary}): {err}. Install Debian's chromium-driver, \
                 or set CHROMEDRIVER to its path."
            )
        });
        let mut driver = Driver {
            child,
            url: format!("http://127.0.0.1:{port}"),
        };
        let address = SocketAddr::from(([127, 0, 0, 1], port));
        let deadline = Instant::now() + Duration::from_secs(10);
        while TcpStream::connect_timeout(&address, Duration::from_millis(200)).is_err() {
            if let Ok(Some(status)) = driver.child.try_wait() {
                panic!("chromedriver ({binary}) exited at start: {status}");
            }
            assert!(
                Instant::now() < deadline,
                "chromedriver ({binary}) did not listen on port {port} within 10 s"
            );
            std::thread::sleep(Duration::from_millis(20));
        }
        driver
    }
}

impl Drop for Driver {
    fn drop(&mut self) {
        if let Ok(pid) = i32::try_from(self.child.id()) {
            // SAFETY: signals the process group this driver leads (chromedriver and the
            // Chromium it started), nothing else.
            unsafe {
                libc::kill(-pid, libc::SIGKILL);
            }
        }
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .and_then(|listener| listener.local_addr())
        .map(|address| address.port())
        .expect("a free port for chromedriver")
}

/// Headless Chromium with its own chromedriver and a fresh profile (no shared cookies).
struct Browser {
    client: Client,
    driver: Driver,
    profile: PathBuf,
}

impl Browser {
    async fn launch() -> Browser {
        let driver = Driver::start();
        let profile =
            std::env::temp_dir().join(format!("korps-chromium-{}", uuid::Uuid::new_v4().simple()));
        std::fs::create_dir_all(&profile).expect("create the Chromium profile folder");
        let mut args: Vec<String> = CHROMIUM_FLAGS.iter().map(|flag| flag.to_string()).collect();
        args.push(format!("--user-data-dir={}", profile.display()));
        let binary = chromium_binary();
        let capabilities = json!({
            "browserName": "chrome",
            "goog:chromeOptions": { "binary": binary, "args": args },
        });
        let Value::Object(capabilities) = capabilities else {
            unreachable!()
        };
        let client = ClientBuilder::new(HttpConnector::new())
            .capabilities(capabilities)
            .connect(&driver.url)
            .await
            .unwrap_or_else(|err| {
                panic!(
                    "cannot start Chromium ({binary}) through chromedriver: {err}. Install \
                     Debian's chromium, or set CHROME_BIN to its path."
                )
            });
        client
            .update_timeouts(TimeoutConfiguration::new(
                Some(Duration::from_secs(30)),
                Some(Duration::from_secs(30)),
                Some(Duration::ZERO),
            ))
            .await
            .expect("set WebDriver timeouts");
        Browser {
            client,
            driver,
            profile,
        }
    }

    async fn close(self) {
        let _ = self.client.close().await;
        drop(self.driver);
        let _ = std::fs::remove_dir_all(&self.profile);
    }
}

/// Runs `body` with a fresh browser pointed at the app at `base`. When the body fails
/// (or hangs), a screenshot named after `label` is saved and the failure says where.
pub async fn browse<F, Fut>(label: &str, base: &str, body: F)
where
    F: FnOnce(Tab) -> Fut,
    Fut: Future<Output = ()> + Send + 'static,
{
    let browser = Browser::launch().await;
    let tab = Tab {
        client: browser.client.clone(),
        base: base.to_string(),
    };
    let task = tokio::spawn(body(tab.clone()));
    let abort = task.abort_handle();
    let failure = match tokio::time::timeout(TEST_TIMEOUT, task).await {
        Ok(Ok(())) => None,
        Ok(Err(err)) if err.is_panic() => Some(panic_message(err.into_panic())),
        Ok(Err(err)) => Some(format!("the test body did not finish: {err}")),
        Err(_) => {
            abort.abort();
            Some(format!(
                "the test took longer than {} s",
                TEST_TIMEOUT.as_secs()
            ))
        }
    };
    if let Some(failure) = failure {
        let at = tab.client.current_url().await.map(|url| url.to_string());
        let shot = save_screenshot(&tab.client, label).await;
        browser.close().await;
        panic!(
            "{failure}\n(browser at {}; screenshot: {shot})",
            at.unwrap_or_default()
        );
    }
    browser.close().await;
}

pub fn panic_message(payload: Box<dyn std::any::Any + Send>) -> String {
    if let Some(text) = payload.downcast_ref::<String>() {
        text.clone()
    } else if let Some(text) = payload.downcast_ref::<&str>() {
        text.to_string()
    } else {
        "the test panicked".into()
    }
}

/// Saves a PNG of the visible page to target/browser-screenshots/<label>.png and says
/// where (or why not).
pub async fn save_screenshot(client: &Client, label: &str) -> String {
    let folder = std::env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("target"))
        .join("browser-screenshots");
    let path = folder.join(format!("{}.png", file_name(label)));
    let png = match client.screenshot().await {
        Ok(png) => png,
        Err(err) => return format!("none, the browser could not take one: {err}"),
    };
    match std::fs::create_dir_all(&folder).and_then(|()| std::fs::write(&path, png)) {
        Ok(()) => path.display().to_string(),
        Err(err) => format!("none, {} could not be written: {err}", path.display()),
    }
}

/// `label` as a file name: lower-case letters, digits and dashes.
fn file_name(label: &str) -> String {
    let mut name = String::new();
    for c in label.to_lowercase().chars() {
        if c.is_ascii_alphanumeric() {
            name.push(c);
        } else if !name.ends_with('-') {
            name.push('-');
        }
    }
    let name = name.trim_matches('-');
    if name.is_empty() {
        "page".into()
    } else {
        name.to_string()
    }
}

/// Quotes `text` as an XPath string literal (the texts here never hold both quotes).
fn xpath_literal(text: &str) -> String {
    if text.contains('\'') {
        format!("\"{text}\"")
    } else {
        format!("'{text}'")
    }
}

/// The browser as a test drives it. Element lookups do not wait: every page is rendered
/// by the server, and clicks that navigate wait for the next page to be complete.
#[derive(Clone)]
pub struct Tab {
    pub client: Client,
    pub base: String,
}

impl Tab {
    /// Opens `path` of the app as if typed into the address bar.
    pub async fn open(&self, path: &str) {
        let url = format!("{}{path}", self.base);
        self.client
            .goto(&url)
            .await
            .unwrap_or_else(|err| panic!("open {url}: {err}"));
    }

    /// The current path with its query, e.g. `/medarbejdere?q=x`.
    pub async fn path(&self) -> String {
        let url = self.client.current_url().await.expect("current URL");
        match url.query() {
            Some(query) => format!("{}?{query}", url.path()),
            None => url.path().to_string(),
        }
    }

    pub async fn url(&self) -> String {
        self.client
            .current_url()
            .await
            .map(|url| url.to_string())
            .unwrap_or_default()
    }

    async fn find(&self, locator: Locator<'_>, what: &str) -> Element {
        match self.client.find(locator).await {
            Ok(element) => element,
            Err(err) => panic!("no {what} on {}: {err}", self.url().await),
        }
    }

    async fn find_displayed(&self, xpath: &str, what: &str) -> Element {
        let candidates = self
            .client
            .find_all(Locator::XPath(xpath))
            .await
            .unwrap_or_default();
        for element in candidates {
            if element.is_displayed().await.unwrap_or(false) {
                return element;
            }
        }
        panic!("no visible {what} on {}", self.url().await)
    }

    /// The visible text of the first element matching `css`, whitespace collapsed.
    pub async fn text(&self, css: &str) -> String {
        let element = self.find(Locator::Css(css), css).await;
        collapse(&element.text().await.unwrap_or_default())
    }

    /// The visible texts of all elements matching `css`, whitespace collapsed.
    pub async fn texts(&self, css: &str) -> Vec<String> {
        let mut texts = Vec::new();
        for element in self
            .client
            .find_all(Locator::Css(css))
            .await
            .unwrap_or_default()
        {
            texts.push(collapse(&element.text().await.unwrap_or_default()));
        }
        texts
    }

    pub async fn has(&self, css: &str) -> bool {
        self.client
            .find_all(Locator::Css(css))
            .await
            .is_ok_and(|found| !found.is_empty())
    }

    pub async fn attr(&self, css: &str, name: &str) -> Option<String> {
        let element = self.find(Locator::Css(css), css).await;
        element.attr(name).await.ok().flatten()
    }

    /// The `href` attribute (as written in the page) of every element matching `css`.
    pub async fn hrefs(&self, css: &str) -> Vec<String> {
        let mut hrefs = Vec::new();
        for element in self
            .client
            .find_all(Locator::Css(css))
            .await
            .unwrap_or_default()
        {
            if let Ok(Some(href)) = element.attr("href").await {
                hrefs.push(href);
            }
        }
        hrefs
    }

    /// The current value of the form control labelled `label`.
    pub async fn value_of(&self, label: &str) -> String {
        let field = self.labelled(label).await;
        field.prop("value").await.ok().flatten().unwrap_or_default()
    }

    pub async fn is_ticked(&self, label: &str) -> bool {
        let field = self.labelled(label).await;
        field.is_selected().await.unwrap_or(false)
    }

    /// The form control a `<label>` with exactly this text points at (its `for`), the way
    /// a user (and a screen reader) finds a field.
    async fn labelled(&self, label: &str) -> Element {
        let xpath = format!("//label[normalize-space()={}]", xpath_literal(label));
        let element = self
            .find_displayed(&xpath, &format!("label “{label}”"))
            .await;
        let id = element
            .attr("for")
            .await
            .ok()
            .flatten()
            .unwrap_or_else(|| panic!("the label “{label}” has no `for`"));
        self.find(Locator::Id(&id), &format!("field #{id} of label “{label}”"))
            .await
    }

    /// Types `value` into the field labelled `label` (after clearing it).
    pub async fn fill(&self, label: &str, value: &str) {
        let field = self.labelled(label).await;
        field.clear().await.expect("clear the field");
        if !value.is_empty() {
            field
                .send_keys(value)
                .await
                .unwrap_or_else(|err| panic!("type into “{label}”: {err}"));
        }
    }

    /// Chooses the option with the visible text `option` in the list labelled `label`.
    pub async fn choose(&self, label: &str, option: &str) {
        let select = self.labelled(label).await;
        select
            .select_by_label(option)
            .await
            .unwrap_or_else(|err| panic!("choose “{option}” in “{label}”: {err}"));
    }

    /// Ticks a checkbox by clicking its label (dkfds draws the box on the label).
    pub async fn tick(&self, label: &str) {
        let xpath = format!("//label[normalize-space()={}]", xpath_literal(label));
        let element = self
            .find_displayed(&xpath, &format!("label “{label}”"))
            .await;
        element
            .click()
            .await
            .unwrap_or_else(|err| panic!("tick “{label}”: {err}"));
    }

    /// Clicks the element matching `css` itself (a radio button of a scale, say).
    pub async fn click(&self, css: &str) {
        let element = self.find(Locator::Css(css), css).await;
        element
            .click()
            .await
            .unwrap_or_else(|err| panic!("click {css}: {err}"));
    }

    /// Clicks the first visible button with this text and waits for the next page.
    pub async fn press(&self, text: &str) {
        let xpath = format!("//button[normalize-space()={}]", xpath_literal(text));
        let button = self
            .find_displayed(&xpath, &format!("button “{text}”"))
            .await;
        self.navigate_by(button, &format!("button “{text}”")).await;
    }

    /// Clicks the first visible link with this text and waits for the next page.
    pub async fn follow(&self, text: &str) {
        let xpath = format!("//a[normalize-space()={}]", xpath_literal(text));
        let link = self.find_displayed(&xpath, &format!("link “{text}”")).await;
        self.navigate_by(link, &format!("link “{text}”")).await;
    }

    /// Clicks the first visible element matching `xpath` and waits for the next page.
    pub async fn follow_xpath(&self, xpath: &str) {
        let link = self.find_displayed(xpath, xpath).await;
        self.navigate_by(link, xpath).await;
    }

    /// Clicks `element`, then waits until a new document has loaded completely (so the
    /// deferred scripts have run): the old document carries a mark the new one lacks.
    async fn navigate_by(&self, element: Element, what: &str) {
        self.client
            .execute("window.__korpsOldPage = true;", vec![])
            .await
            .expect("mark the current page");
        element
            .click()
            .await
            .unwrap_or_else(|err| panic!("click {what}: {err}"));
        let deadline = Instant::now() + NAVIGATION_TIMEOUT;
        loop {
            let loaded = self
                .client
                .execute(
                    "return !window.__korpsOldPage && document.readyState === 'complete';",
                    vec![],
                )
                .await;
            if matches!(loaded, Ok(Value::Bool(true))) {
                return;
            }
            assert!(
                Instant::now() < deadline,
                "no new page after clicking {what} (still at {})",
                self.url().await
            );
            tokio::time::sleep(Duration::from_millis(25)).await;
        }
    }

    /// Logs in through the login form as a user would, with the demo accounts' second
    /// factor at the code step.
    pub async fn log_in(&self, email: &str, password: &str) {
        self.log_in_with(email, password, &korps::auth::totp::demo_secret())
            .await;
    }

    /// Logs in with the password and a code from an app holding `secret`: this step's
    /// code, the next step's when an earlier login used it, or — after waiting — the next.
    pub async fn log_in_with(&self, email: &str, password: &str, secret: &[u8]) {
        if !self.path().await.starts_with("/login") {
            self.open("/login").await;
        }
        self.fill("E-mail", email).await;
        self.fill("Adgangskode", password).await;
        self.press("Log ind").await;
        if self.path().await != "/login/kode" {
            return;
        }
        for ahead in [0, 1] {
            self.fill("Kode", &crate::support::code_for(secret, ahead))
                .await;
            self.press("Bekræft").await;
            if self.path().await != "/login/kode" {
                return;
            }
        }
        crate::support::next_step().await;
        self.fill("Kode", &crate::support::code_for(secret, 1))
            .await;
        self.press("Bekræft").await;
    }

    /// Follows a link mailed to choose a password, chooses `password`, and enrols the
    /// second factor by typing the key shown into "the app"; returns that secret. Ends on
    /// the recovery codes page. Audits each page on the way.
    pub async fn set_up_account(&self, link: &str, password: &str, who: &str) -> Vec<u8> {
        self.open(link).await;
        assert_eq!(self.text("h1").await, "Vælg din adgangskode");
        self.audit(&format!("{who} – choose a password")).await;
        self.fill("Ny adgangskode", password).await;
        self.fill("Gentag ny adgangskode", password).await;
        self.press("Gem adgangskode").await;
        assert_eq!(self.path().await, "/totrin");
        assert_eq!(self.text("h1").await, "Opsæt totrinsbekræftelse");
        self.audit(&format!("{who} – set up two-step verification"))
            .await;
        let secret = crate::support::secret_from_text(&self.text(".korps-secret").await);
        self.fill("Kode fra appen", &crate::support::code_for(&secret, 0))
            .await;
        self.press("Bekræft og slå til").await;
        assert_eq!(self.path().await, "/totrin/gendannelseskoder");
        assert_eq!(
            self.texts(".korps-recovery-codes code").await.len(),
            10,
            "ten recovery codes"
        );
        self.audit(&format!("{who} – recovery codes")).await;
        secret
    }

    /// Logs out with the button in the page header.
    pub async fn log_out(&self) {
        let button = self
            .find(
                Locator::Css("header form[action='/logout'] button"),
                "log-out button in the header",
            )
            .await;
        self.navigate_by(button, "the header's log-out button")
            .await;
    }

    /// The text of the status/alert messages at the top of the page.
    pub async fn messages(&self) -> Vec<String> {
        self.texts("main .alert .alert-text").await
    }

    /// The message shown next to the field `id`, without the screen-reader prefix.
    pub async fn field_error(&self, id: &str) -> String {
        let text = self.text(&format!("#{id}-error")).await;
        text.trim_start_matches("Fejl:")
            .trim_start_matches("Error:")
            .trim()
            .to_string()
    }

    /// Runs axe-core on the page; fails listing every violation.
    pub async fn audit(&self, label: &str) {
        axe::audit_page(&self.client, label).await;
    }

    /// Checks the page is not an error page (by its heading), then audits it.
    pub async fn audit_here(&self, label: &str) {
        let t = Locale::Da.messages();
        let errors = [
            t.common.error_403_title,
            t.common.error_404_title,
            t.common.error_409_title,
            t.common.error_413_title,
            t.common.error_422_title,
            t.common.error_500_title,
            t.common.error_503_title,
        ];
        let heading = self.text("h1").await;
        assert!(
            !errors.contains(&heading.as_str()),
            "{label}: an error page “{heading}” at {}",
            self.url().await
        );
        self.audit(label).await;
    }

    /// Checks that one of the page's messages is `expected`.
    pub async fn assert_message(&self, expected: &str) {
        let messages = self.messages().await;
        assert!(
            messages.iter().any(|message| message == expected),
            "the page says “{expected}”: {messages:?}"
        );
    }

    /// Clicks an item of the main menu (the logo is a link named "Korps" too).
    pub async fn menu(&self, item: &str) {
        self.follow_xpath(&format!(
            "//nav[contains(@class, 'nav')]//a[normalize-space()='{item}']"
        ))
        .await;
    }

    /// Logs out and in again as someone else.
    pub async fn switch_user(&self, email: &str, password: &str) {
        self.log_out().await;
        self.log_in(email, password).await;
    }
}

fn collapse(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

#[test]
fn labels_become_file_names() {
    assert_eq!(
        file_name("Koordinator: /medarbejdere/ny"),
        "koordinator-medarbejdere-ny"
    );
    assert_eq!(file_name("Æ!"), "page");
}

//! Real-browser tests: headless Chromium driven through chromedriver (fantoccini), the
//! main journeys of every role clicked through, and axe-core (WCAG 2.1 A/AA) on every
//! page visited. Only with `cargo test --features browser`.
#![cfg(feature = "browser")]

#[path = "../support/mod.rs"]
mod support;

mod applications;
mod axe;
mod browser;
mod calendar;
mod daily;
mod insight;
mod journeys;
mod lat;
mod loans;
mod mail;
mod retention;
mod sessions;
mod sign_in;
mod stale;
mod statistics;
mod tours;
mod training;

/// The checks the other tests rely on: the browser enforces the app's CSP (an inline
/// script added to the page does not run) yet runs WebDriver scripts, so axe can be
/// injected; and the audit does fail on a page with a violation.
#[tokio::test]
async fn the_audit_runs_under_the_csp_and_reports_violations() {
    let app = support::TestApp::spawn().await;
    browser::browse("audit self-check", &app.base, |tab| async move {
        tab.open("/login").await;
        let ran = tab
            .client
            .execute(
                "const s = document.createElement('script');
                 s.textContent = 'window.__inlineRan = true;';
                 document.head.appendChild(s);
                 return [window.__inlineRan === true, typeof window.DKFDS];",
                vec![],
            )
            .await
            .expect("WebDriver runs scripts despite the CSP");
        assert_eq!(
            ran,
            serde_json::json!([false, "object"]),
            "[inline script ran, dkfds loaded from /static]"
        );
        tab.audit("login page").await;

        tab.client
            .execute(
                "document.querySelector('label[for=email]').remove();",
                vec![],
            )
            .await
            .expect("remove the e-mail field's label");
        let label = "self-check login page without a label";
        let client = tab.client.clone();
        let audit = tokio::spawn(async move { axe::audit_page(&client, label).await }).await;
        let message = match audit {
            Err(err) if err.is_panic() => browser::panic_message(err.into_panic()),
            other => panic!("the audit passed a field without a label: {other:?}"),
        };
        assert!(
            message.contains("- label (critical)") && message.contains("#email"),
            "the audit names the rule and the field: {message}"
        );
        assert!(message.contains(label), "and the page: {message}");
        let screenshot = message
            .rsplit("screenshot: ")
            .next()
            .unwrap_or_default()
            .trim();
        assert!(
            std::path::Path::new(screenshot).is_file(),
            "and saves a screenshot: {message}"
        );
        let _ = std::fs::remove_file(screenshot);
    })
    .await;
}

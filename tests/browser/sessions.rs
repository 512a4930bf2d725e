//! The warning before the idle timeout (WCAG 2.2.1), with a short timeout: it comes,
//! the user stays logged in and saves the form they were filling after the original
//! timeout has passed; and when the time runs out, what they typed stays on the page and
//! can be sent after logging in again in another window. axe runs on the open modal.

use std::time::{Duration, Instant};

use fantoccini::Locator;
use serde_json::Value;

use crate::browser::{Tab, browse};
use crate::support::{PASSWORD, TestApp};

const COORDINATOR: &str = "koordinator.aarhus@example.org";
/// Seconds; the warning comes 8 seconds before the end (a third of it, at most 2 minutes).
const IDLE_TIMEOUT: i64 = 24;

/// The modal's state: `None` while closed, else the state whose heading shows.
async fn warning(tab: &Tab) -> Option<String> {
    let state = tab
        .client
        .execute(
            "const modal = document.getElementById('korps-session-timeout');
             if (!modal || modal.getAttribute('aria-hidden') !== 'false') { return null; }
             const shown = [...modal.querySelectorAll('.modal-title [data-session-state]')]
               .find((part) => !part.hidden);
             return shown ? shown.getAttribute('data-session-state') : 'open';",
            vec![],
        )
        .await
        .expect("read the modal");
    match state {
        Value::String(state) => Some(state),
        _ => None,
    }
}

async fn wait_for_warning(tab: &Tab, expected: Option<&str>, within: Duration) {
    let deadline = Instant::now() + within;
    loop {
        let state = warning(tab).await;
        if state.as_deref() == expected {
            return;
        }
        assert!(
            Instant::now() < deadline,
            "the warning is {state:?}, not {expected:?}, after {} s",
            within.as_secs()
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

/// Clicks a button of the modal (no new page comes).
async fn click_in_modal(tab: &Tab, text: &str) {
    let xpath = format!("//*[@id='korps-session-timeout']//button[normalize-space()='{text}']");
    let button = tab
        .client
        .find(Locator::XPath(&xpath))
        .await
        .unwrap_or_else(|err| panic!("no button “{text}” in the modal: {err}"));
    button
        .click()
        .await
        .unwrap_or_else(|err| panic!("click “{text}”: {err}"));
}

/// Opens the coaching page and fills its form for someone not yet coached this month;
/// returns who.
async fn fill_coaching(tab: &Tab, best_hopes: &str) -> String {
    tab.open("/coaching").await;
    let notice = tab.text("main .alert-info .alert-text").await;
    let member = notice
        .strip_prefix("Mangler coaching i denne måned: ")
        .and_then(|names| names.split(", ").next())
        .unwrap_or_else(|| panic!("someone is not coached this month: {notice}"))
        .to_string();
    tab.choose("Mentor/forældrecoach", &member).await;
    tab.fill("Bedste håb", best_hopes).await;
    tab.click("input[name=scale][value='7']").await;
    tab.fill("Næste lille skridt", "Et opfølgende møde").await;
    member
}

#[tokio::test]
async fn the_warning_comes_before_the_timeout_and_staying_keeps_the_form_to_save() {
    let app = TestApp::spawn_with(|config| config.idle_timeout = IDLE_TIMEOUT).await;
    browse("session warning – stay", &app.base, |tab| async move {
        tab.log_in(COORDINATOR, PASSWORD).await;
        let typed = "Bedste håb: at komme videre efter pausen.";
        fill_coaching(&tab, typed).await;
        let loaded = Instant::now();
        assert_eq!(warning(&tab).await, None, "no warning while there is time");

        wait_for_warning(&tab, Some("idle"), Duration::from_secs(30)).await;
        let warned_after = loaded.elapsed().as_secs();
        assert!(
            (12..IDLE_TIMEOUT as u64).contains(&warned_after),
            "the warning comes shortly before the end, after {warned_after} s"
        );
        let text = tab.text("#korps-session-timeout .modal-body").await;
        assert!(
            text.contains("Af sikkerhedshensyn bliver du logget ud om")
                && text.contains("sekunder"),
            "{text}"
        );
        assert_eq!(
            tab.text("#korps-session-timeout-heading").await,
            "Du bliver snart logget ud"
        );
        let focused = tab
            .client
            .execute(
                "return document.activeElement.closest('#korps-session-timeout') !== null;",
                vec![],
            )
            .await
            .unwrap();
        assert_eq!(focused, Value::Bool(true), "the focus is in the warning");
        tab.audit("coordinator – session warning").await;

        click_in_modal(&tab, "Forbliv logget ind").await;
        wait_for_warning(&tab, None, Duration::from_secs(5)).await;
        assert_eq!(
            tab.value_of("Bedste håb").await,
            typed,
            "what was typed stays"
        );

        // Past the end the session would have had without staying.
        let past = Duration::from_secs(IDLE_TIMEOUT as u64 + 2);
        if let Some(rest) = past.checked_sub(loaded.elapsed()) {
            tokio::time::sleep(rest).await;
        }
        assert_eq!(warning(&tab).await, None);
        tab.press("Gem").await;
        tab.assert_message("Coachingen er registreret.").await;
        let rows = tab.texts("tbody tr").await;
        assert!(
            rows.iter().any(|row| row.contains(typed)),
            "the coaching is saved: {rows:?}"
        );
    })
    .await;
}

#[tokio::test]
async fn when_the_time_runs_out_the_typed_text_stays_and_is_saved_after_a_new_login() {
    let app = TestApp::spawn_with(|config| config.idle_timeout = IDLE_TIMEOUT).await;
    browse("session warning – ended", &app.base, |tab| async move {
        tab.client
            .set_window_size(360, 800)
            .await
            .expect("a phone-sized window");
        tab.log_in(COORDINATOR, PASSWORD).await;
        let typed = "Bedste håb: at det skrevne ikke går tabt.";
        fill_coaching(&tab, typed).await;
        wait_for_warning(&tab, Some("idle"), Duration::from_secs(30)).await;
        tab.audit("coordinator – session warning at 360 px").await;
        wait_for_warning(&tab, Some("ended"), Duration::from_secs(15)).await;
        let text = tab.text("#korps-session-timeout .modal-body").await;
        assert!(text.contains("står stadig på siden"), "{text}");
        tab.audit("coordinator – session ended at 360 px").await;

        // Closed, the page is there with what was typed; sending it is held back.
        click_in_modal(&tab, "Luk").await;
        wait_for_warning(&tab, None, Duration::from_secs(5)).await;
        assert_eq!(tab.value_of("Bedste håb").await, typed);
        tab.click("main form[action='/coaching'] button[type=submit]")
            .await;
        wait_for_warning(&tab, Some("ended"), Duration::from_secs(5)).await;
        assert_eq!(tab.path().await, "/coaching", "the form was not sent");

        // Logging in again in another window hands this page the new session.
        let this_window = tab.client.window().await.unwrap();
        tab.click("#korps-session-timeout a[href='/login']").await;
        let deadline = Instant::now() + Duration::from_secs(10);
        let other = loop {
            let windows = tab.client.windows().await.unwrap();
            if let Some(other) = windows.into_iter().find(|w| *w != this_window) {
                break other;
            }
            assert!(Instant::now() < deadline, "no new window");
            tokio::time::sleep(Duration::from_millis(100)).await;
        };
        tab.client.switch_to_window(other).await.unwrap();
        let deadline = Instant::now() + Duration::from_secs(10);
        while !tab.path().await.starts_with("/login") || !tab.has("#email").await {
            assert!(
                Instant::now() < deadline,
                "the login page in the new window"
            );
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        tab.log_in(COORDINATOR, PASSWORD).await;
        assert_eq!(tab.path().await, "/");
        tab.client.close_window().await.unwrap();
        tab.client.switch_to_window(this_window).await.unwrap();

        wait_for_warning(&tab, None, Duration::from_secs(5)).await;
        assert_eq!(tab.value_of("Bedste håb").await, typed);
        tab.press("Gem").await;
        tab.assert_message("Coachingen er registreret.").await;
        let rows = tab.texts("tbody tr").await;
        assert!(
            rows.iter().any(|row| row.contains(typed)),
            "what was typed before the timeout is saved: {rows:?}"
        );
    })
    .await;
}

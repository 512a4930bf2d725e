//! Every demo login, logged in through the form, and every page that role can reach,
//! each checked with axe (WCAG 2.1 A and AA): 0 violations.

use crate::browser::{Tab, browse};
use crate::support::{PASSWORD, TestApp};

/// Audits the login page, logs in as `email` through the form, and checks that the start
/// page shows the role's section.
async fn log_in_to_the_start_page(tab: &Tab, who: &str, email: &str, section: &str) {
    tab.open("/login").await;
    assert_eq!(tab.text("h1").await, "Log ind på Korps");
    tab.audit(&format!("{who} – login page")).await;
    tab.log_in(email, PASSWORD).await;
    assert_eq!(tab.path().await, "/", "{who} lands on the start page");
    assert_eq!(tab.text("h1").await, "Det, der kræver din opmærksomhed");
    let sections = tab.texts("main h2").await;
    assert!(
        sections.iter().any(|heading| heading == section),
        "{who} sees the section “{section}”: {sections:?}"
    );
    tab.audit(&format!("{who} – start page")).await;
}

/// Opens `path`, checks it is not an error page, and audits it.
async fn audit_at(tab: &Tab, who: &str, path: &str) {
    tab.open(path).await;
    tab.audit_here(&format!("{who} – {path}")).await;
}

/// Audits every menu link, then /konto, /beskeder, /tilgaengelighed and `more`, then the
/// 404 page.
/// Returns the menu's links, as read from the page.
async fn audit_reachable_pages(tab: &Tab, who: &str, more: &[&str]) -> Vec<String> {
    let menu = tab.hrefs("nav.nav a.nav-link").await;
    assert!(!menu.is_empty(), "{who} has a menu");
    let mut paths: Vec<String> = Vec::new();
    for path in menu
        .iter()
        .map(String::as_str)
        .chain(["/konto", "/beskeder", "/tilgaengelighed"])
        .chain(more.iter().copied())
    {
        // The start page is audited already.
        if path != "/" && !paths.iter().any(|seen| seen == path) {
            paths.push(path.to_string());
        }
    }
    for path in &paths {
        audit_at(tab, who, path).await;
    }
    tab.open("/findes-ikke").await;
    assert_eq!(tab.text("h1").await, "Siden findes ikke");
    tab.audit(&format!("{who} – 404 page")).await;
    menu
}

/// The menu offers `expected` and none of `not_theirs`. (That every link it offers opens a
/// page rather than an error is checked while visiting them.)
fn assert_menu(menu: &[String], who: &str, expected: &[&str], not_theirs: &[&str]) {
    for path in expected {
        assert!(
            menu.iter().any(|href| href == path),
            "{who}'s menu offers {path}: {menu:?}"
        );
    }
    for path in not_theirs {
        assert!(
            !menu.iter().any(|href| href == path),
            "{who}'s menu leaves out {path}: {menu:?}"
        );
    }
}

async fn national_staff_tour(tab: Tab) {
    let who = "national staff";
    log_in_to_the_start_page(&tab, who, "national@example.org", "Nationalt center").await;
    let menu = audit_reachable_pages(
        &tab,
        who,
        &[
            "/kommuner/ny",
            "/uddannelse/hold/ny",
            "/uddannelse/arrangementer/ny",
        ],
    )
    .await;
    assert_menu(
        &menu,
        who,
        &["/", "/kommuner", "/uddannelse", "/korpsoversigt"],
        &["/medarbejdere", "/adgangslog"],
    );

    tab.open("/uddannelse").await;
    tab.follow_xpath("(//table[@id='cohorts']//td[1]/a)[1]")
        .await;
    tab.audit_here(&format!("{who} – a cohort")).await;
    tab.follow_xpath("(//table[@id='modules']//a)[1]").await;
    tab.audit_here(&format!("{who} – attendance of a module"))
        .await;
    tab.open("/uddannelse").await;
    tab.follow_xpath("(//table[@id='events']//td[1]/a)[1]")
        .await;
    tab.audit_here(&format!("{who} – an event's attendance"))
        .await;

    tab.open("/kommuner").await;
    tab.follow("Odense").await;
    assert_eq!(tab.text("h1").await, "Odense");
    tab.audit_here(&format!("{who} – a municipality")).await;
}

async fn coordinator_tour(tab: Tab, who: &'static str, email: &'static str) {
    log_in_to_the_start_page(&tab, who, email, "Koordinator").await;
    let menu = audit_reachable_pages(&tab, who, &["/medarbejdere/ny", "/adgangslog"]).await;
    assert_menu(
        &menu,
        who,
        &["/", "/medarbejdere", "/adgangslog", "/uddannelse"],
        &["/kommuner", "/korpsoversigt"],
    );

    // A cohort with the seats and, for an approved municipality, the nomination form.
    tab.open("/uddannelse").await;
    tab.follow_xpath("(//table[@id='cohorts']//td[1]/a)[1]")
        .await;
    tab.audit_here(&format!("{who} – a cohort")).await;

    // Coordinators' own accounts are managed nationally; pick a mentor or parent coach.
    tab.open("/medarbejdere").await;
    tab.follow_xpath("(//tbody/tr[not(td[3][contains(., 'Koordinator')])]/td[1]/a)[1]")
        .await;
    let name = tab.text("h1").await;
    tab.audit_here(&format!("{who} – a staff member")).await;

    tab.follow("Deaktivér").await;
    assert_eq!(tab.text("h1").await, "Deaktivér medarbejder");
    assert!(
        tab.text("main .font-lead").await.starts_with(&name),
        "the confirmation names {name}"
    );
    tab.audit_here(&format!("{who} – deactivate confirmation"))
        .await;

    tab.follow("Annullér").await;
    assert_eq!(tab.text("h1").await, name, "cancel goes back to the person");
    tab.follow("Send link til ny adgangskode").await;
    assert_eq!(tab.text("h1").await, "Send link til ny adgangskode");
    tab.audit_here(&format!("{who} – reset-password confirmation"))
        .await;
}

async fn member_tour(tab: Tab, who: &'static str, email: &'static str) {
    log_in_to_the_start_page(&tab, who, email, "Mine forløb").await;
    let menu = audit_reachable_pages(&tab, who, &[]).await;
    assert_menu(
        &menu,
        who,
        &["/"],
        &["/kommuner", "/medarbejdere", "/adgangslog"],
    );
}

#[tokio::test]
async fn national_staff_reach_their_pages_and_each_passes_axe() {
    let app = TestApp::spawn().await;
    browse("tour national", &app.base, national_staff_tour).await;
}

#[tokio::test]
async fn the_aarhus_coordinator_reaches_their_pages_and_each_passes_axe() {
    let app = TestApp::spawn().await;
    browse("tour koordinator aarhus", &app.base, |tab| {
        coordinator_tour(tab, "coordinator Aarhus", "koordinator.aarhus@example.org")
    })
    .await;
}

#[tokio::test]
async fn the_odense_coordinator_reaches_their_pages_and_each_passes_axe() {
    let app = TestApp::spawn().await;
    browse("tour koordinator odense", &app.base, |tab| {
        coordinator_tour(tab, "coordinator Odense", "koordinator.odense@example.org")
    })
    .await;
}

/// A list long enough for the paging to leave numbers out on both sides of the current
/// page (the audit log, once it has grown) passes axe: its paging is a list of list items.
#[tokio::test]
async fn a_long_list_with_its_paging_passes_axe() {
    let app = TestApp::spawn().await;
    app.grow_audit_log("Aarhus", 1000).await;
    browse("long list", &app.base, |tab| async move {
        tab.log_in("koordinator.aarhus@example.org", PASSWORD).await;
        tab.open("/adgangslog?page=10").await;
        assert_eq!(tab.text("nav.pagination a[aria-current=page]").await, "10");
        assert_eq!(
            tab.texts("nav.pagination .pagination-overflow").await.len(),
            2
        );
        tab.audit_here("coordinator – the audit log, page 10").await;
    })
    .await;
}

/// On a phone (360 px wide) the lists stay within the screen: a table scrolls in its own
/// box, and the screen-reader text of the sorted column stays in it too. The paging
/// arrows keep their names ("Forrige side", "Næste side") for screen readers, and the
/// page passes axe.
#[tokio::test]
async fn long_lists_on_a_phone_stay_within_the_screen() {
    let app = TestApp::spawn().await;
    app.grow_audit_log("Aarhus", 1000).await;
    browse("lists on a phone", &app.base, |tab| async move {
        tab.log_in("koordinator.aarhus@example.org", PASSWORD).await;
        tab.client
            .set_window_size(360, 800)
            .await
            .expect("a phone-sized window");
        for path in ["/borgere", "/forloeb", "/korps", "/adgangslog?page=10"] {
            tab.open(path).await;
            let widths = tab
                .client
                .execute(
                    "return [document.documentElement.scrollWidth, window.innerWidth];",
                    vec![],
                )
                .await
                .expect("the page's widths");
            assert!(
                widths[0].as_u64() <= widths[1].as_u64() && widths[1].as_u64() <= Some(360),
                "{path}: the page is wider than the screen: {widths}"
            );
        }
        let arrows = tab
            .client
            .execute(
                "return [...document.querySelectorAll('nav.pagination a.button-arrow')]
                    .map(a => a.innerText.trim());",
                vec![],
            )
            .await
            .expect("the paging arrows");
        assert_eq!(arrows, serde_json::json!(["Forrige side", "Næste side"]));
        tab.audit_here("coordinator – the audit log on a phone, page 10")
            .await;
    })
    .await;
}

/// The mentor and the parent coach of a municipality, one after the other in one browser,
/// logging out with the header button in between.
async fn members_tour(tab: Tab, members: [(&'static str, &'static str); 2]) {
    for (who, email) in members {
        member_tour(tab.clone(), who, email).await;
        tab.log_out().await;
        assert_eq!(tab.path().await, "/login");
    }
}

#[tokio::test]
async fn the_aarhus_mentor_and_parent_coach_reach_their_pages_and_each_passes_axe() {
    let app = TestApp::spawn().await;
    browse("tour members aarhus", &app.base, |tab| {
        members_tour(
            tab,
            [
                ("mentor Aarhus", "mentor.aarhus@example.org"),
                ("parent coach Aarhus", "coach.aarhus@example.org"),
            ],
        )
    })
    .await;
}

#[tokio::test]
async fn the_odense_mentor_and_parent_coach_reach_their_pages_and_each_passes_axe() {
    let app = TestApp::spawn().await;
    browse("tour members odense", &app.base, |tab| {
        members_tour(
            tab,
            [
                ("mentor Odense", "mentor.odense@example.org"),
                ("parent coach Odense", "coach.odense@example.org"),
            ],
        )
    })
    .await;
}

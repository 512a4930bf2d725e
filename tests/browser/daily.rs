//! The daily work clicked through: a coordinator registers a citizen and matches them, the
//! chosen mentor logs a session, an overdue contact item comes and goes, a course moves
//! through its lifecycle, another municipality sees nothing, and the corps, profile,
//! coaching and network pages. axe runs on every page visited.

use std::sync::Arc;

use korps::clock;

use crate::browser::{Tab, browse};
use crate::support::{PASSWORD, TestApp};

const COORDINATOR: &str = "koordinator.aarhus@example.org";
const CITIZEN: &str = "Karim Nasser";
const COURSE: &str = "Mentorforløb · Karim Nasser";
const REASON_LABEL: &str = "Begrundelse, hvis du vælger en anden end nr. 1 (frivilligt)";
const WEEKLY_CONTACT: &str = "Ingen kontakt i mere end 7 dage (mindst ugentlig kontakt)";

fn today() -> String {
    clock::format_date(clock::today())
}

/// The due items on the page (start page or course page), whitespace collapsed.
async fn due_items(tab: &Tab) -> Vec<String> {
    tab.texts(".korps-due-list li").await
}

/// Fills the session form as a mentor does and saves it.
async fn log_session(tab: &Tab, kind: &str, notes: &str) {
    tab.fill("Dato", &today()).await;
    tab.fill("Varighed", "60").await;
    tab.tick(kind).await;
    tab.fill("Deltog (frivilligt)", "Mentee").await;
    tab.fill("Noter (frivilligt)", notes).await;
    tab.press("Gem").await;
    tab.assert_message("Sessionen er registreret.").await;
}

#[tokio::test]
async fn a_citizen_is_registered_and_matched_the_mentor_logs_a_session_and_odense_sees_nothing() {
    let app = Arc::new(TestApp::spawn().await);
    let db = app.clone();
    browse("daily register and match", &app.base, |tab| async move {
        tab.log_in(COORDINATOR, PASSWORD).await;
        tab.menu("Borgere").await;
        tab.audit_here("coordinator – citizens").await;
        tab.follow("Registrér borger").await;
        assert_eq!(tab.path().await, "/borgere/ny");
        tab.audit_here("coordinator – new citizen form").await;

        tab.press("Gem").await;
        assert_eq!(
            tab.field_error("kind").await,
            "Vælg, om borgeren er mentee eller forælder/pårørende."
        );
        assert_eq!(tab.field_error("name").await, "Indtast navnet.");
        assert_eq!(
            tab.field_error("criteria").await,
            "Vælg mindst ét målgruppekriterium."
        );
        assert_eq!(
            tab.attr("#name", "aria-invalid").await.as_deref(),
            Some("true")
        );
        tab.audit_here("coordinator – new citizen form with errors")
            .await;

        tab.choose("Borgertype", "Mentee").await;
        tab.fill("Navn", CITIZEN).await;
        tab.fill("Fødselsår (frivilligt)", "2008").await;
        tab.choose("Køn (frivilligt)", "Mand").await;
        tab.fill("Visiteret", &today()).await;
        tab.choose("Henvist fra", "Infohus").await;
        tab.tick("Viser konkrete bekymringstegn").await;
        tab.choose("Lovgrundlag", "Serviceloven").await;
        tab.choose("Ønsket køn (frivilligt)", "Mand").await;
        tab.tick("ekstremisme").await;
        tab.press("Gem").await;

        assert_eq!(tab.text("h1").await, CITIZEN);
        tab.assert_message("Borgeren er registreret.").await;
        let citizen_path = tab.path().await;
        let facts = tab.texts(".korps-facts dd").await;
        assert!(
            facts
                .iter()
                .any(|fact| fact.contains("Viser konkrete bekymringstegn")),
            "the criterion is shown: {facts:?}"
        );
        tab.audit_here("coordinator – new citizen").await;

        tab.choose("Samtykke til", "Deltagelse i indsatsen").await;
        tab.choose("Givet af", "Forældremyndighedsindehaver").await;
        tab.press("Registrér samtykke").await;
        tab.assert_message("Samtykket er registreret.").await;
        let consents = tab.texts("#samtykker ~ div tbody tr").await;
        assert!(
            consents
                .iter()
                .any(|row| row.contains("Deltagelse i indsatsen")
                    && row.contains("Forældremyndighedsindehaver")
                    && row.contains("Gælder")),
            "the consent is listed: {consents:?}"
        );
        tab.audit_here("coordinator – citizen with a consent").await;

        tab.choose("Forløbstype", "Mentorforløb").await;
        tab.press("Opret forløb").await;
        assert!(
            tab.path().await.ends_with("/match"),
            "a new course goes to matching: {}",
            tab.path().await
        );
        assert_eq!(tab.text("h1").await, "Match med mentor eller forældrecoach");
        assert_eq!(tab.text("main .font-lead").await, COURSE);
        let course_path = tab.path().await.trim_end_matches("/match").to_string();

        let candidates = tab.texts(".korps-candidate label").await;
        assert!(
            candidates.len() >= 2,
            "at least two candidates in Aarhus: {candidates:?}"
        );
        let explained = tab
            .client
            .execute(
                "return [...document.querySelectorAll('.korps-candidate')]
                   .map((card) => card.querySelectorAll('.korps-reasons li').length);",
                vec![],
            )
            .await
            .expect("count each candidate's reasons");
        assert!(
            explained
                .as_array()
                .is_some_and(|counts| counts.iter().all(|n| n.as_u64() > Some(0))),
            "every candidate is explained: {explained}"
        );
        let reasons = tab.texts(".korps-candidate .korps-reasons li").await;
        assert!(
            reasons.iter().all(|reason| {
                let points = reason.split(' ').next().unwrap_or_default();
                (points.starts_with('+') || points.starts_with('-'))
                    && points[1..].parse::<u32>().is_ok()
            }),
            "every reason carries its points: {reasons:?}"
        );
        assert!(
            reasons.iter().any(|reason| reason.contains("ekstremisme")),
            "the needed experience is explained: {reasons:?}"
        );
        assert!(
            reasons.iter().any(|reason| reason.contains("ønskede køn")),
            "the preferred gender is explained: {reasons:?}"
        );
        let corps = tab.texts("main .card:not(.korps-candidate)").await;
        assert!(!corps.is_empty(), "the rest of the corps is listed");
        assert!(
            corps
                .iter()
                .all(|card| card.contains("Kræver udlån") && !card.contains("Aarhus")),
            "other municipalities' members need a loan: {corps:?}"
        );
        tab.audit_here("coordinator – matching").await;

        let second = candidates[1].clone();
        let mentor = tab.texts(".korps-candidate label strong").await[1]
            .trim_start_matches("2. ")
            .to_string();
        tab.tick(&second).await;
        tab.press("Tildel forløbet").await;
        assert_eq!(
            tab.field_error("reason").await,
            "Skriv, hvorfor du vælger en anden end den bedst placerede kandidat."
        );
        assert!(tab.is_ticked(&second).await, "the choice is kept");
        tab.audit_here("coordinator – matching without a reason")
            .await;

        tab.fill(REASON_LABEL, "Kender familiens sprog og kultur")
            .await;
        tab.press("Tildel forløbet").await;
        assert_eq!(tab.path().await, course_path);
        assert_eq!(tab.text("h1").await, COURSE);
        tab.assert_message(&format!("Forløbet er tildelt {mentor}."))
            .await;
        let lead = tab.text("main .font-lead").await;
        assert!(
            lead.contains("Matchet") && lead.contains(&format!("Mentor/forældrecoach: {mentor}")),
            "{lead}"
        );
        assert!(
            tab.texts("main dd")
                .await
                .contains(&"Kender familiens sprog og kultur".to_string()),
            "the reason is shown"
        );
        tab.audit_here("coordinator – matched course").await;

        // The course is listed on the citizen's page.
        tab.follow(CITIZEN).await;
        assert_eq!(tab.path().await, citizen_path);
        let courses = tab.texts("#forloeb + ul li").await;
        assert!(
            courses
                .iter()
                .any(|row| row.contains("Mentorforløb") && row.contains(&mentor)),
            "{courses:?}"
        );

        // The chosen mentor (all demo logins share the password) logs in.
        let email: String = {
            let mut conn = db.owner_conn().await;
            sqlx::query_scalar("SELECT email FROM users WHERE name = $1")
                .bind(&mentor)
                .fetch_one(&mut conn)
                .await
                .expect("the chosen mentor's e-mail")
        };
        tab.log_out().await;
        tab.log_in(&email, PASSWORD).await;
        assert_eq!(tab.path().await, "/");
        let own = tab.texts("#member-heading ~ .row li").await;
        assert!(
            own.iter()
                .any(|row| row.contains(COURSE) && row.contains("Matchet")),
            "{mentor} sees the new course: {own:?}"
        );
        tab.audit_here("mentor – start page with the new course")
            .await;

        tab.follow(&format!("Registrér session: {COURSE}")).await;
        assert_eq!(tab.path().await, format!("{course_path}/sessioner/ny"));
        assert_eq!(tab.value_of("Dato").await, today(), "today by default");
        tab.audit_here("mentor – session form").await;

        log_session(&tab, "Formøde", "Første møde; aftalte at ses hver tirsdag.").await;
        assert_eq!(tab.path().await, course_path);
        assert_eq!(
            tab.texts("#sessioner ~ .card h3").await,
            [format!("{} · Formøde · 60 min.", today())]
        );
        assert_eq!(
            tab.texts("#sessioner ~ .card .korps-notes").await,
            ["Første møde; aftalte at ses hver tirsdag."]
        );
        tab.audit_here("mentor – course with a session").await;

        // Another municipality's coordinator cannot tell the citizen or course exist.
        tab.log_out().await;
        tab.log_in("koordinator.odense@example.org", PASSWORD).await;
        for path in [&citizen_path, &course_path] {
            tab.open(path).await;
            assert_eq!(tab.text("h1").await, "Siden findes ikke", "{path}");
        }
        tab.audit("coordinator Odense – an Aarhus course").await;
    })
    .await;
}

#[tokio::test]
async fn an_overdue_contact_item_appears_and_goes_when_the_mentor_logs_a_session() {
    let app = Arc::new(TestApp::spawn().await);
    // Ahmad Rahimi's longest-running active mentor course: the last contact was ten days ago.
    let (course, citizen): (uuid::Uuid, String) = {
        let mut conn = app.owner_conn().await;
        let found: (uuid::Uuid, String) = sqlx::query_as(
            "SELECT c.id, z.name FROM courses c
               JOIN corps_members cm ON cm.id = c.member_id JOIN users u ON u.id = cm.user_id
               JOIN course_participants p ON p.course_id = c.id JOIN citizens z ON z.id = p.citizen_id
             WHERE u.email = 'mentor.aarhus@example.org' AND c.kind = 'mentor' AND c.state = 'active'
             ORDER BY c.started_on LIMIT 1",
        )
        .fetch_one(&mut conn)
        .await
        .expect("an active mentor course of mentor.aarhus");
        sqlx::query(
            "DELETE FROM course_session_versions WHERE session_id IN
               (SELECT id FROM course_sessions WHERE course_id = $1)",
        )
        .bind(found.0)
        .execute(&mut conn)
        .await
        .expect("drop earlier versions");
        sqlx::query(
            "UPDATE course_sessions SET held_on = least(held_on, current_date - 10) WHERE course_id = $1",
        )
        .bind(found.0)
        .execute(&mut conn)
        .await
        .expect("last contact ten days ago");
        sqlx::query(
            "UPDATE courses SET started_on = least(started_on, current_date - 10) WHERE id = $1",
        )
        .bind(found.0)
        .execute(&mut conn)
        .await
        .expect("started at least ten days ago");
        found
    };
    let name = format!("Mentorforløb · {citizen}");
    browse("daily overdue contact", &app.base, |tab| async move {
        let overdue = |items: &[String]| {
            items.iter().any(|item| {
                item.starts_with("Overskredet")
                    && item.contains(&format!("{name}: {WEEKLY_CONTACT}"))
            })
        };
        tab.log_in("mentor.aarhus@example.org", PASSWORD).await;
        let items = due_items(&tab).await;
        assert!(overdue(&items), "{name} is overdue: {items:?}");
        tab.audit_here("mentor – start page with an overdue item")
            .await;

        tab.follow(&format!("{name}: {WEEKLY_CONTACT}")).await;
        assert_eq!(tab.path().await, format!("/forloeb/{course}"));
        let items = due_items(&tab).await;
        assert!(
            items
                .iter()
                .any(|item| item.starts_with("Overskredet") && item.contains(WEEKLY_CONTACT)),
            "the course page shows the item too: {items:?}"
        );
        tab.audit_here("mentor – overdue course").await;

        tab.follow("Registrér session").await;
        log_session(
            &tab,
            "Telefon- eller onlinekontakt",
            "Ringede; aftalte møde fredag.",
        )
        .await;
        // Contact today: nothing is due on this course for the next five days.
        let items = due_items(&tab).await;
        assert!(
            !items.iter().any(|item| item.contains(WEEKLY_CONTACT)),
            "the course page no longer asks for contact: {items:?}"
        );
        tab.menu("Forside").await;
        let items = due_items(&tab).await;
        assert!(!overdue(&items), "the item is gone: {items:?}");

        tab.menu("Min profil").await;
        assert_eq!(tab.path().await, "/min-profil");
        assert_eq!(tab.text("h1").await, "Min profil");
        tab.audit_here("mentor – my profile").await;
    })
    .await;
}

#[tokio::test]
async fn a_coordinator_filters_courses_moves_one_on_and_opens_a_handover() {
    let app = TestApp::spawn().await;
    browse("daily lifecycle", &app.base, |tab| async move {
        tab.log_in(COORDINATOR, PASSWORD).await;
        tab.menu("Forløb").await;
        tab.choose("Forløbstype", "Mentorforløb").await;
        tab.choose("Status", "Matchet").await;
        tab.press("Filtrér").await;
        let rows = tab.texts("tbody tr").await;
        assert!(!rows.is_empty(), "a matched demo course");
        assert!(
            tab.texts("tbody td:nth-child(3)")
                .await
                .iter()
                .all(|state| state == "Matchet"),
            "only matched courses: {rows:?}"
        );
        assert!(
            tab.texts("tbody td:nth-child(2)")
                .await
                .iter()
                .all(|kind| kind == "Mentorforløb"),
            "only mentor courses: {rows:?}"
        );
        tab.audit_here("coordinator – courses filtered").await;

        tab.follow_xpath("(//tbody/tr/td[1]/a)[1]").await;
        assert!(tab.text("main .font-lead").await.contains("Matchet"));
        tab.press("Gå videre til: Formøde").await;
        tab.assert_message("Forløbet er nu: Formøde.").await;
        assert!(tab.text("main .font-lead").await.contains("Formøde"));
        tab.audit_here("coordinator – course at pre-meeting").await;
        tab.press("Gå videre til: Aktivt").await;
        tab.assert_message("Forløbet er nu: Aktivt.").await;
        assert!(tab.text("main .font-lead").await.contains("Aktivt"));
        let history = tab.texts("main h2 + ul li").await;
        assert!(!history.is_empty());
        tab.audit_here("coordinator – active course").await;

        tab.menu("Forløb").await;
        tab.choose("Status", "Afsluttes").await;
        tab.press("Filtrér").await;
        tab.follow_xpath("(//tbody/tr/td[1]/a)[1]").await;
        assert!(tab.text("main .font-lead").await.contains("Afsluttes"));
        tab.audit_here("coordinator – ending course").await;
        let ending = tab.text("h1").await;
        tab.follow("Overdragelse til sagsbehandler").await;
        assert_eq!(tab.text("h1").await, "Overdragelse til sagsbehandler");
        assert_eq!(tab.text("main .font-lead").await, ending);
        tab.audit_here("coordinator – handover").await;
    })
    .await;
}

#[tokio::test]
async fn a_coordinator_uses_the_corps_coaching_and_network_pages() {
    let app = TestApp::spawn().await;
    browse("daily corps and coaching", &app.base, |tab| async move {
        tab.log_in(COORDINATOR, PASSWORD).await;
        tab.menu("Korps").await;
        assert_eq!(tab.text("h1").await, "Korpset");
        tab.audit_here("coordinator – corps").await;
        tab.follow("Ahmad Rahimi").await;
        assert_eq!(tab.text("h1").await, "Ahmad Rahimi");
        assert!(
            tab.value_of("Kapacitet (antal samtidige forløb)")
                .await
                .parse::<u8>()
                .is_ok()
        );
        tab.audit_here("coordinator – a member's profile").await;

        tab.menu("Coaching").await;
        let missing = "Mangler coaching i denne måned: ";
        let notice = tab.text("main .alert-info .alert-text").await;
        let uncoached = notice
            .strip_prefix(missing)
            .and_then(|names| names.split(", ").next())
            .unwrap_or_else(|| panic!("someone is not coached this month: {notice}"))
            .to_string();
        tab.audit_here("coordinator – coaching").await;
        tab.choose("Mentor/forældrecoach", &uncoached).await;
        tab.fill("Bedste håb", "Bedste håb: ro i forløbet.").await;
        tab.click("input[name=scale][value='6']").await;
        tab.fill("Næste lille skridt", "Følge op om en måned").await;
        tab.press("Gem").await;
        tab.assert_message("Coachingen er registreret.").await;
        let rows = tab.texts("tbody tr").await;
        assert!(
            rows.iter().any(|row| row.contains(&today())
                && row.contains(&uncoached)
                && row.contains("Bedste håb: ro i forløbet.")),
            "the coaching is logged: {rows:?}"
        );
        let still_missing = tab.texts("main .alert-info .alert-text").await;
        assert!(
            !still_missing.iter().any(|text| text.contains(&uncoached)),
            "{uncoached} is coached this month now: {still_missing:?}"
        );
        tab.audit_here("coordinator – coaching recorded").await;

        tab.menu("Forløb").await;
        tab.follow("Opret pårørendenetværk").await;
        assert_eq!(tab.path().await, "/forloeb/nyt-netvaerk");
        tab.audit_here("coordinator – new network").await;
        tab.press("Opret forløb").await;
        assert_eq!(tab.field_error("title").await, "Giv netværket et navn.");
        assert_eq!(
            tab.field_error("participants").await,
            "Vælg mindst én deltager."
        );
        tab.audit_here("coordinator – new network with errors")
            .await;
    })
    .await;
}

#[tokio::test]
async fn a_mentor_fills_the_lat_tools_and_sees_the_rating_on_the_chart() {
    let app = Arc::new(TestApp::spawn().await);
    let course: uuid::Uuid = app
        .scalar(
            "SELECT c.id FROM courses c JOIN corps_members cm ON cm.id = c.member_id JOIN users u ON u.id = cm.user_id
             WHERE u.email = 'mentor.aarhus@example.org' AND c.kind = 'mentor' AND c.state = 'active'
             ORDER BY c.started_on LIMIT 1",
        )
        .await;
    browse("daily lat tools", &app.base, |tab| async move {
        tab.log_in("mentor.aarhus@example.org", PASSWORD).await;
        tab.open(&format!("/forloeb/{course}")).await;
        assert!(
            tab.has("svg.korps-chart").await,
            "the demo ratings are charted"
        );
        tab.audit_here("mentor – course with charts").await;

        tab.follow("Udfyld: Udviklings- og progressionsplan (UPP)")
            .await;
        tab.audit_here("mentor – development plan form").await;
        tab.press("Gem").await;
        assert_eq!(tab.field_error("progress").await, "Udfyld feltet.");
        tab.audit_here("mentor – development plan with errors")
            .await;

        tab.fill("Målet med borgerens ord", "Få en fritidsjob")
            .await;
        tab.click("input[name=progress][value='8']").await;
        tab.press("Gem").await;
        tab.assert_message("Udviklings- og progressionsplan (UPP) er gemt.")
            .await;
        let rows = tab.texts("#progression ~ .row table tbody tr").await;
        assert!(
            rows.iter()
                .any(|row| row.starts_with(&today()) && row.ends_with('8')),
            "{rows:?}"
        );

        tab.follow("Udviklings- og progressionsplan (UPP)").await;
        tab.audit_here("mentor – a filled development plan").await;

        tab.open(&format!(
            "/forloeb/{course}/redskaber/measurement?phase=post"
        ))
        .await;
        tab.audit_here("mentor – pre and post measurement form")
            .await;
        tab.open(&format!("/forloeb/{course}/redskaber/risk_assessment"))
            .await;
        tab.audit_here("mentor – risk assessment form").await;
    })
    .await;
}

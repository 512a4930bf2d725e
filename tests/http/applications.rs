//! Application rounds: national staff run rounds, coordinators apply (also jointly and with
//! the minutes file), national staff score and decide; the applicant sees the decision.

use uuid::Uuid;

use crate::support::{Client, TestApp};

const NATIONAL: &str = "national@example.org";
const AARHUS: &str = "koordinator.aarhus@example.org";
const ODENSE: &str = "koordinator.odense@example.org";

fn id_after(location: &str, prefix: &str) -> Uuid {
    let rest = location
        .strip_prefix(prefix)
        .unwrap_or_else(|| panic!("{location} does not start with {prefix}"));
    Uuid::parse_str(rest.split(['/', '?', '#']).next().unwrap()).unwrap()
}

/// Creates and opens a round; returns its id.
pub(crate) async fn open_round(national: &Client, kind: &str, title: &str, capacity: &str) -> Uuid {
    let form = national.get("/ansoegningsrunder/ny").await;
    let key = form.attr("input[name=form_key]", "value").unwrap();
    let created = national
        .post(
            "/ansoegningsrunder",
            &[
                ("kind", kind),
                ("title", title),
                ("description", "Se vejledningen."),
                ("deadline_date", "01-12-2099"),
                ("deadline_time", "12:00"),
                ("capacity", capacity),
                ("corps_until", "31-12-2101"),
                ("form_key", &key),
            ],
        )
        .await;
    assert_eq!(created.status, 303, "{}", created.text);
    let id = id_after(&created.location(), "/ansoegningsrunder/");
    let opened = national
        .post(&format!("/ansoegningsrunder/{id}/aabn"), &[])
        .await;
    assert_eq!(opened.status, 303);
    id
}

/// The coordinator starts an application to the round; returns its id.
pub(crate) async fn start(coordinator: &Client, round: Uuid) -> Uuid {
    let own = coordinator.get("/ansoegninger").await;
    let key = own.attr("input[name=form_key]", "value").unwrap();
    let started = coordinator
        .post(
            &format!("/ansoegningsrunder/{round}/ansoeg"),
            &[("form_key", &key)],
        )
        .await;
    assert_eq!(started.status, 303, "{}", started.text);
    id_after(&started.location(), "/ansoegninger/")
}

pub(crate) async fn version(client: &Client, application: Uuid) -> String {
    client
        .get(&format!("/ansoegninger/{application}/rediger"))
        .await
        .attr("input[name=version]", "value")
        .unwrap()
}

const TRAINING_ANSWERS: &[(&str, &str)] = &[
    ("programmes", "mentor"),
    ("programmes", "parent_coach"),
    ("mentor_candidates", "3"),
    ("parent_coach_candidates", "2"),
    (
        "challenges",
        "Flere unge i bydelen færdes i ekstremistiske miljøer.",
    ),
    (
        "organisation_staff",
        "Fire medarbejdere i SSP og familieafdelingen.",
    ),
    ("organisation_responsible", "Chefen for Børn og Unge."),
    ("organisation_partners", "Politiet, infohuset og skolerne."),
    (
        "organisation_coordination",
        "Månedlig supervision ved koordinatoren.",
    ),
    ("recruitment", "Erfarne medarbejdere med relationsarbejde."),
    ("target_groups", "Via infohuset og skolernes AKT-teams."),
    ("management_support", "Direktionen har godkendt indsatsen."),
    ("legal_basis", "Serviceloven § 11 og § 52."),
    ("commit_lend", "1"),
    ("commit_method", "1"),
    ("commit_corps", "1"),
];

/// Saves (or submits) the full training answers.
pub(crate) async fn send_training(
    coordinator: &Client,
    application: Uuid,
    action: &str,
) -> crate::support::Page {
    let version = version(coordinator, application).await;
    let mut fields = TRAINING_ANSWERS.to_vec();
    fields.push(("version", &version));
    fields.push(("action", action));
    coordinator
        .post_multipart(
            &format!("/ansoegninger/{application}/rediger"),
            &fields,
            None,
        )
        .await
}

async fn state(app: &TestApp, application: Uuid) -> String {
    app.scalar(&format!(
        "SELECT state FROM applications WHERE id = '{application}'"
    ))
    .await
}

#[tokio::test]
async fn national_staff_plan_open_and_close_a_round_which_coordinators_see_while_open() {
    let app = TestApp::spawn().await;
    let national = app.login(NATIONAL).await;
    let form = national.get("/ansoegningsrunder/ny").await;
    assert_eq!(form.status, 200);
    let key = form.attr("input[name=form_key]", "value").unwrap();
    let invalid = national
        .post(
            "/ansoegningsrunder",
            &[
                ("kind", "advisory"),
                ("title", "Rådgivningsforløb, foråret 2099"),
                ("deadline_date", "32-01-2099"),
                ("deadline_time", "12:00"),
                ("capacity", ""),
                ("form_key", &key),
            ],
        )
        .await;
    assert_eq!(invalid.status, 422);
    assert_eq!(
        invalid.field_error("deadline_date"),
        "Skriv fristens dato som dd-mm-åååå, fx 25-11-2026."
    );
    assert_eq!(
        invalid.field_error("capacity"),
        "Skriv kapaciteten som et helt tal mellem 1 og 100."
    );
    assert_eq!(
        invalid.attr("#title", "value").as_deref(),
        Some("Rådgivningsforløb, foråret 2099"),
        "input kept"
    );
    let fields = [
        ("kind", "advisory"),
        ("title", "Rådgivningsforløb, foråret 2099"),
        ("deadline_date", "01-03-2099"),
        ("deadline_time", "12:00"),
        ("capacity", "2"),
        ("form_key", key.as_str()),
    ];
    let created = national.post("/ansoegningsrunder", &fields).await;
    assert_eq!(created.status, 303);
    let again = national.post("/ansoegningsrunder", &fields).await;
    assert_eq!(again.location(), created.location(), "one round per form");
    let round = id_after(&created.location(), "/ansoegningsrunder/");
    let page = national.get(&created.location()).await;
    assert_eq!(page.text_of("#round-state"), "Planlagt");
    // 1 March is winter time: 12:00 Danish time is 11:00 UTC.
    assert_eq!(
        app.scalar::<String>(&format!(
            "SELECT to_char(deadline AT TIME ZONE 'UTC', 'HH24:MI') FROM application_rounds WHERE id = '{round}'"
        ))
        .await,
        "11:00"
    );

    let aarhus = app.login(AARHUS).await;
    assert!(
        !aarhus
            .get("/")
            .await
            .text
            .contains("Rådgivningsforløb, foråret 2099"),
        "a planned round is not shown to municipalities"
    );
    national
        .post(&format!("/ansoegningsrunder/{round}/aabn"), &[])
        .await;
    assert_eq!(
        national
            .get(&format!("/ansoegningsrunder/{round}"))
            .await
            .text_of("#round-state"),
        "Åben"
    );
    let start = aarhus.get("/").await;
    assert!(
        start
            .text_of("#open-rounds")
            .contains("Rådgivningsforløb, foråret 2099 Rådgivningsforløb Ansøgningsfrist: 01-03-2099 kl. 12:00"),
        "{}",
        start.text_of("#open-rounds")
    );
    national
        .post(&format!("/ansoegningsrunder/{round}/luk"), &[])
        .await;
    assert!(
        !aarhus
            .get("/ansoegninger")
            .await
            .text
            .contains("Rådgivningsforløb, foråret 2099")
    );
    assert_eq!(
        app.scalar::<i64>(&format!(
            "SELECT count(*) FROM audit_log WHERE subject_id = '{round}'
             AND action IN ('application_round_created', 'application_round_opened', 'application_round_closed')"
        ))
        .await,
        3
    );
    assert_eq!(
        national.get("/").await.texts("nav.nav .nav-link"),
        vec![
            "Forside",
            "Nationalt overblik",
            "Ansøgningsrunder",
            "Uddannelse",
            "Korpset",
            "Udlån",
            "Kommuner",
            "Udgående mails",
            "API-adgang"
        ]
    );
}

#[tokio::test]
async fn a_coordinator_drafts_saves_returns_and_submits_a_training_application() {
    let app = TestApp::spawn().await;
    let national = app.login(NATIONAL).await;
    let round = open_round(&national, "training", "Uddannelse 2099", "").await;
    let aarhus = app.login(AARHUS).await;
    let application = start(&aarhus, round).await;

    let version = version(&aarhus, application).await;
    let draft = aarhus
        .post_multipart(
            &format!("/ansoegninger/{application}/rediger"),
            &[
                ("version", &version),
                ("action", "save"),
                ("programmes", "mentor"),
                ("mentor_candidates", "3"),
                ("challenges", "Unge i Gellerup"),
            ],
            None,
        )
        .await;
    assert_eq!(draft.status, 303, "{}", draft.text);
    let back = aarhus.follow(&draft.location()).await;
    assert_eq!(
        back.text_of("#challenges"),
        "Unge i Gellerup",
        "kept on return"
    );
    assert_eq!(
        back.attr("#mentor_candidates", "value").as_deref(),
        Some("3")
    );
    assert!(back.has("#programmes[checked]"));
    assert_eq!(
        national
            .get(&format!("/ansoegninger/{application}"))
            .await
            .status,
        404,
        "national staff do not read a municipality's draft"
    );

    let version = back.attr("input[name=version]", "value").unwrap();
    let incomplete = aarhus
        .post_multipart(
            &format!("/ansoegninger/{application}/rediger"),
            &[
                ("version", &version),
                ("action", "submit"),
                ("programmes", "mentor"),
                ("mentor_candidates", "3"),
                ("challenges", "Unge i Gellerup og Bispehaven"),
            ],
            None,
        )
        .await;
    assert_eq!(incomplete.status, 422);
    assert_eq!(
        incomplete.field_error("recruitment"),
        "Beskriv strategien for rekruttering og fastholdelse."
    );
    assert_eq!(
        incomplete.field_error("commit_lend"),
        "Sæt kryds ved alle tre forpligtelser."
    );
    assert_eq!(
        incomplete.text_of("#challenges"),
        "Unge i Gellerup og Bispehaven"
    );
    assert_eq!(state(&app, application).await, "draft");
    assert_eq!(
        app.scalar::<String>(&format!(
            "SELECT challenges FROM applications WHERE id = '{application}'"
        ))
        .await,
        "Unge i Gellerup og Bispehaven",
        "the draft is saved even when it cannot be submitted yet"
    );

    let submitted = send_training(&aarhus, application, "submit").await;
    assert_eq!(submitted.status, 303, "{}", submitted.text);
    assert_eq!(state(&app, application).await, "submitted");
    let edit = aarhus
        .get(&format!("/ansoegninger/{application}/rediger"))
        .await;
    assert_eq!(edit.status, 303, "a submitted application is read-only");
    let show = aarhus.get(&format!("/ansoegninger/{application}")).await;
    assert_eq!(show.text_of("#application-state"), "Indsendt");
    assert!(show.text.contains("Chefen for Børn og Unge."));
    assert!(!show.text.contains("/rediger\""), "no edit link");
    assert!(show.text.contains("Mentoruddannelse"));
    let round_page = national.get(&format!("/ansoegningsrunder/{round}")).await;
    assert!(round_page.text_of("#applications").contains("Aarhus"));
    assert!(
        round_page
            .text_of("#region-spread")
            .contains("Region Midtjylland 1")
    );
    assert!(
        round_page
            .text_of("#programme-mix")
            .contains("Mentoruddannelse 1 3 0")
    );
    let filtered = national
        .get(&format!("/ansoegningsrunder/{round}?region=hovedstaden"))
        .await;
    assert!(!filtered.has("#applications"), "filtered out by region");
}

#[tokio::test]
async fn saving_an_application_submitted_in_another_tab_keeps_what_was_typed() {
    let app = TestApp::spawn().await;
    let national = app.login(NATIONAL).await;
    let round = open_round(&national, "training", "Uddannelse 2099", "").await;
    let aarhus = app.login(AARHUS).await;
    let application = start(&aarhus, round).await;
    // One tab holds the form open; in another the application is finished and submitted.
    let stale = version(&aarhus, application).await;
    let submitted = send_training(&aarhus, application, "submit").await;
    assert_eq!(submitted.status, 303, "{}", submitted.text);

    let typed = "Nye tal fra infohuset: 14 bekymringshenvendelser i år.";
    let saved = aarhus
        .post_multipart(
            &format!("/ansoegninger/{application}/rediger"),
            &[
                ("version", &stale),
                ("action", "save"),
                ("programmes", "mentor"),
                ("mentor_candidates", "4"),
                ("challenges", typed),
            ],
            None,
        )
        .await;
    assert_eq!(saved.status, 409, "{}", saved.text);
    assert_eq!(
        saved.text_of("#submitted-meanwhile .alert-text"),
        "Ansøgningen er blevet indsendt, mens du skrev, måske fra et andet vindue, og kan ikke \
         længere ændres. Det, du skrev her, er ikke gemt, men står i formularen, så du kan \
         kopiere det."
    );
    assert_eq!(
        saved.text_of("#challenges"),
        typed,
        "what was typed is kept"
    );
    assert_eq!(
        saved.attr("#mentor_candidates", "value").as_deref(),
        Some("4")
    );
    assert!(
        saved.has(&format!(
            "#submitted-meanwhile a[href='/ansoegninger/{application}']"
        )),
        "a way to the submitted application"
    );
    assert!(!saved.has("button[name=action]"), "nothing left to save");
    assert_eq!(state(&app, application).await, "submitted");
    assert_eq!(
        app.scalar::<String>(&format!(
            "SELECT challenges FROM applications WHERE id = '{application}'"
        ))
        .await,
        "Flere unge i bydelen færdes i ekstremistiske miljøer.",
        "the submitted answers are untouched"
    );
}

#[tokio::test]
async fn submission_after_the_deadline_is_refused_in_danish_time() {
    let app = TestApp::spawn().await;
    let national = app.login(NATIONAL).await;
    let round = open_round(&national, "training", "Uddannelse 2099", "").await;
    let aarhus = app.login(AARHUS).await;
    let application = start(&aarhus, round).await;
    let mut conn = app.owner_conn().await;
    sqlx::query(
        "UPDATE application_rounds SET deadline = now() - interval '1 minute' WHERE id = $1",
    )
    .bind(round)
    .execute(&mut conn)
    .await
    .unwrap();
    let late = send_training(&aarhus, application, "submit").await;
    assert_eq!(late.status, 422);
    assert!(
        late.text_of("#submit-error")
            .contains("Efter fristen kan ansøgninger ikke indsendes."),
        "{}",
        late.text_of("#submit-error")
    );
    assert_eq!(state(&app, application).await, "draft");
}

#[tokio::test]
async fn a_joint_application_counts_as_submitted_only_when_the_partner_confirms() {
    let app = TestApp::spawn().await;
    let national = app.login(NATIONAL).await;
    let round = open_round(&national, "training", "Uddannelse 2099", "").await;
    let aarhus = app.login(AARHUS).await;
    let application = start(&aarhus, round).await;
    let odense_id = app.municipality_id("Odense").await;
    let added = aarhus
        .post(
            &format!("/ansoegninger/{application}/partnere"),
            &[("municipality_id", &odense_id.to_string())],
        )
        .await;
    assert_eq!(added.status, 303);
    let submitted = send_training(&aarhus, application, "submit").await;
    assert_eq!(submitted.status, 303, "{}", submitted.text);
    assert_eq!(state(&app, application).await, "awaiting_partners");
    assert!(
        !national
            .get(&format!("/ansoegningsrunder/{round}?state=submitted"))
            .await
            .has("#applications"),
        "not counted as submitted yet"
    );

    let odense = app.login(ODENSE).await;
    let start_page = odense.get("/").await;
    assert!(
        start_page
            .text_of("#to-confirm")
            .contains("Uddannelse 2099")
    );
    let read = odense.get(&format!("/ansoegninger/{application}")).await;
    assert_eq!(read.status, 200, "a partner reads the joint application");
    assert!(read.text.contains("Chefen for Børn og Unge."));
    assert_eq!(
        odense
            .get(&format!("/ansoegninger/{application}/rediger"))
            .await
            .status,
        403,
        "but does not edit it"
    );
    let confirmed = odense
        .post(&format!("/ansoegninger/{application}/bekraeft"), &[])
        .await;
    assert_eq!(confirmed.status, 303);
    assert_eq!(state(&app, application).await, "submitted");
    assert!(
        national
            .get(&format!("/ansoegningsrunder/{round}?state=submitted"))
            .await
            .text_of("#applications")
            .contains("Aarhus")
    );
    let spread = national.get(&format!("/ansoegningsrunder/{round}")).await;
    assert!(
        spread
            .text_of("#region-spread")
            .contains("Region Syddanmark 1")
    );
}

pub(crate) fn pdf() -> Vec<u8> {
    b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n".to_vec()
}

pub(crate) async fn advisory_answers(
    coordinator: &Client,
    application: Uuid,
    action: &str,
    file: Option<(&str, &str, &[u8])>,
) -> crate::support::Page {
    let version = version(coordinator, application).await;
    coordinator
        .post_multipart(
            &format!("/ansoegninger/{application}/rediger"),
            &[
                ("version", &version),
                ("action", action),
                ("motivation", "Vi vil styrke vores praksis."),
                ("challenges", "Mange underretninger om familier."),
                ("notifications_count", "140"),
                ("measures_count", "35"),
                ("leadership_resources", "Afdelingslederen deltager."),
                ("signatory_name", "Birgit Holm"),
                ("signatory_title", "Direktør"),
                ("signed_on", "01-09-2026"),
                ("preferred_start", "15-01-2100"),
            ],
            file,
        )
        .await
}

#[tokio::test]
async fn the_minutes_file_is_type_checked_and_served_only_to_the_applicant_and_the_centre() {
    let app = TestApp::spawn().await;
    let national = app.login(NATIONAL).await;
    let round = open_round(&national, "advisory", "Rådgivning 2099", "3").await;
    let aarhus = app.login(AARHUS).await;
    let application = start(&aarhus, round).await;

    let fake = b"<html><script>alert(1)</script></html>".to_vec();
    let refused = advisory_answers(
        &aarhus,
        application,
        "save",
        Some(("minutes", "referat.pdf", &fake)),
    )
    .await;
    assert_eq!(refused.status, 422);
    assert_eq!(
        refused.field_error("minutes"),
        "Filen er ikke en PDF eller et Office-dokument. Vedhæft referatet som PDF, Word, Excel eller PowerPoint."
    );
    assert_eq!(
        app.scalar::<i64>(&format!(
            "SELECT count(*) FROM application_files WHERE application_id = '{application}'"
        ))
        .await,
        0,
        "nothing stored"
    );
    let missing = advisory_answers(&aarhus, application, "submit", None).await;
    assert_eq!(
        missing.field_error("minutes"),
        "Vedhæft referatet fra ledelsesmødet."
    );

    let bytes = pdf();
    let accepted = advisory_answers(
        &aarhus,
        application,
        "submit",
        Some(("minutes", "Referat ledermøde.pdf", &bytes)),
    )
    .await;
    assert_eq!(accepted.status, 303, "{}", accepted.text);
    assert_eq!(state(&app, application).await, "submitted");

    for client in [&aarhus, &national] {
        let (status, headers, body) = client
            .get_bytes(&format!("/ansoegninger/{application}/bilag"))
            .await;
        assert_eq!(status, 200);
        assert_eq!(body, bytes);
        assert_eq!(headers["content-type"], "application/pdf");
        assert!(
            headers["content-disposition"]
                .to_str()
                .unwrap()
                .starts_with("attachment;")
        );
        assert_eq!(headers["x-content-type-options"], "nosniff");
    }
    assert_eq!(
        app.scalar::<i64>(&format!(
            "SELECT count(*) FROM audit_log WHERE action = 'application_file_downloaded' AND subject_id = '{application}'"
        ))
        .await,
        2
    );

    let odense = app.login(ODENSE).await;
    assert_eq!(
        odense
            .get(&format!("/ansoegninger/{application}"))
            .await
            .status,
        404
    );
    assert_eq!(
        odense
            .get_bytes(&format!("/ansoegninger/{application}/bilag"))
            .await
            .0,
        404
    );
    assert_eq!(
        odense
            .get(&format!("/ansoegninger/{application}/rediger"))
            .await
            .status,
        404
    );
}

#[tokio::test]
async fn a_file_over_ten_megabytes_is_refused_with_a_danish_message() {
    let app = TestApp::spawn().await;
    let national = app.login(NATIONAL).await;
    let round = open_round(&national, "advisory", "Rådgivning 2099", "3").await;
    let aarhus = app.login(AARHUS).await;
    let application = start(&aarhus, round).await;
    let mut big = pdf();
    big.resize(10 * 1024 * 1024 + 1, b'x');
    let refused = advisory_answers(
        &aarhus,
        application,
        "save",
        Some(("minutes", "stort.pdf", &big)),
    )
    .await;
    assert_eq!(refused.status, 413);
    assert_eq!(
        refused.field_error("minutes"),
        "Filen er for stor. Den må højst fylde 10 MB."
    );
}

/// A submitted training application from Aarhus.
pub(crate) async fn submitted_training(app: &TestApp) -> (Client, Client, Uuid, Uuid) {
    let national = app.login(NATIONAL).await;
    let round = open_round(&national, "training", "Uddannelse 2099", "").await;
    let aarhus = app.login(AARHUS).await;
    let application = start(&aarhus, round).await;
    let submitted = send_training(&aarhus, application, "submit").await;
    assert_eq!(submitted.status, 303, "{}", submitted.text);
    (national, aarhus, round, application)
}

#[tokio::test]
async fn two_reviewers_never_overwrite_each_other_silently() {
    let app = TestApp::spawn().await;
    let (first, aarhus, _, application) = submitted_training(&app).await;
    let second = app.login(NATIONAL).await;
    let path = format!("/ansoegninger/{application}/vurdering");
    let first_form = first.get(&path).await;
    let stale = first_form.attr("input[name=version]", "value").unwrap();
    second.get(&path).await;
    let saved = second
        .post(
            &path,
            &[
                ("version", "0"),
                ("score_challenges", "4"),
                ("note_challenges", "Tydeligt udfordringsbillede"),
            ],
        )
        .await;
    assert_eq!(saved.status, 303, "{}", saved.text);
    assert_eq!(state(&app, application).await, "under_review");

    let conflict = first
        .post(
            &path,
            &[
                ("version", &stale),
                ("score_challenges", "2"),
                ("note_challenges", "Svagt begrundet"),
            ],
        )
        .await;
    assert_eq!(conflict.status, 409);
    let versions = conflict.text_of("#versions");
    assert!(versions.contains("Svagt begrundet"), "{versions}");
    assert!(
        versions.contains("Tydeligt udfordringsbillede"),
        "{versions}"
    );
    assert_eq!(
        conflict.text_of("#note_challenges"),
        "Svagt begrundet",
        "this reviewer's input kept"
    );
    assert_eq!(
        app.scalar::<String>(&format!(
            "SELECT scores->'challenges'->>'note' FROM application_reviews WHERE application_id = '{application}'"
        ))
        .await,
        "Tydeligt udfordringsbillede",
        "the first save stands"
    );
    let invalid = second
        .post(&path, &[("version", "1"), ("score_recruitment", "7")])
        .await;
    assert_eq!(invalid.status, 422);
    assert_eq!(
        invalid.field_error("score_recruitment"),
        "Vælg et point fra 1 til 5."
    );

    // Coordinators never see scores or notes.
    assert_eq!(aarhus.get(&path).await.status, 403);
    let show = aarhus.get(&format!("/ansoegninger/{application}")).await;
    assert!(!show.text.contains("Tydeligt udfordringsbillede"));
    let start = aarhus.get("/").await;
    assert!(!start.text.contains("Tydeligt udfordringsbillede"));
    let aarhus_id = app.municipality_id("Aarhus").await;
    let coordinator = app.user_id(AARHUS).await;
    let mut tx = app
        .tenant_tx(korps::db::Scope::Municipality {
            user_id: coordinator,
            municipality_id: aarhus_id,
        })
        .await;
    let visible: i64 = sqlx::query_scalar("SELECT count(*) FROM application_reviews")
        .fetch_one(tx.conn())
        .await
        .unwrap();
    assert_eq!(visible, 0, "the database hides reviews from municipalities");
}

#[tokio::test]
async fn approval_records_seats_per_programme_and_the_applicant_sees_them_with_the_reason() {
    let app = TestApp::spawn().await;
    let (national, aarhus, round, application) = submitted_training(&app).await;
    let path = format!("/ansoegninger/{application}/afgoerelse");
    let form = national.get(&path).await;
    let version = form.attr("input[name=version]", "value").unwrap();
    let missing = national
        .post(
            &path,
            &[
                ("version", &version),
                ("outcome", "approved"),
                ("reason", ""),
            ],
        )
        .await;
    assert_eq!(missing.status, 422);
    assert_eq!(
        missing.field_error("reason"),
        "Skriv en begrundelse. Kommunen ser den sammen med afgørelsen."
    );
    let decided = national
        .post(
            &path,
            &[
                ("version", &version),
                ("outcome", "approved"),
                ("mentor_seats", "2"),
                ("parent_coach_seats", "1"),
                ("reason", "Velbeskrevet organisering og ledelsesopbakning."),
            ],
        )
        .await;
    assert_eq!(decided.status, 303, "{}", decided.text);
    assert_eq!(state(&app, application).await, "approved");
    let start = aarhus.get("/").await;
    let own = start.text_of("#own-applications");
    assert!(own.contains("Tilsagn"), "{own}");
    assert!(
        own.contains("Mentoruddannelse: 2, Forældrecoachuddannelse: 1"),
        "{own}"
    );
    assert!(own.contains("Velbeskrevet organisering og ledelsesopbakning."));
    let show = aarhus.get(&format!("/ansoegninger/{application}")).await;
    assert_eq!(
        show.texts("#decision-seats li"),
        vec!["Mentoruddannelse: 2", "Forældrecoachuddannelse: 1"]
    );
    assert!(
        national
            .get(&format!("/ansoegningsrunder/{round}"))
            .await
            .text_of("#programme-mix")
            .contains("Mentoruddannelse 1 3 2")
    );
    // A stale decision form is not applied silently.
    let stale = national
        .post(
            &path,
            &[
                ("version", &version),
                ("outcome", "rejected"),
                ("reason", "Afslag"),
            ],
        )
        .await;
    assert_eq!(stale.status, 409);
    assert_eq!(state(&app, application).await, "approved");
}

#[tokio::test]
async fn an_advisory_round_never_accepts_more_than_its_capacity() {
    let app = TestApp::spawn().await;
    let national = app.login(NATIONAL).await;
    let round = open_round(&national, "advisory", "Rådgivning 2099", "1").await;
    let mut applications = Vec::new();
    for email in [AARHUS, ODENSE] {
        let coordinator = app.login(email).await;
        let application = start(&coordinator, round).await;
        let bytes = pdf();
        let submitted = advisory_answers(
            &coordinator,
            application,
            "submit",
            Some(("minutes", "referat.pdf", &bytes)),
        )
        .await;
        assert_eq!(submitted.status, 303, "{}", submitted.text);
        applications.push(application);
    }
    let accept = |application: Uuid| {
        let national = &national;
        async move {
            let path = format!("/ansoegninger/{application}/afgoerelse");
            let version = national
                .get(&path)
                .await
                .attr("input[name=version]", "value")
                .unwrap();
            national
                .post(
                    &path,
                    &[
                        ("version", &version),
                        ("outcome", "accepted"),
                        ("start_on", "01-02-2100"),
                        ("reason", "Klar motivation og ledelsesopbakning."),
                    ],
                )
                .await
        }
    };
    assert_eq!(accept(applications[0]).await.status, 303);
    let full = accept(applications[1]).await;
    assert_eq!(full.status, 422);
    assert_eq!(
        full.field_error("outcome"),
        "Runden er fuld: der kan højst optages 1 kommuner. Henvis ansøgningen til en senere opstart, eller giv afslag."
    );
    assert_eq!(state(&app, applications[1]).await, "submitted");
    assert_eq!(
        app.scalar::<i64>(&format!(
            "SELECT count(*) FROM applications WHERE round_id = '{round}' AND state = 'accepted'"
        ))
        .await,
        1
    );
    let odense = app.login(ODENSE).await;
    let path = format!("/ansoegninger/{}/afgoerelse", applications[1]);
    let version = national
        .get(&path)
        .await
        .attr("input[name=version]", "value")
        .unwrap();
    let deferred = national
        .post(
            &path,
            &[
                ("version", &version),
                ("outcome", "deferred"),
                (
                    "reason",
                    "Runden er fuld; I tilbydes opstart i næste runde.",
                ),
            ],
        )
        .await;
    assert_eq!(deferred.status, 303);
    let own = odense.get("/").await.text_of("#own-applications");
    assert!(own.contains("Henvist til senere opstart"), "{own}");
    assert!(own.contains("I tilbydes opstart i næste runde."), "{own}");
}

#[tokio::test]
async fn another_municipalitys_coordinator_gets_404_on_the_application() {
    let app = TestApp::spawn().await;
    let (_, _, _, application) = submitted_training(&app).await;
    let odense = app.login(ODENSE).await;
    for path in [
        format!("/ansoegninger/{application}"),
        format!("/ansoegninger/{application}/rediger"),
    ] {
        assert_eq!(odense.get(&path).await.status, 404, "{path}");
    }
    assert_eq!(
        odense
            .post(&format!("/ansoegninger/{application}/bekraeft"), &[])
            .await
            .status,
        404
    );
    let mentor = app.login("mentor.aarhus@example.org").await;
    assert_eq!(
        mentor
            .get(&format!("/ansoegninger/{application}"))
            .await
            .status,
        403
    );
}

#[tokio::test]
async fn the_demo_data_has_past_and_open_rounds_of_both_kinds_with_every_state() {
    let app = TestApp::spawn().await;
    let states: Vec<String> = {
        let mut conn = app.owner_conn().await;
        sqlx::query_scalar("SELECT DISTINCT state FROM applications ORDER BY state")
            .fetch_all(&mut conn)
            .await
            .unwrap()
    };
    assert_eq!(
        states,
        vec![
            "accepted",
            "approved",
            "awaiting_partners",
            "deferred",
            "draft",
            "rejected",
            "submitted",
            "under_review"
        ]
    );
    assert_eq!(
        app.scalar::<i64>(
            "SELECT count(DISTINCT (kind, state)) FROM application_rounds WHERE state IN ('open', 'closed')"
        )
        .await,
        4
    );
    let aarhus = app.login(AARHUS).await;
    let start = aarhus.get("/").await;
    assert!(start.text_of("#own-applications").contains("Tilsagn"));
    assert!(start.text_of("#open-rounds").contains("Start ansøgning"));
    let aalborg = app.login("koordinator.aalborg@example.org").await;
    assert!(
        aalborg
            .get("/")
            .await
            .text_of("#to-confirm")
            .contains("Odense"),
        "Aalborg is asked to confirm the joint application with Odense"
    );
    let national = app.login(NATIONAL).await;
    let rounds = national.get("/ansoegningsrunder").await;
    assert_eq!(rounds.status, 200);
    assert!(national.get("/").await.has("#awaiting-review"));
}

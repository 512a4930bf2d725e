//! Two people editing one record: the later save answers 409 with both versions side by
//! side — the fields that differ, as typed and as saved — keeps what was typed, and a
//! second save (now carrying the saved version) applies it knowingly.

use uuid::Uuid;

use crate::support::{Client, TestApp};

const AARHUS: &str = "koordinator.aarhus@example.org";
const NATIONAL: &str = "national@example.org";

/// One record's edit form, as two users see it.
struct Edit<'a> {
    /// Where the form is shown.
    page: String,
    /// Its `<form>`, and where it posts.
    action: String,
    /// The field the other user changes, its new value and its label in the table.
    theirs: (&'a str, &'a str, &'a str),
    /// The field this user changes and the new value.
    yours: (&'a str, &'a str),
}

fn set(fields: &mut Vec<(String, String)>, name: &str, value: &str) {
    fields.retain(|(field, _)| field != name);
    fields.push((name.to_string(), value.to_string()));
}

async fn send(client: &Client, action: &str, fields: &[(String, String)]) -> crate::support::Page {
    let fields: Vec<(&str, &str)> = fields
        .iter()
        .filter(|(name, _)| name != "csrf_token")
        .map(|(name, value)| (name.as_str(), value.as_str()))
        .collect();
    client.post(action, &fields).await
}

async fn stale_save_shows_both_versions(me: &Client, other: &Client, edit: Edit<'_>) {
    let selector = format!("form[action='{}']", edit.action);
    let mine = me.get(&edit.page).await;
    assert_eq!(mine.status, 200, "{}", edit.page);
    let mut my_fields = mine.form_fields(&selector);
    let my_old_theirs = my_fields
        .iter()
        .find(|(name, _)| name == edit.theirs.0)
        .map(|(_, value)| value.clone())
        .unwrap_or_default();

    let theirs = other.get(&edit.page).await;
    let mut their_fields = theirs.form_fields(&selector);
    set(&mut their_fields, edit.theirs.0, edit.theirs.1);
    let saved = send(other, &edit.action, &their_fields).await;
    assert_eq!(
        saved.status,
        303,
        "{}: {}",
        edit.page,
        saved.text_of("main")
    );

    set(&mut my_fields, edit.yours.0, edit.yours.1);
    let stale = send(me, &edit.action, &my_fields).await;
    assert_eq!(stale.status, 409, "{}", edit.page);
    let html = stale.html();
    let table: Vec<Vec<String>> = html
        .select(&scraper::Selector::parse("#conflict table tbody tr").unwrap())
        .map(|row| {
            row.select(&scraper::Selector::parse("th, td").unwrap())
                .map(|cell| cell.text().collect::<String>().trim().to_string())
                .collect()
        })
        .collect();
    assert!(
        table.contains(&vec![
            edit.theirs.2.to_string(),
            my_old_theirs.clone(),
            edit.theirs.1.to_string()
        ]),
        "{}: the other's change beside mine: {table:?}",
        edit.page
    );
    assert!(
        table
            .iter()
            .any(|row| row.get(1).map(String::as_str) == Some(edit.yours.1)),
        "{}: my change in the table: {table:?}",
        edit.page
    );
    assert_eq!(
        stale
            .form_fields(&selector)
            .iter()
            .find(|(name, _)| name == edit.yours.0)
            .map(|(_, value)| value.as_str()),
        Some(edit.yours.1),
        "{}: what I typed is kept",
        edit.page
    );
    // Saving the kept form again applies it: the version is now the saved one.
    let again = send(me, &edit.action, &stale.form_fields(&selector)).await;
    assert_eq!(
        again.status,
        303,
        "{}: {}",
        edit.page,
        again.text_of("main")
    );
}

#[tokio::test]
async fn a_stale_citizen_member_cohort_or_round_answers_409_with_both_versions() {
    let app = TestApp::spawn().await;
    let me = app.login(AARHUS).await;
    let other = app.login(AARHUS).await;
    let citizen: Uuid = app
        .scalar(
            "SELECT c.id FROM citizens c JOIN municipalities m ON m.id = c.municipality_id
             WHERE m.name = 'Aarhus' AND c.kind = 'mentee' ORDER BY c.name LIMIT 1",
        )
        .await;
    stale_save_shows_both_versions(
        &me,
        &other,
        Edit {
            page: format!("/borgere/{citizen}/rediger"),
            action: format!("/borgere/{citizen}"),
            theirs: ("referred_by", "SSP-konsulent Hansen", "Henvist af"),
            yours: ("preference_note", "Gerne en rolig mentor"),
        },
    )
    .await;

    let member: Uuid = app
        .scalar(
            "SELECT cm.id FROM corps_members cm JOIN users u ON u.id = cm.user_id
             WHERE u.email = 'mentor.aarhus@example.org'",
        )
        .await;
    stale_save_shows_both_versions(
        &me,
        &other,
        Edit {
            page: format!("/korps/{member}"),
            action: format!("/korps/{member}"),
            theirs: ("capacity", "7", "Kapacitet (antal samtidige forløb)"),
            yours: ("notes", "Kan tage weekender"),
        },
    )
    .await;

    // The municipality's setting: one coordinator requires a second factor while another
    // has the page open and saves it unticked.
    let form = "form[action='/medarbejdere/totrinskrav']";
    let my_fields = me.get("/medarbejdere").await.form_fields(form);
    let mut their_fields = other.get("/medarbejdere").await.form_fields(form);
    set(&mut their_fields, "require", "1");
    let saved = send(&other, "/medarbejdere/totrinskrav", &their_fields).await;
    assert_eq!(saved.status, 303);
    let stale = send(&me, "/medarbejdere/totrinskrav", &my_fields).await;
    assert_eq!(stale.status, 409);
    assert_eq!(
        stale.texts("#conflict table tbody td"),
        ["Nej", "Ja"],
        "mine beside theirs"
    );
    assert!(!stale.has("#require[checked]"), "my choice kept");
    let again = send(&me, "/medarbejdere/totrinskrav", &stale.form_fields(form)).await;
    assert_eq!(again.status, 303);

    // A mentor's own profile, while the coordinator edits it.
    let mentor = app.login("mentor.aarhus@example.org").await;
    let edited = other.get(&format!("/korps/{member}")).await;
    let mut fields = edited.form_fields(&format!("form[action='/korps/{member}']"));
    let mine = mentor.get("/min-profil").await;
    let mut my_fields = mine.form_fields("form[action='/min-profil']");
    set(&mut fields, "languages", "ar");
    assert_eq!(
        send(&other, &format!("/korps/{member}"), &fields)
            .await
            .status,
        303
    );
    my_fields.retain(|(name, _)| name != "availability");
    let stale = send(&mentor, "/min-profil", &my_fields).await;
    assert_eq!(stale.status, 409);
    assert!(
        stale.text_of("#conflict table").contains("Arabisk"),
        "{}",
        stale.text_of("#conflict")
    );
    let again = send(
        &mentor,
        "/min-profil",
        &stale.form_fields("form[action='/min-profil']"),
    )
    .await;
    assert_eq!(again.status, 303);

    let me = app.login(NATIONAL).await;
    let other = app.login(NATIONAL).await;
    let cohort: Uuid = app
        .scalar("SELECT id FROM training_cohorts ORDER BY name LIMIT 1")
        .await;
    stale_save_shows_both_versions(
        &me,
        &other,
        Edit {
            page: format!("/uddannelse/hold/{cohort}/rediger"),
            action: format!("/uddannelse/hold/{cohort}/rediger"),
            theirs: ("mentor_seats", "17", "Mentoruddannelse"),
            yours: ("name", "Hold med nyt navn"),
        },
    )
    .await;

    let round: Uuid = app
        .scalar("SELECT id FROM application_rounds ORDER BY deadline DESC LIMIT 1")
        .await;
    stale_save_shows_both_versions(
        &me,
        &other,
        Edit {
            page: format!("/ansoegningsrunder/{round}/rediger"),
            action: format!("/ansoegningsrunder/{round}/rediger"),
            theirs: (
                "description",
                "Ny vejledning.",
                "Beskrivelse til kommunerne",
            ),
            yours: ("title", "Runde med ny titel"),
        },
    )
    .await;
}

/// Two coordinators on one active course: one ends it; the other, whose page still shows
/// it active, ends it too with goals and a note. Nothing is saved twice: the second answer
/// is 409 with the course as it is now and the note kept. A double click on one button
/// moves the course once and answers both clicks with the course page.
#[tokio::test]
async fn a_course_moved_meanwhile_answers_409_and_keeps_the_note() {
    let app = TestApp::spawn().await;
    let me = app.login(AARHUS).await;
    let other = app.login(AARHUS).await;
    let course: Uuid = app
        .scalar(
            "SELECT c.id FROM courses c JOIN municipalities m ON m.id = c.municipality_id
             WHERE m.name = 'Aarhus' AND c.state = 'active' ORDER BY c.id LIMIT 1",
        )
        .await;
    let path = format!("/forloeb/{course}");
    let form = format!("form[action='/forloeb/{course}/status']:has(input[name=to][value=ending])");
    let mut mine = me.get(&path).await.form_fields(&form);
    let mut theirs = other.get(&path).await.form_fields(&form);
    set(&mut theirs, "goals_reached", "yes");
    let ended = send(&other, &format!("{path}/status"), &theirs).await;
    assert_eq!(ended.status, 303, "{}", ended.text_of("main"));
    let twice = send(&other, &format!("{path}/status"), &theirs).await;
    assert_eq!(
        (twice.status, twice.location()),
        (303, ended.location()),
        "a double click moves once"
    );

    set(&mut mine, "goals_reached", "partly");
    set(&mut mine, "note-ending", "Mit afslutningsnotat");
    let stale = send(&me, &format!("{path}/status"), &mine).await;
    assert_eq!(stale.status, 409, "{}", stale.text_of("main"));
    assert!(
        stale
            .text_of(".alert-error")
            .contains("mens du havde siden åben"),
        "{}",
        stale.text_of(".alert-error")
    );
    assert!(
        stale.text.contains("Mit afslutningsnotat"),
        "what I typed is still on the page"
    );
    let events: i64 = app
        .scalar(&format!(
            "SELECT count(*) FROM course_events WHERE course_id = '{course}' AND to_state = 'ending'"
        ))
        .await;
    assert_eq!(events, 1, "moved once");
}

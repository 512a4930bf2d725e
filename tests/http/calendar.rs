//! Next meetings and the private calendar feed: a member plans the next meeting of a
//! course (refused input comes back at its field, kept); only whoever may log a session
//! on the course may plan it; the feed address is shown once, fetched without a session,
//! parses as RFC 5545 (VTIMEZONE, TZID, UID, DTSTAMP, folded CRLF lines), names the course
//! by its reference and no citizen; a replaced or revoked address answers 404.

use ical::parser::ical::component::{IcalCalendar, IcalEvent};
use ical::property::Property;
use time::{Duration, OffsetDateTime};
use uuid::Uuid;

use crate::support::{Client, TestApp};

const MENTOR: &str = "mentor.aarhus@example.org";

async fn own_active_course(app: &TestApp, email: &str) -> Uuid {
    app.scalar(&format!(
        "SELECT c.id FROM courses c JOIN corps_members cm ON cm.id = c.member_id JOIN users u ON u.id = cm.user_id
         WHERE u.email = '{email}' AND c.state = 'active' ORDER BY c.started_on LIMIT 1"
    ))
    .await
}

fn in_days(days: i64) -> String {
    let date = (OffsetDateTime::now_utc() + Duration::days(days)).date();
    format!(
        "{:02}-{:02}-{}",
        date.day(),
        u8::from(date.month()),
        date.year()
    )
}

fn ymd_in_days(days: i64) -> String {
    let date = (OffsetDateTime::now_utc() + Duration::days(days)).date();
    format!(
        "{}{:02}{:02}",
        date.year(),
        u8::from(date.month()),
        date.day()
    )
}

/// The value of `#id` as the page holds it.
fn value(page: &crate::support::Page, id: &str) -> String {
    page.attr(&format!("#{id}"), "value").unwrap_or_default()
}

/// The feed's path (from `/kalender/`) in the address the account page shows once.
async fn create_feed(client: &Client) -> String {
    let key = client
        .get("/konto")
        .await
        .attr(
            "form[action='/konto/kalender'] input[name=form_key]",
            "value",
        )
        .expect("the calendar form's key");
    let created = client.post("/konto/kalender", &[("form_key", &key)]).await;
    assert_eq!(created.status, 303, "{}", created.text);
    assert_eq!(created.location(), "/konto#kalender");
    assert!(
        !created.location().contains("kalender/"),
        "the address is not in a URL"
    );
    let account = client.get("/konto").await;
    let url = value(&account, "calendar_url");
    assert!(url.ends_with(".ics"), "the address is shown: {url:?}");
    let again = client.get("/konto").await;
    assert!(!again.has("#calendar_url"), "and shown once only");
    assert!(again.text_of("#calendar-status").contains("oprettet"));
    let at = url.find("/kalender/").expect("a feed address");
    url[at..].to_string()
}

fn prop<'a>(properties: &'a [Property], name: &str) -> Option<&'a Property> {
    properties.iter().find(|p| p.name == name)
}

fn prop_value(properties: &[Property], name: &str) -> String {
    prop(properties, name)
        .and_then(|p| p.value.clone())
        .unwrap_or_default()
}

fn param(property: &Property, name: &str) -> Option<String> {
    property
        .params
        .as_ref()?
        .iter()
        .find(|(key, _)| key == name)
        .and_then(|(_, values)| values.first().cloned())
}

fn parse(body: &str) -> IcalCalendar {
    let mut calendars = ical::IcalParser::new(body.as_bytes());
    let calendar = calendars
        .next()
        .expect("one calendar")
        .expect("the feed parses as RFC 5545");
    assert!(calendars.next().is_none());
    calendar
}

fn event_with_uid<'a>(calendar: &'a IcalCalendar, uid: &str) -> &'a IcalEvent {
    calendar
        .events
        .iter()
        .find(|e| prop_value(&e.properties, "UID") == uid)
        .unwrap_or_else(|| panic!("no event {uid}"))
}

#[tokio::test]
async fn a_member_plans_the_next_meeting_and_refused_input_is_kept_at_its_field() {
    let app = TestApp::spawn().await;
    let mentor = app.login(MENTOR).await;
    let course = own_active_course(&app, MENTOR).await;
    let path = format!("/forloeb/{course}/naeste-moede");
    let page = mentor.get(&format!("/forloeb/{course}")).await;
    assert!(page.has("#meeting_date"), "the form is on the course page");
    assert!(
        page.text_of("#meeting_place-hint")
            .contains("aldrig en borgers"),
        "the place hint warns against a citizen's address or name"
    );

    let yesterday = in_days(-1);
    let long_place = "Hos familien ".repeat(9);
    let refused = mentor
        .post(
            &path,
            &[
                ("meeting_date", yesterday.as_str()),
                ("meeting_time", "25:99"),
                ("meeting_minutes", "5"),
                ("meeting_place", long_place.as_str()),
            ],
        )
        .await;
    assert_eq!(refused.status, 422);
    assert_eq!(
        refused.field_error("meeting_date"),
        "Datoen er passeret. Skriv en dato fra i dag og frem som dd-mm-åååå."
    );
    assert_eq!(
        refused.field_error("meeting_time"),
        "Skriv klokkeslættet som tt:mm, fx 14:30."
    );
    assert_eq!(
        refused.field_error("meeting_minutes"),
        "Skriv varigheden i minutter (15–480)."
    );
    assert_eq!(
        refused.field_error("meeting_place"),
        "Stedet må højst være 100 tegn."
    );
    assert_eq!(value(&refused, "meeting_date"), yesterday);
    assert_eq!(value(&refused, "meeting_time"), "25:99");
    assert_eq!(value(&refused, "meeting_minutes"), "5");
    assert_eq!(value(&refused, "meeting_place"), long_place);
    let planned = format!(
        "SELECT count(*) FROM courses WHERE id = '{course}' AND next_meeting_at IS NOT NULL"
    );
    assert_eq!(app.scalar::<i64>(&planned).await, 0, "nothing was saved");

    let next_week = in_days(7);
    let saved = mentor
        .post(
            &path,
            &[
                ("meeting_date", next_week.as_str()),
                ("meeting_time", "14.30"),
                ("meeting_minutes", "90"),
                ("meeting_place", " Biblioteket "),
            ],
        )
        .await;
    assert_eq!(saved.status, 303, "{}", saved.text);
    assert_eq!(saved.location(), format!("/forloeb/{course}#naeste-moede"));
    let shown = mentor.get(&format!("/forloeb/{course}")).await;
    assert_eq!(value(&shown, "meeting_time"), "14:30");
    assert_eq!(value(&shown, "meeting_place"), "Biblioteket");
    assert!(
        shown
            .text
            .contains(&format!("{next_week} kl. 14:30 · 90 min. · Biblioteket"))
    );
    let logged = format!(
        "SELECT count(*) FROM audit_log WHERE subject_id = '{course}' AND action = 'next_meeting_set'"
    );
    assert_eq!(app.scalar::<i64>(&logged).await, 1);

    // The coordinator may plan it too; the remove button clears it.
    let coordinator = app.login("koordinator.aarhus@example.org").await;
    let cleared = coordinator.post(&path, &[("clear", "1")]).await;
    assert_eq!(cleared.status, 303);
    assert_eq!(app.scalar::<i64>(&planned).await, 0);
}

#[tokio::test]
async fn only_whoever_may_log_a_session_on_the_course_may_plan_its_meeting() {
    let app = TestApp::spawn().await;
    let course = own_active_course(&app, MENTOR).await;
    let path = format!("/forloeb/{course}/naeste-moede");
    let fields = [
        ("meeting_date", "01-01-2099"),
        ("meeting_time", "10:00"),
        ("meeting_minutes", "60"),
        ("meeting_place", "Jobcentret"),
    ];
    for email in [
        "coach.aarhus@example.org",
        "mentor.odense@example.org",
        "koordinator.odense@example.org",
    ] {
        let other = app.login(email).await;
        assert_eq!(other.post(&path, &fields).await.status, 404, "{email}");
    }
    let planned = format!(
        "SELECT count(*) FROM courses WHERE id = '{course}' AND next_meeting_at IS NOT NULL"
    );
    assert_eq!(app.scalar::<i64>(&planned).await, 0);
}

#[tokio::test]
async fn the_feed_parses_names_courses_by_reference_only_and_dies_when_replaced_or_revoked() {
    let app = TestApp::spawn().await;
    let mentor = app.login(MENTOR).await;
    let course = own_active_course(&app, MENTOR).await;
    let saved = mentor
        .post(
            &format!("/forloeb/{course}/naeste-moede"),
            &[
                ("meeting_date", in_days(3).as_str()),
                ("meeting_time", "09:15"),
                ("meeting_minutes", "60"),
                ("meeting_place", "Biblioteket"),
            ],
        )
        .await;
    assert_eq!(saved.status, 303, "{}", saved.text);
    // The mentor is trained, nominated to a cohort with a coming mentor module, and a
    // network meeting for mentors lies ahead.
    let module = Uuid::now_v7();
    let event = Uuid::now_v7();
    let mut conn = app.owner_conn().await;
    sqlx::query(
        "WITH u AS (SELECT u.id AS user_id, cm.id AS member_id, cm.municipality_id
                    FROM users u JOIN corps_members cm ON cm.user_id = u.id WHERE u.email = $1),
              trained AS (UPDATE corps_members SET training_status = 'trained', active = true
                          WHERE id = (SELECT member_id FROM u)),
              cohort AS (INSERT INTO training_cohorts (id, name, corps_until)
                         VALUES (gen_random_uuid(), 'Hold 9', current_date + 900) RETURNING id),
              module AS (INSERT INTO training_modules (id, cohort_id, title, starts_on, ends_on, programmes)
                         SELECT $2, id, 'Modul 2: Mentorrollen', current_date + 20, current_date + 21, '{mentor}'
                         FROM cohort),
              nominated AS (INSERT INTO training_nominations (id, cohort_id, municipality_id, user_id, member_id, programme)
                            SELECT gen_random_uuid(), cohort.id, u.municipality_id, u.user_id, u.member_id, 'mentor'
                            FROM cohort, u)
         INSERT INTO corps_events (id, kind, title, starts_on, place, programmes)
         VALUES ($3, 'network_meeting', 'Netværksdag for mentorer', current_date + 40, 'Odense', '{mentor}')",
    )
    .bind(MENTOR)
    .bind(module)
    .bind(event)
    .execute(&mut conn)
    .await
    .unwrap();

    let feed = create_feed(&mentor).await;
    let anonymous = app.client();
    let (status, headers, bytes) = anonymous.get_bytes(&feed).await;
    assert_eq!(status, 200);
    assert_eq!(
        headers.get("content-type").unwrap(),
        "text/calendar; charset=utf-8"
    );
    assert_eq!(headers.get("cache-control").unwrap(), "private, no-store");
    let body = String::from_utf8(bytes).unwrap();

    // RFC 5545 on the wire: CRLF line ends, no line longer than 75 octets.
    assert!(body.ends_with("\r\n"));
    for line in body.split("\r\n") {
        assert!(!line.contains('\n'), "a bare LF in {line:?}");
        assert!(line.len() <= 75, "{} octets: {line:?}", line.len());
    }

    let calendar = parse(&body);
    assert_eq!(prop_value(&calendar.properties, "VERSION"), "2.0");
    assert!(!prop_value(&calendar.properties, "PRODID").is_empty());
    assert_eq!(
        prop_value(&calendar.properties, "X-WR-CALNAME"),
        "Korps – mine møder"
    );
    let zone = calendar.timezones.first().expect("a VTIMEZONE");
    assert_eq!(prop_value(&zone.properties, "TZID"), "Europe/Copenhagen");
    assert_eq!(zone.transitions.len(), 2, "standard and daylight time");
    for e in &calendar.events {
        assert!(prop_value(&e.properties, "UID").ends_with("@korps"));
        let stamp = prop_value(&e.properties, "DTSTAMP");
        assert!(stamp.ends_with('Z') && stamp.len() == 16, "UTC: {stamp}");
    }

    let reference = korps::courses::reference(course);
    let meeting = event_with_uid(&calendar, &format!("meeting-{course}@korps"));
    assert_eq!(
        prop_value(&meeting.properties, "SUMMARY"),
        format!("Møde i forløb {reference}")
    );
    assert!(
        prop(&meeting.properties, "LOCATION").is_none(),
        "the place, typed freely, stays in Korps"
    );
    let start = prop(&meeting.properties, "DTSTART").unwrap();
    assert_eq!(param(start, "TZID").as_deref(), Some("Europe/Copenhagen"));
    assert_eq!(
        start.value.as_deref(),
        Some(format!("{}T091500", ymd_in_days(3)).as_str())
    );
    let end = prop(&meeting.properties, "DTEND").unwrap();
    assert_eq!(
        end.value.as_deref(),
        Some(format!("{}T101500", ymd_in_days(3)).as_str())
    );

    let module = event_with_uid(&calendar, &format!("module-{module}@korps"));
    let start = prop(&module.properties, "DTSTART").unwrap();
    assert_eq!(param(start, "VALUE").as_deref(), Some("DATE"));
    assert_eq!(start.value.as_deref(), Some(ymd_in_days(20).as_str()));
    assert_eq!(
        prop_value(&module.properties, "DTEND"),
        ymd_in_days(22),
        "the day after the last"
    );
    let network = event_with_uid(&calendar, &format!("event-{event}@korps"));
    assert_eq!(
        prop_value(&network.properties, "SUMMARY"),
        "Netværksmøde: Netværksdag for mentorer"
    );

    // No citizen: no name anywhere, no birth year in any text, no course title.
    let mut conn = app.owner_conn().await;
    let citizens: Vec<(String, Option<i16>)> =
        sqlx::query_as("SELECT name, birth_year FROM citizens")
            .fetch_all(&mut conn)
            .await
            .unwrap();
    assert!(!citizens.is_empty());
    for (name, _) in &citizens {
        assert!(!body.contains(name.as_str()), "{name} is in the feed");
    }
    let texts: Vec<String> = calendar
        .events
        .iter()
        .flat_map(|e| ["SUMMARY", "LOCATION", "DESCRIPTION"].map(|p| prop_value(&e.properties, p)))
        .collect();
    for (_, year) in citizens {
        if let Some(year) = year {
            assert!(texts.iter().all(|t| !t.contains(&year.to_string())));
        }
    }
    let titles: Vec<String> = sqlx::query_scalar("SELECT title FROM courses WHERE title <> ''")
        .fetch_all(&mut conn)
        .await
        .unwrap();
    for title in titles {
        assert!(!body.contains(&title), "{title} is in the feed");
    }
    let read: i64 = app
        .scalar("SELECT count(*) FROM calendar_feeds WHERE last_read_at IS NOT NULL")
        .await;
    assert_eq!(read, 1, "the fetch is noted");

    // A new address kills the old one; revoking kills the new one.
    let replaced = create_feed(&mentor).await;
    assert_ne!(replaced, feed);
    assert_eq!(anonymous.get(&feed).await.status, 404);
    assert_eq!(anonymous.get(&replaced).await.status, 200);
    let without_suffix = replaced.trim_end_matches(".ics");
    assert_eq!(
        anonymous.get(without_suffix).await.status,
        404,
        "the .ics is part of the address"
    );
    let revoked = mentor.post("/konto/kalender/slet", &[]).await;
    assert_eq!(revoked.status, 303);
    assert_eq!(anonymous.get(&replaced).await.status, 404);
    assert!(
        mentor
            .get("/konto")
            .await
            .text_of("#calendar-status")
            .contains("ikke et kalenderlink")
    );
    let logged: i64 = app
        .scalar(
            "SELECT count(*) FROM audit_log WHERE action IN ('calendar_link_created', 'calendar_link_revoked')",
        )
        .await;
    assert_eq!(logged, 3);

    // A made-up token and a malformed one: 404.
    let random: String = (0..64)
        .map(|i| if i % 2 == 0 { 'a' } else { '7' })
        .collect();
    for path in [
        format!("/kalender/{random}.ics"),
        "/kalender/not-a-token.ics".to_string(),
    ] {
        assert_eq!(anonymous.get(&path).await.status, 404, "{path}");
    }
}

#[tokio::test]
async fn national_staff_are_not_offered_a_feed_and_may_not_make_one() {
    let app = TestApp::spawn().await;
    let national = app.login("national@example.org").await;
    assert!(!national.get("/konto").await.has("#kalender"));
    assert_eq!(
        national
            .post(
                "/konto/kalender",
                &[("form_key", &crate::support::form_key())]
            )
            .await
            .status,
        403
    );
    let feeds: i64 = app.scalar("SELECT count(*) FROM calendar_feeds").await;
    assert_eq!(feeds, 0);
}

#[tokio::test]
async fn a_feed_ends_when_the_password_changes_or_the_account_is_deactivated() {
    let app = TestApp::spawn().await;
    let mentor = app.login("mentor.aarhus@example.org").await;
    let path = create_feed(&mentor).await;
    let anyone = app.client();
    assert_eq!(anyone.get(&path).await.status, 200);
    // A coordinator's reset (or the user's own change) moves the session generation on.
    let mut owner = app.owner_conn().await;
    sqlx::query(
        "UPDATE users SET session_generation = session_generation + 1
         WHERE email = 'mentor.aarhus@example.org'",
    )
    .execute(&mut owner)
    .await
    .unwrap();
    assert_eq!(
        anyone.get(&path).await.status,
        404,
        "the old address is dead"
    );

    let coach = app.login("coach.aarhus@example.org").await;
    let path = create_feed(&coach).await;
    assert_eq!(anyone.get(&path).await.status, 200);
    sqlx::query("UPDATE users SET active = false WHERE email = 'coach.aarhus@example.org'")
        .execute(&mut owner)
        .await
        .unwrap();
    sqlx::query("UPDATE users SET active = true WHERE email = 'coach.aarhus@example.org'")
        .execute(&mut owner)
        .await
        .unwrap();
    assert_eq!(
        anyone.get(&path).await.status,
        404,
        "reactivation does not bring it back"
    );
}

/// A double click on "make a calendar address": one feed, and the address the first
/// answer showed still works (a second feed would have replaced it).
#[tokio::test]
async fn a_calendar_address_made_twice_by_a_double_click_is_made_once() {
    let app = TestApp::spawn().await;
    let mentor = app.login(MENTOR).await;
    let key = mentor
        .get("/konto")
        .await
        .attr(
            "form[action='/konto/kalender'] input[name=form_key]",
            "value",
        )
        .unwrap();
    let first = mentor.post("/konto/kalender", &[("form_key", &key)]).await;
    assert_eq!(first.status, 303);
    let url = value(&mentor.get("/konto").await, "calendar_url");
    let feed = &url[url.find("/kalender/").expect("a feed address")..];
    let second = mentor.post("/konto/kalender", &[("form_key", &key)]).await;
    assert_eq!(second.status, 303);
    assert_eq!(second.location(), first.location());
    assert_eq!(
        app.client().get_bytes(feed).await.0,
        200,
        "the address shown stays valid"
    );
}

//! Mail, notices and reminders: every kind of mail reaches an SMTP server (one in this
//! process) with a link and counts and no citizen data; mails wait while the server is
//! down and go out once, also with two senders; failures show for national staff with a
//! resend; the inbox and the bell; the mail preferences.

use std::collections::HashSet;

use korps::config::Config;
use korps::mail::{MAX_ATTEMPTS, Sender};
use korps::reminders;
use time::OffsetDateTime;
use uuid::Uuid;

use crate::support::smtp::SmtpSink;
use crate::support::{Client, TestApp};

const AARHUS: &str = "koordinator.aarhus@example.org";
const ODENSE: &str = "koordinator.odense@example.org";
const NATIONAL: &str = "national@example.org";
const MENTOR: &str = "mentor.aarhus@example.org";

fn sender(app: &TestApp, smtp_url: Option<String>) -> Sender {
    let mut config = Config::for_tests(String::new());
    config.smtp_url = smtp_url;
    Sender::new(app.pool.clone(), &config).expect("a sender")
}

#[tokio::test]
async fn without_an_smtp_server_each_mail_is_an_eml_file() {
    let app = TestApp::spawn().await;
    every_loan_step(&app, false).await;
    let dir = std::env::temp_dir().join(format!("korps-mail-{}", Uuid::new_v4()));
    let mut config = Config::for_tests(String::new());
    config.mail_dir = dir.clone();
    let sender = Sender::new(app.pool.clone(), &config).unwrap();
    // A stopping server sends nothing more: it asks before each mail.
    let stopped = sender.send_due_while(|| false).await.unwrap();
    assert_eq!(stopped.sent, 0);
    assert_eq!(
        std::fs::read_dir(&dir)
            .map(|entries| entries.count())
            .unwrap_or(0),
        0,
        "not one mail written"
    );
    let sent = drain(&sender).await;
    assert!(sent > 0);
    let files: Vec<_> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|entry| entry.unwrap().path())
        .collect();
    assert_eq!(files.len(), sent);
    assert!(
        files
            .iter()
            .all(|f| f.extension().is_some_and(|e| e == "eml"))
    );
    let mentor = files
        .iter()
        .map(|f| std::fs::read_to_string(f).unwrap())
        .map(|raw| parse(&raw))
        .find(|mail| mail.body.starts_with("Kære Ahmad Rahimi"))
        .expect("the mentor's mail");
    assert!(
        mentor.body.contains("http://korps.test/forloeb/"),
        "{}",
        mentor.body
    );
    std::fs::remove_dir_all(dir).unwrap();
}

/// Sends until nothing more is due; the number sent.
async fn drain(sender: &Sender) -> usize {
    let mut sent = 0;
    loop {
        let round = sender.send_due().await.expect("send");
        sent += round.sent;
        if round.sent == 0 {
            return sent;
        }
    }
}

async fn count(app: &TestApp, sql: &str) -> i64 {
    app.scalar::<i64>(sql).await
}

/// Today at 10:00 UTC (11:00 or 12:00 in Copenhagen): past the digest hour whenever the
/// test runs.
fn this_morning() -> OffsetDateTime {
    OffsetDateTime::now_utc().replace_time(time::macros::time!(10:00))
}

/// Every loan step that tells someone, through HTTP: Odense asks, the centre forwards to
/// Aarhus, Aarhus declines, the centre forwards again, Aarhus agrees, Odense assigns the
/// course (the mentor hears of it), and (when `end`) Odense ends the loan.
async fn every_loan_step(app: &TestApp, end: bool) {
    let odense = app.login(ODENSE).await;
    let national = app.login(NATIONAL).await;
    let aarhus = app.login(AARHUS).await;
    let course = crate::loans::waiting_course(app).await;
    let loan = crate::loans::request(app, &odense, course).await;
    let aarhus_id = app.municipality_id("Aarhus").await.to_string();
    let forward = async |national: &Client| {
        let v = crate::loans::version(app, loan).await;
        let page = national
            .post(
                &format!("/udlaan/{loan}/videresend"),
                &[("version", &v), ("municipality", &aarhus_id), ("note", "")],
            )
            .await;
        assert_eq!(page.status, 303, "{}", page.text);
    };
    forward(&national).await;
    let v = crate::loans::version(app, loan).await;
    let declined = aarhus
        .post(
            &format!("/udlaan/{loan}/afvis"),
            &[("version", &v), ("reason", "Ingen ledige før januar.")],
        )
        .await;
    assert_eq!(declined.status, 303);
    forward(&national).await;
    let member: Uuid = app
        .scalar(
            "SELECT cm.id FROM corps_members cm JOIN users u ON u.id = cm.user_id
             WHERE u.email = 'mentor.aarhus@example.org'",
        )
        .await;
    let v = crate::loans::version(app, loan).await;
    let agreed = aarhus
        .post(
            &format!("/udlaan/{loan}/accepter"),
            &[
                ("version", &v),
                ("member", &member.to_string()),
                ("rate", "400"),
                ("pays", "yes"),
            ],
        )
        .await;
    assert_eq!(agreed.status, 303, "{}", agreed.text);
    let v = crate::loans::version(app, loan).await;
    let assigned = odense
        .post(&format!("/udlaan/{loan}/tildel"), &[("version", &v)])
        .await;
    assert_eq!(assigned.status, 303);
    if !end {
        return;
    }
    let v = crate::loans::version(app, loan).await;
    let ended = odense
        .post(&format!("/udlaan/{loan}/afslut"), &[("version", &v)])
        .await;
    assert_eq!(ended.status, 303);
}

/// A round opens (every coordinator hears), Aarhus applies and the centre decides.
async fn round_and_decision(app: &TestApp) {
    let (national, _, _, application) = crate::applications::submitted_training(app).await;
    let path = format!("/ansoegninger/{application}/afgoerelse");
    let form = national.get(&path).await;
    let version = form.attr("input[name=version]", "value").unwrap();
    let decided = national
        .post(
            &path,
            &[
                ("version", &version),
                ("outcome", "approved"),
                ("mentor_seats", "2"),
                ("parent_coach_seats", "1"),
                ("reason", "Velbeskrevet."),
            ],
        )
        .await;
    assert_eq!(decided.status, 303, "{}", decided.text);
}

/// Everything a citizen is known by, or wrote about: none of it may be in a mail.
async fn citizen_data(app: &TestApp) -> (Vec<String>, Vec<String>) {
    let mut conn = app.owner_conn().await;
    let texts: Vec<String> = sqlx::query_scalar(
        "SELECT t FROM (
            SELECT name AS t FROM citizens
            UNION SELECT referred_by FROM citizens
            UNION SELECT legal_basis_note FROM citizens
            UNION SELECT notes FROM course_sessions
            UNION SELECT next_step FROM course_sessions
            UNION SELECT participants FROM course_sessions
            UNION SELECT title FROM courses
            UNION SELECT end_note FROM courses
            UNION SELECT cancel_reason FROM courses
            UNION SELECT needs FROM loans
            UNION SELECT decline_reason FROM loans
         ) x WHERE length(trim(t)) >= 4",
    )
    .fetch_all(&mut conn)
    .await
    .unwrap();
    let years: Vec<String> = sqlx::query_scalar(
        "SELECT DISTINCT birth_year::text FROM citizens WHERE birth_year IS NOT NULL",
    )
    .fetch_all(&mut conn)
    .await
    .unwrap();
    assert!(
        texts.len() > 20 && !years.is_empty(),
        "the demo has citizens"
    );
    (texts, years)
}

struct Mail {
    subject: String,
    body: String,
}

fn parse(raw: &str) -> Mail {
    let message = mail_parser::MessageParser::default()
        .parse(raw.as_bytes())
        .expect("a mail");
    Mail {
        subject: message.subject().unwrap_or_default().to_string(),
        body: message.body_text(0).unwrap_or_default().to_string(),
    }
}

#[tokio::test]
async fn every_kind_of_mail_reaches_smtp_with_a_link_and_no_citizen_data() {
    let app = TestApp::spawn().await;
    let mut owner = app.owner_conn().await;
    sqlx::query("UPDATE users SET digest = 'daily'")
        .execute(&mut owner)
        .await
        .unwrap();

    round_and_decision(&app).await;
    every_loan_step(&app, true).await;
    // A round whose deadline is two days away: the municipalities that have not applied
    // hear of it; digests for everyone with something due.
    sqlx::query(
        "UPDATE application_rounds SET deadline = now() + interval '2 days'
         WHERE id = (SELECT id FROM application_rounds WHERE state = 'open' ORDER BY created_at LIMIT 1)",
    )
    .execute(&mut owner)
    .await
    .unwrap();
    let planned = reminders::plan(&app.pool, this_morning()).await.unwrap();
    assert!(
        planned.digests > 0 && planned.deadline_notices > 0,
        "{planned:?}"
    );

    let kinds: HashSet<String> = sqlx::query_scalar("SELECT DISTINCT kind FROM outbox")
        .fetch_all(&mut owner)
        .await
        .unwrap()
        .into_iter()
        .collect();
    for kind in [
        "digest",
        "course_assigned",
        "application_decided",
        "loan_forwarded",
        "loan_agreed",
        "loan_declined",
        "loan_ended",
        "round_opened",
        "round_deadline",
    ] {
        assert!(kinds.contains(kind), "a {kind} mail is queued: {kinds:?}");
    }

    let sink = SmtpSink::start().await;
    let queued = count(&app, "SELECT count(*) FROM outbox").await as usize;
    let sent = drain(&sender(&app, Some(sink.url()))).await;
    assert_eq!(sent, queued);
    let received = sink.received.all();
    assert_eq!(received.len(), queued, "every mail arrived over SMTP");
    assert_eq!(
        count(&app, "SELECT count(*) FROM outbox WHERE sent_at IS NULL").await,
        0
    );

    let (texts, years) = citizen_data(&app).await;
    let mut digests = 0;
    for raw in &received {
        let mail = parse(raw);
        assert!(mail.subject.starts_with("Korps: "), "{}", mail.subject);
        assert!(
            mail.body.contains("\nhttp://korps.test/"),
            "a link into Korps: {}",
            mail.body
        );
        assert!(!mail.body.contains("{korps}"));
        for text in &texts {
            assert!(
                !mail.body.contains(text.as_str()) && !mail.subject.contains(text.as_str()),
                "citizen data {text:?} in a mail:\n{}",
                mail.body
            );
        }
        // Links hold ids; a birth year must not be anywhere else.
        let words: String = mail
            .body
            .split_whitespace()
            .filter(|word| !word.starts_with("http"))
            .collect::<Vec<_>>()
            .join(" ");
        for year in &years {
            assert!(!words.contains(year.as_str()), "a birth year in:\n{words}");
        }
        if mail.subject.contains("oversigt") {
            digests += 1;
            assert!(mail.body.contains("Overskredne punkter: "), "{}", mail.body);
        }
    }
    assert_eq!(digests, planned.digests);
    assert!(
        received
            .iter()
            .map(|raw| parse(raw).body)
            .any(|body| body.starts_with("Kære Ahmad Rahimi")
                && body.contains("Du har fået et nyt forløb: F-")),
        "the lent mentor heard of the course by its reference"
    );
}

#[tokio::test]
async fn mails_wait_while_the_server_is_down_and_go_out_once_with_two_senders() {
    let app = TestApp::spawn().await;
    // Thirty mails, queued as an event would.
    let mut owner = app.owner_conn().await;
    sqlx::query(
        "INSERT INTO outbox (id, kind, user_id, to_address, to_name, subject, body)
         SELECT gen_random_uuid(), 'round_opened', u.id, u.email, u.name, 'Korps: prøve ' || g, 'Hej {korps}/'
         FROM users u, generate_series(1, 2) g
         WHERE u.email LIKE 'koordinator.%' OR u.email LIKE 'mentor.%' OR u.email LIKE 'coach.%'
            OR u.email LIKE '%@example.org'
         LIMIT 30",
    )
    .execute(&mut owner)
    .await
    .unwrap();
    assert_eq!(count(&app, "SELECT count(*) FROM outbox").await, 30);

    let mut sink = SmtpSink::start().await;
    sink.stop();
    let (first, second) = (
        sender(&app, Some(sink.url())),
        sender(&app, Some(sink.url())),
    );
    let round = first.send_due().await.unwrap();
    assert_eq!(round.sent, 0);
    assert_eq!(
        round.retrying, 1,
        "a refused connection stops the round after one try"
    );
    assert_eq!(
        count(
            &app,
            "SELECT count(*) FROM outbox WHERE sent_at IS NULL AND failed_at IS NULL"
        )
        .await,
        30,
        "nothing is lost"
    );
    assert_eq!(
        count(&app, "SELECT count(*) FROM outbox WHERE attempts = 1").await,
        1
    );
    // The row tried waits for its retry; the next round tries the next row.
    let again = first.send_due().await.unwrap();
    assert_eq!((again.sent, again.retrying), (0, 1));
    assert_eq!(
        count(&app, "SELECT count(*) FROM outbox WHERE attempts = 1").await,
        2
    );

    sink.restart().await;
    sqlx::query("UPDATE outbox SET next_attempt_at = now()")
        .execute(&mut owner)
        .await
        .unwrap();
    let (a, b) = tokio::join!(drain(&first), drain(&second));
    assert_eq!(a + b, 30, "{a} + {b}");
    assert!(a > 0 && b > 0, "both senders took part: {a} + {b}");
    let received = sink.received.all();
    assert_eq!(received.len(), 30, "none twice");
    let ids: HashSet<String> = received
        .iter()
        .map(|raw| {
            mail_parser::MessageParser::default()
                .parse(raw.as_bytes())
                .unwrap()
                .message_id()
                .unwrap()
                .to_string()
        })
        .collect();
    assert_eq!(ids.len(), 30);
    assert_eq!(
        count(
            &app,
            "SELECT count(*) FROM outbox WHERE sent_at IS NOT NULL"
        )
        .await,
        30
    );
}

#[tokio::test]
async fn a_mail_that_keeps_failing_shows_for_the_centre_which_sends_it_again() {
    let app = TestApp::spawn().await;
    let mut owner = app.owner_conn().await;
    let id = Uuid::new_v4();
    sqlx::query(
        "INSERT INTO outbox (id, kind, to_address, subject, body, attempts)
         VALUES ($1, 'loan_agreed', 'koordinator.odense@example.org', 'Korps: prøve', 'Hej', $2)",
    )
    .bind(id)
    .bind(MAX_ATTEMPTS - 1)
    .execute(&mut owner)
    .await
    .unwrap();
    let mut sink = SmtpSink::start().await;
    sink.stop();
    let round = sender(&app, Some(sink.url())).send_due().await.unwrap();
    assert_eq!(round.failed, 1);

    let national = app.login(NATIONAL).await;
    let page = national.get("/udgaaende-mails?status=failed").await;
    assert_eq!(page.status, 200);
    let rows = page.texts("tbody tr");
    assert_eq!(rows.len(), 1, "{rows:?}");
    assert!(
        rows[0].contains("Fejlet") && rows[0].contains("prøve"),
        "{rows:?}"
    );

    // Coordinators neither see nor resend the outbox, by the route or the database.
    let aarhus = app.login(AARHUS).await;
    assert_ne!(aarhus.get("/udgaaende-mails").await.status, 200);
    let path = format!("/udgaaende-mails/{id}/send-igen");
    assert_ne!(aarhus.post(&path, &[]).await.status, 303);
    let aarhus_id = app.municipality_id("Aarhus").await;
    let coordinator = app.user_id(AARHUS).await;
    let mut tx = app
        .tenant_tx(korps::db::Scope::Municipality {
            user_id: coordinator,
            municipality_id: aarhus_id,
        })
        .await;
    let seen: i64 = sqlx::query_scalar("SELECT count(*) FROM outbox")
        .fetch_one(tx.conn())
        .await
        .unwrap();
    assert_eq!(seen, 0, "row-level security hides the outbox");
    drop(tx);

    let resent = national.post(&path, &[]).await;
    assert_eq!(resent.status, 303);
    // Sending it again twice (a double click) is harmless: the second finds nothing failed.
    assert_eq!(national.post(&path, &[]).await.status, 404);
    sink.restart().await;
    assert_eq!(drain(&sender(&app, Some(sink.url()))).await, 1);
    assert_eq!(sink.received.all().len(), 1);
    assert_eq!(
        count(
            &app,
            "SELECT count(*) FROM audit_log WHERE action = 'mail_resent'"
        )
        .await,
        1
    );
}

#[tokio::test]
async fn the_bell_counts_unread_notices_which_lead_to_the_record() {
    let app = TestApp::spawn().await;
    let mentor = app.login(MENTOR).await;
    assert!(!mentor.get("/").await.has(".korps-bell-count"));
    every_loan_step(&app, false).await;

    let start = mentor.get("/").await;
    assert_eq!(start.text_of(".korps-bell-count"), "1");
    assert_eq!(
        start.attr(".korps-bell", "aria-label").as_deref(),
        Some("Beskeder, 1 ulæste")
    );
    let inbox = mentor.get("/beskeder").await;
    assert_eq!(inbox.status, 200);
    let rows = inbox.texts("tbody tr");
    assert_eq!(rows.len(), 1);
    assert!(
        rows[0].starts_with("Du har fået et nyt forløb: F-"),
        "{rows:?}"
    );
    let action = inbox.attr("tbody form", "action").unwrap();
    let notice = action
        .trim_start_matches("/beskeder/")
        .trim_end_matches("/laest")
        .to_string();

    // Someone else's notice is not there for them.
    let aarhus = app.login(AARHUS).await;
    assert_eq!(aarhus.post(&action, &[]).await.status, 404);
    let random = format!("/beskeder/{}/laest", Uuid::new_v4());
    assert_eq!(mentor.post(&random, &[]).await.status, 404);

    let opened = mentor.post(&action, &[]).await;
    assert_eq!(opened.status, 303);
    let course: Uuid = app
        .scalar(&format!(
            "SELECT (regexp_match(href, '[0-9a-f-]{{36}}'))[1]::uuid FROM notices WHERE id = '{notice}'"
        ))
        .await;
    assert_eq!(opened.location(), format!("/forloeb/{course}"));
    assert_eq!(mentor.get(&opened.location()).await.status, 200);
    assert!(!mentor.get("/").await.has(".korps-bell-count"));

    // Aarhus's coordinator had a notice each time the centre forwarded the request.
    let unread = aarhus.get("/").await.text_of(".korps-bell-count");
    assert_eq!(unread, "2", "forwarded twice");
    let all = aarhus.post("/beskeder/laest", &[]).await;
    assert_eq!(all.status, 303);
    assert!(!aarhus.get("/").await.has(".korps-bell-count"));
}

#[tokio::test]
async fn preferences_choose_the_digest_and_which_notices_come_by_mail() {
    let app = TestApp::spawn().await;
    let mentor = app.login(MENTOR).await;
    let account = mentor.get("/konto").await;
    assert_eq!(
        account.attr("#digest option[selected]", "value").as_deref(),
        Some("weekly")
    );
    assert!(account.has("input[name=notices][value=course_assigned][checked]"));
    assert!(
        !account.has("input[name=notices][value=round_opened]"),
        "a mentor is offered only what can reach a mentor"
    );

    let refused = mentor.post("/konto/mails", &[("digest", "hourly")]).await;
    assert_eq!(refused.status, 422);
    assert_eq!(
        refused.field_error("digest"),
        "Vælg, hvor tit du vil have oversigten."
    );
    assert!(
        !refused.has("input[name=notices][checked]"),
        "what was typed is kept: nothing ticked"
    );

    let saved = mentor.post("/konto/mails", &[("digest", "off")]).await;
    assert_eq!(saved.status, 303);
    let (digest, off): (String, Vec<String>) = {
        let mut conn = app.owner_conn().await;
        sqlx::query_as(
            "SELECT digest, mail_off FROM users WHERE email = 'mentor.aarhus@example.org'",
        )
        .fetch_one(&mut conn)
        .await
        .unwrap()
    };
    assert_eq!(digest, "off");
    assert_eq!(off, vec!["course_assigned".to_string()]);

    // The course still arrives as a notice, but not as a mail; no digest either.
    every_loan_step(&app, true).await;
    assert_eq!(
        count(
            &app,
            "SELECT count(*) FROM notices n JOIN users u ON u.id = n.user_id
             WHERE u.email = 'mentor.aarhus@example.org'"
        )
        .await,
        1
    );
    assert_eq!(
        count(
            &app,
            "SELECT count(*) FROM outbox WHERE to_address = 'mentor.aarhus@example.org'"
        )
        .await,
        0
    );
    reminders::plan(&app.pool, this_morning()).await.unwrap();
    assert_eq!(
        count(
            &app,
            "SELECT count(*) FROM outbox WHERE to_address = 'mentor.aarhus@example.org'"
        )
        .await,
        0
    );
}

#[tokio::test]
async fn a_digest_goes_once_per_period_and_not_when_nothing_is_due() {
    let app = TestApp::spawn().await;
    let mut owner = app.owner_conn().await;
    sqlx::query("UPDATE users SET digest = 'daily'")
        .execute(&mut owner)
        .await
        .unwrap();
    let now = this_morning();
    let (first, second) = tokio::join!(
        reminders::plan(&app.pool, now),
        reminders::plan(&app.pool, now)
    );
    let planned = first.unwrap().digests + second.unwrap().digests;
    assert!(planned > 0);
    let digests = count(&app, "SELECT count(*) FROM outbox WHERE kind = 'digest'").await;
    assert_eq!(
        digests as usize, planned,
        "two planners at once: each digest once"
    );
    assert_eq!(
        reminders::plan(&app.pool, now).await.unwrap().digests,
        0,
        "the next round finds the day planned"
    );
    // A user with nothing due (national staff have no courses) gets none.
    assert_eq!(
        count(
            &app,
            "SELECT count(*) FROM outbox WHERE to_address = 'national@example.org'"
        )
        .await,
        0
    );
    // Weekly digests wait for Monday.
    sqlx::query("UPDATE users SET digest = 'weekly'")
        .execute(&mut owner)
        .await
        .unwrap();
    let mut day = now + time::Duration::days(1);
    while day.weekday() == time::Weekday::Monday {
        day += time::Duration::days(1);
    }
    assert_eq!(reminders::plan(&app.pool, day).await.unwrap().digests, 0);
    let mut monday = now;
    while monday.weekday() != time::Weekday::Monday {
        monday += time::Duration::days(1);
    }
    assert!(reminders::plan(&app.pool, monday).await.unwrap().digests > 0);
}

#[tokio::test]
async fn a_municipality_learns_the_staff_of_no_municipality_it_has_no_loan_with() {
    let app = TestApp::spawn().await;
    let aarhus = app.municipality_id("Aarhus").await;
    let stranger: Uuid = app
        .scalar(&format!(
            "SELECT m.id FROM municipalities m WHERE m.id <> '{aarhus}'
               AND NOT EXISTS (SELECT 1 FROM loans l
                               WHERE (l.municipality_id = m.id AND l.lending_municipality_id = '{aarhus}')
                                  OR (l.lending_municipality_id = m.id AND l.municipality_id = '{aarhus}'))
             LIMIT 1"
        ))
        .await;
    let coordinator = app.user_id(AARHUS).await;
    let mut tx = app
        .tenant_tx(korps::db::Scope::Municipality {
            user_id: coordinator,
            municipality_id: aarhus,
        })
        .await;
    let count = async |tx: &mut korps::db::TenantTx, sql: &str, id: Option<Uuid>| -> i64 {
        sqlx::query_scalar(sql)
            .bind(id)
            .fetch_one(tx.conn())
            .await
            .unwrap()
    };
    let own = "SELECT count(*) FROM staff_to_notify($1, 'coordinator')";
    assert!(
        count(&mut tx, own, Some(aarhus)).await > 0,
        "its own coordinators"
    );
    assert_eq!(
        count(&mut tx, own, Some(stranger)).await,
        0,
        "not another's"
    );
    assert_eq!(
        count(&mut tx, own, None).await,
        0,
        "not every municipality's"
    );
    let odense_member: Uuid = app
        .scalar(
            "SELECT cm.id FROM corps_members cm JOIN users u ON u.id = cm.user_id
             WHERE u.email = 'mentor.odense@example.org'",
        )
        .await;
    let member = "SELECT count(*) FROM member_to_notify($1)";
    assert_eq!(
        count(&mut tx, member, Some(odense_member)).await,
        0,
        "not another municipality's member"
    );
    // A mentor before choosing a municipality learns nothing.
    let mentor = app.user_id(MENTOR).await;
    let mut tx = app
        .tenant_tx(korps::db::Scope::User { user_id: mentor })
        .await;
    assert_eq!(count(&mut tx, own, Some(aarhus)).await, 0);
}

#[tokio::test]
async fn a_round_opened_again_is_not_told_twice() {
    let app = TestApp::spawn().await;
    let national = app.login(NATIONAL).await;
    let round = crate::applications::open_round(&national, "training", "Uddannelse 2099", "").await;
    let told = count(
        &app,
        "SELECT count(*) FROM notices WHERE kind = 'round_opened'",
    )
    .await;
    assert!(told > 0);
    let closed = national
        .post(&format!("/ansoegningsrunder/{round}/luk"), &[])
        .await;
    assert_eq!(closed.status, 303);
    let reopened = national
        .post(&format!("/ansoegningsrunder/{round}/aabn"), &[])
        .await;
    assert_eq!(reopened.status, 303);
    assert_eq!(
        count(
            &app,
            "SELECT count(*) FROM notices WHERE kind = 'round_opened'"
        )
        .await,
        told
    );
}

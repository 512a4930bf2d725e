//! Consent where PRODUCT.md requires it: no session or tool is recorded for a participant
//! whose consent to take part is missing or withdrawn, and a withdrawn evaluation consent
//! takes the course out of the national evaluation figures.

use uuid::Uuid;

use crate::support::TestApp;

/// An active Aarhus mentor course from the demo data, its mentee and the mentee's
/// participation consent.
async fn course(app: &TestApp) -> (Uuid, Uuid, Uuid) {
    let mut conn = app.owner_conn().await;
    sqlx::query_as(
        "SELECT c.id, p.citizen_id, k.id FROM courses c
         JOIN municipalities m ON m.id = c.municipality_id AND m.name = 'Aarhus'
         JOIN course_participants p ON p.course_id = c.id
         JOIN consents k ON k.citizen_id = p.citizen_id AND k.kind = 'participation' AND k.withdrawn_on IS NULL
         WHERE c.state = 'active' AND c.kind = 'mentor' LIMIT 1",
    )
    .fetch_one(&mut conn)
    .await
    .unwrap()
}

#[tokio::test]
async fn nothing_is_recorded_for_a_participant_whose_consent_to_take_part_is_withdrawn() {
    let app = TestApp::spawn().await;
    let coordinator = app.login("koordinator.aarhus@example.org").await;
    let (course, citizen, consent) = course(&app).await;
    let withdrawn = coordinator
        .post(
            &format!("/borgere/{citizen}/samtykker/{consent}/tilbagekald"),
            &[],
        )
        .await;
    assert_eq!(withdrawn.status, 303);

    let sessions = format!("SELECT count(*) FROM course_sessions WHERE course_id = '{course}'");
    let answers = format!("SELECT count(*) FROM tool_answers WHERE course_id = '{course}'");
    let (sessions_before, answers_before): (i64, i64) =
        (app.scalar(&sessions).await, app.scalar(&answers).await);

    let form = coordinator
        .get(&format!("/forloeb/{course}/sessioner/ny"))
        .await;
    let key = form.attr("input[name=form_key]", "value").unwrap();
    let today = form.attr("#held_on", "value").unwrap();
    let fields = [
        ("held_on", today.as_str()),
        ("duration_minutes", "60"),
        ("kind", "session"),
        ("participants", "Mentee"),
        ("notes", "Talte om fremtiden."),
        ("next_step", ""),
        ("form_key", key.as_str()),
    ];
    let refused = coordinator
        .post(&format!("/forloeb/{course}/sessioner"), &fields)
        .await;
    assert_eq!(refused.status, 422);
    assert!(
        refused
            .text_of("#consent")
            .contains("Der er ikke registreret samtykke til deltagelse"),
        "the reason is said: {}",
        refused.text_of("#consent")
    );
    assert_eq!(
        refused.text_of("textarea#notes"),
        "Talte om fremtiden.",
        "what was typed is kept"
    );
    let tool = coordinator
        .post(
            &format!("/forloeb/{course}/redskaber/development_plan"),
            &[
                ("filled_on", today.as_str()),
                ("goals-0-goal", "Komme i skole"),
                ("progress", "6"),
            ],
        )
        .await;
    assert_eq!(tool.status, 422);
    assert!(tool.text_of("#consent").contains("samtykke"));
    assert_eq!(app.scalar::<i64>(&sessions).await, sessions_before);
    assert_eq!(app.scalar::<i64>(&answers).await, answers_before);

    // Consent recorded again: the same session is saved.
    let recorded = coordinator
        .post(
            &format!("/borgere/{citizen}/samtykker"),
            &[
                ("consent-kind", "participation"),
                ("consent-given_by", "citizen"),
                ("consent-given_on", today.as_str()),
                ("form_key", &crate::support::form_key()),
            ],
        )
        .await;
    assert_eq!(recorded.status, 303);
    let saved = coordinator
        .post(&format!("/forloeb/{course}/sessioner"), &fields)
        .await;
    assert_eq!(saved.status, 303);
    assert_eq!(app.scalar::<i64>(&sessions).await, sessions_before + 1);
}

/// The courses behind the national pre/post change figures, all municipalities.
async fn evaluated(app: &TestApp) -> i64 {
    let mut conn = app.owner_conn().await;
    let mut tx = sqlx::Connection::begin(&mut conn).await.unwrap();
    sqlx::query("SELECT set_config('app.national', 'on', true)")
        .execute(&mut *tx)
        .await
        .unwrap();
    let n: Option<i64> = sqlx::query_scalar(
        "SELECT sum(courses)::bigint FROM national_change('', '2000-01-01', '2100-01-01')",
    )
    .fetch_one(&mut *tx)
    .await
    .unwrap();
    n.unwrap_or(0)
}

#[tokio::test]
async fn a_withdrawn_evaluation_consent_takes_the_course_out_of_the_national_figures() {
    let app = TestApp::spawn().await;
    let coordinator = app.login("koordinator.aarhus@example.org").await;
    // A course counted in the change figures: pre and post measured, every participant
    // consenting to the evaluation.
    let mut conn = app.owner_conn().await;
    let (citizen, consent): (Uuid, Uuid) = sqlx::query_as(
        "SELECT p.citizen_id, k.id FROM courses c
         JOIN municipalities m ON m.id = c.municipality_id AND m.name = 'Aarhus'
         JOIN course_participants p ON p.course_id = c.id
         JOIN consents k ON k.citizen_id = p.citizen_id AND k.kind = 'evaluation' AND k.withdrawn_on IS NULL
         WHERE evaluation_consented(c.id)
           AND EXISTS (SELECT 1 FROM measurements x WHERE x.course_id = c.id AND x.kind LIKE '%\\_pre')
           AND EXISTS (SELECT 1 FROM measurements x WHERE x.course_id = c.id AND x.kind LIKE '%\\_post')
           AND (SELECT count(*) FROM course_participants q JOIN course_participants r ON r.citizen_id = q.citizen_id
                WHERE q.course_id = c.id) = 1
         LIMIT 1",
    )
    .fetch_one(&mut conn)
    .await
    .unwrap();
    let measures: i64 = app
        .scalar(&format!(
            "SELECT count(DISTINCT split_part(x.kind, '_', 1)) FROM measurements x
             JOIN course_participants p ON p.course_id = x.course_id AND p.citizen_id = '{citizen}'
             WHERE x.kind LIKE '%\\_post'
               AND EXISTS (SELECT 1 FROM measurements y WHERE y.course_id = x.course_id
                           AND y.kind = split_part(x.kind, '_', 1) || '_pre')"
        ))
        .await;
    let before = evaluated(&app).await;
    let withdrawn = coordinator
        .post(
            &format!("/borgere/{citizen}/samtykker/{consent}/tilbagekald"),
            &[],
        )
        .await;
    assert_eq!(withdrawn.status, 303);
    assert_eq!(
        evaluated(&app).await,
        before - measures,
        "the course leaves every change figure it was in, from the day of withdrawal"
    );
}

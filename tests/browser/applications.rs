//! An application round clicked through: national staff create and open a training round;
//! Odense's coordinator starts an application, meets the Danish errors of an empty
//! submission, saves a draft, comes back to it and submits it, after which it is
//! read-only; national staff score every criterion and approve it with seats per
//! programme; the coordinator sees the decision, its reason and the seats, and never the
//! scores. axe runs on every page visited.

use fantoccini::Locator;
use korps::clock;
use korps::i18n::{Locale, fill};
use sqlx::Connection;

use crate::browser::{Tab, browse};
use crate::support::{PASSWORD, TestApp};

const NATIONAL: &str = "national@example.org";
const COORDINATOR: &str = "koordinator.odense@example.org";
const ROUND: &str = "Ekstra uddannelsesrunde for mentorer og forældrecoaches";
const REASON: &str = "Velbeskrevet organisering og tydelig ledelsesopbakning. Der gives færre \
                      pladser end søgt, fordi runden er overtegnet.";

/// The criteria of a training round (2015 guide) with the score and note given here.
const SCORES: &[(&str, u8, &str)] = &[
    (
        "challenges",
        4,
        "Tydeligt udfordringsbillede med tal fra infohuset.",
    ),
    ("commitments", 5, "Alle tre forpligtelser er accepteret."),
    ("anchoring", 4, "Forankret i SSP og familieafdelingen."),
    (
        "management_support",
        4,
        "Direktionen bakker op med finansiering.",
    ),
    (
        "organisation",
        4,
        "Klar opgavefordeling og månedlig supervision.",
    ),
    (
        "recruitment",
        3,
        "Fastholdelsen kunne beskrives mere konkret.",
    ),
    ("target_groups", 4, "God plan for at nå skolerne."),
    (
        "spread",
        5,
        "Søger begge uddannelser; få ansøgere fra Syddanmark.",
    ),
];

/// The element with this id (for fields whose labels repeat, as on the review form).
async fn by_id(tab: &Tab, id: &str) -> fantoccini::elements::Element {
    match tab.client.find(Locator::Id(id)).await {
        Ok(element) => element,
        Err(err) => panic!("no #{id} on {}: {err}", tab.url().await),
    }
}

fn in_days(days: i64) -> String {
    clock::format_date(clock::today() + time::Duration::days(days))
}

#[tokio::test]
async fn a_training_round_is_opened_applied_to_scored_and_approved_and_the_applicant_sees_the_decision()
 {
    let app = TestApp::spawn().await;
    let owner = app.owner.clone();
    browse("applications round", &app.base, |tab| async move {
        let a = &Locale::Da.messages().apps;
        let deadline = in_days(30);
        let corps_until = in_days(3 * 365);

        // 1. National staff create a training round and open it.
        tab.log_in(NATIONAL, PASSWORD).await;
        tab.menu("Ansøgningsrunder").await;
        assert_eq!(tab.path().await, "/ansoegningsrunder");
        tab.audit_here("national – rounds").await;
        tab.follow("Ny ansøgningsrunde").await;
        assert_eq!(tab.text("h1").await, "Ny ansøgningsrunde");
        assert_eq!(
            tab.value_of("Ansøgningsfrist, klokkeslæt").await,
            "12:00",
            "noon is suggested"
        );
        tab.audit_here("national – new round form").await;
        tab.tick("Uddannelsesrunde").await;
        tab.fill("Titel", ROUND).await;
        tab.fill(
            "Beskrivelse til kommunerne (frivilligt)",
            "En ekstra runde for kommuner, der ikke nåede forårets runde.",
        )
        .await;
        tab.fill("Ansøgningsfrist, dato", &deadline).await;
        tab.fill("Ansøgningsfrist, klokkeslæt", "15:00").await;
        tab.fill("Korpsforpligtelse til og med", &corps_until)
            .await;
        tab.press("Opret runden").await;
        tab.assert_message("Ansøgningsrunden er oprettet. Den er planlagt og ses ikke af kommunerne, før du åbner den.",
        )
        .await;
        assert_eq!(tab.text("h1").await, ROUND);
        assert_eq!(tab.text("#round-state").await, "Planlagt");
        assert_eq!(
            tab.text("#round-deadline").await,
            format!("{deadline} kl. 15:00")
        );
        let round_path = tab.path().await;
        tab.audit_here("national – planned round").await;
        tab.press("Åbn runden").await;
        tab.assert_message("Runden er åben. Kommunerne kan nu se den og ansøge indtil fristen.",
        )
        .await;
        assert_eq!(tab.path().await, round_path);
        assert_eq!(tab.text("#round-state").await, "Åben");
        assert!(
            tab.texts("button").await.contains(&"Luk runden".to_string()),
            "an open round can be closed"
        );
        tab.audit_here("national – open round").await;
        tab.log_out().await;

        // 2. The coordinator sees the round on the start page and starts an application.
        tab.log_in(COORDINATOR, PASSWORD).await;
        assert_eq!(tab.path().await, "/");
        let rounds = tab.texts("#open-rounds li").await;
        assert!(
            rounds.iter().any(|round| round.starts_with(ROUND)
                && round.contains("Uddannelsesrunde")
                && round.contains(&format!("Ansøgningsfrist: {deadline} kl. 15:00"))
                && round.contains("Start ansøgning")),
            "the open round with its deadline: {rounds:?}"
        );
        tab.audit_here("coordinator – start page with the open round").await;
        tab.press(&format!("Start ansøgning: {ROUND}")).await;
        let edit_path = tab.path().await;
        assert!(
            edit_path.starts_with("/ansoegninger/") && edit_path.ends_with("/rediger"),
            "{edit_path}"
        );
        let application_path = edit_path.trim_end_matches("/rediger").to_string();
        assert_eq!(tab.text("h1").await, ROUND);
        assert!(tab.text("main .font-lead").await.contains(&deadline));
        tab.audit_here("coordinator – new application").await;

        // Submitting the empty form: the draft is kept, the errors are next to the fields.
        tab.press("Indsend ansøgningen").await;
        assert_eq!(tab.path().await, edit_path);
        tab.assert_message("Kladden er gemt, men ansøgningen er ikke indsendt. Ret det, der er markeret, og indsend igen.",
        )
        .await;
        assert_eq!(
            tab.field_error("programmes").await,
            "Sæt kryds ved mindst én uddannelse."
        );
        assert_eq!(
            tab.field_error("challenges").await,
            "Beskriv kommunens udfordringer med unge i målgruppen."
        );
        assert_eq!(
            tab.field_error("legal_basis").await,
            "Skriv lovgrundlaget for finansieringen."
        );
        assert_eq!(
            tab.field_error("commit_lend").await,
            "Sæt kryds ved alle tre forpligtelser."
        );
        assert_eq!(
            tab.attr("#challenges", "aria-invalid").await.as_deref(),
            Some("true")
        );
        let summary = tab.texts(".alert-error li a").await;
        assert!(
            summary.contains(&"Beskriv strategien for rekruttering og fastholdelse.".to_string()),
            "the error summary lists the missing answers: {summary:?}"
        );
        tab.audit_here("coordinator – application with errors").await;

        // A first part, saved as a draft.
        let mentor_candidates = "Antal kandidater til Mentoruddannelse";
        let parent_candidates = "Antal kandidater til Forældrecoachuddannelse";
        let challenges = "Flere unge i Vollsmose og Bolbro færdes i ekstremistiske miljøer; \
                          infohuset fik 14 henvendelser sidste år.";
        tab.tick("Mentoruddannelse").await;
        tab.tick("Forældrecoachuddannelse").await;
        tab.fill(mentor_candidates, "3").await;
        tab.fill(parent_candidates, "2").await;
        tab.fill(a.q_challenges, challenges).await;
        tab.press("Gem kladde").await;
        tab.assert_message("Kladden er gemt. Du kan vende tilbage og gøre ansøgningen færdig før fristen.",
        )
        .await;
        assert_eq!(tab.path().await, edit_path);
        assert!(
            !tab.has(".form-error-message").await,
            "a draft is saved without complaints"
        );

        // Back later: from the start page to the draft.
        tab.menu("Forside").await;
        let ours = format!(
            "//ul[@id='open-rounds']/li[strong[normalize-space()='{ROUND}']]"
        );
        tab.follow_xpath(&format!("{ours}/a[normalize-space()='Jeres ansøgning']"))
            .await;
        assert_eq!(tab.path().await, application_path);
        assert_eq!(tab.text("#application-state").await, "Kladde");
        assert!(
            tab.texts(".korps-answer").await.contains(&challenges.to_string()),
            "the saved answer is shown"
        );
        tab.audit_here("coordinator – draft application").await;
        tab.follow("Fortsæt ansøgningen").await;
        assert_eq!(tab.path().await, edit_path);
        assert!(tab.is_ticked("Mentoruddannelse").await);
        assert!(tab.is_ticked("Forældrecoachuddannelse").await);
        assert!(!tab.is_ticked("Koordinatoruddannelse").await);
        assert_eq!(tab.value_of(mentor_candidates).await, "3");
        assert_eq!(tab.value_of(parent_candidates).await, "2");
        assert_eq!(tab.value_of(a.q_challenges).await, challenges);
        tab.audit_here("coordinator – draft reopened").await;

        // The rest, and submit.
        let answers = [
            (
                a.q_organisation_staff,
                "Fire medarbejdere i SSP og familieafdelingen; koordinatoren har 20 timer om ugen.",
            ),
            (
                a.q_organisation_responsible,
                "Chefen for Børn og Unge i Odense Kommune.",
            ),
            (
                a.q_organisation_partners,
                "Fyns Politi, infohuset og skolernes AKT-teams.",
            ),
            (
                a.q_organisation_coordination,
                "Koordinatoren holder månedlig supervision i grupper.",
            ),
            (
                a.q_recruitment,
                "Erfarne medarbejdere med relationsarbejde; faste mentorer følger den unge i mindst et år.",
            ),
            (
                a.q_target_groups,
                "Via infohuset, skolerne og boligsociale medarbejdere.",
            ),
            (
                a.q_management_support,
                "Direktionen har godkendt indsatsen og finansieringen.",
            ),
            (a.q_legal_basis, "Serviceloven § 11 og § 52."),
        ];
        for (label, answer) in answers {
            tab.fill(label, answer).await;
        }
        let commitments = [
            a.commit_lend.to_string(),
            a.commit_method.to_string(),
            fill(a.commit_corps, &[&corps_until]),
        ];
        for commitment in &commitments {
            tab.tick(commitment).await;
        }
        tab.press("Indsend ansøgningen").await;
        tab.assert_message("Ansøgningen er indsendt. Du får besked om afgørelsen her og på forsiden.",
        )
        .await;
        assert_eq!(tab.path().await, application_path);
        assert_eq!(
            tab.text("h1").await,
            format!("Ansøgning fra Odense: {ROUND}")
        );
        assert_eq!(tab.text("#application-state").await, "Indsendt");
        assert_eq!(
            tab.texts("#programmes tbody tr").await,
            vec!["Mentoruddannelse 3", "Forældrecoachuddannelse 2"]
        );
        let shown = tab.texts(".korps-answer").await;
        for (_, answer) in answers {
            assert!(
                shown.contains(&answer.to_string()),
                "“{answer}” is shown: {shown:?}"
            );
        }
        let ticked = tab.texts("#commitments li").await;
        assert_eq!(
            ticked,
            commitments
                .iter()
                .map(|c| format!("Ja: {c}"))
                .collect::<Vec<_>>()
        );
        assert!(
            !tab.has("a[href$='/rediger']").await,
            "no way to edit a submitted application"
        );
        tab.audit_here("coordinator – submitted application").await;

        // Read-only: the edit page sends the coordinator back.
        tab.open(&edit_path).await;
        assert_eq!(tab.path().await, application_path);
        tab.assert_message("Ansøgningen er indsendt og kan ikke længere ændres.").await;
        assert!(!tab.has("textarea").await, "no form fields");
        tab.log_out().await;

        // 3. National staff find the application, score it and decide.
        tab.log_in(NATIONAL, PASSWORD).await;
        let waiting = tab.texts("#awaiting-review li").await;
        assert!(
            waiting.iter().any(|row| row.starts_with(ROUND)),
            "the round waits for review on the start page: {waiting:?}"
        );
        tab.audit_here("national – start page with an application to review").await;
        tab.menu("Ansøgningsrunder").await;
        let rows = tab.texts("table tbody tr").await;
        assert!(
            rows.iter()
                .any(|row| row.starts_with(&format!("{ROUND} Uddannelsesrunde Åben"))
                    && row.ends_with("1 1 0")),
            "one received, undecided: {rows:?}"
        );
        tab.follow(ROUND).await;
        assert_eq!(tab.path().await, round_path);
        let listed = tab.texts("#applications tbody tr").await;
        assert_eq!(listed.len(), 1, "{listed:?}");
        assert!(
            listed[0].starts_with("Odense Region Syddanmark")
                && listed[0].contains("Indsendt")
                && listed[0].contains("Ikke vurderet"),
            "{listed:?}"
        );
        assert!(
            tab.texts("#region-spread tbody tr")
                .await
                .contains(&"Region Syddanmark 1".to_string())
        );
        tab.audit_here("national – round with an application").await;

        tab.follow("Odense").await;
        assert_eq!(tab.path().await, application_path);
        assert_eq!(tab.text("#application-state").await, "Indsendt");
        tab.audit_here("national – application").await;
        tab.follow("Vurdering").await;
        assert_eq!(tab.path().await, format!("{application_path}/vurdering"));
        assert_eq!(tab.text("h1").await, "Vurdering: Odense");
        assert_eq!(
            tab.texts("#minimum li").await,
            vec!["Ja: Alle forpligtelser er sat kryds ved"]
        );
        let criteria = tab.texts("form fieldset legend").await;
        assert_eq!(
            criteria.len(),
            SCORES.len(),
            "one score per criterion of the guide: {criteria:?}"
        );
        tab.audit_here("national – review form").await;
        for (code, score, note) in SCORES {
            by_id(&tab, &format!("score_{code}"))
                .await
                .select_by_value(&score.to_string())
                .await
                .unwrap_or_else(|err| panic!("score {code}: {err}"));
            let field = by_id(&tab, &format!("note_{code}")).await;
            field
                .send_keys(note)
                .await
                .unwrap_or_else(|err| panic!("note on {code}: {err}"));
        }
        tab.press("Gem vurderingen").await;
        tab.assert_message("Vurderingen er gemt.").await;
        assert_eq!(tab.path().await, format!("{application_path}/vurdering"));
        for (code, score, note) in SCORES {
            let select = by_id(&tab, &format!("score_{code}")).await;
            let value = select.prop("value").await.ok().flatten();
            assert_eq!(value, Some(score.to_string()), "the score of {code} is kept");
            let kept = by_id(&tab, &format!("note_{code}")).await.prop("value").await;
            assert_eq!(kept.ok().flatten().as_deref(), Some(*note), "the note on {code}");
        }
        let hints = tab.texts("main p.form-hint").await;
        assert!(
            hints.iter().any(|hint| hint.starts_with("Senest gemt af")),
            "who saved the review last is shown: {hints:?}"
        );
        assert!(tab.text("main .font-lead").await.contains("Under vurdering"));
        tab.audit_here("national – saved review").await;

        tab.follow("Afgørelse").await;
        assert_eq!(tab.path().await, format!("{application_path}/afgoerelse"));
        assert_eq!(tab.text("h1").await, "Afgørelse: Odense");
        tab.audit_here("national – decision form").await;
        tab.press("Gem afgørelsen").await;
        assert_eq!(tab.field_error("outcome").await, "Vælg en afgørelse.");
        assert_eq!(
            tab.field_error("reason").await,
            "Skriv en begrundelse. Kommunen ser den sammen med afgørelsen."
        );
        tab.audit_here("national – decision form with errors").await;
        tab.tick("Tilsagn").await;
        tab.fill("Pladser: Mentoruddannelse (frivilligt)", "2").await;
        tab.fill("Pladser: Forældrecoachuddannelse (frivilligt)", "1").await;
        tab.fill("Begrundelse", REASON).await;
        tab.press("Gem afgørelsen").await;
        tab.assert_message("Afgørelsen er gemt. Kommunen kan se den på sin forside.",
        )
        .await;
        assert_eq!(tab.path().await, application_path);
        assert_eq!(tab.text("#application-state").await, "Tilsagn");
        assert_eq!(tab.text("#decision-heading").await, "Afgørelse: Tilsagn");
        assert_eq!(
            tab.texts("#decision-seats li").await,
            vec!["Mentoruddannelse: 2", "Forældrecoachuddannelse: 1"]
        );
        tab.audit_here("national – decided application").await;
        tab.open(&round_path).await;
        let total: u32 = SCORES.iter().map(|(_, score, _)| u32::from(*score)).sum();
        let listed = tab.texts("#applications tbody tr").await;
        assert!(
            listed.len() == 1
                && listed[0].contains("Tilsagn")
                && listed[0].contains(&format!("{total} point ({} kriterier)", SCORES.len())),
            "the total score and the decision in the list: {listed:?}"
        );
        let mix = tab.texts("#programme-mix tbody tr").await;
        assert!(
            mix.contains(&"Mentoruddannelse 1 3 2".to_string())
                && mix.contains(&"Forældrecoachuddannelse 1 2 1".to_string()),
            "applications, candidates and seats per programme: {mix:?}"
        );
        tab.audit_here("national – round with a decision").await;
        tab.log_out().await;

        let mut conn = sqlx::PgConnection::connect_with(&owner)
            .await
            .expect("the test database");
        let application_id = application_path.trim_start_matches("/ansoegninger/");
        let stored: (String, Option<i16>, Option<i16>, String) = sqlx::query_as(
            "SELECT state, mentor_seats, parent_coach_seats, decision_reason
               FROM applications WHERE id = $1::uuid",
        )
        .bind(application_id)
        .fetch_one(&mut conn)
        .await
        .expect("the application");
        assert_eq!(
            stored,
            ("approved".into(), Some(2), Some(1), REASON.to_string())
        );

        // 4. The coordinator sees the decision, its reason and the seats, not the scores.
        tab.log_in(COORDINATOR, PASSWORD).await;
        let own = tab.texts("#own-applications li").await;
        let ours = own
            .iter()
            .find(|row| row.starts_with(ROUND))
            .unwrap_or_else(|| panic!("the application on the start page: {own:?}"));
        assert!(ours.contains("Tilsagn"), "{ours}");
        assert!(
            ours.contains("Pladser: Mentoruddannelse: 2, Forældrecoachuddannelse: 1"),
            "{ours}"
        );
        assert!(ours.contains(&format!("Begrundelse: {REASON}")), "{ours}");
        let source = tab.client.source().await.expect("the page source");
        for (_, _, note) in SCORES {
            assert!(!source.contains(note), "the start page shows a note: {note}");
        }
        assert!(!source.contains(" point ("), "nor a total score");
        tab.audit_here("coordinator – start page with the decision").await;

        tab.follow_xpath(&format!(
            "//ul[@id='own-applications']//a[normalize-space()='{ROUND}']"
        ))
        .await;
        assert_eq!(tab.path().await, application_path);
        assert_eq!(tab.text("#decision-heading").await, "Afgørelse: Tilsagn");
        assert_eq!(
            tab.texts("#decision-seats li").await,
            vec!["Mentoruddannelse: 2", "Forældrecoachuddannelse: 1"]
        );
        assert_eq!(
            tab.text("#decision-reason").await,
            format!("Begrundelse: {REASON}")
        );
        let source = tab.client.source().await.expect("the page source");
        for (_, _, note) in SCORES {
            assert!(!source.contains(note), "the application shows a note: {note}");
        }
        assert!(!source.contains(" point ("), "nor a total score");
        assert!(
            !tab.has("a[href$='/vurdering']").await && !tab.has("a[href$='/afgoerelse']").await,
            "no way to the review or the decision form"
        );
        tab.audit_here("coordinator – decided application").await;

        tab.open(&format!("{application_path}/vurdering")).await;
        assert_eq!(
            tab.text("h1").await,
            Locale::Da.messages().common.error_403_title,
            "the review is closed to the municipality"
        );
        let source = tab.client.source().await.expect("the page source");
        assert!(!source.contains(SCORES[0].2), "and shows nothing of it");
        tab.audit("coordinator – review refused").await;
    })
    .await;
}

//! A training cohort clicked through from plan to trained member: national staff create a
//! cohort in the past training round (meeting the Danish errors of an empty form) and add a
//! joint intro day and a mentor module, both held; København's coordinator creates a new
//! mentor and nominates them to the municipality's last mentor seat, and a stale second tab
//! trying for one more seat is refused; national staff record attendance module by module
//! (from the cohort page and from the start page) until the mentor is trained; the national
//! roster, the coordinator's page of the member and the member's own profile show the
//! training, the cohort and the obligation end date. axe runs on every page visited.

use korps::clock;

use crate::browser::browse;
use crate::support::{PASSWORD, TestApp};

const NATIONAL: &str = "national@example.org";
/// København was approved in the past training round with 4 mentor seats (shared with
/// Høje-Taastrup), 3 of them used by the demo cohorts: one is left.
const COORDINATOR: &str = "koordinator.kobenhavn@example.org";
const COHORT: &str = "Hold 3, efterår";
const INTRO: &str = "Modul 1 – Fælles introdag for mentorer og forældrecoaches";
const MENTOR_MODULE: &str = "Modul 2 – Mentor";
const PLACE: &str = "Hotel Koldingfjord, Kolding";
const MEMBER: &str = "Nanna Holst";
const MEMBER_EMAIL: &str = "nanna.holst@kk.dk";
/// The member's label on the attendance lists.
const ATTENDEE: &str = "Nanna Holst (København, Mentoruddannelse)";
const STAFF_CREATED: &str = "Medarbejderen er oprettet. Der er sendt en mail til nanna.holst@kk.dk med et link til at vælge adgangskode og opsætte totrinsbekræftelse. Linket virker i 72 timer.";

/// Today plus `days`, as users write dates.
fn day(days: i64) -> String {
    clock::format_date(clock::today() + time::Duration::days(days))
}

#[tokio::test]
async fn a_cohort_is_planned_a_mentor_nominated_and_attending_every_module_makes_them_trained() {
    let app = TestApp::spawn().await;
    let mailbox = app.mailbox();
    browse("training journey", &app.base, |tab| async move {
        let year = clock::today().year();
        // The demo's past training round, in which København and Aarhus were approved.
        let round = format!("Mentor- og forældrecoachuddannelse {}", year - 1);
        let corps_until = format!("31-12-{}", year + 3);
        let today = day(0);
        let mentor_days = format!("{} – {today}", day(-1));

        // 1. National staff plan the cohort.
        tab.log_in(NATIONAL, PASSWORD).await;
        tab.menu("Uddannelse").await;
        assert_eq!(tab.path().await, "/uddannelse");
        tab.audit_here("national – training").await;
        tab.follow("Nyt hold").await;
        assert_eq!(tab.path().await, "/uddannelse/hold/ny");
        assert_eq!(tab.text("h1").await, "Nyt hold");
        tab.audit_here("national – new cohort form").await;

        tab.press("Opret hold").await;
        assert_eq!(
            tab.field_error("name").await,
            "Skriv holdets navn (2–200 tegn)."
        );
        assert_eq!(
            tab.field_error("mentor_seats").await,
            "Holdet skal have pladser på mindst én uddannelse."
        );
        assert_eq!(
            tab.field_error("corps_until").await,
            "Skriv datoen for korpsforpligtelsen som dd-mm-åååå."
        );
        tab.audit_here("national – new cohort form with errors").await;

        tab.fill("Holdets navn", COHORT).await;
        tab.choose("Uddannelsesrunde (frivilligt)", &round).await;
        tab.fill("Mentoruddannelse (frivilligt)", "12").await;
        tab.fill("Forældrecoachuddannelse (frivilligt)", "12").await;
        tab.fill("Koordinatoruddannelse (frivilligt)", "0").await;
        tab.fill("Forpligtet til at deltage i korpset frem til", &corps_until)
            .await;
        tab.press("Opret hold").await;
        tab.assert_message("Holdet er oprettet.").await;
        assert_eq!(tab.text("h1").await, COHORT);
        let cohort_path = tab.path().await;
        assert!(
            cohort_path.starts_with("/uddannelse/hold/"),
            "{cohort_path}"
        );
        assert_eq!(
            tab.texts("dl.korps-facts dd").await,
            vec!["Planlagt", round.as_str(), corps_until.as_str()],
            "status, round and obligation"
        );
        assert_eq!(
            tab.texts("#seats tbody tr").await,
            vec!["Mentoruddannelse 12 0", "Forældrecoachuddannelse 12 0"],
            "a programme with 0 seats is left out"
        );
        assert!(
            tab.texts("main p")
                .await
                .contains(&"Der er ingen moduler endnu.".to_string())
        );
        tab.audit_here("national – new cohort").await;

        // The joint intro day a week ago, and the two-day mentor module ending today.
        tab.follow("Tilføj modul").await;
        assert_eq!(tab.text("h1").await, "Nyt modul");
        tab.audit_here("national – new module form").await;
        tab.fill("Modul", INTRO).await;
        tab.fill("Dato", &day(-7)).await;
        tab.fill("Sted (frivilligt)", PLACE).await;
        tab.tick("Mentoruddannelse").await;
        tab.tick("Forældrecoachuddannelse").await;
        tab.press("Tilføj modul").await;
        tab.assert_message("Modulet er tilføjet.").await;
        assert_eq!(tab.path().await, cohort_path);

        tab.follow("Tilføj modul").await;
        tab.fill("Modul", MENTOR_MODULE).await;
        tab.fill("Dato", &day(-1)).await;
        tab.fill("Slutdato (frivilligt)", &today).await;
        tab.fill("Sted (frivilligt)", PLACE).await;
        tab.tick("Mentoruddannelse").await;
        tab.press("Tilføj modul").await;
        tab.assert_message("Modulet er tilføjet.").await;
        assert_eq!(
            tab.texts("#modules tbody tr td:first-child").await,
            vec![INTRO, MENTOR_MODULE]
        );
        assert_eq!(
            tab.texts("#modules tbody tr td:nth-child(2)").await,
            vec![day(-7), mentor_days.clone()]
        );
        assert_eq!(
            tab.texts("#modules tbody tr td:nth-child(4)").await,
            vec![
                "Mentoruddannelse, Forældrecoachuddannelse",
                "Mentoruddannelse"
            ]
        );
        assert_eq!(
            tab.texts("#modules tbody tr td:nth-child(6) a").await.len(),
            2,
            "both modules are held, so attendance can be recorded"
        );
        assert_eq!(tab.text("dl.korps-facts dd").await, "I gang");
        assert!(
            tab.texts("main p")
                .await
                .contains(&"Ingen deltagere er indstillet endnu.".to_string())
        );
        tab.audit_here("national – cohort with modules").await;

        // 2. København's coordinator: the cohort has their last mentor seat.
        tab.switch_user(COORDINATOR, PASSWORD).await;
        let offered = tab.texts("#open-seats li").await;
        assert!(
            offered
                .iter()
                .any(|li| li.starts_with(COHORT) && li.contains(&format!("{} – {today}", day(-7)))),
            "the start page offers the new cohort: {offered:?}"
        );
        tab.audit_here("coordinator – start page with open seats").await;

        // The mentor is not on the staff yet: the coordinator creates them.
        tab.menu("Medarbejdere").await;
        tab.follow("Opret medarbejder").await;
        tab.fill("Navn", MEMBER).await;
        tab.fill("E-mail", MEMBER_EMAIL).await;
        tab.tick("Mentor").await;
        tab.press("Opret medarbejder").await;
        tab.assert_message(STAFF_CREATED).await;
        assert_eq!(tab.text("h1").await, MEMBER);
        assert!(!tab.has("#temporary-password").await, "no password shown");
        tab.audit_here("coordinator – new mentor").await;

        tab.menu("Forside").await;
        tab.follow(&format!("Indstil deltagere: {COHORT}")).await;
        assert_eq!(tab.path().await, cohort_path);
        assert_eq!(
            tab.texts("#seats tbody tr").await,
            vec!["Mentoruddannelse 12 0 1", "Forældrecoachuddannelse 12 0 0"],
            "places, nominated, left for København"
        );
        tab.audit_here("coordinator – cohort with the nomination form").await;

        // The same page in a second tab, where the mentor is nominated to the last seat.
        let first_tab = tab.client.window().await.expect("the current tab");
        let second_tab = tab.client.new_window(true).await.expect("a second tab");
        tab.client
            .switch_to_window(second_tab.handle)
            .await
            .expect("switch to the second tab");
        tab.open(&cohort_path).await;
        tab.choose("Deltager", &format!("{MEMBER} (Mentor)")).await;
        tab.choose("Uddannelse", "Mentoruddannelse").await;
        tab.press("Indstil").await;
        tab.assert_message(&format!("{MEMBER} er indstillet til holdet.")).await;
        assert_eq!(tab.path().await, cohort_path);
        assert_eq!(
            tab.texts("#participants tbody tr td:first-child").await,
            vec![MEMBER]
        );
        assert_eq!(
            tab.texts("#participants tbody tr td:nth-child(4)").await,
            vec!["0 af 2 moduler"]
        );
        assert_eq!(
            tab.texts("#seats tbody tr").await,
            vec!["Mentoruddannelse 12 1 0", "Forældrecoachuddannelse 12 0 0"]
        );
        assert_eq!(
            tab.text("#no-seats").await,
            "Jeres kommune har brugt alle sine tildelte pladser i holdets uddannelsesrunde.",
            "no form once the seats are used"
        );
        tab.audit_here("coordinator – mentor nominated").await;
        tab.client.close_window().await.expect("close the second tab");
        tab.client
            .switch_to_window(first_tab)
            .await
            .expect("back to the first tab");

        // The first tab still shows the form: one more mentor is refused, in Danish.
        tab.choose("Deltager", "Mikkel Bach (Mentor)").await;
        tab.choose("Uddannelse", "Mentoruddannelse").await;
        tab.press("Indstil").await;
        assert_eq!(
            tab.field_error("programme").await,
            "Der er ikke flere ledige pladser på mentoruddannelse for jeres kommune. Pladser \
             tildelt i jeres ansøgning: 4."
        );
        assert_eq!(
            tab.text("#user_id option:checked").await,
            "Mikkel Bach (Mentor)",
            "the choice is kept"
        );
        assert_eq!(
            tab.texts("#participants tbody tr td:first-child").await,
            vec![MEMBER],
            "nobody else was nominated"
        );
        tab.audit_here("coordinator – nomination refused").await;

        // 3. National staff record attendance, module by module.
        tab.switch_user(NATIONAL, PASSWORD).await;
        let awaiting = tab.texts("#awaiting-attendance li").await;
        for module in [INTRO, MENTOR_MODULE] {
            assert!(
                awaiting
                    .iter()
                    .any(|li| li.starts_with(module) && li.contains(COHORT)),
                "{module} of {COHORT} awaits attendance: {awaiting:?}"
            );
        }
        tab.audit_here("national – start page awaiting attendance").await;

        tab.menu("Uddannelse").await;
        let rows = tab.texts("#cohorts tbody tr").await;
        assert!(
            rows.contains(&format!(
                "{COHORT} {round} I gang {} – {today} {corps_until} 1 / 24",
                day(-7)
            )),
            "the cohort in the list: {rows:?}"
        );
        tab.follow(COHORT).await;
        assert_eq!(tab.path().await, cohort_path);
        assert_eq!(
            tab.texts("#participants tbody tr").await,
            vec![format!(
                "{MEMBER} København Mentoruddannelse 0 af 2 moduler –"
            )]
        );
        tab.follow(&format!("Registrér fremmøde: {INTRO}")).await;
        assert_eq!(tab.text("h1").await, INTRO);
        assert_eq!(
            tab.text("main .font-lead").await,
            format!(
                "{} · Mentoruddannelse, Forældrecoachuddannelse · {PLACE}",
                day(-7)
            )
        );
        assert!(!tab.is_ticked(ATTENDEE).await, "nothing recorded yet");
        tab.audit_here("national – attendance of the intro day").await;
        tab.tick(ATTENDEE).await;
        tab.press("Gem fremmøde").await;
        tab.assert_message("Fremmødet er gemt.").await;
        assert_eq!(tab.path().await, cohort_path);
        assert_eq!(
            tab.texts("#modules tbody tr td:nth-child(5)").await,
            vec!["1", "0"],
            "attended per module"
        );
        assert_eq!(
            tab.texts("#participants tbody tr").await,
            vec![format!(
                "{MEMBER} København Mentoruddannelse 1 af 2 moduler –"
            )],
            "not trained before the last module"
        );
        tab.audit_here("national – cohort after the intro day").await;

        // The mentor module, from the start page's list.
        tab.menu("Forside").await;
        let awaiting = tab.texts("#awaiting-attendance li").await;
        assert!(
            !awaiting
                .iter()
                .any(|li| li.starts_with(INTRO) && li.contains(COHORT)),
            "the intro day is recorded: {awaiting:?}"
        );
        tab.follow_xpath(&format!(
            "//ul[@id='awaiting-attendance']/li[contains(., '{COHORT}')]/a[normalize-space()='{MENTOR_MODULE}']"
        ))
        .await;
        assert_eq!(tab.text("h1").await, MENTOR_MODULE);
        assert_eq!(
            tab.text("main .font-lead").await,
            format!("{mentor_days} · Mentoruddannelse · {PLACE}")
        );
        tab.audit_here("national – attendance of the mentor module").await;
        tab.tick(ATTENDEE).await;
        tab.press("Gem fremmøde").await;
        tab.assert_message("Fremmødet er gemt. Deltagere, der nu har gennemført uddannelsen og er en del af korpset: 1.",
        )
        .await;
        assert_eq!(tab.path().await, cohort_path);
        assert_eq!(
            tab.texts("#participants tbody tr").await,
            vec![format!(
                "{MEMBER} København Mentoruddannelse 2 af 2 moduler Uddannet {today}"
            )],
            "trained on the last day of the last module"
        );
        tab.audit_here("national – cohort with a trained mentor").await;

        // The national roster has the new member as trained.
        tab.menu("Korpset").await;
        assert_eq!(tab.path().await, "/korpsoversigt");
        tab.fill("Søg efter navn eller e-mail", MEMBER).await;
        tab.press("Filtrér").await;
        let cells = tab.texts("#roster tbody tr td").await;
        assert_eq!(
            cells.get(..8).map(<[String]>::to_vec),
            Some(
                [
                    MEMBER,
                    "København",
                    "Region Hovedstaden",
                    "Mentor",
                    "Uddannet Mentoruddannelse",
                    COHORT,
                    today.as_str(),
                    corps_until.as_str(),
                ]
                .map(String::from)
                .to_vec()
            ),
            "the roster row: {cells:?}"
        );
        assert_eq!(tab.texts("#roster tbody tr").await.len(), 1);
        tab.audit_here("national – roster with the new mentor").await;

        // 4. The coordinator sees the training on the member's page.
        tab.switch_user(COORDINATOR, PASSWORD).await;
        let offered = tab.texts("#open-seats li").await;
        assert!(
            !offered.iter().any(|li| li.starts_with(COHORT)),
            "no seats left to offer: {offered:?}"
        );
        tab.menu("Korps").await;
        let rows = tab.texts("main tbody tr").await;
        assert!(
            rows.iter()
                .any(|row| row.starts_with(&format!("{MEMBER} Mentor Uddannet"))),
            "the municipality's corps list: {rows:?}"
        );
        tab.audit_here("coordinator – corps").await;
        tab.follow(MEMBER).await;
        assert_eq!(tab.text("h1").await, MEMBER);
        let history = vec![
            "Uddannet".to_string(),
            "Mentoruddannelse".to_string(),
            COHORT.to_string(),
            today.clone(),
            corps_until.clone(),
        ];
        assert_eq!(
            tab.texts("#training-history dl dd").await,
            history,
            "status, programme, cohort, trained on, obligation"
        );
        let cohorts = tab.texts("#history-cohorts li").await;
        assert_eq!(
            cohorts,
            vec![format!(
                "{COHORT} · Mentoruddannelse · 2 af 2 moduler · Uddannet {today} \
                 Moduler deltaget i: {INTRO}, {MENTOR_MODULE} \
                 Forpligtet til at deltage i korpset frem til: {corps_until}"
            )]
        );
        tab.audit_here("coordinator – the trained member's page").await;

        // And the member on their own profile, after choosing a password.
        tab.log_out().await;
        let link = mailbox.link(MEMBER_EMAIL).await;
        tab.set_up_account(&link, "Nanna går til modul i Kolding", "new member")
            .await;
        tab.follow("Jeg har gemt koderne – fortsæt").await;
        tab.menu("Min profil").await;
        assert_eq!(tab.path().await, "/min-profil");
        assert_eq!(tab.texts("#training-history dl dd").await, history);
        assert_eq!(tab.texts("#history-cohorts li").await, cohorts);
        tab.audit_here("member – own profile with the training").await;
    })
    .await;
}

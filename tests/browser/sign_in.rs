//! Signing in with two factors in a real browser: the code step (and a wrong code), the
//! second factor on Min konto, a coordinator resetting a mentor's second factor, the mentor
//! enrolling anew by the QR code's key, "forgot password" and a used link. axe runs on
//! every page, at 1280 and at 360 px.

use crate::browser::browse;
use crate::support::{PASSWORD, TestApp, code_for};

const MENTOR: &str = "mentor.aarhus@example.org";
const COORDINATOR: &str = "koordinator.aarhus@example.org";

#[tokio::test]
async fn a_mentor_logs_in_with_a_code_and_enrols_anew_after_a_reset() {
    let app = TestApp::spawn().await;
    let mailbox = app.mailbox();
    browse("sign-in", &app.base, |tab| async move {
        // The code step, with a wrong code first.
        tab.open("/login").await;
        tab.fill("E-mail", MENTOR).await;
        tab.fill("Adgangskode", PASSWORD).await;
        tab.press("Log ind").await;
        assert_eq!(tab.path().await, "/login/kode");
        assert_eq!(tab.text("h1").await, "Bekræft med kode");
        assert_eq!(
            tab.attr("#code", "autocomplete").await.as_deref(),
            Some("one-time-code")
        );
        assert_eq!(
            tab.attr("#code", "inputmode").await.as_deref(),
            Some("numeric")
        );
        tab.audit("mentor – code step").await;
        tab.fill("Kode", "000000").await;
        tab.press("Bekræft").await;
        assert!(
            tab.field_error("code")
                .await
                .starts_with("Koden er forkert"),
            "said next to the field"
        );
        tab.audit("mentor – wrong code").await;
        tab.fill("Kode", &crate::support::demo_code(0)).await;
        tab.press("Bekræft").await;
        assert_eq!(tab.path().await, "/");

        // Min konto shows the second factor; the recovery codes page offers new ones.
        tab.open("/konto").await;
        assert!(
            tab.texts("main h2")
                .await
                .contains(&"Totrinsbekræftelse".to_string())
        );
        tab.audit_here("mentor – account with the second factor")
            .await;
        tab.follow("Gendannelseskoder").await;
        assert!(tab.text("main").await.contains("Du har 0 ubrugte"));
        tab.audit_here("mentor – recovery codes").await;

        // The phone is lost: the coordinator resets the second factor.
        tab.switch_user(COORDINATOR, PASSWORD).await;
        tab.menu("Medarbejdere").await;
        tab.follow("Ahmad Rahimi").await;
        tab.follow("Nulstil totrinsbekræftelse").await;
        tab.audit_here("coordinator – confirm a second-factor reset")
            .await;
        tab.press("Nulstil totrinsbekræftelse").await;
        tab.assert_message(
            "Totrinsbekræftelsen er nulstillet. Medarbejderen opsætter den igen ved næste login.",
        )
        .await;

        // The mentor sets it up anew: the QR code, its key typed into "the app".
        tab.log_out().await;
        tab.fill("E-mail", MENTOR).await;
        tab.fill("Adgangskode", PASSWORD).await;
        tab.press("Log ind").await;
        assert_eq!(tab.path().await, "/totrin");
        assert!(tab.has(".korps-qr-box svg[role=img]").await);
        tab.audit("mentor – enrol anew").await;
        for width in [360, 1280] {
            tab.client.set_window_size(width, 900).await.unwrap();
            tab.audit(&format!("mentor – enrol anew at {width} px"))
                .await;
            let fits: bool = tab
                .client
                .execute(
                    "return document.documentElement.scrollWidth <= window.innerWidth;",
                    vec![],
                )
                .await
                .unwrap()
                .as_bool()
                .unwrap();
            assert!(fits, "the enrolment page fits {width} px");
        }
        let secret = crate::support::secret_from_text(&tab.text(".korps-secret").await);
        tab.fill("Kode fra appen", &code_for(&secret, 0)).await;
        tab.press("Bekræft og slå til").await;
        assert_eq!(tab.path().await, "/totrin/gendannelseskoder");
        assert_eq!(tab.texts(".korps-recovery-codes code").await.len(), 10);
        tab.client.set_window_size(360, 900).await.unwrap();
        tab.audit("mentor – new recovery codes at 360 px").await;
        tab.client.set_window_size(1280, 900).await.unwrap();
        tab.follow("Jeg har gemt koderne – fortsæt").await;
        assert_eq!(tab.path().await, "/");

        // Forgot password: the same answer, a link by mail, used once.
        tab.log_out().await;
        tab.follow("Glemt din adgangskode?").await;
        tab.audit("forgot password").await;
        tab.fill("E-mail", "ikke-en-adresse").await;
        tab.press("Send link").await;
        assert_eq!(tab.field_error("email").await, "Indtast din e-mail.");
        tab.fill("E-mail", MENTOR).await;
        tab.press("Send link").await;
        assert_eq!(tab.path().await, "/login");
        assert!(
            tab.messages()
                .await
                .iter()
                .any(|m| m.starts_with("Hvis der findes en konto med den e-mail")),
        );
        let link = mailbox.link(MENTOR).await;
        tab.open(&link).await;
        tab.fill("Ny adgangskode", "Ahmads nye lange kode").await;
        tab.fill("Gentag ny adgangskode", "Ahmads nye lange kode")
            .await;
        tab.press("Gem adgangskode").await;
        assert_eq!(
            tab.path().await,
            "/login/kode",
            "the second factor still guards"
        );
        tab.open(&link).await;
        assert_eq!(tab.text("h1").await, "Linket virker ikke længere");
        tab.audit("a used link").await;
    })
    .await;
}

//! Signing in with two factors, links to choose a password, and throttling — tried as a
//! user would and as an attacker would.

use crate::support::{Client, PASSWORD, TestApp, code_for, demo_code};

const MENTOR: &str = "mentor.aarhus@example.org";
const COORDINATOR: &str = "koordinator.aarhus@example.org";
const NATIONAL: &str = "national@example.org";

#[tokio::test]
async fn a_password_alone_reaches_only_the_code_step() {
    let app = TestApp::spawn().await;
    app.forget_used_codes(MENTOR).await;
    let client = app.client();
    let first = client.login_password(MENTOR, PASSWORD).await;
    assert_eq!(first.status, 303);
    assert_eq!(first.location(), "/login/kode");
    let code_page = client.get("/login/kode").await;
    assert_eq!(code_page.status, 200);
    let field = "input#code[autocomplete=one-time-code][inputmode=numeric]";
    assert!(code_page.has(field), "one code field, as the contract says");
    // Nothing else opens with the password alone.
    for path in [
        "/",
        "/forloeb",
        "/konto",
        "/beskeder",
        "/totrin/gendannelseskoder",
    ] {
        let page = client.get(path).await;
        assert_eq!(page.status, 303, "{path} refused before the code");
        assert!(page.location().starts_with("/login"), "{path}");
    }
    let posted = client.post("/konto/sprog", &[("locale", "en")]).await;
    assert_eq!(posted.status, 303);
    assert!(posted.location().starts_with("/login"));

    let signed_in = client.submit_code(&demo_code(0)).await;
    assert_eq!(signed_in.status, 303);
    assert_eq!(client.get("/").await.status, 200);
    let log: String = app
        .scalar("SELECT details->>'second_factor' FROM audit_log WHERE action = 'login_succeeded' ORDER BY at DESC LIMIT 1")
        .await;
    assert_eq!(log, "totp", "the log says how the login was confirmed");
}

#[tokio::test]
async fn a_code_passes_once_and_never_again() {
    let app = TestApp::spawn().await;
    app.forget_used_codes(MENTOR).await;
    let code = demo_code(0);
    let first = app.client();
    first.login_password(MENTOR, PASSWORD).await;
    assert_eq!(first.submit_code(&code).await.status, 303);

    // The same code again — a replay from another browser — is refused.
    let replay = app.client();
    replay.login_password(MENTOR, PASSWORD).await;
    // Something that is not a code is not a try.
    let malformed = replay.submit_code("12 34").await;
    assert_eq!(
        malformed.field_error("code"),
        "Indtast de 6 cifre fra appen eller en gendannelseskode på 12 cifre."
    );
    let refused = replay.submit_code(&code).await;
    assert_eq!(refused.status, 422);
    assert_eq!(
        refused.field_error("code"),
        "Koden er allerede brugt. Vent på den næste kode i appen."
    );
    assert_eq!(replay.get("/").await.status, 303, "not signed in");
    // And an earlier code than the one used is refused too.
    let earlier = korps::auth::totp::code_at(
        &korps::auth::totp::demo_secret(),
        crate::support::unix_now() - 30,
    );
    let older = replay.submit_code(&earlier).await;
    assert_eq!(older.status, 422);
    let wrong = replay.submit_code("000000").await;
    assert_eq!(wrong.status, 422, "a wrong code");

    let failures: i64 = app
        .scalar("SELECT count(*) FROM audit_log WHERE action = 'login_code_failed'")
        .await;
    assert!(failures >= 2, "failed codes are in the log");
}

#[tokio::test]
async fn codes_are_throttled_per_account() {
    let app = TestApp::spawn().await;
    let client = app.client();
    client.login_password(MENTOR, PASSWORD).await;
    let mut statuses = Vec::new();
    for _ in 0..8 {
        statuses.push(client.submit_code("000000").await.status);
    }
    assert!(
        statuses.contains(&429),
        "wrong codes slow down: {statuses:?}"
    );
    let slowed = client.submit_code("000001").await;
    assert_eq!(slowed.status, 429);
    assert!(slowed.header("retry-after").parse::<u64>().unwrap() >= 1);
    assert!(
        slowed.field_error("code").contains("Vent "),
        "says how long: {}",
        slowed.field_error("code")
    );
}

#[tokio::test]
async fn a_recovery_code_works_once() {
    let app = TestApp::spawn().await;
    let (client, secret) = app
        .accept_link_for_new_mentor("Ny Mentor", "ny.mentor@aarhus.dk")
        .await;
    let codes_page = client.get("/totrin/gendannelseskoder").await;
    let codes = codes_page.texts(".korps-recovery-codes code");
    assert_eq!(codes.len(), 10, "ten recovery codes, shown once");
    assert!(
        client
            .get("/totrin/gendannelseskoder")
            .await
            .texts(".korps-recovery-codes code")
            .is_empty(),
        "not shown again"
    );
    let stored: String = app
        .scalar("SELECT code_hash FROM recovery_codes LIMIT 1")
        .await;
    assert!(stored.starts_with("$argon2id$"), "stored hashed");

    let phone_lost = app.client();
    phone_lost
        .login_password("ny.mentor@aarhus.dk", "min nye lange kode")
        .await;
    let recovered = phone_lost.submit_code(&codes[3]).await;
    assert_eq!(recovered.status, 303);
    let start = phone_lost.follow("/").await;
    assert!(
        start.text.contains("Du har 9 tilbage"),
        "told how many are left"
    );
    let again = app.client();
    again
        .login_password("ny.mentor@aarhus.dk", "min nye lange kode")
        .await;
    assert_eq!(
        again.submit_code(&codes[3]).await.status,
        422,
        "used once only"
    );
    // The app still works, and renewing the codes makes the old ones worthless.
    let renewed = client
        .post(
            "/totrin/gendannelseskoder",
            &[("code", &code_for(&secret, 1))],
        )
        .await;
    assert_eq!(renewed.status, 303);
    let fresh = client.get("/totrin/gendannelseskoder").await;
    assert_eq!(fresh.texts(".korps-recovery-codes code").len(), 10);
    let old = app.client();
    old.login_password("ny.mentor@aarhus.dk", "min nye lange kode")
        .await;
    assert_eq!(old.submit_code(&codes[5]).await.status, 422);
}

#[tokio::test]
async fn national_staff_create_a_coordinator_and_never_receive_a_credential() {
    let app = TestApp::spawn().await;
    let national = app.login(NATIONAL).await;
    let vejle = create_municipality(&national).await;
    let form = national.get(&format!("/kommuner/{vejle}")).await;
    let key = form.attr("input[name=form_key]", "value").unwrap();
    let mut seen = vec![form.text.clone()];
    let created = national
        .post(
            &format!("/kommuner/{vejle}/koordinatorer"),
            &[
                ("name", "Ida Holm"),
                ("email", "ida.holm@vejle.dk"),
                ("form_key", &key),
            ],
        )
        .await;
    assert_eq!(created.status, 303);
    seen.push(created.text.clone());
    seen.push(format!("{:?}", created.headers));
    for path in [
        created.location(),
        format!("/kommuner/{vejle}"),
        "/udgaaende-mails".to_string(),
        "/adgangslog".to_string(),
        "/beskeder".to_string(),
    ] {
        let page = national.get(&path).await;
        seen.push(page.text.clone());
        seen.push(format!("{:?}", page.headers));
    }
    // The link went to the coordinator's own mailbox only.
    let link = app.mailed_link("ida.holm@vejle.dk").await;
    let token = link.trim_start_matches("/adgang?token=");
    assert_eq!(token.len(), 64);
    for text in &seen {
        assert!(!text.contains(token), "national staff saw the token");
    }
    let stored: i64 = app
        .scalar(&format!(
            "SELECT count(*) FROM account_links WHERE encode(token_hash, 'hex') = '{token}'"
        ))
        .await;
    assert_eq!(stored, 0, "only the token's hash is stored");
    // No password either: the account cannot be used until its owner chooses one.
    let hash: String = app
        .scalar("SELECT password_hash FROM users WHERE email = 'ida.holm@vejle.dk'")
        .await;
    assert_eq!(hash, "");
    for guess in ["", " ", "korps-demo-2026"] {
        let page = app
            .client()
            .login_password("ida.holm@vejle.dk", guess)
            .await;
        assert_ne!(page.status, 303, "no password works: {guess:?}");
    }
    // The coordinator sets up their account; then national staff can reset their second
    // factor, but learn nothing by it either.
    let (coordinator, _) = app
        .accept_link("ida.holm@vejle.dk", "Vejle fjord er blå")
        .await;
    assert_eq!(coordinator.get("/").await.status, 200);
    // A municipality with a coordinator gets no more from national staff: further
    // coordinators are invited by the municipality's own.
    let form = national.get(&format!("/kommuner/{vejle}")).await;
    assert!(
        !form.has("form[action$='/koordinatorer']"),
        "no invitation form"
    );
    let second = national
        .post(
            &format!("/kommuner/{vejle}/koordinatorer"),
            &[
                ("name", "Nationalt Center"),
                ("email", "mig.selv@example.org"),
                ("form_key", &uuid::Uuid::new_v4().to_string()),
            ],
        )
        .await;
    assert_eq!(second.status, 422);
    assert!(
        second
            .field_error("email")
            .contains("allerede en koordinator")
    );
    let fellow = coordinator.get("/medarbejdere/ny").await;
    let key = fellow.attr("input[name=form_key]", "value").unwrap();
    let invited = coordinator
        .post(
            "/medarbejdere",
            &[
                ("name", "Jens Bak"),
                ("email", "jens.bak@vejle.dk"),
                ("roles", "coordinator"),
                ("form_key", &key),
            ],
        )
        .await;
    assert_eq!(invited.status, 303, "{}", invited.text);
    assert!(
        app.mailed_link("jens.bak@vejle.dk")
            .await
            .starts_with("/adgang")
    );

    let ida = app.user_id("ida.holm@vejle.dk").await;
    let reset = national
        .post(
            &format!("/kommuner/{vejle}/koordinatorer/{ida}/nulstil-totrin"),
            &[],
        )
        .await;
    assert_eq!(reset.status, 303);
    assert_eq!(coordinator.get("/").await.status, 303, "her sessions ended");
    let again = app.client();
    let step = again
        .login_password("ida.holm@vejle.dk", "Vejle fjord er blå")
        .await;
    assert_eq!(step.location(), "/totrin", "she enrols anew");
    let skip = again.post("/totrin/spring-over", &[]).await;
    assert_eq!(skip.location(), "/totrin", "a coordinator cannot skip it");
    let logged: i64 = app
        .scalar(&format!(
            "SELECT count(*) FROM audit_log WHERE action = 'second_factor_reset' AND subject_id = '{ida}' AND municipality_id = '{vejle}'"
        ))
        .await;
    assert_eq!(logged, 1, "the reset is in Vejle's log");

    // National staff act on coordinators only, and only of the municipality named.
    let mentor = app.user_id(MENTOR).await;
    let aarhus = app.municipality_id("Aarhus").await;
    for (municipality, user) in [(aarhus, mentor), (aarhus, ida)] {
        let page = national
            .post(
                &format!("/kommuner/{municipality}/koordinatorer/{user}/nulstil-totrin"),
                &[],
            )
            .await;
        assert_eq!(page.status, 404);
    }
}

#[tokio::test]
async fn a_setup_link_works_once_and_not_after_72_hours() {
    let app = TestApp::spawn().await;
    let coordinator = app.login(COORDINATOR).await;
    create_mentor(&coordinator, "Ny Mentor", "ny.mentor@aarhus.dk").await;
    let link = app.mailed_link("ny.mentor@aarhus.dk").await;
    let token = link.trim_start_matches("/adgang?token=").to_string();

    let expires: bool = app
        .scalar("SELECT bool_and(expires_at - created_at = interval '72 hours') FROM account_links")
        .await;
    assert!(expires, "setup links last 72 hours");
    // Expired: 72 hours after it was sent.
    let mut conn = app.owner_conn().await;
    sqlx::query("UPDATE account_links SET expires_at = now() - interval '1 second'")
        .execute(&mut conn)
        .await
        .unwrap();
    let visitor = app.client();
    let expired = visitor.get(&link).await;
    assert_eq!(expired.status, 410);
    assert_eq!(expired.text_of("h1"), "Linket virker ikke længere");
    sqlx::query("UPDATE account_links SET expires_at = created_at + interval '72 hours'")
        .execute(&mut conn)
        .await
        .unwrap();

    // A common breached password is refused, with the input kept where it may be.
    let form = visitor.get(&link).await;
    assert_eq!(form.status, 200);
    assert_eq!(
        form.attr("#username", "value").as_deref(),
        Some("ny.mentor@aarhus.dk")
    );
    let common = visitor
        .post(
            "/adgang",
            &[
                ("token", &token),
                ("new_password", "qwerty123456"),
                ("repeat_password", "qwerty123456"),
            ],
        )
        .await;
    assert_eq!(common.status, 422);
    assert!(common.field_error("new_password").contains("datalæk"));
    let chosen = [
        ("token", token.as_str()),
        ("new_password", "en god lang sætning"),
        ("repeat_password", "en god lang sætning"),
    ];
    let first = visitor.post("/adgang", &chosen).await;
    assert_eq!(first.status, 303);
    assert_eq!(first.location(), "/totrin", "on to the second factor");
    // Used: the same link (a double submit, or someone who got hold of it later) is refused.
    assert_eq!(app.client().get(&link).await.status, 410);
    let second = app.client().post("/adgang", &chosen).await;
    assert_eq!(second.status, 410);
    let audit: i64 = app
        .scalar("SELECT count(*) FROM audit_log WHERE action = 'password_chosen'")
        .await;
    assert_eq!(audit, 1);
}

#[tokio::test]
async fn forgot_password_answers_the_same_whether_the_address_exists() {
    let app = TestApp::spawn().await;
    let known = app.client();
    known.get("/glemt-adgangskode").await;
    let a = known
        .post(
            "/glemt-adgangskode",
            &[("email", "Coach.Aarhus@example.org")],
        )
        .await;
    let unknown = app.client();
    unknown.get("/glemt-adgangskode").await;
    let b = unknown
        .post("/glemt-adgangskode", &[("email", "ingen.her@example.org")])
        .await;
    assert_eq!((a.status, b.status), (303, 303));
    assert_eq!(a.location(), b.location());
    let shown_a = known.follow(&a.location()).await.text_of(".alert-info");
    let shown_b = unknown.follow(&b.location()).await.text_of(".alert-info");
    assert_eq!(shown_a, shown_b, "the same answer");
    assert!(shown_a.contains("Hvis der findes en konto"));
    let mails: i64 = app
        .scalar("SELECT count(*) FROM outbox WHERE kind = 'account_reset'")
        .await;
    assert_eq!(mails, 1, "one mail, to the account that exists");

    // The link resets the password (an hour's validity); the second factor still guards.
    let link = app.mailed_link("coach.aarhus@example.org").await;
    let expires: bool = app
        .scalar("SELECT bool_and(expires_at - created_at = interval '1 hour') FROM account_links WHERE purpose = 'reset'")
        .await;
    assert!(expires);
    let coach = app.client();
    let form = coach.get(&link).await;
    let token = form.attr("input[name=token]", "value").unwrap();
    let chosen = coach
        .post(
            "/adgang",
            &[
                ("token", &token),
                ("new_password", "coachens nye kode"),
                ("repeat_password", "coachens nye kode"),
            ],
        )
        .await;
    assert_eq!(
        chosen.location(),
        "/login/kode",
        "an enrolled user gives a code"
    );
    assert_eq!(
        coach.get("/").await.status,
        303,
        "not signed in by the link alone"
    );
    let old = app
        .client()
        .login_password("coach.aarhus@example.org", PASSWORD)
        .await;
    assert_eq!(old.status, 422, "the old password is gone");

    // Many requests from one network slow down; a few mails per address at most.
    let spammer = app.client();
    let mut statuses = Vec::new();
    for _ in 0..14 {
        spammer.get("/glemt-adgangskode").await;
        statuses.push(
            spammer
                .post(
                    "/glemt-adgangskode",
                    &[("email", "mentor.aarhus@example.org")],
                )
                .await
                .status,
        );
    }
    assert!(statuses.contains(&429), "{statuses:?}");
    let mails: i64 = app
        .scalar("SELECT count(*) FROM outbox WHERE kind = 'account_reset' AND to_address = 'mentor.aarhus@example.org'")
        .await;
    assert!(mails <= 3, "at most three reset mails an hour: {mails}");
}

#[tokio::test]
async fn throttling_slows_an_attacker_but_never_locks_out_the_real_user() {
    let app = TestApp::spawn_with(|config| config.trust_proxy = true).await;
    let attacker = |n: u32| Client::from_address(&app.base, &format!("2001:db8:bad:1::{n:x}"));
    // The real user logged in from the office last week: that browser is known.
    let office = Client::from_address(&app.base, "198.51.100.7");
    assert_eq!(office.login(MENTOR, PASSWORD).await.status, 303);
    assert!(
        app.scalar::<i64>("SELECT count(*) FROM known_devices")
            .await
            == 1,
        "the browser is remembered"
    );
    office.post("/logout", &[]).await;
    let mut conn = app.owner_conn().await;
    sqlx::query("UPDATE login_attempts SET at = now() - interval '50 minutes' WHERE succeeded")
        .execute(&mut conn)
        .await
        .unwrap();
    // Forty wrong passwords for the mentor from one IPv6 network, changing the address
    // within its /64 every time.
    let mut statuses = Vec::new();
    for n in 1..=40 {
        statuses.push(
            attacker(n)
                .login_password(MENTOR, "forkert adgangskode")
                .await
                .status,
        );
    }
    assert!(
        statuses.contains(&429),
        "the attacker is slowed: {statuses:?}"
    );
    let refused_at = statuses.iter().position(|s| *s == 429).unwrap();
    assert!(refused_at <= 4, "from the fourth failure on: {statuses:?}");
    let recorded: i64 = app
        .scalar("SELECT count(*) FROM login_attempts WHERE NOT succeeded")
        .await;
    assert!(
        recorded < 10,
        "a refused try is not counted, so it does not extend the wait: {recorded}"
    );
    // A thousand failures from the attacker's network, the last one just now.
    sqlx::query(
        "INSERT INTO login_attempts (id, account, client_addr, succeeded, at)
         SELECT gen_random_uuid(), 'mentor.aarhus@example.org', '2001:db8:bad:1::', false,
                now() - make_interval(secs => i)
         FROM generate_series(0, 999) AS i",
    )
    .execute(&mut conn)
    .await
    .unwrap();
    let still = attacker(99).login_password(MENTOR, PASSWORD).await;
    assert_eq!(
        still.status, 429,
        "even the right password waits on that network"
    );
    let wait: i64 = still.header("retry-after").parse().unwrap();
    assert!(wait > 60, "long waits for the attacker: {wait}");

    // From the known browser the real user is not slowed at all.
    let known = office.login_password(MENTOR, PASSWORD).await;
    assert_eq!(known.status, 303, "a known device is not kept out");
    assert_eq!(known.location(), "/login/kode");

    // The real user, from a new browser at the town hall: slowed by at most a minute, then in.
    let real = Client::from_address(&app.base, "192.0.2.10");
    let first = real.login_password(MENTOR, PASSWORD).await;
    if first.status == 429 {
        let wait: i64 = first.header("retry-after").parse().unwrap();
        assert!(wait <= 60, "the real user waits a minute at most: {wait}");
        assert!(first.text.contains("Vent "), "and is told how long");
    }
    sqlx::query("UPDATE login_attempts SET at = at - interval '61 seconds'")
        .execute(&mut conn)
        .await
        .unwrap();
    let later = real.login_password(MENTOR, PASSWORD).await;
    assert_eq!(later.status, 303, "the real user gets in");
    assert_eq!(later.location(), "/login/kode");
    let attacker_again = attacker(7).login_password(MENTOR, PASSWORD).await;
    assert_eq!(attacker_again.status, 429, "while the attacker still waits");
}

#[tokio::test]
async fn a_coordinator_resets_a_mentors_second_factor_and_may_require_it() {
    let app = TestApp::spawn().await;
    let mentor_session = app.login(MENTOR).await;
    let coordinator = app.login(COORDINATOR).await;
    let id = app.user_id(MENTOR).await;
    let page = coordinator.get(&format!("/medarbejdere/{id}")).await;
    assert!(
        page.text.contains("Slået til"),
        "the coordinator sees it is on"
    );
    let confirm = coordinator
        .get(&format!("/medarbejdere/{id}/nulstil-totrin"))
        .await;
    assert_eq!(confirm.status, 200);
    // Another municipality's coordinator cannot.
    let odense = app.login("koordinator.odense@example.org").await;
    let foreign = odense
        .post(&format!("/medarbejdere/{id}/nulstil-totrin"), &[])
        .await;
    assert_eq!(foreign.status, 404);
    let reset = coordinator
        .post(&format!("/medarbejdere/{id}/nulstil-totrin"), &[])
        .await;
    assert_eq!(reset.status, 303);
    assert_eq!(mentor_session.get("/").await.status, 303, "logged out");
    let left: i64 = app
        .scalar(&format!(
            "SELECT count(*) FROM second_factors WHERE user_id = '{id}'"
        ))
        .await;
    assert_eq!(left, 0);

    // After a reset the mentor must enrol anew before anything else — and the password
    // alone does not let anyone enrol: that takes a link from the mentor's own mail.
    let mentor = app.client();
    let step = mentor.login_password(MENTOR, PASSWORD).await;
    assert_eq!(step.location(), "/totrin");
    let enrol = mentor.get("/totrin").await;
    assert!(!enrol.has("form[action='/totrin/spring-over']"));
    assert!(
        !enrol.has(".korps-qr-box"),
        "no QR code after the password alone"
    );
    let skip = mentor.post("/totrin/spring-over", &[]).await;
    assert_eq!(skip.location(), "/totrin", "no skipping after a reset");
    assert_eq!(mentor.get("/").await.status, 303);
    let early = mentor.post("/totrin", &[("code", &demo_code(0))]).await;
    assert_eq!(early.location(), "/totrin", "nothing to confirm yet");
    let sent = mentor.post("/totrin/start", &[]).await;
    assert_eq!(sent.location(), "/totrin");
    let link = app.mailed_link(MENTOR).await;
    let opened = mentor.get(&link).await;
    assert_eq!(opened.status, 200);
    let token = opened.attr("input[name=token]", "value").unwrap();
    let proven = mentor.post("/adgang", &[("token", &token)]).await;
    assert_eq!(proven.location(), "/totrin");
    let enrol = mentor.get("/totrin").await;
    assert!(enrol.has(".korps-qr-box svg[role=img][aria-label]"));
    let secret = crate::support::secret_from_text(&enrol.text_of(".korps-secret"));
    let wrong = mentor.post("/totrin", &[("code", "000000")]).await;
    assert_eq!(wrong.status, 422, "a wrong code does not enrol");
    let done = mentor
        .post("/totrin", &[("code", &code_for(&secret, 0))])
        .await;
    assert_eq!(done.status, 303);
    assert_eq!(done.location(), "/totrin/gendannelseskoder");
    assert_eq!(mentor.get("/").await.status, 200, "signed in once enrolled");
    assert_eq!(
        app.client().login_password(MENTOR, PASSWORD).await.status,
        303,
        "the password did not change"
    );

    // A parent coach from before second factors existed, in a municipality that does not
    // require one, may still skip it ...
    let coach = "coach.aarhus@example.org";
    let mut conn = app.owner_conn().await;
    sqlx::query(
        "DELETE FROM second_factors WHERE user_id = (SELECT id FROM users WHERE email = $1)",
    )
    .bind(coach)
    .execute(&mut conn)
    .await
    .unwrap();
    let legacy = app.client();
    assert_eq!(
        legacy.login_password(coach, PASSWORD).await.location(),
        "/totrin"
    );
    assert!(
        legacy
            .get("/totrin")
            .await
            .has("form[action='/totrin/spring-over']")
    );

    // ... until the coordinator requires it.
    let version = coordinator
        .get("/medarbejdere")
        .await
        .attr(
            "form[action='/medarbejdere/totrinskrav'] input[name=version]",
            "value",
        )
        .unwrap();
    let required = coordinator
        .post(
            "/medarbejdere/totrinskrav",
            &[("require", "1"), ("version", &version)],
        )
        .await;
    assert_eq!(required.status, 303);
    let skip = legacy.post("/totrin/spring-over", &[]).await;
    assert_eq!(skip.location(), "/totrin");
    assert_eq!(legacy.get("/").await.status, 303);
    let again = app.client();
    again.login_password(coach, PASSWORD).await;
    let page = again.get("/totrin").await;
    assert!(!page.has("form[action='/totrin/spring-over']"));
    assert!(page.text.contains("Totrinsbekræftelse er påkrævet"));
    let logged: i64 = app
        .scalar("SELECT count(*) FROM audit_log WHERE action = 'second_factor_requirement_changed'")
        .await;
    assert_eq!(logged, 1);
}

/// Creates Vejle as national staff; its id.
async fn create_municipality(national: &Client) -> String {
    let form = national.get("/kommuner/ny").await;
    let key = form.attr("input[name=form_key]", "value").unwrap();
    let created = national
        .post(
            "/kommuner",
            &[
                ("name", "Vejle"),
                ("code", "630"),
                ("region", "syddanmark"),
                ("form_key", &key),
            ],
        )
        .await;
    assert_eq!(created.status, 303, "{}", created.text);
    created.location().rsplit('/').next().unwrap().to_string()
}

/// Creates a mentor in the coordinator's municipality.
async fn create_mentor(coordinator: &Client, name: &str, email: &str) {
    let form = coordinator.get("/medarbejdere/ny").await;
    let key = form.attr("input[name=form_key]", "value").unwrap();
    let created = coordinator
        .post(
            "/medarbejdere",
            &[
                ("name", name),
                ("email", email),
                ("roles", "mentor"),
                ("form_key", &key),
            ],
        )
        .await;
    assert_eq!(created.status, 303, "{}", created.text);
}

impl TestApp {
    /// A new Aarhus mentor who has followed their link, chosen "min nye lange kode" and
    /// enrolled: the signed-in client and their app's secret.
    async fn accept_link_for_new_mentor(&self, name: &str, email: &str) -> (Client, Vec<u8>) {
        let coordinator = self.login(COORDINATOR).await;
        create_mentor(&coordinator, name, email).await;
        self.accept_link(email, "min nye lange kode").await
    }
}

#[tokio::test]
async fn the_command_line_resets_a_second_factor_nobody_in_korps_can() {
    let app = TestApp::spawn().await;
    let national = app.login(NATIONAL).await;
    assert_eq!(national.get("/").await.status, 200);
    let done = korps::auth::second_factor::reset_by_operator(&app.pool, "National@example.org")
        .await
        .unwrap();
    assert!(done);
    assert_eq!(national.get("/").await.status, 303, "its sessions ended");
    let again = app.client();
    assert_eq!(
        again.login_password(NATIONAL, PASSWORD).await.location(),
        "/totrin"
    );
    let logged: String = app
        .scalar("SELECT details->>'by' FROM audit_log WHERE action = 'second_factor_reset'")
        .await;
    assert_eq!(logged, "command line");
    let nobody = korps::auth::second_factor::reset_by_operator(&app.pool, "ingen@example.org")
        .await
        .unwrap();
    assert!(!nobody);
}

#[tokio::test]
async fn a_burst_of_codes_sent_at_once_is_counted_one_by_one() {
    let app = TestApp::spawn().await;
    let client = std::sync::Arc::new(app.client());
    client.login_password(MENTOR, PASSWORD).await;
    client.get("/login/kode").await;
    let token = client.token().await;
    let tries = (0..20).map(|n| {
        let client = client.clone();
        let token = token.clone();
        async move {
            let code = format!("{:06}", 100_000 + n);
            client
                .post_raw("/login/kode", &[("code", &code), ("csrf_token", &token)])
                .await
                .status
        }
    });
    let statuses = futures_join(tries).await;
    let checked = statuses.iter().filter(|s| **s != 429).count();
    assert!(
        checked <= 4,
        "three free tries and perhaps one more, whatever arrives at once: {statuses:?}"
    );
    let recorded: i64 = app
        .scalar("SELECT count(*) FROM login_attempts WHERE kind = 'code'")
        .await;
    assert_eq!(recorded as usize, checked, "each checked try is counted");
}

#[tokio::test]
async fn five_wrong_codes_send_the_login_back_to_the_password() {
    let app = TestApp::spawn().await;
    let client = app.client();
    client.login_password(MENTOR, PASSWORD).await;
    let mut conn = app.owner_conn().await;
    for n in 0..5 {
        // Past the throttle's delays, to reach the limit of the waiting login itself.
        sqlx::query("UPDATE login_attempts SET at = at - interval '1 hour'")
            .execute(&mut conn)
            .await
            .unwrap();
        let page = client.submit_code(&format!("00000{n}")).await;
        if n < 4 {
            assert_eq!(page.status, 422, "try {n}");
        } else {
            assert_eq!(page.status, 303);
            assert_eq!(page.location(), "/login");
        }
    }
    let after = client.submit_code(&demo_code(0)).await;
    assert_eq!(after.location(), "/login", "the right code is too late now");
}

#[tokio::test]
async fn changing_a_members_e_mail_ends_their_links_and_sessions_and_tells_the_old_address() {
    let app = TestApp::spawn().await;
    let coordinator = app.login(COORDINATOR).await;
    create_mentor(&coordinator, "Ny Mentor", "ny.mentor@aarhus.dk").await;
    let link = app.mailed_link("ny.mentor@aarhus.dk").await;
    let id = app.user_id("ny.mentor@aarhus.dk").await;
    let form = coordinator.get(&format!("/medarbejdere/{id}")).await;
    let version = form.attr("input[name=version]", "value").unwrap();
    let saved = coordinator
        .post(
            &format!("/medarbejdere/{id}"),
            &[
                ("name", "Ny Mentor"),
                ("email", "rigtig.mentor@aarhus.dk"),
                ("roles", "mentor"),
                ("version", &version),
            ],
        )
        .await;
    assert_eq!(saved.status, 303, "{}", saved.text);
    assert_eq!(
        app.client().get(&link).await.status,
        410,
        "the old link is dead"
    );
    let told: i64 = app
        .scalar("SELECT count(*) FROM outbox WHERE kind = 'account_email_changed' AND to_address = 'ny.mentor@aarhus.dk'")
        .await;
    assert_eq!(told, 1);
}

/// Runs the futures at once, each as its own task, and collects their results.
async fn futures_join<F>(tries: impl Iterator<Item = F>) -> Vec<u16>
where
    F: std::future::Future<Output = u16> + Send + 'static,
{
    let mut set = tokio::task::JoinSet::new();
    for attempt in tries {
        set.spawn(attempt);
    }
    set.join_all().await
}

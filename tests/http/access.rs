//! Walks every route the features declare (`korps::app::route_table`) as every role and
//! as nobody, and checks the answer against the declaration: allowed → served (or 404
//! for an unknown id), not allowed → 403 for a signed-in user, a redirect to the login
//! page for nobody (401 for an API read).

use korps::vocab::Role;
use korps::web::routes::Access;

use crate::support::{Client, TestApp};

struct Persona {
    name: &'static str,
    email: Option<&'static str>,
    roles: &'static [Role],
}

const PERSONAS: &[Persona] = &[
    Persona {
        name: "nobody",
        email: None,
        roles: &[],
    },
    Persona {
        name: "national",
        email: Some("national@example.org"),
        roles: &[Role::National],
    },
    Persona {
        name: "coordinator",
        email: Some("koordinator.aarhus@example.org"),
        roles: &[Role::Coordinator],
    },
    Persona {
        name: "mentor",
        email: Some("mentor.aarhus@example.org"),
        roles: &[Role::Mentor],
    },
    Persona {
        name: "parent coach",
        email: Some("coach.aarhus@example.org"),
        roles: &[Role::ParentCoach],
    },
];

fn allowed(access: Access, persona: &Persona) -> bool {
    match access {
        Access::Public => true,
        Access::SignedIn => persona.email.is_some(),
        Access::Roles(roles) | Access::RolesOrToken(roles) => {
            roles.iter().any(|role| persona.roles.contains(role))
        }
    }
}

/// The route with every parameter filled in: an id nobody has, or a real asset path.
fn concrete(path: &str) -> String {
    path.replace("{id}", "0191f1d4-1111-7222-8333-444455556666")
        .replace("{consent_id}", "0191f1d4-1111-7222-8333-444455556667")
        .replace("{session_id}", "0191f1d4-1111-7222-8333-444455556668")
        .replace("{answer_id}", "0191f1d4-1111-7222-8333-444455556669")
        .replace("{module_id}", "0191f1d4-1111-7222-8333-44445555666a")
        .replace("{user}", "0191f1d4-1111-7222-8333-44445555666b")
        .replace("{tool}", "development_plan")
        .replace("{file}", "forloeb.csv")
        .replace(
            "{version}/{*path}",
            korps::web::assets::url("korps.css").trim_start_matches("/static/"),
        )
}

#[tokio::test]
async fn every_route_answers_every_role_as_the_access_table_says() {
    let app = TestApp::spawn().await;
    let mut failures = Vec::new();
    let table = korps::app::route_table();
    for persona in PERSONAS {
        for rule in table.rules() {
            // A fresh session per request, so logging out or a POST cannot affect the next.
            let client: Client = match persona.email {
                Some(email) => app.login(email).await,
                None => app.client(),
            };
            let path = concrete(rule.path);
            assert!(
                !path.contains('{'),
                "a parameter of {} is not filled in",
                rule.path
            );
            let page = match rule.method {
                "GET" => client.get(&path).await,
                _ => client.post(&path, &[]).await,
            };
            let to_login = page.status == 303 && page.location().starts_with("/login");
            let ok = if rule.path == "/logout" && persona.email.is_some() {
                to_login && client.get("/").await.status == 303
            } else if allowed(rule.access, persona) {
                // The code step and enrolment send back to the password step when no
                // login is under way.
                let login_step =
                    rule.path.starts_with("/login/") || rule.path.starts_with("/totrin");
                page.status != 403 && (!to_login || login_step) && page.status < 500
            } else if persona.email.is_none() {
                // An API read answers a program without credentials 401, not the login page.
                if matches!(rule.access, Access::RolesOrToken(_)) {
                    page.status == 401
                } else {
                    to_login
                }
            } else {
                page.status == 403
            };
            if !ok {
                failures.push(format!(
                    "{} {} as {}: {} {}",
                    rule.method,
                    rule.path,
                    persona.name,
                    page.status,
                    page.location()
                ));
            }
        }
    }
    assert!(
        failures.is_empty(),
        "answers that differ from the access table:\n{}",
        failures.join("\n")
    );
}

#[tokio::test]
async fn the_menu_shows_only_what_the_role_may_open() {
    let app = TestApp::spawn().await;
    let national = app
        .login("national@example.org")
        .await
        .get("/")
        .await
        .texts("nav.nav .nav-link");
    assert_eq!(
        national,
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
    let coordinator = app
        .login("koordinator.aarhus@example.org")
        .await
        .get("/")
        .await
        .texts("nav.nav .nav-link");
    assert_eq!(
        coordinator,
        vec![
            "Forside",
            "Borgere",
            "Forløb",
            "Overblik",
            "Korps",
            "Coaching",
            "Ansøgninger",
            "Uddannelse",
            "Udlån",
            "Medarbejdere",
            "Adgangslog",
            "Kontrol af opslag",
            "Sletning og anonymisering",
            "Eksport"
        ]
    );
    let mentor = app
        .login("mentor.aarhus@example.org")
        .await
        .get("/")
        .await
        .texts("nav.nav .nav-link");
    assert_eq!(mentor, vec!["Forside", "Forløb", "Min profil"]);
}

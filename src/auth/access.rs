//! Who may use which route: the one table of route × role → allowed, and the middleware
//! that enforces it on every matched route. A route missing from the table is refused.

use axum::extract::{MatchedPath, Request};
use axum::http::{Method, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Redirect, Response};

use super::Role;
use super::current_user::CurrentUser;
use crate::error::AppError;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Access {
    /// Anyone, signed in or not.
    Public,
    /// Any signed-in user.
    SignedIn,
    /// Signed-in users holding at least one of these roles.
    Roles(&'static [Role]),
}

#[derive(Debug, Clone, Copy)]
pub struct RouteRule {
    pub method: &'static str,
    pub path: &'static str,
    pub access: Access,
}

const NATIONAL: Access = Access::Roles(&[Role::National]);
const COORDINATOR: Access = Access::Roles(&[Role::Coordinator]);
/// Mentors and parent coaches (their own courses) and coordinators (all courses).
const COURSE_WORK: Access = Access::Roles(&[Role::Coordinator, Role::Mentor, Role::ParentCoach]);
/// Applications: the applicant municipality's coordinators and national staff.
const APPLICATIONS: Access = Access::Roles(&[Role::National, Role::Coordinator]);
/// Loans: the receiving and lending coordinators and the national centre.
const LOANS: Access = Access::Roles(&[Role::National, Role::Coordinator]);
/// Training: national staff plan and record; coordinators nominate.
const TRAINING: Access = Access::Roles(&[Role::National, Role::Coordinator]);
const MEMBER: Access = Access::Roles(&[Role::Mentor, Role::ParentCoach]);

const fn rule(method: &'static str, path: &'static str, access: Access) -> RouteRule {
    RouteRule {
        method,
        path,
        access,
    }
}

/// Every route of Korps. Paths are axum's route patterns.
pub const ROUTES: &[RouteRule] = &[
    rule("GET", "/healthz", Access::Public),
    rule("GET", "/readyz", Access::Public),
    rule("GET", "/static/{version}/{*path}", Access::Public),
    rule("GET", "/tilgaengelighed", Access::Public),
    rule("GET", "/login", Access::Public),
    rule("POST", "/login", Access::Public),
    rule("POST", "/logout", Access::SignedIn),
    rule("GET", "/", Access::SignedIn),
    rule("GET", "/konto", Access::SignedIn),
    rule("POST", "/konto/sprog", Access::SignedIn),
    rule("POST", "/konto/adgangskode", Access::SignedIn),
    rule("GET", "/kommuner", NATIONAL),
    rule("GET", "/kommuner/ny", NATIONAL),
    rule("POST", "/kommuner", NATIONAL),
    rule("GET", "/kommuner/{id}", NATIONAL),
    rule("POST", "/kommuner/{id}/koordinatorer", NATIONAL),
    rule("GET", "/medarbejdere", COORDINATOR),
    rule("GET", "/medarbejdere/ny", COORDINATOR),
    rule("POST", "/medarbejdere", COORDINATOR),
    rule("GET", "/medarbejdere/{id}", COORDINATOR),
    rule("POST", "/medarbejdere/{id}", COORDINATOR),
    rule("GET", "/medarbejdere/{id}/deaktiver", COORDINATOR),
    rule("POST", "/medarbejdere/{id}/deaktiver", COORDINATOR),
    rule("POST", "/medarbejdere/{id}/aktiver", COORDINATOR),
    rule("GET", "/medarbejdere/{id}/nulstil-adgangskode", COORDINATOR),
    rule(
        "POST",
        "/medarbejdere/{id}/nulstil-adgangskode",
        COORDINATOR,
    ),
    rule("GET", "/adgangslog", COORDINATOR),
    rule("GET", "/adgangslog.csv", COORDINATOR),
    rule("GET", "/korps", COORDINATOR),
    rule("GET", "/korps/{id}", COORDINATOR),
    rule("POST", "/korps/{id}", COORDINATOR),
    rule("GET", "/min-profil", MEMBER),
    rule("POST", "/min-profil", MEMBER),
    rule("GET", "/borgere", COORDINATOR),
    rule("GET", "/borgere/ny", COORDINATOR),
    rule("POST", "/borgere", COORDINATOR),
    rule("GET", "/borgere/{id}", COORDINATOR),
    rule("POST", "/borgere/{id}", COORDINATOR),
    rule("GET", "/borgere/{id}/rediger", COORDINATOR),
    rule("POST", "/borgere/{id}/samtykker", COORDINATOR),
    rule(
        "POST",
        "/borgere/{id}/samtykker/{consent_id}/tilbagekald",
        COORDINATOR,
    ),
    rule("POST", "/borgere/{id}/relationer", COORDINATOR),
    rule("POST", "/borgere/{id}/konflikter", COORDINATOR),
    rule("POST", "/borgere/{id}/forloeb", COORDINATOR),
    rule("GET", "/forloeb", COURSE_WORK),
    rule("GET", "/forloeb/nyt-netvaerk", COORDINATOR),
    rule("POST", "/forloeb/nyt-netvaerk", COORDINATOR),
    rule("GET", "/forloeb/{id}", COURSE_WORK),
    rule("GET", "/forloeb/{id}/match", COORDINATOR),
    rule("POST", "/forloeb/{id}/match", COORDINATOR),
    rule("POST", "/forloeb/{id}/status", COURSE_WORK),
    rule("POST", "/forloeb/{id}/annuller", COORDINATOR),
    rule("GET", "/forloeb/{id}/overdragelse", COURSE_WORK),
    rule("GET", "/forloeb/{id}/sessioner/ny", COURSE_WORK),
    rule("POST", "/forloeb/{id}/sessioner", COURSE_WORK),
    rule("GET", "/forloeb/{id}/sessioner/{session_id}", COURSE_WORK),
    rule("POST", "/forloeb/{id}/sessioner/{session_id}", COURSE_WORK),
    rule("GET", "/forloeb/{id}/redskaber/{tool}", COURSE_WORK),
    rule("POST", "/forloeb/{id}/redskaber/{tool}", COURSE_WORK),
    rule(
        "GET",
        "/forloeb/{id}/redskaber/svar/{answer_id}",
        COURSE_WORK,
    ),
    rule("GET", "/overblik", COORDINATOR),
    rule("GET", "/nationalt-overblik", NATIONAL),
    rule("GET", "/eksport", COORDINATOR),
    rule("GET", "/eksport/{file}", COORDINATOR),
    rule("GET", "/coaching", COORDINATOR),
    rule("POST", "/coaching", COORDINATOR),
    rule("GET", "/forloeb/{id}/udlaan", COORDINATOR),
    rule("POST", "/forloeb/{id}/udlaan", COORDINATOR),
    rule("GET", "/udlaan", LOANS),
    rule("GET", "/udlaan/{id}", LOANS),
    rule("POST", "/udlaan/{id}/videresend", NATIONAL),
    rule("POST", "/udlaan/{id}/accepter", COORDINATOR),
    rule("POST", "/udlaan/{id}/afvis", COORDINATOR),
    rule("POST", "/udlaan/{id}/tildel", COORDINATOR),
    rule("POST", "/udlaan/{id}/traek-tilbage", COORDINATOR),
    rule("POST", "/udlaan/{id}/afslut", LOANS),
    rule("GET", "/udlaan/{id}/afregning", LOANS),
    rule("GET", "/ansoegningsrunder", NATIONAL),
    rule("GET", "/ansoegningsrunder/ny", NATIONAL),
    rule("POST", "/ansoegningsrunder", NATIONAL),
    rule("GET", "/ansoegningsrunder/{id}", NATIONAL),
    rule("GET", "/ansoegningsrunder/{id}/rediger", NATIONAL),
    rule("POST", "/ansoegningsrunder/{id}/rediger", NATIONAL),
    rule("POST", "/ansoegningsrunder/{id}/aabn", NATIONAL),
    rule("POST", "/ansoegningsrunder/{id}/luk", NATIONAL),
    rule("POST", "/ansoegningsrunder/{id}/ansoeg", COORDINATOR),
    rule("GET", "/ansoegninger", COORDINATOR),
    rule("GET", "/ansoegninger/{id}", APPLICATIONS),
    rule("GET", "/ansoegninger/{id}/rediger", COORDINATOR),
    rule("POST", "/ansoegninger/{id}/rediger", COORDINATOR),
    rule("POST", "/ansoegninger/{id}/partnere", COORDINATOR),
    rule("POST", "/ansoegninger/{id}/partnere/fjern", COORDINATOR),
    rule("POST", "/ansoegninger/{id}/bekraeft", COORDINATOR),
    rule("GET", "/ansoegninger/{id}/bilag", APPLICATIONS),
    rule("GET", "/ansoegninger/{id}/vurdering", NATIONAL),
    rule("POST", "/ansoegninger/{id}/vurdering", NATIONAL),
    rule("GET", "/ansoegninger/{id}/afgoerelse", NATIONAL),
    rule("POST", "/ansoegninger/{id}/afgoerelse", NATIONAL),
    rule("GET", "/uddannelse", TRAINING),
    rule("GET", "/uddannelse/hold/ny", NATIONAL),
    rule("POST", "/uddannelse/hold", NATIONAL),
    rule("GET", "/uddannelse/hold/{id}", TRAINING),
    rule("GET", "/uddannelse/hold/{id}/rediger", NATIONAL),
    rule("POST", "/uddannelse/hold/{id}/rediger", NATIONAL),
    rule("GET", "/uddannelse/hold/{id}/moduler/ny", NATIONAL),
    rule("POST", "/uddannelse/hold/{id}/moduler", NATIONAL),
    rule("GET", "/uddannelse/hold/{id}/moduler/{module_id}", NATIONAL),
    rule(
        "POST",
        "/uddannelse/hold/{id}/moduler/{module_id}",
        NATIONAL,
    ),
    rule("POST", "/uddannelse/hold/{id}/indstillinger", COORDINATOR),
    rule(
        "POST",
        "/uddannelse/indstillinger/{id}/tilbagetraek",
        COORDINATOR,
    ),
    rule("GET", "/uddannelse/arrangementer/ny", NATIONAL),
    rule("POST", "/uddannelse/arrangementer", NATIONAL),
    rule("GET", "/uddannelse/arrangementer/{id}", NATIONAL),
    rule("POST", "/uddannelse/arrangementer/{id}", NATIONAL),
    rule("GET", "/korpsoversigt", NATIONAL),
    rule("GET", "/korpsoversigt.csv", NATIONAL),
];

/// Routes a user with a temporary password may use before choosing their own.
const ALLOWED_WITH_TEMPORARY_PASSWORD: &[&str] =
    &["/konto", "/konto/adgangskode", "/konto/sprog", "/logout"];

pub fn rule_for(method: &Method, path: &str) -> Option<&'static RouteRule> {
    // HEAD is answered like GET.
    let method = if method == Method::HEAD {
        "GET"
    } else {
        method.as_str()
    };
    ROUTES
        .iter()
        .find(|rule| rule.method == method && rule.path == path)
}

impl Access {
    pub fn allows(self, user: Option<&CurrentUser>) -> bool {
        match self {
            Access::Public => true,
            Access::SignedIn => user.is_some(),
            Access::Roles(roles) => {
                user.is_some_and(|user| roles.iter().any(|role| user.has(*role)))
            }
        }
    }
}

/// May `user` open the page at `path` (a GET route pattern)? Used to build the menu.
pub fn may_visit(user: Option<&CurrentUser>, path: &str) -> bool {
    rule_for(&Method::GET, path).is_some_and(|rule| rule.access.allows(user))
}

/// Route-layer middleware: the table decides; anonymous users are sent to log in.
pub async fn authorize(matched: Option<MatchedPath>, request: Request, next: Next) -> Response {
    let Some(path) = matched else {
        return AppError::NotFound.into_response();
    };
    let Some(rule) = rule_for(request.method(), path.as_str()) else {
        if ROUTES.iter().any(|rule| rule.path == path.as_str()) {
            // The path exists for another method (GET /logout): 405, never a handler.
            return crate::error::error_page(axum::http::StatusCode::METHOD_NOT_ALLOWED);
        }
        tracing::error!(method = %request.method(), route = path.as_str(), "route missing from the access table; refused");
        return AppError::Forbidden.into_response();
    };
    let user = request.extensions().get::<CurrentUser>();
    if rule.access.allows(user) {
        if let Some(user) = user {
            if user.must_change_password && !ALLOWED_WITH_TEMPORARY_PASSWORD.contains(&rule.path) {
                return Redirect::to("/konto").into_response();
            }
        }
        return next.run(request).await;
    }
    if user.is_none() {
        return redirect_to_login(&request);
    }
    AppError::Forbidden.into_response()
}

/// 303 to the login page, remembering where the user was going (a path with ids only,
/// never personal data) for GET requests.
fn redirect_to_login(request: &Request) -> Response {
    let target = if request.method() == Method::GET {
        let path = request.uri().path();
        serde_urlencoded::to_string([("next", path)])
            .map(|query| format!("/login?{query}"))
            .unwrap_or_else(|_| "/login".into())
    } else {
        "/login".into()
    };
    let mut response = Redirect::to(&target).into_response();
    response.headers_mut().insert(
        header::CACHE_CONTROL,
        header::HeaderValue::from_static("no-store"),
    );
    response
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_route_appears_once() {
        for (i, a) in ROUTES.iter().enumerate() {
            for b in &ROUTES[i + 1..] {
                assert!(
                    !(a.method == b.method && a.path == b.path),
                    "{} {} twice",
                    a.method,
                    a.path
                );
            }
        }
    }

    #[test]
    fn head_is_looked_up_as_get() {
        assert!(rule_for(&Method::HEAD, "/login").is_some());
        assert!(rule_for(&Method::DELETE, "/login").is_none());
    }
}

//! Who may use which route: the middleware that checks every matched route against the
//! `RouteTable` the features declared (`web::routes`). A route missing from the table is
//! refused.

use std::sync::Arc;

use axum::extract::{MatchedPath, Request};
use axum::http::{Method, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Redirect, Response};

use super::current_user::CurrentUser;
use crate::error::AppError;
use crate::i18n::Locale;
use crate::web::api;
use crate::web::routes::{Access, RouteTable};

/// Route-layer middleware: the table decides; anonymous users are sent to log in.
pub async fn authorize(matched: Option<MatchedPath>, request: Request, next: Next) -> Response {
    let Some(routes) = request.extensions().get::<Arc<RouteTable>>() else {
        return AppError::Internal("the route table is not in the request".into()).into_response();
    };
    let Some(path) = matched else {
        return AppError::NotFound.into_response();
    };
    let Some(rule) = routes.rule_for(request.method(), path.as_str()) else {
        if routes.knows_path(path.as_str()) {
            // The path exists for another method (GET /logout): 405, never a handler.
            return crate::error::error_page(axum::http::StatusCode::METHOD_NOT_ALLOWED);
        }
        tracing::error!(method = %request.method(), route = path.as_str(), "route missing from the access table; refused");
        return AppError::Forbidden.into_response();
    };
    let user = request.extensions().get::<CurrentUser>();
    if rule.access.allows(user.map(|user| user.roles.as_slice())) {
        if user.is_some_and(|user| user.must_change_password) && !rule.before_password_change {
            return Redirect::to("/konto").into_response();
        }
        return next.run(request).await;
    }
    if let Access::RolesOrToken(_) = rule.access {
        let t = user.map_or(Locale::Da, |user| user.locale).messages();
        return match user {
            // The handler checks the token, and answers 401 for a wrong one.
            None if api::bearer(request.headers()).is_some() => next.run(request).await,
            None => api::error(
                StatusCode::UNAUTHORIZED,
                "unauthorized",
                t.statistics.api_unauthorized,
            ),
            Some(_) => api::error(
                StatusCode::FORBIDDEN,
                "forbidden",
                t.statistics.api_forbidden,
            ),
        };
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

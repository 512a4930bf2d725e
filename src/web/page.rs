//! The layout context every page template gets as `page`: language, user, menu,
//! breadcrumbs, CSRF token and flash messages.

use std::sync::Arc;

use axum::extract::FromRequestParts;
use axum::http::Method;
use axum::http::request::Parts;
use tower_sessions::Session;

use crate::error::AppError;
use crate::i18n::{Locale, Messages};
use crate::state::AppState;
use crate::vocab::{Role, roles_label};
use crate::web::flash::{self, Flash};
use crate::web::routes::RouteTable;
use crate::web::{assets, csrf};

pub struct NavItem {
    pub href: &'static str,
    pub label: &'static str,
    pub current: bool,
}

pub struct Crumb {
    pub label: String,
    pub href: Option<String>,
}

pub struct UserBadge {
    pub name: String,
    pub context: String,
    /// Unread notices, for the bell.
    pub unread: i64,
    /// The bell's accessible name ("Beskeder, 2 ulæste").
    pub bell_label: String,
}

pub struct Page {
    pub t: &'static Messages,
    pub locale: Locale,
    pub title: String,
    pub user: Option<UserBadge>,
    pub nav: Vec<NavItem>,
    pub crumbs: Vec<Crumb>,
    pub csrf: String,
    pub flashes: Vec<Flash>,
    pub path: String,
    /// For a signed-in page: when the session ends, for the idle-timeout warning.
    pub session: Option<SessionClock>,
}

/// How long the signed-in session has left, as the page's script needs it (the warning
/// before the idle timeout, WCAG 2.2.1).
#[derive(Debug, Clone)]
pub struct SessionClock {
    /// The user's id: tabs of one browser share the clock only for the same user.
    pub user: uuid::Uuid,
    /// Seconds until the session ends unless the user does something.
    pub idle_left: i64,
    /// Seconds until it ends whatever the user does (12 hours after login).
    pub absolute_left: i64,
    /// The whole idle timeout, which staying logged in starts again.
    pub idle_timeout: i64,
    /// Seconds before the end at which the page warns.
    pub warn_before: i64,
}

/// Who is looking, as the layout needs it. `auth` puts one in the extensions of every
/// signed-in request (and of its response, for the error pages).
#[derive(Debug, Clone)]
pub struct Viewer {
    pub name: String,
    pub municipality: Option<String>,
    pub roles: Vec<Role>,
    pub locale: Locale,
    /// Must replace a password found among common breached ones before anything else: no menu.
    pub must_change_password: bool,
    pub unread_notices: i64,
    /// The session's clock (set by `auth::load_user`).
    pub session: Option<SessionClock>,
}

impl Page {
    pub fn build(
        viewer: Option<&Viewer>,
        routes: Option<&RouteTable>,
        path: &str,
        csrf: String,
        flashes: Vec<Flash>,
    ) -> Page {
        let locale = viewer.map(|viewer| viewer.locale).unwrap_or_default();
        let t = locale.messages();
        let nav = match (viewer, routes) {
            (Some(viewer), Some(routes)) if !viewer.must_change_password => routes
                .menu()
                .filter(|(href, _)| {
                    routes
                        .rule_for(&Method::GET, href)
                        .is_some_and(|rule| rule.access.allows(Some(&viewer.roles)))
                })
                .map(|(href, entry)| NavItem {
                    href,
                    label: (entry.label)(t),
                    current: if href == "/" {
                        path == "/"
                    } else {
                        path.starts_with(href)
                    },
                })
                .collect(),
            _ => Vec::new(),
        };
        let user = viewer.map(|viewer| UserBadge {
            name: viewer.name.clone(),
            context: match &viewer.municipality {
                Some(municipality) => {
                    format!("{} · {}", municipality, roles_label(&viewer.roles, t))
                }
                None => roles_label(&viewer.roles, t),
            },
            unread: viewer.unread_notices,
            bell_label: if viewer.unread_notices == 0 {
                t.mail.bell_label_none.to_string()
            } else {
                crate::i18n::fill(t.mail.bell_label, &[&viewer.unread_notices.to_string()])
            },
        });
        Page {
            t,
            locale,
            title: String::new(),
            user,
            nav,
            crumbs: Vec::new(),
            csrf,
            flashes,
            path: path.to_string(),
            session: viewer.and_then(|viewer| viewer.session.clone()),
        }
    }

    pub fn titled(mut self, title: impl Into<String>) -> Self {
        self.title = title.into();
        self
    }

    /// Adds a breadcrumb; the last one added is the current page (no link).
    pub fn crumb(mut self, label: impl Into<String>, href: impl Into<String>) -> Self {
        self.crumbs.push(Crumb {
            label: label.into(),
            href: Some(href.into()),
        });
        self
    }

    pub fn asset(&self, path: &str) -> String {
        assets::url(path)
    }

    pub fn icon(&self, name: &str) -> String {
        format!("{}#{name}", assets::url("dkfds/img/all-svg-icons.svg"))
    }

    /// "No error" for a form macro's error argument on forms without validation.
    pub fn no_error(&self) -> Option<&'static str> {
        None
    }

    pub fn has_nav(&self) -> bool {
        !self.nav.is_empty()
    }
}

impl FromRequestParts<AppState> for Page {
    type Rejection = AppError;

    async fn from_request_parts(
        parts: &mut Parts,
        _state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        let session = parts
            .extensions
            .get::<Session>()
            .cloned()
            .ok_or_else(|| AppError::Internal("session layer missing".into()))?;
        let token = csrf::token(&session, &parts.extensions).await?;
        // Flashes wait for the next page a user sees; a POST that re-renders a form with
        // errors must not swallow them.
        let flashes = if parts.method == axum::http::Method::GET {
            flash::take(&session).await?
        } else {
            Vec::new()
        };
        let viewer = parts.extensions.get::<Viewer>();
        let routes = parts.extensions.get::<Arc<RouteTable>>();
        Ok(Page::build(
            viewer,
            routes.map(|routes| &**routes),
            parts.uri.path(),
            token,
            flashes,
        ))
    }
}

//! The layout context every page template gets as `page`: language, user, menu,
//! breadcrumbs, CSRF token and flash messages.

use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use tower_sessions::Session;

use crate::app::AppState;
use crate::auth::{CurrentUser, access, roles_label};
use crate::error::AppError;
use crate::web::flash::{self, Flash};
use crate::web::i18n::{Locale, Messages};
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
}

/// A menu label, looked up in the user's catalogue.
type Label = fn(&Messages) -> &'static str;

/// The menu, in order; each item shows only to those the access table lets in.
const MENU: &[(&str, Label)] = &[
    ("/", |t| t.common.nav_start),
    ("/borgere", |t| t.common.nav_citizens),
    ("/forloeb", |t| t.common.nav_courses),
    ("/overblik", |t| t.common.nav_overview),
    ("/nationalt-overblik", |t| t.common.nav_national_overview),
    ("/korps", |t| t.common.nav_corps),
    ("/coaching", |t| t.common.nav_coaching),
    ("/min-profil", |t| t.common.nav_my_profile),
    ("/ansoegninger", |t| t.apps.nav_applications),
    ("/ansoegningsrunder", |t| t.apps.nav_rounds),
    ("/uddannelse", |t| t.training.nav_training),
    ("/korpsoversigt", |t| t.training.nav_roster),
    ("/udlaan", |t| t.loans.nav_loans),
    ("/kommuner", |t| t.common.nav_municipalities),
    ("/medarbejdere", |t| t.common.nav_staff),
    ("/adgangslog", |t| t.common.nav_audit_log),
    ("/eksport", |t| t.common.nav_exports),
];

impl Page {
    pub fn build(
        user: Option<&CurrentUser>,
        path: &str,
        csrf: String,
        flashes: Vec<Flash>,
    ) -> Page {
        let locale = user.map(|user| user.locale).unwrap_or_default();
        let t = locale.messages();
        let nav = match user {
            Some(user) if !user.must_change_password => MENU
                .iter()
                .filter(|(href, _)| access::may_visit(Some(user), href))
                .map(|(href, label)| NavItem {
                    href,
                    label: label(t),
                    current: if *href == "/" {
                        path == "/"
                    } else {
                        path.starts_with(href)
                    },
                })
                .collect(),
            _ => Vec::new(),
        };
        let user = user.map(|user| UserBadge {
            name: user.name.clone(),
            context: match &user.municipality {
                Some(municipality) => {
                    format!("{} · {}", municipality.name, roles_label(&user.roles, t))
                }
                None => roles_label(&user.roles, t),
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
        let token = csrf::token(&session).await?;
        // Flashes wait for the next page a user sees; a POST that re-renders a form with
        // errors must not swallow them.
        let flashes = if parts.method == axum::http::Method::GET {
            flash::take(&session).await?
        } else {
            Vec::new()
        };
        let user = parts.extensions.get::<CurrentUser>();
        Ok(Page::build(user, parts.uri.path(), token, flashes))
    }
}

//! Routes, declared once. Each feature lists its routes — method, path, handler, who may
//! use it, its menu entry if any — and everything else derives from those lists: the
//! router (`assemble`), the `RouteTable` that the access check (`auth::access::authorize` reads the
//! and the menu (`Page`) read, and the route × role test.

use axum::Router;
use axum::extract::DefaultBodyLimit;
use axum::handler::Handler;
use axum::http::Method;
use axum::routing::{MethodRouter, get, post};

use crate::i18n::Messages;
use crate::state::AppState;
use crate::vocab::Role;

/// Who may use a route.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Access {
    /// Anyone, signed in or not.
    Public,
    /// Any signed-in user.
    SignedIn,
    /// Signed-in users holding at least one of these roles.
    Roles(&'static [Role]),
    /// An API read: a session holding one of these roles, or a bearer token, which the
    /// feature's handler checks. Without either the answer is 401 (JSON), not the login
    /// page: a program reads it.
    RolesOrToken(&'static [Role]),
}

impl Access {
    /// `roles` is `None` for an anonymous visitor.
    pub fn allows(self, roles: Option<&[Role]>) -> bool {
        match self {
            Access::Public => true,
            Access::SignedIn => roles.is_some(),
            Access::Roles(allowed) | Access::RolesOrToken(allowed) => {
                roles.is_some_and(|roles| allowed.iter().any(|role| roles.contains(role)))
            }
        }
    }
}

/// The access groups the features share.
pub const NATIONAL: Access = Access::Roles(&[Role::National]);
pub const COORDINATOR: Access = Access::Roles(&[Role::Coordinator]);
/// Mentors and parent coaches (their own courses) and coordinators (all courses).
pub const COURSE_WORK: Access =
    Access::Roles(&[Role::Coordinator, Role::Mentor, Role::ParentCoach]);
/// National staff and coordinators (applications, loans, training).
pub const NATIONAL_OR_COORDINATOR: Access = Access::Roles(&[Role::National, Role::Coordinator]);
/// Mentors and parent coaches.
pub const MEMBER: Access = Access::Roles(&[Role::Mentor, Role::ParentCoach]);

/// A menu label, looked up in the user's catalogue.
pub type Label = fn(&'static Messages) -> &'static str;

/// A route's place in the main menu: items show in `rank` order.
#[derive(Clone, Copy)]
pub struct MenuEntry {
    pub rank: u16,
    pub label: Label,
}

/// What the access check and the menu know of a route (everything but its handler).
#[derive(Clone, Copy)]
pub struct RouteRule {
    pub method: &'static str,
    pub path: &'static str,
    pub access: Access,
    pub menu: Option<MenuEntry>,
    /// Usable by a user who must first replace a password found among common breached ones.
    pub before_password_change: bool,
    /// The largest request body accepted from a signed-in user, for a route that takes a
    /// file; every other request may send `web::limits::FORM_BODY` at most.
    pub upload_limit: Option<usize>,
}

/// One declared route: its rule and its handler.
pub struct Route {
    pub rule: RouteRule,
    handler: MethodRouter<AppState>,
}

impl Route {
    fn new(
        method: &'static str,
        path: &'static str,
        access: Access,
        handler: MethodRouter<AppState>,
    ) -> Route {
        Route {
            rule: RouteRule {
                method,
                path,
                access,
                menu: None,
                before_password_change: false,
                upload_limit: None,
            },
            handler,
        }
    }

    pub fn get<H, T>(path: &'static str, access: Access, handler: H) -> Route
    where
        H: Handler<T, AppState>,
        T: 'static,
    {
        Route::new("GET", path, access, get(handler))
    }

    pub fn post<H, T>(path: &'static str, access: Access, handler: H) -> Route
    where
        H: Handler<T, AppState>,
        T: 'static,
    {
        Route::new("POST", path, access, post(handler))
    }

    /// Shows the route (a GET) in the main menu at `rank`.
    pub fn menu(mut self, rank: u16, label: Label) -> Route {
        self.rule.menu = Some(MenuEntry { rank, label });
        self
    }

    /// Lets a user who must first replace their password use the route.
    pub fn before_password_change(mut self) -> Route {
        self.rule.before_password_change = true;
        self
    }

    /// Accepts a file: request bodies up to `limit` bytes from a signed-in user (the
    /// handler reports a file that is too large itself).
    pub fn upload(mut self, limit: usize) -> Route {
        self.rule.upload_limit = Some(limit);
        self.handler = self.handler.layer(DefaultBodyLimit::max(limit));
        self
    }

    /// Wraps the handler in a layer of its own.
    pub fn wrap(
        mut self,
        wrap: impl FnOnce(MethodRouter<AppState>) -> MethodRouter<AppState>,
    ) -> Route {
        self.handler = wrap(self.handler);
        self
    }
}

/// Every declared route's rule; the access check and the menu read it.
#[derive(Clone, Default)]
pub struct RouteTable {
    rules: Vec<RouteRule>,
    /// Indexes into `rules` of the menu's entries, in menu order.
    menu: Vec<usize>,
}

impl RouteTable {
    pub fn rules(&self) -> &[RouteRule] {
        &self.rules
    }

    /// The rule for a matched route pattern; HEAD is answered like GET.
    pub fn rule_for(&self, method: &Method, path: &str) -> Option<&RouteRule> {
        let method = if method == Method::HEAD {
            "GET"
        } else {
            method.as_str()
        };
        self.rules
            .iter()
            .find(|rule| rule.method == method && rule.path == path)
    }

    /// Whether any method is declared for the path (for a 405 instead of a 403).
    pub fn knows_path(&self, path: &str) -> bool {
        self.rules.iter().any(|rule| rule.path == path)
    }

    /// The menu entries, in order.
    pub fn menu(&self) -> impl Iterator<Item = (&'static str, &MenuEntry)> {
        self.menu.iter().filter_map(|&i| {
            let rule = &self.rules[i];
            rule.menu.as_ref().map(|entry| (rule.path, entry))
        })
    }
}

impl RouteTable {
    /// The table of these rules. Panics on a route declared twice or a menu entry on a
    /// route that is not a GET: both are mistakes in the code that the first test shows.
    pub fn new(rules: impl IntoIterator<Item = RouteRule>) -> RouteTable {
        let mut table = RouteTable::default();
        for rule in rules {
            assert!(
                table.rule_for(&method(rule.method), rule.path).is_none(),
                "route {} {} is declared twice",
                rule.method,
                rule.path
            );
            assert!(
                rule.menu.is_none() || rule.method == "GET",
                "menu entry on {} {}",
                rule.method,
                rule.path
            );
            table.rules.push(rule);
        }
        let mut menu: Vec<usize> = (0..table.rules.len())
            .filter(|&i| table.rules[i].menu.is_some())
            .collect();
        menu.sort_by_key(|&i| table.rules[i].menu.map(|entry| entry.rank));
        table.menu = menu;
        table
    }
}

/// The router of a list of declared routes (several declarations of one path share it).
pub fn assemble(routes: Vec<Route>) -> Router<AppState> {
    routes.into_iter().fold(Router::new(), |router, route| {
        router.route(route.rule.path, route.handler)
    })
}

fn method(name: &str) -> Method {
    Method::from_bytes(name.as_bytes()).unwrap_or(Method::GET)
}

#[cfg(test)]
mod tests {
    use super::*;

    async fn nothing() {}

    #[test]
    fn roles_allow_whoever_holds_one_of_them() {
        assert!(COURSE_WORK.allows(Some(&[Role::Mentor])));
        assert!(!COURSE_WORK.allows(Some(&[Role::National])));
        assert!(!COURSE_WORK.allows(None));
        assert!(Access::SignedIn.allows(Some(&[])));
        assert!(!Access::SignedIn.allows(None));
        assert!(Access::Public.allows(None));
    }

    #[test]
    fn head_is_looked_up_as_get_and_the_menu_is_in_rank_order() {
        let routes = [
            Route::get("/b", Access::SignedIn, nothing).menu(20, |t| t.common.nav_start),
            Route::post("/b", Access::SignedIn, nothing),
            Route::get("/a", Access::SignedIn, nothing).menu(10, |t| t.common.nav_start),
        ];
        let table = RouteTable::new(routes.iter().map(|route| route.rule));
        assert!(table.rule_for(&Method::HEAD, "/b").is_some());
        assert!(table.rule_for(&Method::DELETE, "/b").is_none());
        assert!(table.knows_path("/a"));
        let order: Vec<&str> = table.menu().map(|(path, _)| path).collect();
        assert_eq!(order, ["/a", "/b"]);
    }

    #[test]
    #[should_panic(expected = "declared twice")]
    fn a_route_declared_twice_is_refused() {
        let routes = [
            Route::get("/a", Access::SignedIn, nothing),
            Route::get("/a", Access::Public, nothing),
        ];
        RouteTable::new(routes.iter().map(|route| route.rule));
    }
}

//! What every request handler and middleware shares: the connection pool and the
//! configuration. Lives at the ground floor so that every layer above may name it.

use std::sync::Arc;

use sqlx::PgPool;

use crate::config::Config;

#[derive(Clone)]
pub struct AppState {
    pub pool: PgPool,
    pub config: Arc<Config>,
}

impl AppState {
    /// Cookies are `Secure` (and may carry the `__Host-` prefix).
    pub fn secure(&self) -> bool {
        !self.config.insecure_cookies
    }
}

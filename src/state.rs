//! What every request handler and middleware shares: the connection pool and the
//! configuration. Lives at the ground floor so that every layer above may name it.

use std::sync::Arc;

use sqlx::PgPool;

use crate::cache::Cache;
use crate::config::Config;

#[derive(Clone)]
pub struct AppState {
    pub pool: PgPool,
    pub config: Arc<Config>,
    /// Figures that are costly to compute and may lag a few minutes (the national ones).
    pub cache: Arc<Cache>,
}

impl AppState {
    pub fn new(pool: PgPool, config: Config) -> AppState {
        AppState {
            pool,
            config: Arc::new(config),
            cache: Arc::default(),
        }
    }

    /// Cookies are `Secure` (and may carry the `__Host-` prefix).
    pub fn secure(&self) -> bool {
        !self.config.insecure_cookies
    }
}

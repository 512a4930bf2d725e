//! What every page shares: the layout context, CSRF, flash messages, forms, tables,
//! the message catalogues, security headers and the error pages.

pub mod api;
pub mod assets;
pub mod chart;
pub mod client;
pub mod cookies;
pub mod csrf;
pub mod csv_export;
pub mod error_pages;
pub mod flash;
pub mod forms;
pub mod headers;
pub mod limits;
pub mod page;
pub mod routes;
pub mod table;
pub mod telemetry;

pub use page::{Page, SessionClock, Viewer};

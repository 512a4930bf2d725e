//! Integration tests: the real router over HTTP against real PostgreSQL.

#[path = "../support/mod.rs"]
mod support;

mod access;
mod admin;
mod applications;
mod calendar;
mod consent;
mod daily;
mod dashboards;
mod insight;
mod lists;
mod loans;
mod login;
mod mail;
mod operations;
mod platform;
mod read_log;
mod retention;
mod roles;
mod sessions;
mod sign_in;
mod stale;
mod states;
mod statistics;
mod tenancy;
mod tools;
mod training;

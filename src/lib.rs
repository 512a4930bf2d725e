//! Korps: the web platform of Denmark's national corps of mentors and parent coaches.
//!
//! `app::router` assembles the whole application; `main.rs` is only the command line.

pub mod account;
pub mod app;
pub mod applications;
pub mod audit;
pub mod audit_log;
pub mod auth;
pub mod cache;
pub mod calendar;
pub mod citizens;
pub mod clock;
pub mod coaching;
pub mod config;
pub mod corps;
pub mod courses;
pub mod dashboards;
pub mod db;
pub mod demo;
pub mod error;
pub mod exports;
pub mod home;
pub mod i18n;
pub mod inbox;
pub mod insight;
pub mod jobs;
pub mod loans;
pub mod login;
pub mod mail;
pub mod matching;
pub mod metrics;
pub mod municipalities;
pub mod reminders;
pub mod retention;
pub mod staff;
pub mod state;
pub mod statistics;
pub mod tools;
pub mod training;
pub mod vocab;
pub mod web;

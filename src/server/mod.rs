//! Server-only parts: configuration, shared application state, health endpoints, logging
//! and the HTTP router that ties them to the Leptos app.

pub mod annotations;
pub mod assets;
pub mod budgets;
pub mod caller;
pub mod catalog;
pub mod config;
pub mod drain;
pub mod encoding;
pub mod handlers;
pub mod health;
pub mod highlight;
pub mod history_cache;
pub mod identity;
pub mod limits;
pub mod logging;
pub mod math;
pub mod media;
pub mod ownership;
pub mod plain_page;
pub mod policy;
pub mod proxy;
pub mod router;
pub mod runs;
pub mod security;
pub mod sending;
pub mod shared;
pub mod sharing;
pub mod sign_in;
pub mod state;
pub mod swr;
pub mod telemetry;
pub mod uploads;
pub mod usage;
pub mod usage_pages;
pub mod user;

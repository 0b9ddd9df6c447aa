//! Client state: one module per shared piece of state, each with `provide_*`/`use_*`.

pub mod analytics;
pub mod backoff;
pub mod chat;
pub mod connection;
pub mod draft;
pub mod sessions;

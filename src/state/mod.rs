//! Client state: one module per shared piece of state, each with `provide_*`/`use_*`.

pub mod analytics;
pub mod backoff;
pub mod connection;
pub mod draft;
#[cfg(feature = "hydrate")]
pub mod frame_batch;
pub mod layout;
pub mod sessions;
pub mod settings;
pub mod shortcuts;
#[cfg(feature = "hydrate")]
mod sign_in;
#[cfg(feature = "hydrate")]
pub use sign_in::{sign_in_again, StreamGuard};
pub mod toasts;

//! The typed AgentOS HTTP client (server only). It holds the AgentOS credentials (and refreshes expired tokens), applies
//! connect and request timeouts, and turns AgentOS error replies into [`AgentOsError`]s
//! that keep AgentOS's own `detail` text.

pub mod auth;
mod client;
mod error;
pub mod sse;
pub mod types;

pub use auth::{Caller, Credentials};
pub use client::{AgentOsClient, ClientOptions, RunRequest, TRACE_KEY};
pub use error::AgentOsError;

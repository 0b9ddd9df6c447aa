//! Server functions: the only door from the browser to the server. Each one takes what it
//! needs from the server's [`AppState`](crate::server::state::AppState), calls the typed
//! AgentOS client, and returns plain data from [`crate::model`]. No AgentOS credential or
//! address ever leaves the server through them.

mod branches;
mod catalog;
mod chat;
mod deferred;
mod export;
mod feedback;
mod highlight;
mod history;
mod hitl;
mod math;
mod sessions;
mod sharing;
mod status;
mod telemetry;
mod usage;

pub use crate::error::ApiError;
pub use branches::{branch_run, BranchRequest};
pub use catalog::list_assistants;
pub use chat::{cancel_run, resume_run, send_message, ChatRequest};
pub use deferred::{Deferred, DeferredJson};
pub use export::{export_conversation, ExportFile, ExportFormat, ExportRequest};
pub use feedback::rate_answer;
pub use highlight::highlight_code;
pub use history::load_session;
pub use hitl::{continue_run, pending_decisions, ContinueRequest};
pub use math::render_math;
pub use sessions::{delete_session, list_sessions, rename_session, MAX_SESSION_NAME};
pub use sharing::{load_notes, share_conversation, stop_sharing, ConversationNotes, ShareLink};
pub use status::agentos_status;
pub use telemetry::record_events;
pub use usage::{everyones_usage, my_usage, BudgetLine, OwnUsage, UsageOverview};

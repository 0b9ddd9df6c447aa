//! Attachments on their way to AgentOS: what a file is (from its bytes), the limits per
//! file and per message, and the streaming pass-through of the browser's upload into
//! AgentOS's multipart run request with bounded memory.

pub mod forward;
pub mod handler;
pub mod kinds;

pub use crate::routes::SEND_FILES_PATH;

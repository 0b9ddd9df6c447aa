//! Chat logic shared by server and browser, free of signals and IO:
//! run events ([`event`]), their reading from AgentOS frames ([`upstream`]), the
//! conversation reducer ([`reducer`]), input validation ([`validate`]), the browser-side
//! line framing ([`framing`]), safe markdown ([`markdown`]) and reading a conversation
//! ahead of a click ([`read_ahead`]).

pub mod annotations;
pub mod branches;
pub mod event;
pub mod export;
pub mod framing;
pub mod frontend_tools;
pub mod history;
pub mod hitl;
pub mod markdown;
pub mod media;
pub mod read_ahead;
pub mod reducer;
pub mod upstream;
pub mod validate;
pub mod window;

#[cfg(all(test, feature = "ssr"))]
mod transcript_tests;

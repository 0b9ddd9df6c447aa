//! Chat logic shared by server and browser, free of signals and IO:
//! run events ([`event`]), their reading from AgentOS frames ([`upstream`]), the
//! conversation reducer ([`reducer`]), input validation ([`validate`]), the browser-side
//! line framing ([`framing`]) and safe markdown ([`markdown`]).

pub mod event;
pub mod framing;
pub mod frontend_tools;
pub mod history;
pub mod hitl;
pub mod markdown;
pub mod reducer;
pub mod upstream;
pub mod validate;
pub mod window;

#[cfg(all(test, feature = "ssr"))]
mod transcript_tests;

//! The page around the conversation: the shell of the chat page, the agent/team picker,
//! the list of conversations, the composer and the "chat unavailable" view. They stay
//! thin: logic lives in [`crate::conversation`], [`crate::state`] and [`crate::model`].

pub mod account;
pub mod chat_page;
pub mod chat_panel;
pub mod composer;
pub mod fallback;
pub mod on_demand;
pub mod picker;
pub mod sidebar;
pub mod toasts;

//! UI components. They stay thin: logic lives in [`crate::state`] and [`crate::model`].

pub mod answer;
pub mod chat_page;
pub mod chat_panel;
pub mod composer;
pub mod fallback;
pub mod genui;
pub mod hitl;
pub mod messages;
pub mod picker;
pub mod sidebar;

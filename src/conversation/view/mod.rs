//! The conversation's views: the virtualized list of turns (with its measuring and
//! search), the answer, and the human-in-the-loop prompts. All of it is in the
//! conversation's lazily loaded chunk (see `lazy`).

pub mod answer;
mod heights;
pub mod hitl;
pub mod messages;
mod search;

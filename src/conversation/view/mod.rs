//! The conversation's views: the virtualized list of turns (with its measuring and
//! search) and the answer. All of it is in the conversation's lazily loaded chunk (see
//! `lazy`); the human-in-the-loop prompts have a chunk and a folder of their own (`hitl`).

pub mod answer;
mod feedback;
mod heights;
pub mod messages;
mod search;
mod share;
mod versions;

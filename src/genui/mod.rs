//! Generative UI: tool results that carry a UI spec, drawn as charts, tables, cards and
//! artifacts. [`spec`] parses and validates specs (plain Rust, shared with the server);
//! [`view`] draws them in its own lazily loaded chunk.

mod chart;
pub mod spec;
mod table;
pub mod view;

pub use spec::*;

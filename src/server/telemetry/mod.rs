//! Observability: Prometheus metrics, OTLP run traces, Sentry error tracking, analytics
//! events and browser error reports.

pub mod errors;
pub mod feedback;
pub mod metrics;
pub mod run;
pub mod server_timing;
pub mod sink;
pub mod traces;

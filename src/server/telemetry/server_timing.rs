//! `Server-Timing` for server functions: where a request's time went (AgentOS, or
//! agno-chat's own work), shown by the browser's DevTools next to the request and read
//! by the benchmark (`PerformanceResourceTiming.serverTiming`).

use std::time::Instant;

/// Phases of one request, each timed from the end of the one before.
pub struct ServerTiming {
    last: Instant,
    phases: Vec<(&'static str, &'static str, f64)>,
}

impl ServerTiming {
    /// Starts timing now.
    pub fn start() -> Self {
        Self {
            last: Instant::now(),
            phases: Vec::new(),
        }
    }

    /// Ends the phase `name` (a token: letters, digits, `-`), described by `desc`.
    pub fn phase(&mut self, name: &'static str, desc: &'static str) {
        let now = Instant::now();
        let ms = now.duration_since(self.last).as_secs_f64() * 1000.0;
        self.last = now;
        self.phases.push((name, desc, ms));
    }

    /// Adds the header to the server function's answer.
    pub fn send(self) {
        use axum::http::{HeaderName, HeaderValue};
        let Ok(value) = HeaderValue::from_str(&header_value(&self.phases)) else {
            return;
        };
        if let Some(resp) = leptos::prelude::use_context::<leptos_axum::ResponseOptions>() {
            resp.insert_header(HeaderName::from_static("server-timing"), value);
        }
    }
}

/// `name;desc="…";dur=1.2, …` (durations in milliseconds, to 0.1 ms).
fn header_value(phases: &[(&str, &str, f64)]) -> String {
    phases
        .iter()
        .map(|(name, desc, ms)| format!("{name};desc=\"{desc}\";dur={ms:.1}"))
        .collect::<Vec<_>>()
        .join(", ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats_phases_as_the_header_expects() {
        let v = header_value(&[("agentos", "AgentOS", 47.26), ("rebuild", "agno-chat", 3.0)]);
        assert_eq!(
            v,
            "agentos;desc=\"AgentOS\";dur=47.3, rebuild;desc=\"agno-chat\";dur=3.0"
        );
        assert!(axum::http::HeaderValue::from_str(&v).is_ok());
    }

    #[test]
    fn phases_follow_each_other() {
        let mut t = ServerTiming::start();
        std::thread::sleep(std::time::Duration::from_millis(5));
        t.phase("a", "A");
        t.phase("b", "B");
        assert!(t.phases[0].2 >= 5.0);
        assert!(t.phases[1].2 < t.phases[0].2);
    }
}

//! What each person spent in each budget window, kept so that a run counted twice (a
//! stream resumed after a reload, a rebuild from AgentOS) replaces its earlier count
//! instead of adding to it. This is the replica's own copy; with Redis the same windows
//! live there (see `shared`).

use std::collections::HashMap;

use super::budget::Spend;

#[derive(Default)]
struct Window {
    /// When the window ends (Unix seconds): it is dropped after.
    end: i64,
    runs: HashMap<String, Spend>,
    total: Spend,
}

/// Spend per window, by run.
#[derive(Default)]
pub struct Ledger {
    windows: HashMap<String, Window>,
}

impl Ledger {
    /// Records `spend` as `run_id`'s in the window `key` (ending at `end`), replacing what
    /// was recorded for that run before.
    pub fn record(&mut self, key: &str, end: i64, run_id: &str, spend: Spend) {
        let w = self.windows.entry(key.to_owned()).or_default();
        w.end = end;
        if let Some(old) = w.runs.insert(run_id.to_owned(), spend) {
            w.total.tokens -= old.tokens;
            w.total.cost -= old.cost;
        }
        w.total.add(spend);
    }

    /// What was spent in the window `key`.
    pub fn total(&self, key: &str) -> Spend {
        self.windows.get(key).map(|w| w.total).unwrap_or_default()
    }

    /// Drops the windows that ended before `now`.
    pub fn sweep(&mut self, now: i64) {
        self.windows.retain(|_, w| w.end > now);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn spend(tokens: u64, cost: u64) -> Spend {
        Spend { tokens, cost }
    }

    #[test]
    fn a_run_counted_again_replaces_its_count() {
        let mut l = Ledger::default();
        l.record("u:day:0", 100, "r1", spend(19, 13));
        l.record("u:day:0", 100, "r2", spend(10, 5));
        assert_eq!(l.total("u:day:0"), spend(29, 18));
        // A continued run's metrics include what it spent before the pause.
        l.record("u:day:0", 100, "r1", spend(40, 20));
        assert_eq!(l.total("u:day:0"), spend(50, 25));
        assert_eq!(l.total("other"), Spend::default());
        l.sweep(99);
        assert_eq!(l.total("u:day:0"), spend(50, 25));
        l.sweep(100);
        assert_eq!(l.total("u:day:0"), Spend::default());
    }
}

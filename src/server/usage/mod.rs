//! Usage: what each person spends, counted on the server from AgentOS's own run metrics,
//! for budgets (`budgets`), the usage pages and Prometheus.
//!
//! - [`budget`], [`prices`], [`runs`], [`ledger`], [`report`]: plain Rust.
//! - [`scan`]: reads spend back from AgentOS's stored runs.
//! - [`UsageBook`]: counts each run as it ends (replacing any earlier count of the same
//!   run), in Redis when the replicas share it, and rebuilds a person's counts from
//!   AgentOS the first time they are needed after a start, so a restart resets nobody.

pub mod budget;
pub mod ledger;
pub mod prices;
pub mod report;
pub mod runs;
pub mod scan;

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use budget::{Period, Spend};
use ledger::Ledger;
use prices::Prices;
use runs::RunUsage;

use super::shared::{failed, Shared};
use crate::agentos::AgentOsClient;

/// Now, in Unix seconds.
pub fn now() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs() as i64)
}

/// The budget window of `user` for `period` holding `at`: its key and end.
fn window(user: &str, period: Period, at: i64) -> (String, i64) {
    let (start, end) = period.window(at);
    (format!("{user}:{}:{start}", period.name()), end)
}

/// Counts what people spend (see the module's comment).
#[derive(Clone)]
pub struct UsageBook {
    inner: Arc<Inner>,
}

struct Inner {
    agentos: AgentOsClient,
    prices: Prices,
    /// The periods budgets count in; none: nothing is kept per person.
    periods: Vec<Period>,
    local: Mutex<Ledger>,
    shared: Option<Shared>,
    /// People whose counts were rebuilt from AgentOS since the start.
    rebuilt: Mutex<HashMap<String, Arc<tokio::sync::OnceCell<()>>>>,
    /// Runs counted in the metrics lately, so that a replayed stream is not counted twice.
    counted: moka::sync::Cache<String, u64>,
    names: Mutex<HashMap<String, String>>,
}

impl UsageBook {
    pub fn new(agentos: AgentOsClient, prices: Prices, periods: Vec<Period>) -> Self {
        Self {
            inner: Arc::new(Inner {
                agentos,
                prices,
                periods,
                local: Mutex::new(Ledger::default()),
                shared: None,
                rebuilt: Mutex::new(HashMap::new()),
                counted: moka::sync::Cache::builder()
                    .max_capacity(100_000)
                    .time_to_live(std::time::Duration::from_secs(24 * 3600))
                    .build(),
                names: Mutex::new(HashMap::new()),
            }),
        }
    }

    /// The same book, with its counts in Redis.
    pub fn shared(self, shared: Shared) -> Self {
        let i = &self.inner;
        Self::new(i.agentos.clone(), i.prices.clone(), i.periods.clone()).with(shared)
    }

    fn with(mut self, shared: Shared) -> Self {
        if let Some(inner) = Arc::get_mut(&mut self.inner) {
            inner.shared = Some(shared);
        }
        self
    }

    pub fn prices(&self) -> &Prices {
        &self.inner.prices
    }

    fn spend(&self, run: &RunUsage) -> Spend {
        Spend {
            tokens: run.tokens(),
            cost: self.inner.prices.cost_of(&run.models),
        }
    }

    /// Counts a run that just ended (its stream's `RunCompleted`): in the budgets' windows
    /// and, once per run, in the metrics.
    pub async fn ended(&self, run: &RunUsage) {
        let tokens = run.tokens();
        let before = self.inner.counted.get(&run.run_id).unwrap_or(0);
        if tokens > before {
            self.inner.counted.insert(run.run_id.clone(), tokens);
            // A continued run's metrics include what it spent before its pause.
            let scale = (tokens - before) as f64 / tokens as f64;
            for m in &run.models {
                super::telemetry::metrics::usage(
                    &run.assistant,
                    &m.model,
                    (m.input as f64 * scale).round() as u64,
                    (m.output as f64 * scale).round() as u64,
                    (self.inner.prices.cost(m) as f64 * scale).round() as u64,
                );
            }
        }
        self.record(run).await;
    }

    /// Records a run in every budget window it falls in (replacing its earlier count).
    async fn record(&self, run: &RunUsage) {
        if self.inner.periods.is_empty() {
            return;
        }
        let spend = self.spend(run);
        let now = now();
        for &period in &self.inner.periods {
            let (key, end) = window(&run.user, period, run.at);
            if end <= now {
                continue;
            }
            if let Some(shared) = &self.inner.shared {
                match shared
                    .record_usage(&key, end, &run.run_id, spend.tokens, spend.cost)
                    .await
                {
                    Ok(()) => continue,
                    Err(e) => failed("usage", &e),
                }
            }
            let mut local = self.inner.local.lock().unwrap_or_else(|e| e.into_inner());
            local.sweep(now);
            local.record(&key, end, &run.run_id, spend);
        }
    }

    /// What `user` spent in the current window of `period`, rebuilt from AgentOS first if
    /// this is the first time since the start.
    pub async fn spent(&self, user: &str, period: Period) -> Spend {
        self.rebuild(user).await;
        let (key, _) = window(user, period, now());
        if let Some(shared) = &self.inner.shared {
            match shared.usage_total(&key).await {
                Ok((tokens, cost)) => return Spend { tokens, cost },
                Err(e) => failed("usage", &e),
            }
        }
        self.inner
            .local
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .total(&key)
    }

    /// Reads `user`'s runs of the budgets' current windows back from AgentOS, once per
    /// start. AgentOS unreachable, the counts go on from what this replica saw, and the
    /// next check tries again.
    async fn rebuild(&self, user: &str) {
        let cell = {
            let mut map = self.inner.rebuilt.lock().unwrap_or_else(|e| e.into_inner());
            map.entry(user.to_owned()).or_default().clone()
        };
        let now = now();
        let Some(since) = self.inner.periods.iter().map(|p| p.window(now).0).min() else {
            return;
        };
        let done = cell
            .get_or_try_init(|| async {
                let runs =
                    scan::runs_between(&self.inner.agentos, Some(user), since, i64::MAX).await?;
                tracing::info!(
                    user = %super::user::log_id(user),
                    runs = runs.len(),
                    "usage rebuilt from AgentOS"
                );
                for run in &runs {
                    self.inner.counted.insert(run.run_id.clone(), run.tokens());
                    self.record(run).await;
                }
                Ok::<(), crate::agentos::AgentOsError>(())
            })
            .await;
        if let Err(e) = done {
            tracing::warn!(error = %e, "usage could not be read from AgentOS; counting from what this server saw");
        }
    }

    /// Remembers the name a person's identity provider gave, for the usage pages.
    pub async fn remember_name(&self, user: &str, name: &str) {
        let known = {
            let mut names = self.inner.names.lock().unwrap_or_else(|e| e.into_inner());
            names.insert(user.to_owned(), name.to_owned()).as_deref() == Some(name)
        };
        if let (false, Some(shared)) = (known, &self.inner.shared) {
            if let Err(e) = shared.set_name(user, name).await {
                failed("names", &e);
            }
        }
    }

    /// The names known for `users`.
    pub async fn names(&self, users: &[String]) -> HashMap<String, String> {
        let mut out: HashMap<String, String> = {
            let names = self.inner.names.lock().unwrap_or_else(|e| e.into_inner());
            users
                .iter()
                .filter_map(|u| names.get(u).map(|n| (u.clone(), n.clone())))
                .collect()
        };
        if let Some(shared) = &self.inner.shared {
            match shared.names(users).await {
                Ok(found) => {
                    for (u, n) in users.iter().zip(found) {
                        if let Some(n) = n {
                            out.insert(u.clone(), n);
                        }
                    }
                }
                Err(e) => failed("names", &e),
            }
        }
        out
    }

    /// The runs of `user` (or everyone) in `[since, until)`, from AgentOS.
    pub async fn runs_between(
        &self,
        user: Option<&str>,
        since: i64,
        until: i64,
    ) -> Result<Vec<RunUsage>, crate::agentos::AgentOsError> {
        scan::runs_between(&self.inner.agentos, user, since, until).await
    }
}

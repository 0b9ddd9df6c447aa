//! The usage pages' data: a person's own usage and budgets, and everyone's for
//! administrators. Counted from AgentOS's stored run metrics on the server; the charts and
//! tables come as generative-UI specs, drawn by the same components as agents' specs.

use leptos::prelude::*;
use leptos::server_fn::codec::Json;
use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::ApiError;

/// One of the person's budgets and where they stand with it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct BudgetLine {
    /// "daily budget of 10,000 tokens".
    pub name: String,
    pub used: String,
    pub remaining: String,
    /// When it starts again, and in how long.
    pub resets: String,
    pub percent: u32,
}

/// A person's usage this month.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct OwnUsage {
    /// The days counted: "2026-12-01 to 2026-12-06".
    pub period: String,
    pub answers: u64,
    pub tokens: u64,
    /// Estimated, with its currency.
    pub cost: String,
    pub budgets: Vec<BudgetLine>,
    /// Tokens per day (none without answers).
    pub chart: Option<Value>,
    pub table: Value,
    /// The person may open everyone's usage.
    pub admin: bool,
}

/// Everyone's usage over a period, for administrators.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct UsageOverview {
    /// The first and last day, as `YYYY-MM-DD`.
    pub from: String,
    pub to: String,
    pub people: usize,
    pub answers: u64,
    pub tokens: u64,
    pub cost: String,
    pub table: Value,
    /// Where the same rows download as CSV.
    pub csv: String,
}

/// The caller's usage this month and their budgets.
#[server(prefix = "/api", endpoint = "usage/mine", input = Json, output = Json)]
pub async fn my_usage() -> Result<OwnUsage, ApiError> {
    use crate::server::budgets::Account;
    use crate::server::usage::budget::{length, utc, Amount, Period};
    use crate::server::usage::{now, report};

    let caller = crate::server::caller::Caller::get().await?;
    let state = &caller.state;
    let now = now();
    let since = Period::Month.window(now).0;
    let mut runs = state
        .usage
        .runs_between(Some(&caller.user.0), since, now + 1)
        .await
        .map_err(|e| {
            ApiError::Unavailable(format!(
                "Your usage could not be read from the agent service: {e}"
            ))
        })?;
    crate::server::usage_pages::name_assistants(state, &mut runs).await;
    let prices = state.usage.prices();
    let totals = report::totals(&runs);
    let (chart, table) = report::mine(&runs, prices);
    let account = Account::new(state, &caller.user.0, &caller.access);
    let budgets = account
        .standings()
        .await
        .into_iter()
        .map(|s| {
            let amount = |value| {
                Amount {
                    measure: s.budget.measure,
                    value,
                    currency: &prices.currency,
                }
                .to_string()
            };
            BudgetLine {
                name: s.name(&prices.currency),
                used: amount(s.used),
                remaining: amount(s.remaining()),
                resets: format!("{}, in {}", utc(s.resets_at), length(s.resets_at - now)),
                percent: s.percent().min(100) as u32,
            }
        })
        .collect();
    Ok(OwnUsage {
        period: format!("{} to {}", report::day(since), report::day(now)),
        answers: totals.runs,
        tokens: totals.tokens(),
        cost: report::cost_text(totals.cost(prices), &prices.currency),
        budgets,
        chart,
        table,
        admin: caller.access.admin,
    })
}

/// Everyone's usage from `from` to `to` (`YYYY-MM-DD`, both included; by default this
/// month so far). Administrators only.
#[server(prefix = "/api", endpoint = "usage/everyone", input = Json, output = Json)]
pub async fn everyones_usage(
    from: Option<String>,
    to: Option<String>,
) -> Result<UsageOverview, ApiError> {
    use crate::server::usage::report;
    use crate::server::usage_pages::{everyone, period};

    let caller = crate::server::caller::Caller::get().await?;
    if !caller.access.admin {
        return Err(ApiError::Forbidden(
            "Only administrators may see everyone's usage.".into(),
        ));
    }
    let (since, until, from, to) = period(from.as_deref(), to.as_deref())?;
    let rows = everyone(&caller.state, since, until).await?;
    let prices = caller.state.usage.prices();
    let mut people: Vec<&str> = rows.iter().map(|r| r.user.as_str()).collect();
    people.sort();
    people.dedup();
    Ok(UsageOverview {
        people: people.len(),
        answers: rows.iter().map(|r| r.totals.runs).sum(),
        tokens: rows.iter().map(|r| r.totals.tokens()).sum(),
        cost: report::cost_text(
            rows.iter().map(|r| r.totals.cost(prices)).sum(),
            &prices.currency,
        ),
        table: report::admin_table(&rows, prices),
        csv: format!(
            "{}?from={from}&to={to}",
            crate::routes::ADMIN_USAGE_CSV_PATH
        ),
        from,
        to,
    })
}

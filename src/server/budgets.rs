//! Budgets applied: a message is refused before its run starts when one of the person's
//! budgets is used up (saying which, and when it starts again), and people are told when
//! 80% of one is used, on the page and as an answer ends. What counts is `usage`.

use std::sync::Arc;

use axum::extract::{Request, State};
use axum::middleware::Next;
use axum::response::Response;

use super::limits::refusal;
use super::policy::{Access, Policy};
use super::sign_in::Person;
use super::state::AppState;
use super::usage::budget::{Measure, Standing};
use super::usage::runs::RunUsage;
use super::usage::{now, UsageBook};
use super::user::UserId;
use crate::error::ApiError;

/// A page's warning that most of a budget is used, for the page's settings.
#[derive(Clone, Debug)]
pub struct BudgetNotice(pub String);

fn measure_name(m: Measure) -> &'static str {
    match m {
        Measure::Tokens => "tokens",
        Measure::Cost => "cost",
    }
}

/// One person's budgets and the book that counts against them.
#[derive(Clone)]
pub struct Account {
    book: UsageBook,
    policy: Option<Arc<Policy>>,
    user: String,
    access: Arc<Access>,
}

impl Account {
    pub fn new(state: &AppState, user: &str, access: &Arc<Access>) -> Self {
        Self {
            book: state.usage.clone(),
            policy: state.config.people.policy.clone(),
            user: user.to_owned(),
            access: access.clone(),
        }
    }

    /// Counts what runs spend, with no budgets to apply (for tests of the stream alone).
    pub fn uncounted(book: UsageBook) -> Self {
        Self {
            book,
            policy: None,
            user: String::new(),
            access: Access::unrestricted(),
        }
    }

    fn currency(&self) -> &str {
        &self.book.prices().currency
    }

    /// Where the person stands with each of their budgets.
    pub async fn standings(&self) -> Vec<Standing> {
        let Some(policy) = &self.policy else {
            return Vec::new();
        };
        let now = now();
        let mut out = Vec::new();
        for budget in policy.budgets(&self.user, &self.access) {
            let spent = self.book.spent(&self.user, budget.period).await;
            out.push(Standing {
                budget,
                used: spent.of(budget.measure),
                resets_at: budget.period.window(now).1,
            });
        }
        out
    }

    /// The budget used up, if one is.
    pub async fn exhausted(&self) -> Option<Standing> {
        self.standings()
            .await
            .into_iter()
            .filter(Standing::exhausted)
            .max_by_key(|s| s.resets_at)
    }

    /// The most used budget, if 80% of it or more is used.
    async fn most_used(&self) -> Option<Standing> {
        self.standings()
            .await
            .into_iter()
            .filter(Standing::warns)
            .max_by_key(Standing::percent)
    }

    /// The warning for the most used budget at 80% or more.
    pub async fn notice(&self) -> Option<String> {
        let s = self.most_used().await?;
        Some(s.warning(now(), self.currency()))
    }

    /// Counts a run that ended; returns the warning to give, if one is due.
    pub async fn ended(&self, run: &RunUsage) -> Option<String> {
        self.book.ended(run).await;
        if !self.policy.as_ref()?.has_budgets() {
            return None;
        }
        let s = self.most_used().await?;
        super::telemetry::metrics::budget(
            false,
            s.budget.period.name(),
            measure_name(s.budget.measure),
        );
        Some(s.warning(now(), self.currency()))
    }
}

/// Middleware (after identity and the rate limits): refuses sends over budget, and gives
/// pages their warning.
pub async fn enforce(State(state): State<AppState>, mut req: Request, next: Next) -> Response {
    let path = req.uri().path();
    let sending = path == crate::routes::SEND_PATH
        || path == crate::routes::SEND_FILES_PATH
        || path == crate::routes::BRANCH_PATH;
    let page = req.method() == axum::http::Method::GET && crate::routes::Page::of(path).is_some();
    let (true, Some(user), Some(access)) = (
        sending || page,
        req.extensions().get::<UserId>().cloned(),
        req.extensions().get::<Arc<Access>>().cloned(),
    ) else {
        return next.run(req).await;
    };
    // The administrators' page names people by what their identity provider said.
    if let (true, Some(person)) = (sending, req.extensions().get::<Person>()) {
        state.usage.remember_name(&user.0, &person.name).await;
    }
    let budgets = state.config.people.policy.as_ref();
    if !budgets.is_some_and(|p| p.has_budgets()) {
        return next.run(req).await;
    }
    let account = Account::new(&state, &user.0, &access);
    if page {
        if let Some(n) = account.notice().await {
            req.extensions_mut().insert(BudgetNotice(n));
        }
        return next.run(req).await;
    }
    match account.exhausted().await {
        None => next.run(req).await,
        Some(s) => {
            let now = now();
            let wait = (s.resets_at - now).max(1) as u64;
            super::telemetry::metrics::budget(
                true,
                s.budget.period.name(),
                measure_name(s.budget.measure),
            );
            tracing::info!(
                user = %super::user::log_id(&user.0),
                period = %s.budget.period.name(),
                measure = measure_name(s.budget.measure),
                used = s.used,
                limit = s.budget.limit,
                "message refused: budget used up"
            );
            refusal(
                ApiError::RateLimited {
                    retry_after_s: wait,
                    message: s.refusal(now, account.currency()),
                },
                Some(wait),
            )
        }
    }
}

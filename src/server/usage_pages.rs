//! What the usage pages show, read from AgentOS's stored runs (see `usage::scan`), and the
//! administrators' CSV export.

use std::sync::Arc;

use axum::extract::{Query, State};
use axum::http::{header, HeaderValue};
use axum::response::{IntoResponse, Response};
use axum::Extension;

use super::limits::refusal;
use super::policy::Access;
use super::state::AppState;
use super::usage::report::{self, AdminRow};
use super::usage::{budget::Period, now};
use crate::error::ApiError;

/// `GET /usage.css`: the usage pages' own styles (see `crate::usage`).
pub async fn stylesheet() -> Response {
    super::plain_page::stylesheet(include_str!("../../style/usage.css"))
}

/// The longest period the administrators' page reads at once.
const MAX_DAYS: i64 = 366;

/// The days `from` to `to` (`YYYY-MM-DD`, both included; by default this month so far) as
/// Unix seconds `[since, until)`, with the days as written.
pub fn period(
    from: Option<&str>,
    to: Option<&str>,
) -> Result<(i64, i64, String, String), ApiError> {
    let now = now();
    let day = |s: Option<&str>, default: i64| match s.map(str::trim).filter(|s| !s.is_empty()) {
        None => Ok(default),
        Some(s) => report::parse_day(s).ok_or_else(|| {
            ApiError::Invalid(format!("\"{s}\" is not a day; write it as YYYY-MM-DD."))
        }),
    };
    let since = day(from, Period::Month.window(now).0)?;
    let last = day(to, Period::Day.window(now).0)?;
    if last < since {
        return Err(ApiError::Invalid(
            "The period ends before it starts.".into(),
        ));
    }
    if (last - since) / 86_400 >= MAX_DAYS {
        return Err(ApiError::Invalid(format!(
            "Choose a period of at most {MAX_DAYS} days."
        )));
    }
    Ok((since, last + 86_400, report::day(since), report::day(last)))
}

/// Names runs' agents and teams as AgentOS names them ("Echo Agent" for `agent:echo-agent`);
/// ones it no longer serves keep their id.
pub async fn name_assistants(state: &AppState, runs: &mut [super::usage::runs::RunUsage]) {
    let Ok(catalog) = state.catalog().await else {
        return;
    };
    let names: std::collections::HashMap<String, String> =
        [("agent", &catalog.agents), ("team", &catalog.teams)]
            .into_iter()
            .flat_map(|(kind, list)| {
                list.iter()
                    .map(move |a| (format!("{kind}:{}", a.id.as_str()), a.name.clone()))
            })
            .collect();
    for r in runs {
        if let Some(n) = names.get(&r.assistant) {
            r.assistant = n.clone();
        }
    }
}

/// Everyone's usage in `[since, until)`, a row per person, agent or team and model; people
/// are named when their identity provider gave a name, else by a pseudonym.
pub async fn everyone(state: &AppState, since: i64, until: i64) -> Result<Vec<AdminRow>, ApiError> {
    let mut runs = state
        .usage
        .runs_between(None, since, until)
        .await
        .map_err(|e| {
            ApiError::Unavailable(format!(
                "The usage could not be read from the agent service: {e}"
            ))
        })?;
    name_assistants(state, &mut runs).await;
    let mut users: Vec<String> = runs.iter().map(|r| r.user.clone()).collect();
    users.sort();
    users.dedup();
    let names = state.usage.names(&users).await;
    Ok(report::by_person(&runs, |u| {
        names
            .get(u)
            .cloned()
            .unwrap_or_else(|| format!("person {}", super::user::log_id(u)))
    }))
}

#[derive(serde::Deserialize)]
pub struct ExportQuery {
    from: Option<String>,
    to: Option<String>,
}

/// `GET /api/usage/export.csv?from=&to=`: the administrators' rows as CSV.
pub async fn export_csv(
    State(state): State<AppState>,
    Extension(access): Extension<Arc<Access>>,
    Query(q): Query<ExportQuery>,
) -> Response {
    if !access.admin {
        return refusal(
            ApiError::Forbidden("Only administrators may export everyone's usage.".into()),
            None,
        );
    }
    let (since, until, from, to) = match period(q.from.as_deref(), q.to.as_deref()) {
        Ok(p) => p,
        Err(e) => return refusal(e, None),
    };
    let rows = match everyone(&state, since, until).await {
        Ok(r) => r,
        Err(e) => return refusal(e, None),
    };
    tracing::info!(rows = rows.len(), %from, %to, "usage exported");
    let body = report::admin_csv(&rows, state.usage.prices());
    let mut resp = body.into_response();
    let h = resp.headers_mut();
    h.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/csv; charset=utf-8"),
    );
    if let Ok(v) = HeaderValue::from_str(&format!(
        "attachment; filename=\"agno-chat-usage-{from}-to-{to}.csv\""
    )) {
        h.insert(header::CONTENT_DISPOSITION, v);
    }
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    resp
}

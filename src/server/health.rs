//! Liveness and readiness: `/healthz` says the app runs, `/readyz` says whether AgentOS
//! answers. Probes are cached briefly so many browsers polling cost AgentOS one request.

use std::sync::Arc;
use std::time::{Duration, Instant};

use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Json};
use serde_json::json;
use tokio::sync::Mutex;

use super::state::AppState;
use crate::agentos::AgentOsClient;
use crate::model::AgentOsStatus;

const CACHE_FOR: Duration = Duration::from_millis(500);

/// Probes AgentOS `/health`, caching the answer for a moment.
#[derive(Clone)]
pub struct HealthMonitor {
    client: AgentOsClient,
    last: Arc<Mutex<Option<(Instant, AgentOsStatus)>>>,
    started: Instant,
}

impl HealthMonitor {
    pub fn new(client: AgentOsClient) -> Self {
        Self {
            client,
            last: Arc::new(Mutex::new(None)),
            started: Instant::now(),
        }
    }

    /// The current status: a fresh probe unless one finished within the cache window.
    /// Concurrent callers wait for the probe in flight instead of starting their own.
    pub async fn status(&self) -> AgentOsStatus {
        let mut last = self.last.lock().await;
        if let Some((at, status)) = last.as_ref() {
            if at.elapsed() < CACHE_FOR {
                return status.clone();
            }
        }
        let status = self.probe().await;
        *last = Some((Instant::now(), status.clone()));
        status
    }

    async fn probe(&self) -> AgentOsStatus {
        let start = Instant::now();
        match self.client.health().await {
            Ok(h) if h.status == "ok" => AgentOsStatus {
                reachable: true,
                latency_ms: Some(start.elapsed().as_millis() as u64),
                reason: None,
            },
            Ok(h) => {
                tracing::warn!(status = %h.status, "AgentOS health is not ok");
                AgentOsStatus {
                    reachable: false,
                    latency_ms: Some(start.elapsed().as_millis() as u64),
                    reason: Some(format!("AgentOS reports status {:?}", h.status)),
                }
            }
            Err(e) => {
                tracing::warn!(error = %e, "AgentOS health probe failed");
                AgentOsStatus {
                    reachable: false,
                    latency_ms: None,
                    reason: Some(if e.is_unreachable() {
                        "AgentOS is not answering".to_owned()
                    } else {
                        "AgentOS answered with an error".to_owned()
                    }),
                }
            }
        }
    }

    pub fn uptime(&self) -> Duration {
        self.started.elapsed()
    }
}

/// `GET /healthz`: the app itself is alive.
pub async fn liveness(State(state): State<AppState>) -> impl IntoResponse {
    Json(json!({
        "status": "ok",
        "version": env!("CARGO_PKG_VERSION"),
        "uptime_s": state.health.uptime().as_secs(),
    }))
}

/// `GET /readyz`: 200 when AgentOS answers, 503 otherwise.
pub async fn readiness(State(state): State<AppState>) -> impl IntoResponse {
    let s = state.health.status().await;
    let code = if s.reachable {
        StatusCode::OK
    } else {
        StatusCode::SERVICE_UNAVAILABLE
    };
    let body = json!({
        "status": if s.reachable { "ready" } else { "unavailable" },
        "agentos": {
            "reachable": s.reachable,
            "latency_ms": s.latency_ms,
            "reason": s.reason,
        }
    });
    (code, Json(body))
}

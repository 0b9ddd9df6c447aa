//! Liveness and readiness: `/healthz` says the app runs, `/readyz` says whether AgentOS
//! answers. Probes are cached briefly so many browsers polling cost AgentOS one request.

use std::sync::Arc;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use tokio::sync::Mutex;

use crate::agentos::AgentOsClient;
use crate::model::AgentOsStatus;

const CACHE_FOR: Duration = Duration::from_millis(500);

/// Probes AgentOS `/health`, caching the answer for a moment.
#[derive(Clone)]
pub struct HealthMonitor {
    client: AgentOsClient,
    last: Arc<Mutex<Option<(Instant, AgentOsStatus)>>>,
    started: Instant,
    /// The last problem with AgentOS (from probes), and when.
    last_error: Arc<std::sync::Mutex<Option<(SystemTime, String)>>>,
}

impl HealthMonitor {
    pub fn new(client: AgentOsClient) -> Self {
        Self {
            client,
            last: Arc::new(Mutex::new(None)),
            started: Instant::now(),
            last_error: Arc::default(),
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
        super::telemetry::metrics::agentos_probe(
            status.reachable,
            status.latency_ms.map(|ms| ms as f64 / 1000.0),
        );
        if let Some(reason) = status.reason.as_ref().filter(|_| !status.reachable) {
            self.note_error(reason.clone());
        }
        *last = Some((Instant::now(), status.clone()));
        status
    }

    /// Refreshes the status in the background (when the cached one is stale), so that
    /// `agno_chat_agentos_up` follows AgentOS while pages are served: a page no longer asks
    /// for the status as it starts (see `state::connection`).
    pub fn refresh_soon(&self) {
        let me = self.clone();
        tokio::spawn(async move {
            me.status().await;
        });
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

    /// Remembers a problem with AgentOS for the health summary.
    pub fn note_error(&self, reason: String) {
        *self.last_error.lock().unwrap_or_else(|p| p.into_inner()) =
            Some((SystemTime::now(), reason));
    }

    /// The last problem with AgentOS and when it happened (RFC 3339), if any.
    pub fn last_error(&self) -> Option<(String, String)> {
        self.last_error
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .as_ref()
            .map(|(at, reason)| (rfc3339(*at), reason.clone()))
    }
}

/// Formats a time as RFC 3339 in UTC, to the second.
pub(crate) fn rfc3339(t: SystemTime) -> String {
    let t = time::OffsetDateTime::from(t.max(UNIX_EPOCH));
    t.replace_nanosecond(0)
        .unwrap_or(t)
        .format(&time::format_description::well_known::Rfc3339)
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rfc3339_dates() {
        assert_eq!(rfc3339(UNIX_EPOCH), "1970-01-01T00:00:00Z");
        assert_eq!(
            rfc3339(UNIX_EPOCH + Duration::from_secs(1_795_570_411)),
            "2026-11-25T01:33:31Z"
        );
        assert_eq!(
            rfc3339(UNIX_EPOCH + Duration::from_secs(951_782_400)),
            "2000-02-29T00:00:00Z"
        );
    }
}

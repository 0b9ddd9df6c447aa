//! Analytics events recorded on the server: each is logged, counted and, when
//! `AGNO_CHAT_ANALYTICS_WEBHOOK_URL` is set, forwarded to that webhook as JSON batches,
//! in the order they were received (one sender task, one batch in flight).

use std::time::Duration;

use serde::Serialize;
use tokio::sync::mpsc;
use url::Url;

use crate::analytics::ClientEvent;

/// An event as forwarded: the browser's event plus what the server knows.
#[derive(Clone, Debug, Serialize)]
pub struct RecordedEvent {
    /// Pseudonymous user id (a hash; the same user gets the same id).
    pub user: String,
    /// Server clock, ms since the epoch.
    pub received_at_ms: u64,
    #[serde(flatten)]
    pub event: ClientEvent,
}

/// Batches sent at once.
const BATCH: usize = 100;
/// Events waiting for the webhook before new ones are dropped (and counted as dropped).
const QUEUE: usize = 10_000;

/// Where analytics events go. Cheap to clone.
#[derive(Clone)]
pub struct AnalyticsSink {
    tx: Option<mpsc::Sender<RecordedEvent>>,
}

impl AnalyticsSink {
    /// Without a webhook, events are only logged and counted.
    pub fn new(webhook: Option<Url>, http: reqwest::Client) -> Self {
        let Some(url) = webhook else {
            return Self { tx: None };
        };
        let (tx, rx) = mpsc::channel(QUEUE);
        tokio::spawn(forward(url, http, rx));
        Self { tx: Some(tx) }
    }

    pub fn record(&self, event: RecordedEvent) {
        let Some(tx) = &self.tx else { return };
        if tx.try_send(event).is_err() {
            metrics::counter!("agno_chat_analytics_dropped_total").increment(1);
        }
    }
}

async fn forward(url: Url, http: reqwest::Client, mut rx: mpsc::Receiver<RecordedEvent>) {
    let mut batch = Vec::with_capacity(BATCH);
    while rx.recv_many(&mut batch, BATCH).await > 0 {
        let body = serde_json::json!({ "source": "agno-chat", "events": batch });
        let mut delay = Duration::from_millis(500);
        for attempt in 1..=4 {
            match http
                .post(url.clone())
                .json(&body)
                .timeout(Duration::from_secs(10))
                .send()
                .await
            {
                Ok(r) if r.status().is_success() => break,
                outcome => {
                    let why = match outcome {
                        Ok(r) => format!("status {}", r.status().as_u16()),
                        Err(e) => e.without_url().to_string(),
                    };
                    if attempt == 4 {
                        tracing::warn!(events = batch.len(), %why, "analytics webhook failed; events dropped");
                        metrics::counter!("agno_chat_analytics_dropped_total")
                            .increment(batch.len() as u64);
                    } else {
                        tokio::time::sleep(delay).await;
                        delay *= 2;
                    }
                }
            }
        }
        batch.clear();
    }
}

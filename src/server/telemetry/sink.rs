//! Analytics events recorded on the server: each is logged, counted and, when
//! `AGNO_CHAT_ANALYTICS_WEBHOOK_URL` is set, forwarded to that webhook as JSON batches,
//! in the order they were received (one sender task, one batch in flight).

use std::collections::VecDeque;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use serde::Serialize;
use tokio::sync::Notify;
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
/// Bytes of events waiting for the webhook; beyond it the oldest are dropped (and counted).
const QUEUE_BYTES: usize = 4 << 20;

/// Events waiting for the webhook, bounded in bytes (each event's JSON size), oldest first.
#[derive(Default)]
struct Queue {
    events: VecDeque<(RecordedEvent, usize)>,
    bytes: usize,
}

impl Queue {
    /// Adds `event`, dropping the oldest ones until it fits in `budget` bytes; returns
    /// how many were dropped (the event itself, if it alone is larger than the budget).
    fn push(&mut self, event: RecordedEvent, budget: usize) -> usize {
        let size = serde_json::to_vec(&event).map_or(usize::MAX, |v| v.len());
        if size > budget {
            return 1;
        }
        let mut dropped = 0;
        while self.bytes + size > budget {
            let Some((_, s)) = self.events.pop_front() else {
                break;
            };
            self.bytes -= s;
            dropped += 1;
        }
        self.bytes += size;
        self.events.push_back((event, size));
        dropped
    }

    /// Takes up to `n` of the oldest events.
    fn take(&mut self, n: usize) -> Vec<RecordedEvent> {
        let n = n.min(self.events.len());
        self.events
            .drain(..n)
            .map(|(e, s)| {
                self.bytes -= s;
                e
            })
            .collect()
    }
}

struct Shared {
    queue: Mutex<Queue>,
    ready: Notify,
}

/// Where analytics events go. Cheap to clone.
#[derive(Clone)]
pub struct AnalyticsSink {
    shared: Option<Arc<Shared>>,
}

impl AnalyticsSink {
    /// Without a webhook, events are only logged and counted.
    pub fn new(webhook: Option<Url>, http: reqwest::Client) -> Self {
        let Some(url) = webhook else {
            return Self { shared: None };
        };
        let shared = Arc::new(Shared {
            queue: Mutex::default(),
            ready: Notify::new(),
        });
        tokio::spawn(forward(url, http, shared.clone()));
        Self {
            shared: Some(shared),
        }
    }

    pub fn record(&self, event: RecordedEvent) {
        let Some(shared) = &self.shared else { return };
        let dropped = shared
            .queue
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .push(event, QUEUE_BYTES);
        if dropped > 0 {
            metrics::counter!("agno_chat_analytics_dropped_total").increment(dropped as u64);
        }
        shared.ready.notify_one();
    }
}

async fn forward(url: Url, http: reqwest::Client, shared: Arc<Shared>) {
    loop {
        let batch = shared
            .queue
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .take(BATCH);
        if batch.is_empty() {
            // A `record` since the last take left a permit, so nothing is missed.
            shared.ready.notified().await;
            continue;
        }
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
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analytics::{ClientEvent, Event};

    fn event(seq: u64, kind_len: usize) -> RecordedEvent {
        RecordedEvent {
            user: "u-0000000000000000".into(),
            received_at_ms: 1,
            event: ClientEvent {
                seq,
                at_ms: 1.0,
                kind: None,
                assistant_id: None,
                session_id: None,
                event: Event::Error {
                    kind: "k".repeat(kind_len),
                },
            },
        }
    }

    #[test]
    fn the_queue_is_bounded_in_bytes_and_drops_the_oldest() {
        let mut q = Queue::default();
        let one = serde_json::to_vec(&event(1, 1000)).unwrap().len();
        let budget = one * 3 + 10;
        for seq in 1..=3 {
            assert_eq!(q.push(event(seq, 1000), budget), 0);
        }
        assert_eq!(q.push(event(4, 1000), budget), 1, "the oldest makes room");
        assert!(q.bytes <= budget);
        let seqs: Vec<u64> = q.take(10).iter().map(|e| e.event.seq).collect();
        assert_eq!(seqs, vec![2, 3, 4]);
        assert_eq!(q.bytes, 0);
        assert_eq!(
            q.push(event(5, budget), budget),
            1,
            "too large alone: dropped"
        );
        assert!(q.events.is_empty());
    }

    #[test]
    fn many_large_events_stay_within_the_budget() {
        let mut q = Queue::default();
        let mut dropped = 0;
        for seq in 0..2_400 {
            dropped += q.push(event(seq, 70_000), QUEUE_BYTES);
        }
        assert!(q.bytes <= QUEUE_BYTES, "{} bytes queued", q.bytes);
        assert!(dropped > 2_000);
        let queued = q.events.len();
        assert_eq!(q.take(BATCH).len(), queued.min(BATCH));
    }
}

//! The browser side of analytics and error reports. Events are numbered in order, queued,
//! and sent in batches by one sender (one batch in flight), so the server receives them in
//! order. Error reports go by `navigator.sendBeacon`, which still works from a page whose
//! wasm just panicked.

use leptos::prelude::*;

#[cfg(feature = "hydrate")]
use crate::analytics::MAX_BATCH;
use crate::analytics::{ClientEvent, ErrorReport, Event, ERROR_REPORT_PATH};
use crate::model::{AssistantRef, SessionId};
use crate::state::settings::Settings;

/// How long events gather before a batch is sent, ms.
#[cfg(feature = "hydrate")]
const BATCH_WINDOW_MS: u32 = 400;
/// Typing is recorded at most this often, ms.
const TYPING_EVERY_MS: f64 = 5_000.0;

/// The page's analytics queue. Cheap to copy.
#[derive(Clone, Copy)]
pub struct Analytics {
    queue: StoredValue<Vec<ClientEvent>>,
    next_seq: StoredValue<u64>,
    #[cfg_attr(not(feature = "hydrate"), allow(dead_code))]
    sending: StoredValue<bool>,
    last_typing: StoredValue<f64>,
    /// Whether message text may be included (the server says).
    settings: Settings,
}

pub fn provide_analytics(settings: Settings) -> Analytics {
    let a = Analytics {
        queue: StoredValue::new(Vec::new()),
        next_seq: StoredValue::new(1),
        sending: StoredValue::new(false),
        last_typing: StoredValue::new(f64::NEG_INFINITY),
        settings,
    };
    provide_context(a);
    a
}

impl Analytics {
    /// Records `event` in the conversation with `assistant` / `session_id`.
    pub fn track(
        &self,
        assistant: Option<&AssistantRef>,
        session_id: Option<SessionId>,
        event: Event,
    ) {
        let event = if self.settings.with(|s| s.report_message_content) {
            event
        } else {
            event.without_content()
        };
        let seq = self.next_seq.get_value();
        self.next_seq.set_value(seq + 1);
        self.queue.update_value(|q| {
            q.push(ClientEvent {
                seq,
                at_ms: now_ms(),
                kind: assistant.map(|c| c.kind),
                assistant_id: assistant.map(|c| c.id.clone()),
                session_id,
                event,
            })
        });
        self.schedule();
    }

    /// Records typing, at most once per few seconds.
    pub fn typing(&self, assistant: Option<&AssistantRef>, session_id: Option<SessionId>) {
        let now = now_ms();
        if now - self.last_typing.get_value() >= TYPING_EVERY_MS {
            self.last_typing.set_value(now);
            self.track(assistant, session_id, Event::Typing);
        }
    }

    fn schedule(&self) {
        #[cfg(feature = "hydrate")]
        {
            if self.sending.get_value() {
                return; // the sender picks new events up when its batch is done
            }
            self.sending.set_value(true);
            let this = *self;
            leptos::task::spawn_local(async move {
                gloo_timers::future::TimeoutFuture::new(BATCH_WINDOW_MS).await;
                this.send_all().await;
            });
        }
    }

    #[cfg(feature = "hydrate")]
    async fn send_all(self) {
        let mut failures = 0u32;
        loop {
            let batch: Vec<ClientEvent> = match self.queue.try_update_value(|q| {
                let n = q.len().min(MAX_BATCH);
                q.drain(..n).collect::<Vec<_>>()
            }) {
                Some(b) if !b.is_empty() => b,
                _ => break,
            };
            if crate::api::record_events(batch.clone()).await.is_err() {
                failures += 1;
                // Put the batch back in front, so order holds; give up after a few tries.
                if failures < 4 {
                    let _ = self.queue.try_update_value(|q| {
                        q.splice(0..0, batch);
                    });
                    gloo_timers::future::TimeoutFuture::new(1_000 * failures).await;
                }
            }
        }
        let _ = self.sending.try_set_value(false);
    }
}

pub fn use_analytics() -> Analytics {
    expect_context::<Analytics>()
}

/// What an error report says about the conversation, kept current by the chat.
#[derive(Clone, Default)]
struct ReportContext {
    session_id: Option<String>,
    message_count: u32,
}

thread_local! {
    static REPORT_CONTEXT: std::cell::RefCell<ReportContext> = Default::default();
}

/// Updates the conversation facts that error reports carry.
pub fn set_report_context(session_id: Option<SessionId>, message_count: u32) {
    REPORT_CONTEXT.with(|c| {
        *c.borrow_mut() = ReportContext {
            session_id: session_id.map(String::from),
            message_count,
        }
    });
}

/// Sends an error report to the server (fire and forget; works while the page unloads or
/// after a panic).
pub fn report_error(kind: &str, message: &str) {
    let ctx = REPORT_CONTEXT.with(|c| c.borrow().clone());
    let report = ErrorReport {
        kind: kind.to_owned(),
        message: message.chars().take(2_000).collect(),
        session_id: ctx.session_id,
        message_count: ctx.message_count,
        location: location(),
    };
    #[cfg(feature = "hydrate")]
    if let (Ok(body), Some(window)) = (serde_json::to_string(&report), web_sys::window()) {
        let _ = window
            .navigator()
            .send_beacon_with_opt_str(ERROR_REPORT_PATH, Some(&body));
    }
    #[cfg(not(feature = "hydrate"))]
    let _ = (report, ERROR_REPORT_PATH);
}

fn location() -> Option<String> {
    #[cfg(feature = "hydrate")]
    {
        let loc = web_sys::window()?.location();
        Some(format!(
            "{}{}",
            loc.pathname().ok()?,
            loc.search().unwrap_or_default()
        ))
    }
    #[cfg(not(feature = "hydrate"))]
    None
}

/// Milliseconds since the epoch (the browser's clock; 0 on the server).
pub fn now_ms() -> f64 {
    #[cfg(feature = "hydrate")]
    {
        js_sys::Date::now()
    }
    #[cfg(not(feature = "hydrate"))]
    {
        0.0
    }
}

use leptos::prelude::*;
use leptos::server_fn::codec::{Json, Postcard};

use super::ApiError;
use crate::analytics::ClientEvent;

/// Records a batch of the browser's analytics events (in order): logged, counted and
/// forwarded to the analytics webhook when one is configured.
#[server(prefix = "/api", endpoint = "telemetry/events", input = Json, output = Postcard)]
pub async fn record_events(events: Vec<ClientEvent>) -> Result<(), ApiError> {
    use crate::analytics::MAX_BATCH;
    use crate::server::telemetry::{metrics, sink::RecordedEvent};

    let crate::server::caller::Caller { state, user, .. } =
        crate::server::caller::Caller::get().await?;
    if events.len() > MAX_BATCH {
        return Err(ApiError::Invalid(format!(
            "At most {MAX_BATCH} events per batch."
        )));
    }
    let user = crate::server::user::log_id(&user.0);
    let received_at_ms = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_millis() as u64)
        .unwrap_or(0);
    let with_content = state.config.telemetry.report_message_content;
    for mut e in events {
        // Feedback is recorded where it is kept (`api::feedback`), never as a browser says.
        if matches!(e.event, crate::analytics::Event::FeedbackGiven { .. }) {
            continue;
        }
        e.event = e.event.bounded();
        if !with_content {
            e.event = e.event.without_content();
        }
        let name = e.event.name();
        metrics::analytics_event(name);
        tracing::info!(
            event = name,
            seq = e.seq,
            user = %user,
            session_id = e.session_id.as_deref().unwrap_or("-"),
            "analytics event"
        );
        state.analytics.record(RecordedEvent {
            user: user.clone(),
            received_at_ms,
            event: e,
        });
    }
    Ok(())
}

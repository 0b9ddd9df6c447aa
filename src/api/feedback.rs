//! Feedback on one of the caller's answers: thumbs up or down with an optional comment,
//! changeable or taken back. Kept in the conversation's annotations (so it shows after a
//! reload, on any replica), and told to observability: an analytics event, an evaluation
//! on the run's trace and a Prometheus count (see `server::telemetry::feedback`).

use leptos::prelude::*;
use leptos::server_fn::codec::Json;

use super::ApiError;
use crate::chat::annotations::{Feedback, Rating};
use crate::model::{ConversationRef, RunId};

/// Sets the feedback on the answer `run_id` (`rating` `None` takes it back); returns it
/// as kept. A comment over the limit is refused, and nothing is changed.
#[server(prefix = "/api", endpoint = "chat/feedback", input = Json, output = Json)]
pub async fn rate_answer(
    at: ConversationRef,
    run_id: RunId,
    rating: Option<Rating>,
    comment: String,
) -> Result<Option<Feedback>, ApiError> {
    use crate::analytics::{ClientEvent, Event};
    use crate::server::telemetry::sink::RecordedEvent;

    let comment = crate::chat::annotations::checked_comment(&comment).map_err(ApiError::Invalid)?;
    let (state, place) = super::sharing::owner(&at).await?;
    // The answer must be one of this conversation's (which checks the caller owns it).
    let run = state
        .ownership()
        .owned_run(
            place.kind,
            &place.assistant_id,
            &place.session_id,
            &run_id,
            &place.user_id,
        )
        .await?;
    let feedback = rating.map(|rating| Feedback {
        rating,
        comment: comment.clone(),
        at: super::sharing::now_secs(),
    });
    let kept = feedback.clone();
    state
        .annotations
        .update(&place, |notes| {
            notes.rate(run_id.as_str(), kept);
            Ok(())
        })
        .await?;

    let with_content = state.config.telemetry.report_message_content;
    let traceparent = run
        .get("metadata")
        .and_then(|m| m.get(crate::agentos::TRACE_KEY))
        .and_then(|v| v.as_str());
    crate::server::telemetry::feedback::record(
        run_id.as_str(),
        place.session_id.as_str(),
        feedback.as_ref(),
        traceparent,
        with_content,
    );
    let event = Event::FeedbackGiven {
        rating: feedback
            .as_ref()
            .map_or("cleared", |f| f.rating.name())
            .to_owned(),
        run_id: run_id.to_string(),
        comment_chars: comment.chars().count() as u32,
        comment: (!comment.is_empty()).then_some(comment),
    };
    let event = if with_content {
        event.bounded()
    } else {
        event.without_content()
    };
    let user = crate::server::user::log_id(&place.user_id);
    tracing::info!(
        event = event.name(),
        run_id = %run_id,
        session_id = %place.session_id,
        user = %user,
        rating = feedback.as_ref().map_or("cleared", |f| f.rating.name()),
        "feedback on an answer"
    );
    crate::server::telemetry::metrics::analytics_event(event.name());
    let now_ms = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_millis() as u64)
        .unwrap_or(0);
    state.analytics.record(RecordedEvent {
        user,
        received_at_ms: now_ms,
        event: ClientEvent {
            // Recorded by the server: not one of a page's numbered events.
            seq: 0,
            at_ms: now_ms as f64,
            kind: Some(place.kind),
            assistant_id: Some(place.assistant_id),
            session_id: Some(place.session_id),
            event,
        },
    });
    Ok(feedback)
}

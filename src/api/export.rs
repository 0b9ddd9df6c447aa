//! The conversation on screen (the branch shown, named by its runs) written out for
//! download, from what AgentOS stored: as Markdown or as JSON with every part of each
//! answer (see `chat::export`). Written on the server, which holds the runs already (the
//! history copy), so that none of the writing is in the browser's code.

use leptos::prelude::*;
use leptos::server_fn::codec::Json;
use serde::{Deserialize, Serialize};

use super::ApiError;
use crate::model::{AssistantId, AssistantKind, RunId, SessionId};
#[cfg(feature = "ssr")]
use crate::server::caller::Caller;

/// What a download is written as.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum ExportFormat {
    Markdown,
    Json,
}

/// Which conversation, and which of its turns, in the order shown.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ExportRequest {
    pub kind: AssistantKind,
    pub assistant_id: AssistantId,
    /// The agent's or team's name as the page shows it (a heading of the file).
    pub assistant_name: String,
    pub session_id: SessionId,
    pub run_ids: Vec<RunId>,
    pub format: ExportFormat,
    /// How the person is named in the Markdown, in their language.
    pub you: String,
}

/// A file to download: its name and its text.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ExportFile {
    pub name: String,
    pub text: String,
}

/// One of the caller's conversations written out (see the module). A run that is not in
/// the session is left out.
#[server(prefix = "/api", endpoint = "chat/export", input = Json, output = Json)]
pub async fn export_conversation(req: ExportRequest) -> Result<ExportFile, ApiError> {
    use crate::chat::export::{self, Header};
    use crate::server::history_cache::HistoryKey;

    let caller = Caller::get().await?;
    caller.may_use(req.kind, req.assistant_id.as_str())?;
    let Caller { state, user, .. } = caller;
    let key = HistoryKey::new(&user.0, req.kind, &req.assistant_id, &req.session_id);
    let plan = state.history_plan(&key).await;
    let mut timing = crate::server::telemetry::server_timing::ServerTiming::start();
    // Checks the session is the caller's, as opening it does.
    let (dated, _) = super::history::brought_up_to_date(&state, key, plan, &mut timing).await?;
    let shown: Vec<export::Turn> = req
        .run_ids
        .iter()
        .filter_map(|id| dated.iter().find(|t| t.turn.run_id == id.as_str()))
        .map(|t| export::Turn {
            question: &t.turn.question,
            asked_at: t.turn.at,
            attachments: &t.turn.attachments,
            answer: &t.turn.answer,
        })
        .collect();
    let exported_at = crate::server::health::rfc3339(std::time::SystemTime::now());
    let header = Header {
        kind: match req.kind {
            AssistantKind::Agent => "agent",
            AssistantKind::Team => "team",
        },
        assistant_id: req.assistant_id.as_str(),
        assistant_name: &req.assistant_name,
        session_id: Some(req.session_id.as_str()),
        exported_at: &exported_at,
    };
    let stem = format!("chat-{}", req.session_id.as_str());
    Ok(match req.format {
        ExportFormat::Markdown => ExportFile {
            name: format!("{stem}.md"),
            text: export::markdown(&header, &shown, &req.you),
        },
        ExportFormat::Json => ExportFile {
            name: format!("{stem}.json"),
            text: export::json(&header, &shown),
        },
    })
}

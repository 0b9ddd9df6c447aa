//! Downloading the conversation on screen (the branch shown): the server writes it from
//! the runs named here, in order (see `api::export`). Part of the conversation's lazily
//! loaded code: only its views call it.

use leptos::prelude::*;

use super::*;
use crate::api::{ExportFormat, ExportRequest};

impl ChatState {
    /// What to ask the server for to download the conversation on screen as `format`
    /// (`None` before it is saved).
    pub fn export_request(&self, format: ExportFormat) -> Option<ExportRequest> {
        let assistant = self.data.assistant().get_untracked()?;
        let session_id = self.data.session_id().get_untracked()?;
        let assistant_name = use_context::<ShownAssistant>()
            .and_then(|s| s.0.with_untracked(|a| a.as_ref().map(|a| a.name.clone())))
            .unwrap_or_else(|| assistant.id.to_string());
        let run_ids = self.shown_runs();
        Some(ExportRequest {
            kind: assistant.kind,
            assistant_id: assistant.id,
            assistant_name,
            session_id,
            run_ids,
            format,
            you: t("you"),
        })
    }
}

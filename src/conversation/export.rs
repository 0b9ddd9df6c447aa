//! Downloading the conversation on screen (the branch shown) as Markdown or JSON (see
//! `chat::export`). Part of the conversation's lazily loaded code: only its views call it.

use leptos::prelude::*;

use super::*;
use crate::chat::export::{self, Header};

/// What the download is written as.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Format {
    Markdown,
    Json,
}

impl ChatState {
    /// The conversation on screen, written as `format`: the file's name and its text.
    pub fn export(&self, format: Format) -> Option<(String, String)> {
        let assistant = self.data.assistant().get_untracked()?;
        let name = use_context::<ShownAssistant>()
            .and_then(|s| s.0.with_untracked(|a| a.as_ref().map(|a| a.name.clone())))
            .unwrap_or_else(|| assistant.id.to_string());
        let session = self.data.session_id().get_untracked();
        let exported_at = now_iso();
        let header = Header {
            kind: match assistant.kind {
                crate::model::AssistantKind::Agent => "agent",
                crate::model::AssistantKind::Team => "team",
            },
            assistant_id: assistant.id.as_str(),
            assistant_name: &name,
            session_id: session.as_ref().map(|s| s.as_str()),
            exported_at: &exported_at,
        };
        let turns = self.data.turns().get_untracked();
        let answers: Vec<Answer> = turns
            .iter()
            .map(|t| t.answer.with_untracked(Clone::clone))
            .collect();
        let shown: Vec<export::Turn> = turns
            .iter()
            .zip(&answers)
            .map(|(t, a)| export::Turn {
                question: &t.question,
                asked_at: t.at,
                attachments: &t.attachments,
                answer: a,
            })
            .collect();
        let stem = match &session {
            Some(s) => format!("chat-{}", s.as_str()),
            None => "chat".to_owned(),
        };
        Some(match format {
            Format::Markdown => (
                format!("{stem}.md"),
                export::markdown(&header, &shown, &t("you")),
            ),
            Format::Json => (format!("{stem}.json"), export::json(&header, &shown)),
        })
    }
}

fn now_iso() -> String {
    #[cfg(feature = "hydrate")]
    {
        String::from(js_sys::Date::new_0().to_iso_string())
    }
    #[cfg(not(feature = "hydrate"))]
    {
        String::new()
    }
}

//! The sidebar's list of the user's conversations: paged from the server as the user
//! scrolls, searchable by name, and updated at once when a chat starts, is renamed or
//! is deleted.

use leptos::prelude::*;

use crate::model::{AssistantRef, SessionPage, SessionSummary};

#[derive(Clone, Copy)]
pub struct SessionsState {
    pub items: RwSignal<Vec<SessionSummary>>,
    pub total_count: RwSignal<u64>,
    pub loading: RwSignal<bool>,
    pub error: RwSignal<Option<String>>,
    /// Name filter typed by the user.
    pub search: RwSignal<String>,
    next_page: StoredValue<Option<u32>>,
    assistant: StoredValue<Option<AssistantRef>>,
    /// Bumped on every reload, so answers to stale requests are dropped.
    generation: StoredValue<u64>,
}

pub fn provide_sessions() -> SessionsState {
    let s = SessionsState {
        items: RwSignal::new(Vec::new()),
        total_count: RwSignal::new(0),
        loading: RwSignal::new(false),
        error: RwSignal::new(None),
        search: RwSignal::new(String::new()),
        next_page: StoredValue::new(Some(1)),
        assistant: StoredValue::new(None),
        generation: StoredValue::new(0),
    };
    provide_context(s);
    s
}

pub fn use_sessions() -> SessionsState {
    expect_context::<SessionsState>()
}

impl SessionsState {
    /// Starts over for `assistant` (and the current search).
    pub fn reload(&self, assistant: Option<AssistantRef>) {
        self.assistant.set_value(assistant);
        self.generation.update_value(|g| *g += 1);
        self.items.set(Vec::new());
        self.total_count.set(0);
        self.error.set(None);
        self.next_page.set_value(Some(1));
        self.loading.set(false);
        self.load_more();
    }

    pub fn has_more(&self) -> bool {
        self.next_page.get_value().is_some()
    }

    /// Fetches the next page, unless one is loading or all are loaded.
    pub fn load_more(&self) {
        let (Some(page), Some(assistant)) =
            (self.next_page.get_value(), self.assistant.get_value())
        else {
            return;
        };
        if self.loading.get_untracked() {
            return;
        }
        self.loading.set(true);
        let this = *self;
        let generation = self.generation.get_value();
        let search = Some(self.search.get_untracked()).filter(|s| !s.trim().is_empty());
        leptos::task::spawn_local(async move {
            let result =
                crate::api::list_sessions(assistant.kind, assistant.id, page, search).await;
            if this.generation.get_value() != generation {
                return;
            }
            this.loading.set(false);
            match result {
                Ok(p) => this.append(p),
                Err(e) => this.error.set(Some(crate::i18n::t_args(
                    "chats-failed",
                    &[("error", e.to_string().into())],
                ))),
            }
        });
    }

    fn append(&self, p: SessionPage) {
        self.total_count.set(p.total_count);
        self.next_page
            .set_value((p.page < p.total_pages).then_some(p.page + 1));
        self.items.update(|items| {
            for s in p.items {
                if !items.iter().any(|i| i.id == s.id) {
                    items.push(s);
                }
            }
        });
    }

    /// A chat got its first answer: show it at the top at once.
    pub fn add_new(&self, summary: SessionSummary) {
        self.items.update(|items| {
            items.retain(|i| i.id != summary.id);
            items.insert(0, summary);
        });
        self.total_count.update(|n| *n += 1);
    }

    pub fn renamed(&self, id: &str, name: String) {
        self.items.update(|items| {
            if let Some(i) = items.iter_mut().find(|i| i.id == id) {
                i.name = name;
            }
        });
    }

    pub fn removed(&self, id: &str) {
        self.items.update(|items| items.retain(|i| i.id != id));
        self.total_count.update(|n| *n = n.saturating_sub(1));
    }
}

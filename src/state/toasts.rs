//! Short messages that come and go (a rename that failed, a copy the browser refused, the
//! connection back): shown in a corner and read out by screen readers, each for a few
//! seconds or until closed. Lasting states (a conversation that could not load, an
//! answer's error) stay where they belong instead.

use leptos::prelude::*;

/// How long a toast stays, unless closed.
const SHOWN_MS: u64 = 8_000;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Tone {
    Info,
    Error,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Toast {
    pub id: u64,
    pub text: String,
    pub tone: Tone,
}

#[derive(Clone, Copy)]
pub struct Toasts {
    pub items: RwSignal<Vec<Toast>>,
    next: StoredValue<u64>,
}

pub fn provide_toasts() -> Toasts {
    let toasts = Toasts {
        items: RwSignal::new(Vec::new()),
        next: StoredValue::new(0),
    };
    provide_context(toasts);
    toasts
}

pub fn use_toasts() -> Toasts {
    expect_context()
}

impl Toasts {
    pub fn show(self, text: String, tone: Tone) {
        let id = self.next.get_value();
        self.next.set_value(id + 1);
        self.items
            .update(|list| list.push(Toast { id, text, tone }));
        set_timeout(
            move || self.dismiss(id),
            std::time::Duration::from_millis(SHOWN_MS),
        );
    }

    pub fn error(self, text: String) {
        self.show(text, Tone::Error)
    }

    pub fn dismiss(self, id: u64) {
        // The page may be gone when the timer fires.
        let _ = self.items.try_update(|list| list.retain(|t| t.id != id));
    }
}

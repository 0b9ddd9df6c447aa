//! The agent's or team's look: the initial of its name on a colour of its own, the same
//! wherever it shows (the empty chat, each answer).

use leptos::prelude::*;

use crate::model::{avatar, AssistantSummary};

/// The agent or team on screen, as the catalog describes it.
#[derive(Clone, Copy)]
pub struct ShownAssistant(pub Memo<Option<AssistantSummary>>);

/// The assistant's avatar; decorative (its name is said beside it or in the page).
#[component]
pub fn Avatar(#[prop(optional)] large: bool) -> impl IntoView {
    let shown = use_context::<ShownAssistant>().map(|s| s.0);
    let look = move || {
        shown
            .and_then(|s| s.with(|s| s.as_ref().map(|s| avatar(&s.name, &s.id))))
            .unwrap_or_else(|| ("·".into(), 0))
    };
    view! {
        <span
            class=move || format!("avatar hue-{}{}", look().1, if large { " avatar-large" } else { "" })
            aria-hidden="true"
            data-testid="avatar"
        >
            {move || look().0}
        </span>
    }
}

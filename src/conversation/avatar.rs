//! The agent's or team's look: the initial of its name on a colour of its own, the same
//! wherever it shows (the empty chat, each answer). Drawn once, not reactively: a
//! conversation is with one assistant, and another one gets views of its own.

use leptos::prelude::*;

use crate::model::{avatar, AssistantSummary};

/// The agent or team on screen, as the catalog describes it.
#[derive(Clone, Copy)]
pub struct ShownAssistant(pub Memo<Option<AssistantSummary>>);

/// The look of the assistant on screen now: its initial and colour.
pub fn shown_look() -> Option<(String, u8)> {
    use_context::<ShownAssistant>()?
        .0
        .with_untracked(|s| s.as_ref().map(|s| avatar(&s.name, &s.id)))
}

/// An avatar; decorative (the assistant's name is said beside it or in the page).
pub fn avatar_view((initial, hue): (String, u8), large: bool) -> impl IntoView {
    let class = format!(
        "avatar hue-{hue}{}",
        if large { " avatar-large" } else { "" }
    );
    view! { <span class=class aria-hidden="true" data-testid="avatar">{initial}</span> }
}

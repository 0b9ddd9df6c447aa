use leptos::prelude::*;

use crate::state::draft::use_draft;

/// The message box. Its text is the shared draft, so it survives view switches and reloads.
#[component]
pub fn Composer() -> impl IntoView {
    let draft = use_draft().0;
    view! {
        <form class="composer" on:submit=|ev| ev.prevent_default()>
            <label for="composer-input" class="visually-hidden">"Message"</label>
            <textarea
                id="composer-input"
                data-testid="composer-input"
                rows="3"
                placeholder="Type a message…"
                prop:value=move || draft.get()
                on:input=move |ev| draft.set(event_target_value(&ev))
            ></textarea>
        </form>
    }
}

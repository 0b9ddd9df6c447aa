//! "Share": a read-only link to the conversation as it is on screen now (later messages
//! are not shown until it is shared again), copied with one click, and taken back with
//! another (see `conversation::annotations`).

use leptos::prelude::*;

use crate::conversation::annotations::use_notes;
use crate::conversation::use_chat;
use crate::i18n::{t, t_args};

#[component]
pub(super) fn ShareMenu() -> impl IntoView {
    let chat = use_chat();
    let notes = use_notes();
    let toasts = use_context::<crate::state::toasts::Toasts>();
    let busy = RwSignal::new(false);
    let copied = RwSignal::new(false);
    let url = move || {
        notes.share.with(|s| {
            s.as_ref()
                .map(|s| format!("{}{}", origin(), s.path))
                .unwrap_or_default()
        })
    };
    let act = move |stop: bool| {
        busy.set(true);
        copied.set(false);
        leptos::task::spawn_local(async move {
            let result = if stop {
                notes.stop_sharing().await
            } else {
                notes.share_now(chat).await
            };
            busy.try_set(false);
            if let Err(why) = result {
                if let Some(toasts) = toasts {
                    toasts.error(t_args("share-failed", &[("error", why.into())]));
                }
            }
        });
    };
    let copy = move |_| {
        copied.set(true);
        super::answer::copy_text(&url(), move || {
            copied.try_set(false);
            if let Some(toasts) = toasts {
                toasts.error(t("copy-failed"));
            }
        });
    };
    let shared = move || notes.share.with(Option::is_some);
    let summary = move || {
        notes.share.with(|s| {
            s.as_ref()
                .map(|s| {
                    t_args(
                        "share-state",
                        &[
                            ("count", (s.answers as i64).into()),
                            ("date", crate::i18n::date_time(s.shared_at).into()),
                        ],
                    )
                })
                .unwrap_or_default()
        })
    };

    view! {
        <details class="export-menu share-menu" data-testid="share">
            <summary title=t("share-title")>{move || if shared() { t("shared") } else { t("share") }}</summary>
            <div class="share-panel">
                <Show
                    when=shared
                    fallback=move || view! {
                        <p class="muted">{t("share-explain")}</p>
                        <button type="button" class="button" data-testid="share-create" disabled=move || busy.get() || chat.is_streaming() on:click=move |_| act(false)>
                            {t("share-create")}
                        </button>
                    }
                >
                    <input type="text" readonly class="share-url" data-testid="share-url" aria-label=t("share-link") prop:value=url />
                    <p class="muted" data-testid="share-state">{summary}</p>
                    <span class="share-actions">
                        <button type="button" class="button" data-testid="share-copy" on:click=copy>
                            {move || if copied.get() { t("copied") } else { t("share-copy") }}
                        </button>
                        <button type="button" class="link-button" data-testid="share-create" disabled=move || busy.get() || chat.is_streaming() on:click=move |_| act(false)>
                            {t("share-update")}
                        </button>
                        <button type="button" class="link-button danger" data-testid="share-stop" disabled=move || busy.get() on:click=move |_| act(true)>
                            {t("share-stop")}
                        </button>
                    </span>
                </Show>
            </div>
        </details>
    }
}

/// This page's origin: where the server's share path is.
fn origin() -> String {
    #[cfg(feature = "hydrate")]
    return window().location().origin().unwrap_or_default();
    #[cfg(not(feature = "hydrate"))]
    String::new()
}

//! The conversation's search box.

use leptos::html::Input;
use leptos::prelude::*;

use crate::conversation::ConversationStoreFields;

use crate::conversation::use_chat;
use crate::i18n::{t, t_args};

/// Search within the conversation. The list is virtualized, so the browser's find-in-page
/// sees only the rendered turns; this searches every turn's question and answer, jumps
/// to each match (Enter, Shift+Enter) and says how many there are. Ctrl/Cmd+F opens it
/// while the conversation has turns (pressed again in the box, the browser's own).
#[component]
pub(super) fn ConversationSearch(
    reveal: Callback<u64>,
    highlighted: RwSignal<Option<u64>>,
) -> impl IntoView {
    let chat = use_chat();
    let query = RwSignal::new(String::new());
    let current = RwSignal::new(None::<usize>);
    let input = NodeRef::<Input>::new();
    let matches = Memo::new(move |_| {
        let q = query.with(|q| q.trim().to_lowercase());
        if q.is_empty() {
            return Vec::new();
        }
        chat.data.turns().with(|ts| {
            ts.iter()
                .filter(|t| {
                    t.question.to_lowercase().contains(&q)
                        || t.answer
                            .with_untracked(|a| a.text.to_lowercase().contains(&q))
                })
                .map(|t| t.id)
                .collect::<Vec<_>>()
        })
    });
    let go = move |step: isize| {
        let m = matches.get_untracked();
        if m.is_empty() {
            current.set(None);
            return;
        }
        let n = m.len() as isize;
        // Enter goes back in time from the newest match; Shift+Enter forward.
        let i = match current.get_untracked() {
            None => n - 1,
            Some(i) => (i as isize - step).rem_euclid(n),
        };
        current.set(Some(i as usize));
        reveal.run(m[i as usize]);
    };
    let status = move || {
        let n = matches.with(Vec::len);
        if query.with(|q| q.trim().is_empty()) {
            String::new()
        } else if n == 0 {
            t("search-none")
        } else {
            match current.get() {
                Some(i) => t_args(
                    "search-position",
                    &[("index", (i.min(n - 1) + 1).into()), ("count", n.into())],
                ),
                None => t_args("search-found", &[("count", n.into())]),
            }
        }
    };
    let handle = window_event_listener(leptos::ev::keydown, move |ev| {
        let find = (ev.ctrl_key() || ev.meta_key()) && ev.key().eq_ignore_ascii_case("f");
        if !find || chat.data.turns().with_untracked(Vec::is_empty) {
            return;
        }
        let Some(el) = input.get_untracked() else {
            return;
        };
        let focused = document().active_element().is_some_and(|a| {
            let el: &leptos::web_sys::Element = &el;
            a == *el
        });
        if !focused {
            ev.prevent_default();
            let _ = el.focus();
            el.select();
        }
    });
    on_cleanup(move || handle.remove());

    view! {
        <Show when=move || !chat.data.turns().with(Vec::is_empty)>
            <div class="conversation-search" role="search">
                <input
                    type="search"
                    node_ref=input
                    data-testid="conversation-search"
                    placeholder=t("search-conversation")
                    aria-label=t("search-conversation")
                    prop:value=move || query.get()
                    on:input=move |ev| {
                        query.set(event_target_value(&ev));
                        current.set(None);
                    }
                    on:keydown=move |ev: leptos::ev::KeyboardEvent| match ev.key().as_str() {
                        "Enter" => {
                            ev.prevent_default();
                            go(if ev.shift_key() { -1 } else { 1 });
                        }
                        "Escape" => {
                            query.set(String::new());
                            current.set(None);
                            highlighted.set(None);
                        }
                        _ => {}
                    }
                />
                <span class="search-status muted" data-testid="search-status" aria-live="polite">{status}</span>
                <details class="export-menu" data-testid="export">
                    <summary title=t("export-title")>{t("export")}</summary>
                    <button type="button" class="link-button" data-testid="export-markdown" on:click=move |_| download(crate::api::ExportFormat::Markdown)>
                        {t("export-markdown")}
                    </button>
                    <button type="button" class="link-button" data-testid="export-json" on:click=move |_| download(crate::api::ExportFormat::Json)>
                        {t("export-json")}
                    </button>
                </details>
                <super::share::ShareMenu />
            </div>
        </Show>
    }
}

/// Downloads the conversation on screen as `format`; a failure is said in a toast.
fn download(format: crate::api::ExportFormat) {
    let Some(req) = use_chat().export_request(format) else {
        return;
    };
    #[cfg(feature = "hydrate")]
    {
        let toasts = use_context::<crate::state::toasts::Toasts>();
        leptos::task::spawn_local(async move {
            match crate::api::export_conversation(req).await {
                Ok(file) => save(format, file),
                Err(e) => {
                    if let Some(toasts) = toasts {
                        toasts.error(t_args("export-failed", &[("error", e.to_string().into())]));
                    }
                }
            }
        });
    }
    #[cfg(not(feature = "hydrate"))]
    let _ = req;
}

/// Hands the file to the browser as a download.
#[cfg(feature = "hydrate")]
fn save(format: crate::api::ExportFormat, file: crate::api::ExportFile) {
    use leptos::wasm_bindgen::JsCast;
    let mime = match format {
        crate::api::ExportFormat::Markdown => "text/markdown;charset=utf-8",
        crate::api::ExportFormat::Json => "application/json",
    };
    let options = leptos::web_sys::BlobPropertyBag::new();
    options.set_type(mime);
    let parts = js_sys::Array::of1(&file.text.into());
    let Ok(blob) = leptos::web_sys::Blob::new_with_str_sequence_and_options(&parts, &options)
    else {
        return;
    };
    let Ok(url) = leptos::web_sys::Url::create_object_url_with_blob(&blob) else {
        return;
    };
    if let Some(a) = document()
        .create_element("a")
        .ok()
        .and_then(|e| e.dyn_into::<leptos::web_sys::HtmlAnchorElement>().ok())
    {
        a.set_href(&url);
        a.set_download(&file.name);
        a.click();
    }
    // Let go of the file once the download has started.
    set_timeout(
        move || {
            let _ = leptos::web_sys::Url::revoke_object_url(&url);
        },
        std::time::Duration::from_secs(10),
    );
}

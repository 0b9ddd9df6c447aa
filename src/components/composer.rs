use leptos::either::Either;
use leptos::prelude::*;

use crate::conversation::ConversationStoreFields;

use crate::conversation::use_chat;
use crate::i18n::{t, t_args};
use crate::state::draft::use_draft;

/// The message box. Enter sends, Shift+Enter adds a line, and Enter while an input method
/// is composing is left alone. Its text is the shared draft, so it survives view switches
/// and reloads, and a refused message stays in the box with the reason below it.
#[component]
pub fn Composer() -> impl IntoView {
    let draft = use_draft().text;
    let queued_send = use_draft().queued_send;
    let chat = use_chat();
    let streaming = Memo::new(move |_| chat.is_streaming());
    let files = crate::attachments::use_attachments();
    #[cfg(feature = "hydrate")]
    let limits = chat.settings.with(|s| s.uploads);
    // Files chosen with the button, or pasted: checked and added by the attachments' code.
    let on_files_chosen = move |ev: leptos::ev::Event| {
        #[cfg(feature = "hydrate")]
        {
            let input = event_target::<leptos::web_sys::HtmlInputElement>(&ev);
            crate::attachments::add_files(
                files,
                crate::attachments::file_list(input.files()),
                limits,
            );
            input.set_value("");
        }
        #[cfg(not(feature = "hydrate"))]
        let _ = ev;
    };
    let on_paste = move |ev: leptos::ev::ClipboardEvent| {
        #[cfg(feature = "hydrate")]
        {
            let pasted = crate::attachments::file_list(ev.clipboard_data().and_then(|d| d.files()));
            if !pasted.is_empty() {
                ev.prevent_default();
                crate::attachments::add_files(files, pasted, limits);
            }
        }
        #[cfg(not(feature = "hydrate"))]
        let _ = ev;
    };

    let submit = move || {
        if chat.send(&draft.get_untracked()) {
            draft.set(String::new());
        }
    };
    let on_keydown = move |ev: leptos::ev::KeyboardEvent| {
        if ev.key() == "Enter" && !ev.shift_key() && !ev.is_composing() && ev.key_code() != 229 {
            ev.prevent_default();
            if !chat.is_streaming() {
                submit();
            }
        }
    };
    // Enter or Send pressed before the app had started: the message goes once the
    // conversation can take it (chosen, its history shown, no answer streaming).
    Effect::new(move |_| {
        if queued_send.get()
            && chat.data.assistant().with(Option::is_some)
            && !chat.data.loading_history().get()
            && !streaming.get()
        {
            queued_send.set(false);
            submit();
        }
    });
    let max_chars = chat.settings.with(|s| s.max_input_chars);
    let too_long = move || draft.with(|d| d.chars().count() > max_chars);

    view! {
        <form
            class="composer"
            class:queued=move || queued_send.get()
            on:submit=move |ev| {
                ev.prevent_default();
                submit();
            }
        >
            <label for="composer-input" class="visually-hidden">{t("message")}</label>
            <textarea
                id="composer-input"
                data-testid="composer-input"
                rows="3"
                placeholder=t("composer-placeholder")
                aria-describedby="composer-hint"
                aria-invalid=move || if chat.data.input_error().get().is_some() || too_long() { "true" } else { "false" }
                prop:value=move || draft.get()
                on:focus=move |_| crate::conversation::preload_conversation()
                on:input=move |ev| {
                    // An answer will need its renderer: fetch it while the user types.
                    crate::conversation::preload_conversation();
                    draft.set(event_target_value(&ev));
                    chat.typing();
                    if chat.data.input_error().get_untracked().is_some() {
                        chat.data.input_error().set(None);
                    }
                }
                on:keydown=on_keydown
                on:paste=on_paste
            ></textarea>
            {move || files.tray()}
            <div class="composer-bar">
                <input
                    type="file"
                    id="attach-input"
                    class="visually-hidden"
                    multiple
                    data-testid="attach-input"
                    on:change=on_files_chosen
                    on:focus=move |_| crate::attachments::preload()
                />
                <label for="attach-input" class="button secondary attach" title=t("attach-files") data-testid="attach" on:pointerenter=move |_| crate::attachments::preload()>
                    <span aria-hidden="true">"📎"</span>
                    <span class="visually-hidden">{t("attach-files")}</span>
                </label>
                <span id="composer-hint" class="composer-hint" role="alert" data-testid="input-error">
                    {move || {
                        chat.data.input_error().get().or_else(|| files.error.get()).or_else(|| {
                            too_long().then(|| {
                                t_args(
                                    "too-long",
                                    &[("count", draft.with(|d| d.chars().count()).into()), ("max", max_chars.into())],
                                )
                            })
                        })
                    }}
                </span>
                {move || {
                    if streaming.get() {
                        Either::Left(view! {
                            <button type="button" class="button stop" data-testid="stop" on:click=move |_| chat.stop()>
                                {t("stop")}
                            </button>
                        })
                    } else {
                        Either::Right(view! {
                            <button type="submit" class="button" data-testid="send">{t("send")}</button>
                        })
                    }
                }}
            </div>
        </form>
    }
}

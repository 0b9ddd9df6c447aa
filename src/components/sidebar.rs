use leptos::either::Either;
use leptos::html::Div;
use leptos::prelude::*;

use crate::conversation::ConversationStoreFields;
use leptos_router::hooks::use_navigate;
use leptos_router::NavigateOptions;

use super::on_demand::{self, ItemActions};
use crate::conversation::use_chat;
use crate::i18n::t;
use crate::icon::{Icon, IconName};
use crate::model::{date_group, SessionSummary};
use crate::routes::ChatRoute;
use crate::state::layout::use_layout;
use crate::state::sessions::use_sessions;

/// Starts a new chat, as the New chat button and its shortcut do. A new chat is a new
/// entry in the browser's history: Back returns to the one before.
pub fn new_chat_action() -> impl Fn() + Clone + 'static {
    let chat = use_chat();
    let layout = use_layout();
    let navigate = use_navigate();
    move || {
        layout.close_drawer();
        chat.new_chat();
        let href = ChatRoute::new(chat.data.assistant().get_untracked(), None).href();
        navigate(&href, NavigateOptions::default());
    }
}

/// The user's conversations with the current agent or team: newest first, grouped by
/// date, loaded page by page as the list scrolls, searchable, renamable and deletable.
#[component]
pub fn SessionSidebar() -> impl IntoView {
    let chat = use_chat();
    let sessions = use_sessions();
    let list_ref = NodeRef::<Div>::new();
    let layout = use_layout();
    let new_chat = new_chat_action();

    // Search: reload after the user pauses typing.
    let search_version = StoredValue::new(0u64);
    let on_search = move |ev: leptos::ev::Event| {
        sessions.search.set(event_target_value(&ev));
        search_version.update_value(|v| *v += 1);
        let mine = search_version.get_value();
        set_timeout(
            move || {
                if search_version.try_get_value() == Some(mine) {
                    sessions.reload(chat.data.assistant().get_untracked());
                }
            },
            std::time::Duration::from_millis(300),
        );
    };
    // Infinite scroll: near the end of the list, fetch the next page.
    let on_scroll = move |_| {
        if let Some(el) = list_ref.get_untracked() {
            if el.scroll_height() - el.scroll_top() - el.client_height() < 120 {
                sessions.load_more();
            }
        }
    };
    let now = now_secs();
    let more = Memo::new(move |_| {
        sessions.items.track();
        !sessions.loading.get() && sessions.has_more()
    });
    let none = Memo::new(move |_| {
        !sessions.loading.get()
            && sessions.items.with(Vec::is_empty)
            && sessions.error.get().is_none()
    });

    // As a drawer (narrow screens), Escape or a swipe to the left closes it. The page
    // behind is inert meanwhile, so Tab stays in the drawer (see `chat_page`).
    let on_keydown = move |ev: leptos::ev::KeyboardEvent| {
        if ev.key() == "Escape" {
            layout.close_drawer();
        }
    };
    let swipe_from = std::rc::Rc::new(std::cell::Cell::new((0, 0)));
    let on_pointerdown = {
        let from = swipe_from.clone();
        move |ev: leptos::ev::PointerEvent| from.set((ev.client_x(), ev.client_y()))
    };
    let on_pointerup = move |ev: leptos::ev::PointerEvent| {
        let (x, y) = swipe_from.get();
        let (dx, dy) = (ev.client_x() - x, ev.client_y() - y);
        if dx < -SWIPE_PX && dx.abs() > dy.abs() {
            layout.close_drawer();
        }
    };

    view! {
        // A pointer over the list, or focus in it, likely means a chat is about to be
        // opened: its renderer starts loading then (see `preload_conversation`).
        <aside
            class="sidebar"
            aria-label=t("your-chats")
            data-testid="sidebar"
            on:pointerover=move |_| crate::conversation::preload_conversation()
            on:focusin=move |_| crate::conversation::preload_conversation()
            on:keydown=on_keydown
            on:pointerdown=on_pointerdown
            on:pointerup=on_pointerup
        >
            <button type="button" class="button new-chat" data-testid="new-chat" on:click=move |_| new_chat()>
                <Icon name=IconName::SquarePen />
                {t("new-chat")}
            </button>
            <label class="visually-hidden" for="session-search">{t("search-chats")}</label>
            <input
                id="session-search"
                class="session-search"
                type="search"
                placeholder=t("search-chats")
                data-testid="session-search"
                prop:value=move || sessions.search.get()
                on:input=on_search
            />
            <div class="session-list" node_ref=list_ref on:scroll=on_scroll data-testid="session-list">
                {move || {
                    let items = sessions.items.get();
                    let mut groups: Vec<(&'static str, Vec<SessionSummary>)> = Vec::new();
                    for s in items {
                        let g = date_group(now, s.updated_at, utc_offset_s);
                        match groups.last_mut() {
                            Some((name, list)) if *name == g => list.push(s),
                            _ => groups.push((g, vec![s])),
                        }
                    }
                    groups
                        .into_iter()
                        .map(|(name, list)| view! {
                            <section class="session-group">
                                <h3>{t(name)}</h3>
                                <ul>
                                    {list.into_iter().map(|s| view! { <SessionItem summary=s /> }).collect_view()}
                                </ul>
                            </section>
                        })
                        .collect_view()
                }}
                {move || sessions.loading.get().then(|| view! { <p class="muted" role="status">{t("loading")}</p> })}
                {move || sessions.error.get().map(|e| view! { <p class="tool-error" role="alert">{e}</p> })}
                {move || more.get().then(|| view! {
                    <button type="button" class="link-button" data-testid="load-more" on:click=move |_| sessions.load_more()>
                        {t("load-more")}
                    </button>
                })}
                {move || none.get().then(|| view! { <p class="muted" data-testid="no-sessions">{t("no-chats")}</p> })}
            </div>
            <LanguageForm />
        </aside>
    }
}

/// The interface's languages, each a button of a plain form: the server remembers the
/// choice and renders the page again in it (no script, and only one language's words
/// ever in the browser).
#[component]
fn LanguageForm() -> impl IntoView {
    let now = crate::i18n::lang();
    view! {
        <form class="language-form" method="post" action=crate::routes::LANGUAGE_PATH data-testid="language-form">
            <span class="muted">{t("language")}</span>
            {crate::i18n::languages()
                .into_iter()
                .map(|(tag, name)| {
                    let current = tag == now;
                    view! {
                        <button type="submit" class="link-button" name="lang" value=tag.clone() lang=tag.clone()
                            aria-current=current.then_some("true") data-testid=format!("language-{tag}")>
                            {name}
                        </button>
                    }
                })
                .collect_view()}
        </form>
    }
}

#[component]
fn SessionItem(summary: SessionSummary) -> impl IntoView {
    let chat = use_chat();
    let navigate = use_navigate();
    let layout = use_layout();
    let id = StoredValue::new(summary.id.clone());
    let editing = RwSignal::new(false);
    let confirming = RwSignal::new(false);
    let name_input = RwSignal::new(summary.name.clone());
    let error = RwSignal::new(None::<String>);
    let active = move || chat.data.session_id().get().as_deref() == Some(id.get_value().as_str());
    let name = summary.name.clone();
    // The pointer resting on the chat, or focus on it, for a moment reads it ahead, so the
    // click finds it loaded (see `ChatState::read_ahead`); passing over starts nothing.
    let rest_timer = StoredValue::new(None::<TimeoutHandle>);
    let stop_resting = move || {
        if let Some(t) = rest_timer.try_update_value(Option::take).flatten() {
            t.clear();
        }
    };
    let resting = move || {
        stop_resting();
        let timer = set_timeout_with_handle(
            move || {
                if let Some(sid) = id.try_get_value() {
                    chat.read_ahead(sid);
                }
            },
            std::time::Duration::from_millis(READ_AHEAD_AFTER_MS),
        );
        rest_timer.set_value(timer.ok());
    };
    on_cleanup(stop_resting);

    let item = ItemActions {
        id,
        editing,
        confirming,
        name_input,
        error,
    };
    view! {
        <li class="session-item" class:active=active data-testid="session-item" data-session-id=summary.id.to_string()>
            {move || {
                if editing.get() {
                    // Renaming and deleting are loaded on demand (see `on_demand`).
                    return Either::Left(view! {
                        <Suspense fallback=|| ()>{Suspend::new(on_demand::rename_form(item))}</Suspense>
                    });
                }
                let name = name.clone();
                // A link: it can be opened in a new tab or copied. A plain click opens the
                // conversation at once and pushes its address. (`target="_self"` keeps the
                // router's own link handling off it: without a route table, that would
                // change the page's location but never the address bar.)
                let href = move || ChatRoute::new(chat.data.assistant().get(), Some(id.get_value())).href();
                let navigate = navigate.clone();
                Either::Right(view! {
                        <a
                            class="session-open"
                            href=href
                            target="_self"
                            aria-current=move || active().then_some("page")
                            on:click=move |ev: leptos::ev::MouseEvent| {
                                let plain = ev.button() == 0
                                    && !(ev.ctrl_key() || ev.meta_key() || ev.shift_key() || ev.alt_key());
                                if plain {
                                    ev.prevent_default();
                                    layout.close_drawer();
                                    chat.open_session(id.get_value());
                                    navigate(&href(), NavigateOptions::default());
                                }
                            }
                            on:pointerenter=move |_| resting()
                            on:focus=move |_| resting()
                            on:pointerleave=move |_| stop_resting()
                            on:blur=move |_| stop_resting()
                            on:pointerdown=move |_| chat.read_ahead(id.get_value())
                        >
                            {name}
                        </a>
                        <span class="session-actions">
                            <button type="button" class="icon-button" aria-label=t("rename-chat") title=t("rename") data-testid="rename" on:click=move |_| editing.set(true)>
                                <Icon name=IconName::Pencil />
                            </button>
                            <button type="button" class="icon-button" aria-label=t("delete-chat") title=t("delete") data-testid="delete" on:click=move |_| confirming.set(true)>
                                <Icon name=IconName::Trash />
                            </button>
                        </span>
                })
            }}
            {move || confirming.get().then(|| view! {
                <Suspense fallback=|| ()>{Suspend::new(on_demand::delete_confirm(item))}</Suspense>
            })}
            {move || error.get().map(|e| view! { <p class="tool-error" role="alert" data-testid="session-error">{e}</p> })}
        </li>
    }
}

/// How far to the left a drag or swipe goes before it closes the drawer, in CSS pixels.
const SWIPE_PX: i32 = 60;

/// How long the pointer rests on a chat (or focus stays on it) before it is read ahead.
const READ_AHEAD_AFTER_MS: u64 = 80;

fn now_secs() -> i64 {
    #[cfg(feature = "hydrate")]
    {
        (js_sys::Date::now() / 1000.0) as i64
    }
    #[cfg(not(feature = "hydrate"))]
    {
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.as_secs() as i64)
            .unwrap_or(0)
    }
}

/// The person's UTC offset at `t` (seconds since the epoch), in seconds east of UTC, as
/// their browser knows it (the server, which renders no list, says UTC).
fn utc_offset_s(t: i64) -> i64 {
    #[cfg(feature = "hydrate")]
    {
        let d = js_sys::Date::new(&wasm_bindgen::JsValue::from_f64(t as f64 * 1000.0));
        // getTimezoneOffset is in minutes, positive west of UTC.
        -(d.get_timezone_offset() as i64) * 60
    }
    #[cfg(not(feature = "hydrate"))]
    {
        let _ = t;
        0
    }
}

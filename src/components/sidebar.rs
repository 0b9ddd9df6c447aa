use std::rc::Rc;

use leptos::html::Div;
use leptos::prelude::*;
use leptos::wasm_bindgen::JsCast;
use leptos::web_sys::{Element, EventTarget};

use crate::conversation::ConversationStoreFields;
use leptos_router::hooks::use_navigate;
use leptos_router::NavigateOptions;

use super::on_demand::{self, Acting, ItemActions};
use crate::conversation::use_chat;
use crate::i18n::t;
use crate::icon::{Icon, IconName};
use crate::model::{date_group, SessionId, SessionSummary};
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
    let acting = RwSignal::new(None::<Acting>);
    let ListEvents {
        click,
        towards,
        away,
        press,
    } = list_events(acting);
    let (towards_focus, away_focus) = (towards.clone(), away.clone());

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
            <div
                class="session-list"
                node_ref=list_ref
                data-testid="session-list"
                on:scroll=on_scroll
                on:click=click
                on:pointerover=move |ev| towards(ev.target())
                on:pointerleave=move |_| away()
                on:focusin=move |ev| towards_focus(ev.target())
                on:focusout=move |_| away_focus()
                on:pointerdown=move |ev| press(ev.target())
            >
                {move || {
                    let items = sessions.items.get();
                    let assistant = chat.data.assistant().get_untracked();
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
                                    {list
                                        .into_iter()
                                        .map(|s| {
                                            let href = ChatRoute::new(assistant.clone(), Some(s.id.clone())).href();
                                            view! { <SessionItem summary=s href acting /> }
                                        })
                                        .collect_view()}
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

/// One conversation in the list. Its events are handled by the list (`list_events`):
/// one set of handlers for every entry rather than a set each.
#[component]
fn SessionItem(
    summary: SessionSummary,
    href: String,
    acting: RwSignal<Option<Acting>>,
) -> impl IntoView {
    let chat = use_chat();
    let sessions = use_sessions();
    let id = summary.id;
    let current = {
        let id = id.clone();
        move || (chat.data.session_id().get().as_ref() == Some(&id)).then_some("page")
    };
    let mine = {
        let id = id.clone();
        move || acting.with(|a| a.as_ref().filter(|a| a.id == id).map(|a| a.renaming))
    };
    let id_text = id.to_string();
    view! {
        <li class="session-item" data-testid="session-item" data-session-id=id_text>
            // Renaming and deleting are loaded on demand (see `on_demand`), ahead
            // of the name: the CSS hides the name and buttons after a rename form.
            {move || mine().map(|renaming| {
                let id = id.clone();
                let name = sessions.items.with_untracked(|list| {
                    list.iter().find(|s| s.id == id).map(|s| s.name.clone()).unwrap_or_default()
                });
                let item = ItemActions {
                    acting,
                    id: StoredValue::new(id),
                    renaming,
                    name_input: RwSignal::new(name),
                };
                view! { <Suspense fallback=|| ()>{Suspend::new(on_demand::item_action(item))}</Suspense> }
            })}
            // A link: it can be opened in a new tab or copied. (`target="_self"` keeps the
            // router's own link handling off it: without a route table, that would change
            // the page's location but never the address bar.)
            <a class="session-open" href=href target="_self" aria-current=current>{summary.name}</a>
            <span class="session-actions">
                <button type="button" class="icon-button" data-action="rename" aria-label=t("rename-chat") title=t("rename") data-testid="rename">
                    <Icon name=IconName::Pencil />
                </button>
                <button type="button" class="icon-button" data-action="delete" aria-label=t("delete-chat") title=t("delete") data-testid="delete">
                    <Icon name=IconName::Trash />
                </button>
            </span>
        </li>
    }
}

/// The list's entries' events, handled once for the whole list: opening a chat (a plain
/// click; others are the browser's, as on any link), renaming and deleting it, and reading
/// it ahead when the pointer rests on it or focus stays on it for a moment, so the click
/// finds it loaded (see `ChatState::read_ahead`); passing over starts nothing.
fn list_events(acting: RwSignal<Option<Acting>>) -> ListEvents {
    let chat = use_chat();
    let layout = use_layout();
    let navigate = use_navigate();
    let resting_on = StoredValue::new(None::<SessionId>);
    let timer = StoredValue::new(None::<TimeoutHandle>);
    let rest = move |on: Option<SessionId>| {
        if resting_on.try_with_value(|r| *r == on).unwrap_or(true) {
            return;
        }
        if let Some(t) = timer.try_update_value(Option::take).flatten() {
            t.clear();
        }
        resting_on.set_value(on.clone());
        if let Some(id) = on {
            let t = set_timeout_with_handle(
                move || chat.read_ahead(id),
                std::time::Duration::from_millis(READ_AHEAD_AFTER_MS),
            );
            timer.set_value(t.ok());
        }
    };
    on_cleanup(move || rest(None));
    let click = move |ev: leptos::ev::MouseEvent| {
        if let Some((button, id)) = entry(ev.target(), "[data-action]") {
            let renaming = button.get_attribute("data-action").as_deref() == Some("rename");
            acting.set(Some(Acting { id, renaming }));
            return;
        }
        let Some((link, id)) = entry(ev.target(), "a.session-open") else {
            return;
        };
        let plain =
            ev.button() == 0 && !(ev.ctrl_key() || ev.meta_key() || ev.shift_key() || ev.alt_key());
        if plain {
            ev.prevent_default();
            layout.close_drawer();
            chat.open_session(id);
            if let Some(href) = link.get_attribute("href") {
                navigate(&href, NavigateOptions::default());
            }
        }
    };
    let towards = move |target| rest(entry(target, "a.session-open").map(|(_, id)| id));
    ListEvents {
        click: Box::new(click),
        towards: Rc::new(towards),
        away: Rc::new(move || rest(None)),
        press: Box::new(move |target| {
            if let Some((_, id)) = entry(target, "a.session-open") {
                chat.read_ahead(id);
            }
        }),
    }
}

struct ListEvents {
    click: Box<dyn Fn(leptos::ev::MouseEvent)>,
    /// The pointer or focus came to an element of the list.
    towards: Rc<dyn Fn(Option<EventTarget>)>,
    /// The pointer or focus left the list.
    away: Rc<dyn Fn()>,
    press: Box<dyn Fn(Option<EventTarget>)>,
}

/// The element matching `selector` around `target`, in a list entry, and the entry's chat.
fn entry(target: Option<EventTarget>, selector: &str) -> Option<(Element, SessionId)> {
    let el = target?
        .dyn_into::<Element>()
        .ok()?
        .closest(selector)
        .ok()??;
    let id = el
        .closest("[data-session-id]")
        .ok()??
        .get_attribute("data-session-id")?;
    Some((el, SessionId::new(id).ok()?))
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

use leptos::either::Either;
use leptos::prelude::*;

use crate::conversation::ConversationStoreFields;
use leptos_router::hooks::{use_location, use_navigate};
use leptos_router::NavigateOptions;

use super::account::AccountMenu;
use super::chat_panel::ChatPanel;
use super::fallback::FallbackView;
use super::picker::AssistantPicker;
use super::sidebar::SessionSidebar;
use super::toasts::ToastRegion;
use crate::api::list_assistants;
use crate::codec::PageData;
use crate::conversation::{provide_chat, ShownAssistant};
use crate::i18n::t;
use crate::icon::{Icon, IconName};
use crate::model::AssistantSummary;
use crate::routes::ChatRoute;
use crate::state::connection::{provide_connection, Availability};
use crate::state::draft::{draft_key, persist_drafts, provide_draft};
use crate::state::layout::{cycle_theme, focus_soon, provide_layout, Remembered};
use crate::state::sessions::provide_sessions;
use crate::state::settings::provide_settings;
use crate::state::shortcuts::{action_for, Action, Press};
use crate::state::toasts::{provide_toasts, Tone};

/// The page: header with the agent/team picker, then either the chat or, while AgentOS
/// is unreachable, the "chat unavailable" view.
#[component]
pub fn ChatPage() -> impl IntoView {
    let settings = provide_settings();
    let conn = provide_connection(settings);
    let draft = provide_draft();
    let analytics = crate::state::analytics::provide_analytics(settings);
    let sessions = provide_sessions();
    let attachments = crate::attachments::provide_attachments(super::on_demand::attachments_code);
    let chat = provide_chat(settings, sessions, draft, attachments, analytics);
    let toasts = provide_toasts();
    let layout = provide_layout();
    persist_drafts(
        draft,
        Memo::new(move |_| {
            draft_key(
                chat.data.assistant().get().as_ref(),
                chat.data.session_id().get().as_deref(),
            )
        }),
    );

    // Refetch the catalog whenever AgentOS comes back.
    let catalog = Resource::<_, PageData>::new_with_options(
        move || conn.recoveries.get(),
        |_| list_assistants(),
        false,
    );

    // The address names the agent or team and the conversation (see `routes`).
    let location = use_location();
    let route = Memo::new(move |_| {
        let search = location.search.get();
        ChatRoute::parse(&location.pathname.get(), search.trim_start_matches('?'))
            .unwrap_or_default()
    });
    let requested = Memo::new(move |_| route.with(|r| r.target.clone()));
    // A page rendered while AgentOS was away asks for a check at once (see
    // `state::connection`).
    Effect::new(move |_| {
        if catalog.with(|c| matches!(c, Some(Err(_)))) {
            conn.retry_now();
        }
    });
    // While the catalog reloads (or AgentOS is briefly unreachable) keep the current
    // selection: dropping it would end the conversation in progress.
    let selected: Memo<Option<AssistantSummary>> =
        Memo::new(move |prev: Option<&Option<AssistantSummary>>| {
            let wanted = requested.get();
            match catalog.get() {
                Some(Ok(c)) => c.resolve(wanted.as_ref()).cloned(),
                _ => prev.cloned().flatten(),
            }
        });
    provide_context(ShownAssistant(selected));
    // The address changed (a link, Back or Forward, a typed address): show what it names.
    let session_param = Memo::new(move |_| route.with(|r| r.session.clone()));
    Effect::new(move |_| {
        chat.switch_to(selected.get().map(|s| s.reference()), session_param.get())
    });
    // When AgentOS comes back, what failed while it was away is loaded again.
    Effect::new(move |seen: Option<u32>| {
        let now = conn.recoveries.get();
        if seen.is_some_and(|seen| seen != now) {
            chat.recover();
            toasts.show(t("connected-again"), Tone::Info);
        }
        now
    });
    // And the other way: the address follows what is on screen when that changes without
    // a link (the conversation last open here reopened, a first message starting one, an
    // unavailable one replaced by a new chat, an older `?agent=` link), replacing the
    // entry so that Back skips it. It changes after the opened conversation's first
    // frame: an address change is work for the browser that the opening need not wait for.
    let navigate = use_navigate();
    Effect::new(move |_| {
        let shown = ChatRoute::new(chat.data.assistant().get(), chat.data.session_id().get());
        if chat.data.loading_history().get() || shown.target.is_none() {
            return;
        }
        let navigate = navigate.clone();
        after_next_frame(move || {
            let still = chat.data.session_id().get_untracked() == shown.session
                && chat.data.assistant().get_untracked() == shown.target;
            let href = shown.href();
            let here = location.pathname.get_untracked() == href
                && location.search.with_untracked(String::is_empty);
            if still && !here {
                navigate(
                    &href,
                    NavigateOptions {
                        replace: true,
                        scroll: false,
                        ..Default::default()
                    },
                );
            }
        });
    });
    // Error reports say which conversation, and how far along, without its text.
    Effect::new(move |_| {
        crate::state::analytics::set_report_context(
            chat.data.session_id().get(),
            chat.data.turns().with(|t| t.len()) as u32,
        )
    });

    // The view changes when AgentOS goes down or comes back, not when a check finds it
    // as it was, nor from "checking" to "up": each change rebuilds the conversation and
    // the list.
    let down = Memo::new(move |_| match conn.availability.get() {
        Availability::Down { reason } => Some(reason),
        Availability::Checking | Availability::Up => None,
    });

    let shortcuts_open = RwSignal::new(false);
    keyboard_shortcuts(shortcuts_open);
    let up = Memo::new(move |_| down.with(Option::is_none));
    let drawer = layout.drawer;

    view! {
        // While AgentOS is away there is no list of chats, nor buttons to show it.
        <div class=move || {
            let mut class = String::from("app");
            for (on, name) in [
                (layout.collapsed.get(), " sidebar-collapsed"),
                (drawer.get(), " drawer-open"),
                (!up.get(), " no-sidebar"),
            ] {
                if on {
                    class.push_str(name);
                }
            }
            class
        }>
            {move || up.get().then(|| view! {
                <SessionSidebar />
                // Behind the open drawer on a narrow screen: a tap on it closes the drawer.
                <div class="backdrop" data-testid="drawer-backdrop" on:click=move |_| layout.close_drawer()></div>
            })}
            // While the drawer is open, the rest of the page is out of reach (focus stays in
            // the drawer) and hidden from assistive technology.
            <div class="main-column" inert=move || drawer.get().then_some("")>
                <header class="app-header">
                    // A wide screen collapses the sidebar; a narrow one opens it as a drawer.
                    <button
                        type="button"
                        class="icon-button only-wide needs-sidebar"
                        data-testid="sidebar-toggle"
                        aria-label=t("show-hide-chats")
                        title=t("show-hide-chats")
                        aria-expanded=move || (!layout.collapsed.get()).to_string()
                        on:click=move |_| layout.toggle_collapsed()
                    >
                        <Icon name=IconName::PanelLeft />
                    </button>
                    <button
                        type="button"
                        class="icon-button only-narrow needs-sidebar"
                        data-testid="menu-button"
                        aria-label=t("your-chats")
                        title=t("your-chats")
                        aria-expanded=move || drawer.get().to_string()
                        on:click=move |_| layout.open_drawer()
                    >
                        <Icon name=IconName::Menu />
                    </button>
                    <h1 class="brand">"agno-chat"</h1>
                    <AssistantPicker catalog requested />
                    <button
                        type="button"
                        class="icon-button only-wide"
                        data-testid="shortcuts-button"
                        aria-label=t("shortcuts")
                        title=t("shortcuts")
                        aria-keyshortcuts="Shift+?"
                        on:click=move |_| shortcuts_open.set(true)
                    >
                        <Icon name=IconName::Keyboard />
                    </button>
                    <ThemeButton />
                    {settings.with(|s| s.account.clone()).map(|name| view! { <AccountMenu name /> })}
                </header>
                <main class="app-main">
                    {move || match down.get() {
                        Some(reason) => {
                            Either::Left(view! { <FallbackView help_links=settings.with(|s| s.help_links.clone()) reason /> })
                        }
                        None => Either::Right(view! { <ChatPanel catalog requested /> }),
                    }}
                </main>
            </div>
            <ToastRegion />
            {move || shortcuts_open.get().then(|| view! {
                <Suspense fallback=|| ()>{Suspend::new(super::on_demand::shortcuts_dialog(shortcuts_open))}</Suspense>
            })}
        </div>
    }
}

/// The page's keyboard shortcuts (see `state::shortcuts`), while the page is open.
fn keyboard_shortcuts(dialog_open: RwSignal<bool>) {
    let chat = crate::conversation::use_chat();
    let layout = crate::state::layout::use_layout();
    let new_chat = super::sidebar::new_chat_action();
    let handle = window_event_listener(leptos::ev::keydown, move |ev| {
        // While the dialog is open, its keys are its own.
        if dialog_open.get_untracked() {
            return;
        }
        let focused = document().active_element();
        let typing = focused.as_ref().is_some_and(|el| {
            matches!(el.tag_name().as_str(), "INPUT" | "TEXTAREA" | "SELECT")
                || el.has_attribute("contenteditable")
        });
        let key = ev.key();
        let press = Press {
            key: &key,
            command: ev.ctrl_key() || ev.meta_key(),
            shift: ev.shift_key(),
            alt: ev.alt_key(),
            typing,
            in_composer: focused.is_some_and(|el| el.id() == "composer-input"),
        };
        let Some(action) = action_for(press) else {
            return;
        };
        match action {
            Action::Stop if !chat.is_streaming() => return,
            Action::Stop => chat.stop(),
            Action::NewChat => {
                new_chat();
                focus_soon("#composer-input");
            }
            Action::FocusComposer => focus_soon("#composer-input"),
            Action::SearchChats => {
                layout.show_sidebar();
                focus_soon("#session-search");
            }
            Action::ToggleSidebar => layout.toggle_sidebar(),
            Action::ShowShortcuts => dialog_open.set(true),
        }
        ev.prevent_default();
    });
    on_cleanup(move || handle.remove());
}

/// System, light or dark: each click chooses the next, remembered for the next visit.
/// The three icons are in the page and the stylesheet shows the chosen one; the button's
/// name is rendered from the remembered theme and changed by the click itself.
#[component]
fn ThemeButton() -> impl IntoView {
    let theme = Remembered::current().theme;
    let on_click = move |ev: leptos::ev::MouseEvent| {
        let theme = cycle_theme();
        if let Some(button) = ev.current_target().and_then(|t| {
            use leptos::wasm_bindgen::JsCast;
            t.dyn_into::<leptos::web_sys::Element>().ok()
        }) {
            let _ = button.set_attribute("data-theme-choice", theme.attr().unwrap_or("system"));
            let _ = button.set_attribute("aria-label", &t(theme.label()));
            let _ = button.set_attribute("title", &t(theme.label()));
        }
    };
    view! {
        <button
            type="button"
            class="icon-button theme-button"
            data-testid="theme-toggle"
            data-theme-choice=theme.attr().unwrap_or("system")
            aria-label=t(theme.label())
            title=t(theme.label())
            on:click=on_click
        >
            <Icon name=IconName::Monitor />
            <Icon name=IconName::Sun />
            <Icon name=IconName::Moon />
        </button>
    }
}

/// Runs `f` once the next frame has been produced (in the browser; at once on the server).
fn after_next_frame(f: impl FnOnce() + 'static) {
    #[cfg(feature = "hydrate")]
    request_animation_frame(move || set_timeout(f, std::time::Duration::ZERO));
    #[cfg(not(feature = "hydrate"))]
    f();
}

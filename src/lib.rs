//! agno-chat: a Leptos chat front end for Agno AgentOS.
//!
//! Layout (imports run one way: components -> conversation -> state -> api -> model):
//! - [`model`], [`ids`], [`routes`], [`error`], [`analytics`], [`codec`], [`icon`]: plain
//!   data shared by the server and the browser: the catalog, typed ids, the app's
//!   addresses, the errors the browser is told about, analytics events, how JSON is read,
//!   the icons.
//! - [`chat`]: chat logic without IO (events, reducer, history rebuild, validation,
//!   markdown, human-in-the-loop decisions).
//! - [`api`]: server functions, the only door from the browser to the server.
//! - [`state`]: client state shared by the page (connection, draft, session list,
//!   analytics, layout and theme).
//! - [`conversation`]: the conversation feature, with its lazily loaded chunk.
//! - [`genui`]: generative UI (spec, and its lazily loaded renderer).
//! - [`usage`]: the usage pages (a lazily loaded chunk).
//! - [`components`]: the page around the conversation; [`app`] holds the shell and router.
//! - `agentos` (server only): the typed AgentOS HTTP client.
//! - `server` (server only): configuration, application state, the HTTP surface.

#![recursion_limit = "256"]
// A panic in the server or the browser is a defect: errors are handled, not unwrapped
// (tests and start-up, which may stop the process with a message, aside).
#![cfg_attr(not(test), deny(clippy::unwrap_used, clippy::expect_used))]

pub mod analytics;
pub mod api;
pub mod app;
pub mod attachments;
pub mod chat;
pub mod codec;
pub mod components;
pub mod conversation;
pub mod error;
pub mod genui;
pub mod i18n;
pub mod icon;
pub mod ids;
pub mod model;
pub mod routes;
pub mod state;
pub mod usage;

#[cfg(feature = "ssr")]
pub mod agentos;
#[cfg(feature = "ssr")]
pub mod server;

/// Browser entry point: hydrates the server-rendered page, then marks the body so that
/// tests (and scripts) know event handlers are attached. The hydration is also a
/// performance measure, `agno-chat:hydrate`, seen in DevTools and read by the benchmark.
#[cfg(feature = "hydrate")]
#[wasm_bindgen::prelude::wasm_bindgen]
pub fn hydrate() {
    let performance = leptos::prelude::window().performance();
    if let Some(p) = &performance {
        let _ = p.mark("agno-chat:hydrate-start");
    }
    // Panics are printed to the console and reported to the server (by beacon, which
    // still goes out while the wasm instance dies).
    std::panic::set_hook(Box::new(|info| {
        console_error_panic_hook::hook(info);
        state::analytics::report_error("panic", &info.to_string());
    }));
    // What was typed into the message box before now (hydration resets the box).
    state::draft::capture_early_input();
    leptos::mount::hydrate_body(app::App);
    if let Some(p) = &performance {
        let _ = p.measure_with_start_mark("agno-chat:hydrate", "agno-chat:hydrate-start");
    }
    if let Some(body) = leptos::prelude::document().body() {
        let _ = body.set_attribute("data-hydrated", "true");
    }
    // A usage page is drawn by the on-demand chunk in place of the page's placeholder.
    let path = leptos::prelude::window().location().pathname();
    if let Some(page) = path
        .ok()
        .and_then(|p| routes::Page::of(&p))
        .filter(|p| *p != routes::Page::Chat)
    {
        leptos::task::spawn_local(components::on_demand::usage_page(page));
    }
}

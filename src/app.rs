//! The HTML shell and the routes.

use leptos::either::Either;
use leptos::prelude::*;
use leptos_meta::{provide_meta_context, HashedStylesheet, MetaTags, Title};
use leptos_router::components::Router;
use leptos_router::hooks::use_location;

use crate::routes::ChatRoute;

use crate::components::chat_page::ChatPage;

/// The favicon (`public/favicon.svg`, kept for other uses) as a data address.
const FAVICON: &str = "data:image/svg+xml,%3Csvg xmlns='http://www.w3.org/2000/svg' viewBox='0 0 32 32'%3E%3Crect width='32' height='32' rx='8' fill='%234f46e5'/%3E%3Cpath d='M8 10h16v10H14l-4 4v-4H8z' fill='%23fff'/%3E%3C/svg%3E";

/// The document around the app, rendered on the server.
pub fn shell(options: LeptosOptions) -> impl IntoView {
    #[cfg(feature = "ssr")]
    {
        crate::server::security::set_page_policy();
        if let Ok(state) = crate::server::state::app_state() {
            state.health.refresh_soon();
        }
    }
    // The chosen theme is in the page as sent, so its first paint has the right colours.
    let theme = crate::state::layout::Remembered::current().theme.attr();
    view! {
        <!DOCTYPE html>
        <html lang=crate::i18n::lang() data-theme=theme>
            <head>
                <meta charset="utf-8" />
                <meta name="viewport" content="width=device-width, initial-scale=1, viewport-fit=cover" />
                <meta name="color-scheme" content="light dark" />
                <StartApp options=options.clone() />
                // In the page: a request of its own would cost more than the icon.
                <link rel="icon" type="image/svg+xml" href=FAVICON />
                <HashedStylesheet options=options.clone() id="leptos" />
                <AutoReload options />
                <MetaTags />
            </head>
            <body>
                <App />
                // After the app, so that hydration (which starts at the body's first
                // child) never meets it.
                <div class="sprite" inner_html=crate::icon::SPRITE></div>
            </body>
        </html>
    }
}

/// Loads and starts the app (in place of Leptos's `HydrationScripts`): hints for the JS,
/// the chunk loader it imports and the wasm, then the start script (`js/start.js`), all
/// ahead of the stylesheets so that nothing waits for them.
#[component]
fn StartApp(options: LeptosOptions) -> impl IntoView {
    #[cfg(feature = "ssr")]
    {
        let files = crate::server::assets::front_files(&options);
        view! {
            <link rel="modulepreload" href=files.js.clone() />
            {files.split_loader.clone().map(|href| view! { <link rel="modulepreload" href=href /> })}
            <link rel="preload" href=files.wasm.clone() r#as="fetch" r#type="application/wasm" crossorigin="anonymous" />
            <script
                nonce=use_nonce()
                data-js=files.js.clone()
                data-wasm=files.wasm.clone()
                inner_html=crate::server::assets::START_SCRIPT
            ></script>
        }
    }
    #[cfg(not(feature = "ssr"))]
    {
        let _ = options;
    }
}

/// The document around the app, as the server's router serves it.
#[cfg(feature = "ssr")]
pub fn page_shell(options: LeptosOptions) -> AnyView {
    shell(options).into_any()
}

#[component]
pub fn App() -> impl IntoView {
    provide_meta_context();
    crate::i18n::provide_messages();
    view! {
        <Title text="agno-chat" />
        <Router>
            <Page />
        </Router>
    }
}

/// The page an address names (see `routes::Page`; the server serves the same paths,
/// `routes::PATHS`). Every chat address shows the one chat page, which follows the
/// address as it changes, so moving between conversations never rebuilds the page or
/// drops a stream. The router (history, links, Back and Forward) is leptos_router's; its
/// route table is not used, as it would add about 55 KB to the first load's wasm.
#[component]
fn Page() -> impl IntoView {
    let location = use_location();
    let known = Memo::new(move |_| {
        location
            .pathname
            .with(|p| ChatRoute::parse(p, "").is_some())
    });
    move || {
        if known.get() {
            Either::Left(view! { <ChatPage /> })
        } else {
            Either::Right(view! { <NotFound /> })
        }
    }
}

/// Any other address: "not found", with that status when rendered on the server. A usage
/// page (`routes::Page`) is this same paragraph saying "Loading…": the on-demand chunk
/// draws the page in its place once the page has started (see `usage`), so its code is
/// not part of the first load.
#[component]
fn NotFound() -> impl IntoView {
    let usage = use_location()
        .pathname
        .with_untracked(|p| crate::routes::Page::of(p).is_some());
    #[cfg(feature = "ssr")]
    if let (false, Some(response)) = (usage, use_context::<leptos_axum::ResponseOptions>()) {
        response.set_status(axum::http::StatusCode::NOT_FOUND);
    }
    let id = usage.then_some(crate::routes::USAGE_ROOT_ID);
    let text = crate::i18n::t(if usage { "loading" } else { "not-found" });
    view! { <p class="not-found" id=id>{text}</p> }
}

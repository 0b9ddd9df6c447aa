//! The HTML shell and the routes.

use leptos::prelude::*;
use leptos_meta::{provide_meta_context, HashedStylesheet, MetaTags, Title};
use leptos_router::components::{ParentRoute, Route, Router, Routes};
use leptos_router::path;

use crate::components::chat_page::ChatPage;

/// The document around the app, rendered on the server.
pub fn shell(options: LeptosOptions) -> impl IntoView {
    #[cfg(feature = "ssr")]
    crate::server::security::set_page_policy();
    view! {
        <!DOCTYPE html>
        <html lang="en">
            <head>
                <meta charset="utf-8" />
                <meta name="viewport" content="width=device-width, initial-scale=1" />
                <meta name="color-scheme" content="light dark" />
                <StartApp options=options.clone() />
                <link rel="icon" type="image/svg+xml" href="/favicon.svg" />
                <HashedStylesheet options=options.clone() id="leptos" />
                <AutoReload options />
                <MetaTags />
            </head>
            <body>
                <App />
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

/// The app and its document, as the server's router serves them.
#[cfg(feature = "ssr")]
pub fn pages() -> crate::server::router::Pages {
    crate::server::router::Pages {
        app: || view! { <App /> }.into_any(),
        shell: |options| shell(options).into_any(),
    }
}

#[component]
pub fn App() -> impl IntoView {
    provide_meta_context();
    view! {
        <Title text="agno-chat" />
        <Router>
            <Routes fallback=NotFound>
                // One page around every conversation: moving from one conversation (or
                // agent) to another changes the child route only, so the page, and a
                // stream under way in it, stay. The page reads the route from the address
                // (see `routes::ChatRoute`).
                <ParentRoute path=path!("") view=ChatPage>
                    <Route path=path!("") view=|| () />
                    <Route path=path!("agents/:id") view=|| () />
                    <Route path=path!("agents/:id/c/:session") view=|| () />
                    <Route path=path!("teams/:id") view=|| () />
                    <Route path=path!("teams/:id/c/:session") view=|| () />
                </ParentRoute>
            </Routes>
        </Router>
    }
}

/// Any other address: "not found", with that status when rendered on the server.
#[component]
fn NotFound() -> impl IntoView {
    #[cfg(feature = "ssr")]
    if let Some(response) = use_context::<leptos_axum::ResponseOptions>() {
        response.set_status(axum::http::StatusCode::NOT_FOUND);
    }
    view! { <p class="not-found">"Page not found."</p> }
}

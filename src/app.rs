//! The HTML shell and the page.

use leptos::either::Either;
use leptos::prelude::*;
use leptos_meta::{provide_meta_context, HashedStylesheet, MetaTags, Title};

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
/// the chunk loader it imports and the wasm, then the start script, all ahead of the
/// stylesheets so that nothing waits for them. See `server::assets::start_script`.
#[component]
fn StartApp(options: LeptosOptions) -> impl IntoView {
    #[cfg(feature = "ssr")]
    {
        let files = crate::server::assets::front_files(&options);
        let script = crate::server::assets::start_script(files);
        view! {
            <link rel="modulepreload" href=files.js.clone() />
            {files.split_loader.clone().map(|href| view! { <link rel="modulepreload" href=href /> })}
            <link rel="preload" href=files.wasm.clone() r#as="fetch" r#type="application/wasm" crossorigin="anonymous" />
            <script nonce=use_nonce() inner_html=script></script>
        }
    }
    #[cfg(not(feature = "ssr"))]
    {
        let _ = options;
    }
}

#[component]
pub fn App() -> impl IntoView {
    provide_meta_context();
    crate::state::page_url::provide_page_url();
    view! {
        <Title text="agno-chat" />
        <Page />
    }
}

/// The app has one page, at `/`; any other path is "not found" (the server answers it
/// with 404). This replaces a `<Routes>` table of one route: the route table made the
/// router keep an asynchronous hydration path for the whole page, about 25 KB of the
/// first load's compressed wasm.
#[component]
fn Page() -> impl IntoView {
    let url = crate::state::page_url::use_page_url();
    let home = Memo::new(move |_| url.is_home());
    move || {
        if home.get() {
            Either::Left(view! { <ChatPage /> })
        } else {
            Either::Right(view! { <p class="not-found">"Page not found."</p> })
        }
    }
}

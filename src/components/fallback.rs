use leptos::prelude::*;

use crate::api::ApiError;
use crate::model::PublicConfig;
use crate::state::connection::use_connection;

/// Shown instead of the chat while AgentOS is unreachable. It re-checks in the background
/// and gives way to the chat by itself when AgentOS answers again. Its view is a lazily
/// loaded chunk: most pages never show it.
#[component]
pub fn FallbackView(
    /// Public settings, for the help links.
    config: Resource<Result<PublicConfig, ApiError>>,
    /// Why the chat is unavailable.
    #[prop(into)]
    reason: String,
) -> impl IntoView {
    view! { <Suspense fallback=|| ()>{Suspend::new(unavailable(config, reason))}</Suspense> }
}

#[leptos::lazy]
async fn unavailable(config: Resource<Result<PublicConfig, ApiError>>, reason: String) -> AnyView {
    let conn = use_connection();
    let countdown = move || {
        conn.next_check_ms
            .get()
            .map(|ms| format!("Trying again in {} s.", ms.div_ceil(1000)))
            .unwrap_or_else(|| "Trying again…".into())
    };
    view! {
        <section class="fallback" data-testid="chat-unavailable" role="alert" aria-live="assertive">
            <h2>"Chat unavailable"</h2>
            <p>"We can't reach the assistant right now. Your message is kept and the chat comes back by itself as soon as the service answers."</p>
            <p class="muted" data-testid="fallback-reason">{reason}</p>
            <p class="muted" aria-live="off">{countdown}</p>
            <button type="button" class="button" on:click=move |_| conn.retry_now()>"Retry now"</button>
            <Transition fallback=|| ()>
                {move || Suspend::new(async move {
                    let links = config.await.map(|c| c.help_links).unwrap_or_default();
                    (!links.is_empty()).then(|| view! {
                        <ul class="help-links" data-testid="help-links">
                            {links.into_iter().map(|l| view! {
                                <li><a href=l.url rel="noopener noreferrer" target="_blank">{l.label}</a></li>
                            }).collect_view()}
                        </ul>
                    })
                })}
            </Transition>
        </section>
    }
    .into_any()
}

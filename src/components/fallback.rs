use leptos::prelude::*;

use crate::api::ApiError;
use crate::model::PublicConfig;

/// Shown instead of the chat while AgentOS is unreachable. It re-checks in the background
/// and gives way to the chat by itself when AgentOS answers again. Its view is loaded on
/// demand (see `on_demand`): most pages never show it.
#[component]
pub fn FallbackView(
    /// Public settings, for the help links.
    config: Resource<Result<PublicConfig, ApiError>>,
    /// Why the chat is unavailable.
    #[prop(into)]
    reason: String,
) -> impl IntoView {
    view! {
        <Suspense fallback=|| ()>{Suspend::new(super::on_demand::unavailable(config, reason))}</Suspense>
    }
}

use leptos::either::Either;
use leptos::prelude::*;

use crate::conversation::ConversationStoreFields;

use super::composer::Composer;
use crate::api::ApiError;
use crate::codec::PageData;
use crate::conversation::{avatar_view, use_chat};
use crate::i18n::{t, t_args};
use crate::model::{avatar, AssistantRef, Catalog};

/// The conversation area for the selected agent or team.
#[component]
pub fn ChatPanel(
    /// The agents and teams from AgentOS.
    catalog: Resource<Result<Catalog, ApiError>, PageData>,
    /// The assistant named in the URL, if any.
    requested: Memo<Option<AssistantRef>>,
) -> impl IntoView {
    let list_needed = Memo::new(move |was: Option<&bool>| {
        was.copied().unwrap_or(false) || use_chat().data.turns().with(|ts| !ts.is_empty())
    });
    // Files dragged from elsewhere can be dropped anywhere on the page.
    #[cfg(feature = "hydrate")]
    crate::attachments::accept_drops(use_chat().settings.with(|s| s.uploads));
    view! {
        <section
            class="chat"
            data-testid="chat"
            aria-label=t("conversation")
            data-session-id=move || use_chat().data.session_id().get().map(String::from).unwrap_or_default()
        >
            <Transition fallback=|| ()>
                {move || {
                    // Read signals before awaiting: after the await the view may be gone.
                    let wanted = requested.get();
                    Suspend::new(async move {
                    let c = catalog.await.ok()?;
                    let s = c.resolve(wanted.as_ref())?.clone();
                    Some(view! {
                        <div class="chat-intro" data-testid="chat-intro">
                            {avatar_view(avatar(&s.name, &s.id), true)}
                            <h2>{t_args("chat-with", &[("name", s.name.into())])}</h2>
                            {s.description.map(|d| view! { <p class="muted">{d}</p> })}
                        </div>
                    })
                })}}
            </Transition>
            {move || use_chat().data.notice().get().map(|n| view! {
                <p class="notice" role="status" data-testid="chat-notice">{n}</p>
            })}
            {move || {
                use_chat().data.loading_history().get().then(|| view! {
                    <p class="muted" role="status">{t("loading-conversation")}</p>
                })
            }}
            // The list of turns is loaded with the first turn (usually ahead of it), and
            // then stays: a new chat empties it rather than unmounting it.
            {move || {
                if list_needed.get() {
                    Either::Left(view! {
                        <Suspense fallback=|| view! { <div class="messages-wrap"></div> }>
                            {Suspend::new(crate::conversation::message_list())}
                        </Suspense>
                    })
                } else {
                    Either::Right(view! { <div class="messages-wrap"></div> })
                }
            }}
            <div class="visually-hidden" aria-live="polite" data-testid="announcer">
                {move || use_chat().data.announcement().get()}
            </div>
            <Composer />
        </section>
    }
}

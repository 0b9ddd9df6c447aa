use leptos::either::Either;
use leptos::prelude::*;
use leptos_router::hooks::use_navigate;
use leptos_router::NavigateOptions;

use crate::api::ApiError;
use crate::codec::PageData;
use crate::model::{AssistantId, AssistantKind, AssistantRef, Catalog};
use crate::routes::ChatRoute;

/// A select listing AgentOS's agents and teams. Choosing one goes to its address
/// (`/agents/ID` or `/teams/ID`), so every choice is a deep link.
#[component]
pub fn AssistantPicker(
    /// The agents and teams from AgentOS.
    catalog: Resource<Result<Catalog, ApiError>, PageData>,
    /// The assistant named in the URL, if any.
    requested: Memo<Option<AssistantRef>>,
) -> impl IntoView {
    let navigate = use_navigate();
    let on_change = move |ev: leptos::ev::Event| {
        let value = event_target_value(&ev);
        let picked = value
            .split_once(':')
            .and_then(|(kind, id)| Some((kind, AssistantId::new(id).ok()?)));
        if let Some((kind, id)) = picked {
            let kind = if kind == "team" {
                AssistantKind::Team
            } else {
                AssistantKind::Agent
            };
            let href = ChatRoute::new(Some(AssistantRef::new(kind, id)), None).href();
            navigate(&href, NavigateOptions::default());
        }
    };
    view! {
        <Transition fallback=|| view! { <span class="picker-loading">{crate::i18n::t("loading-agents")}</span> }>
            {move || {
                // Read signals before awaiting: after the await the view may be gone.
                let wanted = requested.get();
                let on_change = on_change.clone();
                Suspend::new(async move {
                match catalog.await {
                    Ok(c) => {
                        let selected = c.resolve(wanted.as_ref()).map(|s| option_value(s.kind, &s.id));
                        let options = |list: &Vec<crate::model::AssistantSummary>| {
                            list.iter()
                                .map(|s| {
                                    let value = option_value(s.kind, &s.id);
                                    let is_selected = selected.as_deref() == Some(value.as_str());
                                    view! {
                                        <option value=value selected=is_selected title=s.description.clone().unwrap_or_default()>
                                            {s.name.clone()}
                                        </option>
                                    }
                                })
                                .collect_view()
                        };
                        let agents = options(&c.agents);
                        let teams = options(&c.teams);
                        Either::Left(view! {
                            <label class="picker">
                                <span class="visually-hidden">{crate::i18n::t("agent-or-team")}</span>
                                <select data-testid="assistant-picker" on:change=on_change>
                                    <optgroup label=crate::i18n::t("agents")>{agents}</optgroup>
                                    <optgroup label=crate::i18n::t("teams")>{teams}</optgroup>
                                </select>
                            </label>
                        })
                    }
                    Err(e) => Either::Right(view! { <span class="picker-error" role="status">{e.to_string()}</span> }),
                }
            })}}
        </Transition>
    }
}

fn option_value(kind: AssistantKind, id: &str) -> String {
    format!("{}:{}", kind.query_key(), id)
}

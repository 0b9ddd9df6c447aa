use leptos::either::Either;
use leptos::prelude::*;

use crate::api::ApiError;
use crate::model::{Catalog, ComponentKind, ComponentRef};

/// A select listing AgentOS's agents and teams. Choosing one changes the URL
/// (`?agent=ID` or `?team=ID`), so every choice is a deep link.
#[component]
pub fn ComponentPicker(
    /// The agents and teams from AgentOS.
    catalog: Resource<Result<Catalog, ApiError>>,
    /// The component named in the URL, if any.
    requested: Memo<Option<ComponentRef>>,
) -> impl IntoView {
    let url = crate::state::page_url::use_page_url();
    let on_change = move |ev: leptos::ev::Event| {
        let value = event_target_value(&ev);
        if let Some((kind, id)) = value.split_once(':') {
            let kind = if kind == "team" {
                ComponentKind::Team
            } else {
                ComponentKind::Agent
            };
            let href = format!("/?{}={}", kind.query_key(), urlencode(id));
            url.go(&href);
        }
    };
    view! {
        <Transition fallback=|| view! { <span class="picker-loading">"Loading agents…"</span> }>
            {move || {
                // Read signals before awaiting: after the await the view may be gone.
                let wanted = requested.get();
                Suspend::new(async move {
                match catalog.await {
                    Ok(c) => {
                        let selected = c.resolve(wanted.as_ref()).map(|s| option_value(s.kind, &s.id));
                        let options = |list: &Vec<crate::model::ComponentSummary>| {
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
                                <span class="visually-hidden">"Agent or team"</span>
                                <select data-testid="component-picker" on:change=on_change>
                                    <optgroup label="Agents">{agents}</optgroup>
                                    <optgroup label="Teams">{teams}</optgroup>
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

fn option_value(kind: ComponentKind, id: &str) -> String {
    format!("{}:{}", kind.query_key(), id)
}

/// Percent-encodes a query value (ids are usually plain, but never trust them).
fn urlencode(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                out.push(b as char)
            }
            _ => out.push_str(&format!("%{b:02X}")),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    #[test]
    fn urlencode_escapes_reserved_characters() {
        assert_eq!(super::urlencode("echo-agent"), "echo-agent");
        assert_eq!(super::urlencode("a b&c=d/é"), "a%20b%26c%3Dd%2F%C3%A9");
    }
}

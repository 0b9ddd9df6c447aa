//! Draws validated generative-UI specs: accessible SVG charts, sortable paginated tables,
//! card grids, safe markdown, artifacts (nested specs; `layout: "artifact"` opens in a side
//! panel) and registered custom components. An invalid spec is a small error box.

use leptos::prelude::*;
use serde_json::Value;

use super::chart::{next_id, ChartView};
use super::table::TableView;
use crate::genui::{self, Kind, Layout, Spec};
use crate::i18n::{t, t_args};
use crate::icon::inline::{self, InlineIcon};

/// A spec as found in a tool result. The renderer is loaded on first use: with
/// `cargo leptos build --split` it lives in its own wasm chunk, fetched when the first spec
/// appears, so the chat's first load does not carry it.
#[component]
pub fn GenUi(spec: Value) -> impl IntoView {
    view! {
        <Suspense fallback=|| view! { <p class="genui-loading">{t("drawing")}</p> }>
            {Suspend::new({
                let spec = spec.clone();
                async move { render(spec).await }
            })}
        </Suspense>
    }
}

#[leptos::lazy]
fn render(spec: Value) -> AnyView {
    match genui::parse(&spec) {
        Err(why) => error_box(why).into_any(),
        Ok(s) if s.layout == Layout::Artifact => view! { <ArtifactPanel spec=s /> }.into_any(),
        Ok(s) => view! { <SpecView spec=s /> }.into_any(),
    }
}

fn error_box(why: String) -> impl IntoView {
    view! {
        <div class="genui-error" role="note" data-testid="genui-error">
            {t_args("not-shown", &[("reason", why.into())])}
        </div>
    }
}

#[component]
fn ArtifactPanel(spec: Spec) -> impl IntoView {
    let open = RwSignal::new(true);
    let title = spec.title.clone().unwrap_or_else(|| t("artifact"));
    let title2 = title.clone();
    view! {
        <button type="button" class="link-button genui-open" data-testid="genui-open-artifact" on:click=move |_| open.set(true)>
            {t_args("open-artifact", &[("title", title.into())])}
        </button>
        <Show when=move || open.get()>
            <aside class="genui-artifact-panel" data-testid="genui-artifact-panel" role="complementary" aria-label=title2.clone()>
                <button type="button" class="icon-button genui-close" data-testid="genui-close-artifact" aria-label=t("close-panel") title=t("close") on:click=move |_| open.set(false)>
                    <InlineIcon paths=inline::X />
                </button>
                <SpecView spec=spec.clone() />
            </aside>
        </Show>
    }
    .into_any()
}

#[component]
fn SpecView(spec: Spec) -> impl IntoView {
    let kind_name = match &spec.kind {
        Kind::Chart(_) => "chart",
        Kind::Table(_) => "table",
        Kind::Cards(_) => "card-grid",
        Kind::Markdown(_) => "markdown",
        Kind::Artifact(_) => "artifact",
        Kind::Custom { .. } => "custom",
    };
    let title_id = format!("genui-{}", next_id());
    let body = match spec.kind {
        Kind::Chart(c) => {
            view! { <ChartView chart=c title=spec.title.clone().unwrap_or_default() /> }.into_any()
        }
        Kind::Table(t) => view! { <TableView table=t /> }.into_any(),
        Kind::Cards(c) => {
            // Set through the CSSOM (style:), which the page's CSP allows; style attributes are not.
            let grid = format!("repeat({}, minmax(0, 1fr))", c.columns);
            c.cards
                .into_iter()
                .map(|card| {
                    view! {
                        <article class="genui-card" data-testid="genui-card">
                            {card.image.map(|src| view! { <img src=src alt="" loading="lazy" referrerpolicy="no-referrer" /> })}
                            <h4>{card.title}</h4>
                            {card.description.map(|d| view! { <p>{d}</p> })}
                            {(!card.metadata.is_empty()).then(|| view! {
                                <dl>{card.metadata.into_iter().map(|(k, v)| view! { <dt>{k}</dt><dd>{v}</dd> }).collect_view()}</dl>
                            })}
                            {(!card.actions.is_empty()).then(|| view! {
                                <div class="genui-card-actions">{card.actions.into_iter().map(|a| view! { <span class="genui-chip">{a}</span> }).collect_view()}</div>
                            })}
                        </article>
                    }
                })
                .collect_view()
                .into_any()
                .pipe(|cards| view! { <div class="genui-cards" style:grid-template-columns=grid>{cards}</div> }.into_any())
        }
        Kind::Markdown(md) => {
            let html = crate::chat::markdown::to_safe_html(&md);
            view! { <div class="markdown" inner_html=html></div> }.into_any()
        }
        Kind::Artifact(parts) => parts
            .into_iter()
            .map(|p| match p {
                Ok(s) => view! { <SpecView spec=s /> }.into_any(),
                Err(why) => error_box(why).into_any(),
            })
            .collect_view()
            .into_any(),
        Kind::Custom { render_key, props } => custom(&render_key, &props),
    };
    view! {
        <section class="genui" data-testid="genui" data-kind=kind_name aria-labelledby=title_id.clone()>
            {spec.title.map(|t| view! { <h3 class="genui-title" id=title_id.clone()>{t}</h3> })}
            {spec.description.map(|d| view! { <p class="genui-description">{d}</p> })}
            {body}
        </section>
    }
    .into_any()
}

trait Pipe: Sized {
    fn pipe<R>(self, f: impl FnOnce(Self) -> R) -> R {
        f(self)
    }
}
impl<T> Pipe for T {}

/// Components an app registers for `type: "custom"` specs, by `renderKey`.
fn custom(render_key: &str, props: &Value) -> AnyView {
    match render_key {
        // A single figure with a label: {"label": "...", "value": ..., "unit"?: "..."}.
        "metric" => {
            let label = props
                .get("label")
                .and_then(Value::as_str)
                .unwrap_or("")
                .to_owned();
            let value = match props.get("value") {
                Some(Value::String(s)) => s.clone(),
                Some(v) if !v.is_null() => v.to_string(),
                _ => return error_box("the metric has no value".into()).into_any(),
            };
            let unit = props
                .get("unit")
                .and_then(Value::as_str)
                .unwrap_or("")
                .to_owned();
            view! {
                <div class="genui-metric" data-testid="genui-metric">
                    <span class="genui-metric-value">{value}" "{unit}</span>
                    <span class="genui-metric-label">{label}</span>
                </div>
            }
            .into_any()
        }
        other => error_box(format!(
            "no component is registered as {}",
            crate::codec::quoted(other)
        ))
        .into_any(),
    }
}

//! Draws validated generative-UI specs: accessible SVG charts, sortable paginated tables,
//! card grids, safe markdown, artifacts (nested specs; `layout: "artifact"` opens in a side
//! panel) and registered custom components. An invalid spec is a small error box.

use leptos::prelude::*;
use serde_json::{Map, Value};

use crate::genui::{
    self, format_number, sort_rows, CellType, Chart, ChartKind, Column, Kind, Layout, NumberFormat,
    Spec, Table,
};

const PALETTE: [&str; 8] = [
    "#4f46e5", "#f59e0b", "#10b981", "#ef4444", "#06b6d4", "#8b5cf6", "#84cc16", "#ec4899",
];

/// A spec as found in a tool result. The renderer is loaded on first use: with
/// `cargo leptos build --split` it lives in its own wasm chunk, fetched when the first spec
/// appears, so the chat's first load does not carry it.
#[component]
pub fn GenUi(spec: Value) -> impl IntoView {
    view! {
        <Suspense fallback=|| view! { <p class="genui-loading">"Drawing…"</p> }>
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
            "This part of the answer could not be shown: " {why}
        </div>
    }
}

#[component]
fn ArtifactPanel(spec: Spec) -> impl IntoView {
    let open = RwSignal::new(true);
    let title = spec.title.clone().unwrap_or_else(|| "Artifact".into());
    let title2 = title.clone();
    view! {
        <button type="button" class="link-button genui-open" data-testid="genui-open-artifact" on:click=move |_| open.set(true)>
            {format!("Open “{title}”")}
        </button>
        <Show when=move || open.get()>
            <aside class="genui-artifact-panel" data-testid="genui-artifact-panel" role="complementary" aria-label=title2.clone()>
                <button type="button" class="link-button genui-close" data-testid="genui-close-artifact" aria-label="Close the panel" on:click=move |_| open.set(false)>"✕"</button>
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

fn next_id() -> u64 {
    use std::sync::atomic::{AtomicU64, Ordering};
    static N: AtomicU64 = AtomicU64::new(1);
    N.fetch_add(1, Ordering::Relaxed)
}

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
        other => error_box(format!("no component is registered as {other:?}")).into_any(),
    }
}

#[component]
fn ChartView(chart: Chart, title: String) -> impl IntoView {
    const W: f64 = 640.0;
    const H: f64 = 320.0;
    const LEFT: f64 = 56.0;
    const BOTTOM: f64 = 40.0;
    const TOP: f64 = 16.0;
    let colors: Vec<String> = chart
        .series
        .iter()
        .enumerate()
        .map(|(i, s)| {
            s.color
                .clone()
                .unwrap_or_else(|| PALETTE[i % PALETTE.len()].to_owned())
        })
        .collect();
    let desc = format!(
        "{} chart of {} by {}.",
        match chart.kind {
            ChartKind::Bar => "Bar",
            ChartKind::Line => "Line",
            ChartKind::Area => "Area",
            ChartKind::Pie => "Pie",
            ChartKind::Scatter => "Scatter",
        },
        chart
            .series
            .iter()
            .map(|s| s.label.clone())
            .collect::<Vec<_>>()
            .join(", "),
        chart.x_key
    );
    let legend = (chart.show_legend).then(|| {
        chart
            .series
            .iter()
            .zip(&colors)
            .map(|(s, c)| {
                view! { <li><span class="genui-swatch" style:background-color=c.clone()></span>{s.label.clone()}</li> }
            })
            .collect_view()
    });
    let marks = if chart.kind == ChartKind::Pie {
        let total: f64 = chart
            .rows
            .iter()
            .filter_map(|(_, v)| v[0])
            .filter(|v| *v > 0.0)
            .sum();
        let (cx, cy, r) = (W / 2.0, H / 2.0, H / 2.0 - 20.0);
        let mut angle = -std::f64::consts::FRAC_PI_2;
        chart
            .rows
            .iter()
            .enumerate()
            .filter_map(|(i, (name, v))| {
                let v = v[0].filter(|v| *v > 0.0)?;
                let sweep = v / total * std::f64::consts::TAU;
                let (a0, a1) = (angle, angle + sweep);
                angle = a1;
                let (x0, y0) = (cx + r * a0.cos(), cy + r * a0.sin());
                let (x1, y1) = (cx + r * a1.cos(), cy + r * a1.sin());
                let large = if sweep > std::f64::consts::PI { 1 } else { 0 };
                let d = if (sweep - std::f64::consts::TAU).abs() < 1e-9 {
                    format!("M {cx} {} a {r} {r} 0 1 0 0.01 0 Z", cy - r)
                } else {
                    format!("M {cx} {cy} L {x0:.2} {y0:.2} A {r} {r} 0 {large} 1 {x1:.2} {y1:.2} Z")
                };
                let label = format!("{name}: {} ({:.0}%)", fmt(v), v / total * 100.0);
                let color = PALETTE[i % PALETTE.len()];
                let aria = label.clone();
                Some(view! {
                    <path d=d fill=color tabindex="0" role="img" aria-label=aria class="genui-mark" data-testid="genui-mark">
                        <title>{label}</title>
                    </path>
                })
            })
            .collect_view()
            .into_any()
    } else {
        let max = chart
            .rows
            .iter()
            .flat_map(|(_, vs)| vs.iter().flatten().copied())
            .fold(0.0f64, f64::max);
        let min = chart
            .rows
            .iter()
            .flat_map(|(_, vs)| vs.iter().flatten().copied())
            .fold(0.0f64, f64::min);
        let span = if max - min == 0.0 { 1.0 } else { max - min };
        let plot_w = W - LEFT - 8.0;
        let plot_h = H - TOP - BOTTOM;
        let y = move |v: f64| TOP + plot_h - (v - min) / span * plot_h;
        let n = chart.rows.len() as f64;
        let band = plot_w / n;
        let grid = (0..=4)
            .map(|i| {
                let v = min + span * i as f64 / 4.0;
                let yy = y(v);
                view! {
                    <g class="genui-grid">
                        {chart.show_grid.then(|| view! { <line x1=LEFT x2=W - 8.0 y1=yy y2=yy /> })}
                        <text x=LEFT - 6.0 y=yy + 4.0 text-anchor="end">{fmt(v)}</text>
                    </g>
                }
            })
            .collect_view();
        let xlabels = chart
            .rows
            .iter()
            .enumerate()
            .map(|(i, (name, _))| {
                view! { <text class="genui-xlabel" x=LEFT + band * (i as f64 + 0.5) y=H - BOTTOM + 16.0 text-anchor="middle">{name.clone()}</text> }
            })
            .collect_view();
        let series_n = chart.series.len() as f64;
        let marks = chart
            .series
            .iter()
            .enumerate()
            .map(|(si, s)| {
                let color = colors[si].clone();
                let points: Vec<(f64, f64, String)> = chart
                    .rows
                    .iter()
                    .enumerate()
                    .filter_map(|(i, (name, vs))| {
                        vs[si].map(|v| {
                            (LEFT + band * (i as f64 + 0.5), v, format!("{name}, {}: {}", s.label, fmt(v)))
                        })
                    })
                    .collect();
                match chart.kind {
                    ChartKind::Bar => {
                        let bw = band * 0.8 / series_n;
                        points
                            .into_iter()
                            .map(|(cx, v, label)| {
                                let x = cx - band * 0.4 + bw * si as f64;
                                let (top, bottom) = (y(v.max(0.0)), y(v.min(0.0)));
                                let aria = label.clone();
                                view! {
                                    <rect x=x y=top width=bw * 0.92 height=(bottom - top).max(1.0) fill=color.clone()
                                        tabindex="0" role="img" aria-label=aria class="genui-mark" data-testid="genui-mark">
                                        <title>{label}</title>
                                    </rect>
                                }
                            })
                            .collect_view()
                            .into_any()
                    }
                    _ => {
                        let path: String = points
                            .iter()
                            .enumerate()
                            .map(|(i, (x, v, _))| format!("{}{x:.1},{:.1}", if i == 0 { "M" } else { " L" }, y(*v)))
                            .collect();
                        let area = (chart.kind == ChartKind::Area && !points.is_empty()).then(|| {
                            let (first, last) = (points[0].0, points[points.len() - 1].0);
                            let base = y(0.0f64.max(min));
                            view! { <path d=format!("{path} L{last:.1},{base:.1} L{first:.1},{base:.1} Z") fill=color.clone() fill-opacity="0.2" stroke="none" /> }
                        });
                        let line = (chart.kind != ChartKind::Scatter)
                            .then(|| view! { <path d=path fill="none" stroke=color.clone() stroke-width="2" /> });
                        let dots = points
                            .into_iter()
                            .map(|(x, v, label)| {
                                let aria = label.clone();
                                view! {
                                    <circle cx=x cy=y(v) r="4" fill=color.clone() tabindex="0" role="img" aria-label=aria class="genui-mark" data-testid="genui-mark">
                                        <title>{label}</title>
                                    </circle>
                                }
                            })
                            .collect_view();
                        view! { {area} {line} {dots} }.into_any()
                    }
                }
            })
            .collect_view();
        view! {
            {grid}
            <line class="genui-axis" x1=LEFT x2=W - 8.0 y1=y(0.0f64.max(min)) y2=y(0.0f64.max(min)) />
            {xlabels}
            <text class="genui-axis-label" x=LEFT + plot_w / 2.0 y=H - 4.0 text-anchor="middle">{chart.x_key.clone()}</text>
            {marks}
        }
        .into_any()
    };
    let tid = format!("genui-chart-{}", next_id());
    let did = format!("{tid}-desc");
    let labelled = format!("{tid} {did}");
    view! {
        <figure class="genui-chart" data-testid="genui-chart">
            <svg viewBox=format!("0 0 {W} {H}") role="group" aria-labelledby=labelled preserveAspectRatio="xMidYMid meet">
                <title id=tid.clone()>{if title.is_empty() { "Chart".to_owned() } else { title }}</title>
                <desc id=did>{desc}</desc>
                {marks}
            </svg>
            {legend.map(|l| view! { <ul class="genui-legend" data-testid="genui-legend">{l}</ul> })}
        </figure>
    }
    .into_any()
}

fn fmt(v: f64) -> String {
    format_number(v, NumberFormat::Plain, None)
}

#[component]
fn TableView(table: Table) -> impl IntoView {
    let Table {
        columns,
        rows,
        page_size,
        compact,
    } = table;
    let rows = RwSignal::new(rows);
    let sort: RwSignal<Option<(String, bool)>> = RwSignal::new(None);
    let page = RwSignal::new(0usize);
    let total = rows.with_untracked(Vec::len);
    let pages = total.div_ceil(page_size).max(1);
    let columns = StoredValue::new(columns);
    let header = columns
        .get_value()
        .into_iter()
        .map(|c| {
            let key = c.key.clone();
            let key2 = c.key.clone();
            let aria_sort = move || match sort.get() {
                Some((k, true)) if k == key2 => "ascending",
                Some((k, false)) if k == key2 => "descending",
                _ => "none",
            };
            if c.sortable {
                view! {
                    <th scope="col" aria-sort=aria_sort>
                        <button type="button" class="genui-sort" data-testid=format!("genui-sort-{}", c.key) on:click=move |_| {
                            let asc = !matches!(sort.get_untracked(), Some((ref k, true)) if *k == key);
                            rows.update(|r| sort_rows(r, &key, asc));
                            sort.set(Some((key.clone(), asc)));
                            page.set(0);
                        }>{c.header.clone()}</button>
                    </th>
                }
                .into_any()
            } else {
                view! { <th scope="col">{c.header.clone()}</th> }.into_any()
            }
        })
        .collect_view();
    let body = move || {
        let start = page.get() * page_size;
        rows.with(|rs| {
            rs.iter()
                .skip(start)
                .take(page_size)
                .map(|r| {
                    let cells = columns
                        .get_value()
                        .iter()
                        .map(|c| view! { <td class=format!("cell-{:?}", c.cell).to_lowercase()>{cell(c, r)}</td> })
                        .collect_view();
                    view! { <tr data-testid="genui-row">{cells}</tr> }
                })
                .collect_view()
        })
    };
    view! {
        <div class=if compact { "genui-table compact" } else { "genui-table" } data-testid="genui-table">
            <table>
                <thead><tr>{header}</tr></thead>
                <tbody>{body}</tbody>
            </table>
            {(pages > 1).then(|| view! {
                <nav class="genui-pages" aria-label="Table pages">
                    <button type="button" class="link-button" data-testid="genui-prev" prop:disabled=move || page.get() == 0 on:click=move |_| page.update(|p| *p = p.saturating_sub(1))>"Previous"</button>
                    <span data-testid="genui-page">{move || format!("Page {} of {pages}", page.get() + 1)}</span>
                    <button type="button" class="link-button" data-testid="genui-next" prop:disabled=move || page.get() + 1 >= pages on:click=move |_| page.update(|p| *p = (*p + 1).min(pages - 1))>"Next"</button>
                </nav>
            })}
        </div>
    }
    .into_any()
}

fn cell(c: &Column, row: &Map<String, Value>) -> AnyView {
    let v = row.get(&c.key).cloned().unwrap_or(Value::Null);
    let as_text = match &v {
        Value::String(s) => s.clone(),
        Value::Null => String::new(),
        other => other.to_string(),
    };
    match c.cell {
        CellType::Number => {
            let n = match &v {
                Value::Number(n) => n.as_f64(),
                Value::String(s) => s.parse().ok(),
                _ => None,
            };
            n.map(|n| localized(n, c)).unwrap_or(as_text).into_any()
        }
        CellType::Badge => view! { <span class="genui-chip">{as_text}</span> }.into_any(),
        CellType::Link => match genui::safe_url(&as_text) {
            Some(href) => view! { <a href=href target="_blank" rel="noopener noreferrer nofollow">{as_text}</a> }.into_any(),
            None => as_text.into_any(),
        },
        CellType::Date => localized_date(&as_text, c.locale.as_deref()).into_any(),
        CellType::Text => as_text.into_any(),
    }
}

/// A date (ISO 8601 or anything `Date` reads) in the column's locale, as the browser writes
/// dates; text that is not a date stays as it is.
fn localized_date(raw: &str, locale: Option<&str>) -> String {
    #[cfg(feature = "hydrate")]
    {
        let d = js_sys::Date::new(&wasm_bindgen::JsValue::from_str(raw));
        if !raw.trim().is_empty() && !d.get_time().is_nan() {
            let locales = js_sys::Array::new();
            if let Some(l) = locale {
                locales.push(&l.into());
            }
            // Date-only values are midnight UTC: show them in UTC so the day does not shift.
            let opts = js_sys::Object::new();
            if raw.trim().len() == 10 {
                let _ = js_sys::Reflect::set(&opts, &"timeZone".into(), &"UTC".into());
            }
            let f = js_sys::Intl::DateTimeFormat::new(&locales, &opts).format();
            if let Some(s) = f
                .call1(&wasm_bindgen::JsValue::NULL, &d)
                .ok()
                .and_then(|v| v.as_string())
            {
                return s;
            }
        }
    }
    let _ = locale;
    raw.to_owned()
}

/// A number in the column's format and locale (the browser's `Intl`), or by hand.
fn localized(n: f64, c: &Column) -> String {
    #[cfg(feature = "hydrate")]
    {
        use js_sys::{Array, Intl, Object, Reflect};
        let opts = Object::new();
        let style = match c.format {
            NumberFormat::Percent => Some("percent"),
            NumberFormat::Currency => Some("currency"),
            NumberFormat::Decimal => Some("decimal"),
            NumberFormat::Plain => None,
        };
        if let Some(s) = style {
            let _ = Reflect::set(&opts, &"style".into(), &s.into());
        }
        if c.format == NumberFormat::Currency {
            let cur = c.currency.clone().unwrap_or_else(|| "USD".into());
            let _ = Reflect::set(&opts, &"currency".into(), &cur.into());
        }
        if c.format == NumberFormat::Percent {
            let _ = Reflect::set(&opts, &"maximumFractionDigits".into(), &1.into());
        }
        let locales = Array::new();
        if let Some(l) = &c.locale {
            locales.push(&l.into());
        }
        let f = Intl::NumberFormat::new(&locales, &opts).format();
        if let Some(s) = f
            .call1(&wasm_bindgen::JsValue::NULL, &n.into())
            .ok()
            .and_then(|v| v.as_string())
        {
            return s;
        }
    }
    format_number(n, c.format, c.currency.as_deref())
}

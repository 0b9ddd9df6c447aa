//! Charts of a generative-UI spec, drawn as SVG (bar, line, area, pie, scatter): every
//! mark can be focused and is labelled with its series and value.

use leptos::prelude::*;

use crate::genui::{format_number, Chart, ChartKind, NumberFormat};

const PALETTE: [&str; 8] = [
    "#4f46e5", "#f59e0b", "#10b981", "#ef4444", "#06b6d4", "#8b5cf6", "#84cc16", "#ec4899",
];

#[component]
pub(super) fn ChartView(chart: Chart, title: String) -> impl IntoView {
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
    let kind = match chart.kind {
        ChartKind::Bar => "bar",
        ChartKind::Line => "line",
        ChartKind::Area => "area",
        ChartKind::Pie => "pie",
        ChartKind::Scatter => "scatter",
    };
    let series = chart
        .series
        .iter()
        .map(|s| s.label.clone())
        .collect::<Vec<_>>()
        .join(", ");
    let desc = crate::i18n::t_args(
        "chart-description",
        &[
            ("kind", kind.into()),
            ("series", series.into()),
            ("axis", (&chart.x_key).into()),
        ],
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
                <title id=tid.clone()>{if title.is_empty() { crate::i18n::t("chart") } else { title }}</title>
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

/// A number for element ids unique in the page (labels and titles point at them).
pub(super) fn next_id() -> u64 {
    use std::sync::atomic::{AtomicU64, Ordering};
    static N: AtomicU64 = AtomicU64::new(1);
    N.fetch_add(1, Ordering::Relaxed)
}

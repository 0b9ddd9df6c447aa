//! Tables of a generative-UI spec: sortable, paginated, cells typed and localized.

use leptos::prelude::*;
use serde_json::{Map, Value};

use crate::genui::{self, format_number, sort_rows, CellType, Column, Table};

#[cfg(feature = "hydrate")]
#[wasm_bindgen::prelude::wasm_bindgen]
extern "C" {
    /// `Intl.getCanonicalLocales`, with its exception caught: the spec's locale was
    /// checked already, this keeps a tag the check let through from throwing in a view.
    #[wasm_bindgen(catch, js_namespace = Intl, js_name = getCanonicalLocales)]
    fn canonical_locales(tag: &str) -> Result<wasm_bindgen::JsValue, wasm_bindgen::JsValue>;
}

/// The locales to format with: the column's, if the browser accepts it, else its own.
#[cfg(feature = "hydrate")]
fn locales_for(locale: Option<&str>) -> js_sys::Array {
    let locales = js_sys::Array::new();
    if let Some(l) = locale.filter(|l| canonical_locales(l).is_ok()) {
        locales.push(&l.into());
    }
    locales
}

#[component]
pub(super) fn TableView(table: Table) -> impl IntoView {
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
                        .map(|c| view! { <td class=format!("cell-{}", c.cell.name())>{cell(c, r)}</td> })
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
                <nav class="genui-pages" aria-label=crate::i18n::t("table-pages")>
                    <button type="button" class="link-button" data-testid="genui-prev" prop:disabled=move || page.get() == 0 on:click=move |_| page.update(|p| *p = p.saturating_sub(1))>{crate::i18n::t("previous")}</button>
                    <span data-testid="genui-page">{move || crate::i18n::t_args("page-of", &[("page", (page.get() + 1).into()), ("pages", pages.into())])}</span>
                    <button type="button" class="link-button" data-testid="genui-next" prop:disabled=move || page.get() + 1 >= pages on:click=move |_| page.update(|p| *p = (*p + 1).min(pages - 1))>{crate::i18n::t("next")}</button>
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
            let locales = locales_for(locale);
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
        use crate::genui::NumberFormat;
        use js_sys::{Intl, Object, Reflect};
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
        let locales = locales_for(c.locale.as_deref());
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

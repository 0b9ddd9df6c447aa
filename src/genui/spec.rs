//! Generative UI specs (see the project's GENUI reference; field names are those of the
//! agno-client family, so their specs render here too), parsed into Rust types and
//! validated. A spec that fails validation becomes an error with a reason, shown as a small
//! box, never a broken page. URLs are limited to http(s).

use serde_json::{Map, Value};

/// Where a spec is drawn.
#[derive(Clone, Debug, PartialEq)]
pub enum Layout {
    Inline,
    /// In the side panel.
    Artifact,
}

/// One validated spec.
#[derive(Clone, Debug, PartialEq)]
pub struct Spec {
    pub layout: Layout,
    pub title: Option<String>,
    pub description: Option<String>,
    pub kind: Kind,
}

#[derive(Clone, Debug, PartialEq)]
pub enum Kind {
    Chart(Chart),
    Table(Table),
    Cards(Cards),
    Markdown(String),
    Artifact(Vec<Result<Spec, String>>),
    Custom { render_key: String, props: Value },
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ChartKind {
    Bar,
    Line,
    Area,
    Pie,
    Scatter,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Series {
    pub key: String,
    pub label: String,
    pub color: Option<String>,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Chart {
    pub kind: ChartKind,
    pub x_key: String,
    pub series: Vec<Series>,
    /// Rows: the x label and one number per series (`None` when missing).
    pub rows: Vec<(String, Vec<Option<f64>>)>,
    pub show_legend: bool,
    pub show_grid: bool,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CellType {
    Text,
    Number,
    Date,
    Badge,
    Link,
}

impl CellType {
    /// Its name in the cell's CSS class.
    pub fn name(self) -> &'static str {
        match self {
            CellType::Text => "text",
            CellType::Number => "number",
            CellType::Date => "date",
            CellType::Badge => "badge",
            CellType::Link => "link",
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum NumberFormat {
    Plain,
    Decimal,
    Percent,
    Currency,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Column {
    pub key: String,
    pub header: String,
    pub sortable: bool,
    pub cell: CellType,
    pub format: NumberFormat,
    pub currency: Option<String>,
    pub locale: Option<String>,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Table {
    pub columns: Vec<Column>,
    pub rows: Vec<Map<String, Value>>,
    pub page_size: usize,
    pub compact: bool,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Card {
    pub title: String,
    pub description: Option<String>,
    pub image: Option<String>,
    pub metadata: Vec<(String, String)>,
    pub actions: Vec<String>,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Cards {
    pub cards: Vec<Card>,
    pub columns: u8,
}

/// Limits that keep a spec from swamping the page.
const MAX_ROWS: usize = 5_000;
const MAX_SERIES: usize = 12;
const MAX_CARDS: usize = 200;
const MAX_DEPTH: usize = 4;

/// Finds a spec in a tool result: `{"data": .., "ui": <spec>}` or a bare spec, given as JSON
/// or as JSON text. `None` when the result carries no spec.
pub fn spec_in_result(result: &str) -> Option<Value> {
    let v: Value = crate::codec::from_text(result.trim()).ok()?;
    let candidate = match v.get("ui") {
        Some(ui) if ui.is_object() => ui.clone(),
        _ => v,
    };
    candidate
        .get("type")
        .and_then(Value::as_str)
        .is_some()
        .then_some(candidate)
}

/// Validates a spec.
pub fn parse(v: &Value) -> Result<Spec, String> {
    parse_at(v, 0)
}

fn text(v: &Value, key: &str) -> Option<String> {
    v.get(key)
        .and_then(Value::as_str)
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(|s| s.chars().take(500).collect())
}

/// An http(s) URL, or `None`.
pub fn safe_url(raw: &str) -> Option<String> {
    let t = raw.trim();
    let lower = t.to_ascii_lowercase();
    let ok = (lower.starts_with("https://") || lower.starts_with("http://"))
        && !t
            .chars()
            .any(|c| c.is_control() || c.is_whitespace() || c == '"' || c == '<' || c == '>');
    ok.then(|| t.to_owned())
}

fn parse_at(v: &Value, depth: usize) -> Result<Spec, String> {
    if depth > MAX_DEPTH {
        return Err("artifacts are nested too deeply".into());
    }
    let obj = v.as_object().ok_or("a spec must be a JSON object")?;
    let ty = obj
        .get("type")
        .and_then(Value::as_str)
        .ok_or("the spec has no \"type\"")?;
    let layout = match obj.get("layout").and_then(Value::as_str) {
        None | Some("inline") => Layout::Inline,
        Some("artifact") => Layout::Artifact,
        Some(other) => return Err(format!("unknown layout {}", crate::codec::quoted(other))),
    };
    let props = obj.get("props").cloned().unwrap_or(Value::Null);
    let kind = match ty {
        "chart" => Kind::Chart(chart(obj, &props)?),
        "table" => Kind::Table(table(&props)?),
        "card-grid" => Kind::Cards(cards(&props)?),
        "markdown" => Kind::Markdown(
            props
                .get("content")
                .and_then(Value::as_str)
                .ok_or("a markdown spec needs props.content")?
                .chars()
                .take(100_000)
                .collect(),
        ),
        "artifact" => {
            let parts = props
                .get("content")
                .and_then(Value::as_array)
                .ok_or("an artifact needs props.content, a list of specs")?;
            if parts.is_empty() || parts.len() > 20 {
                return Err("an artifact holds 1 to 20 specs".into());
            }
            Kind::Artifact(parts.iter().map(|p| parse_at(p, depth + 1)).collect())
        }
        "custom" => Kind::Custom {
            render_key: obj
                .get("renderKey")
                .and_then(Value::as_str)
                .ok_or("a custom spec needs a renderKey")?
                .to_owned(),
            props,
        },
        other => return Err(format!("unknown spec type {}", crate::codec::quoted(other))),
    };
    Ok(Spec {
        layout,
        title: text(v, "title"),
        description: text(v, "description"),
        kind,
    })
}

fn rows_of(props: &Value) -> Result<Vec<Map<String, Value>>, String> {
    let data = props
        .get("data")
        .and_then(Value::as_array)
        .ok_or("props.data must be a list of rows")?;
    if data.len() > MAX_ROWS {
        return Err(format!("too many rows ({} > {MAX_ROWS})", data.len()));
    }
    data.iter()
        .map(|r| {
            r.as_object()
                .cloned()
                .ok_or_else(|| "every row must be an object".to_owned())
        })
        .collect()
}

fn number(v: Option<&Value>) -> Option<f64> {
    match v? {
        Value::Number(n) => n.as_f64().filter(|f| f.is_finite()),
        Value::String(s) => s.trim().parse::<f64>().ok().filter(|f| f.is_finite()),
        _ => None,
    }
}

fn label(v: Option<&Value>) -> String {
    match v {
        Some(Value::String(s)) => s.clone(),
        Some(Value::Null) | None => String::new(),
        Some(other) => other.to_string(),
    }
}

fn chart(obj: &Map<String, Value>, props: &Value) -> Result<Chart, String> {
    let kind = match obj
        .get("component")
        .and_then(Value::as_str)
        .unwrap_or("BarChart")
    {
        "BarChart" | "ComposedChart" => ChartKind::Bar,
        "LineChart" => ChartKind::Line,
        "AreaChart" => ChartKind::Area,
        "PieChart" => ChartKind::Pie,
        "ScatterChart" => ChartKind::Scatter,
        other => return Err(format!("unsupported chart {}", crate::codec::quoted(other))),
    };
    let rows = rows_of(props)?;
    if rows.is_empty() {
        return Err("the chart has no data".into());
    }
    let flag = |k: &str, d: bool| props.get(k).and_then(Value::as_bool).unwrap_or(d);
    let (x_key, series): (String, Vec<Series>) = if kind == ChartKind::Pie {
        let pie = props.get("pie").ok_or("a pie chart needs props.pie")?;
        let value = pie
            .get("dataKey")
            .and_then(Value::as_str)
            .ok_or("props.pie.dataKey is missing")?;
        let name = pie.get("nameKey").and_then(Value::as_str).unwrap_or("name");
        (
            name.to_owned(),
            vec![Series {
                key: value.to_owned(),
                label: value.to_owned(),
                color: None,
            }],
        )
    } else {
        let x = props
            .get("xKey")
            .and_then(Value::as_str)
            .map(str::to_owned)
            .or_else(|| {
                rows[0]
                    .iter()
                    .find(|(_, v)| v.is_string())
                    .map(|(k, _)| k.clone())
            })
            .ok_or("props.xKey is missing")?;
        let listed = ["series", "bars", "lines", "areas"]
            .iter()
            .find_map(|k| props.get(*k).and_then(Value::as_array));
        let series: Vec<Series> = match listed {
            Some(list) => list
                .iter()
                .filter_map(|s| {
                    let key = s.get("key").and_then(Value::as_str)?.to_owned();
                    Some(Series {
                        label: text(s, "label").unwrap_or_else(|| key.clone()),
                        color: s.get("color").and_then(Value::as_str).and_then(safe_color),
                        key,
                    })
                })
                .collect(),
            None => props
                .get("yKeys")
                .and_then(Value::as_array)
                .map(|ks| {
                    ks.iter()
                        .filter_map(Value::as_str)
                        .map(|k| Series {
                            key: k.to_owned(),
                            label: k.to_owned(),
                            color: None,
                        })
                        .collect()
                })
                .unwrap_or_default(),
        };
        (x, series)
    };
    if series.is_empty() {
        return Err("the chart names no series (yKeys or series)".into());
    }
    if series.len() > MAX_SERIES {
        return Err(format!("too many series ({} > {MAX_SERIES})", series.len()));
    }
    let rows: Vec<(String, Vec<Option<f64>>)> = rows
        .iter()
        .map(|r| {
            (
                label(r.get(&x_key)),
                series.iter().map(|s| number(r.get(&s.key))).collect(),
            )
        })
        .collect();
    if rows.iter().all(|(_, vs)| vs.iter().all(Option::is_none)) {
        return Err("no row has a number for any series".into());
    }
    Ok(Chart {
        kind,
        x_key,
        series,
        rows,
        show_legend: flag("showLegend", true),
        show_grid: flag("showGrid", true),
    })
}

/// `#rgb`/`#rrggbb` colours only (a spec cannot inject CSS).
fn safe_color(c: &str) -> Option<String> {
    let hex = c.strip_prefix('#')?;
    (matches!(hex.len(), 3 | 6) && hex.chars().all(|ch| ch.is_ascii_hexdigit()))
        .then(|| c.to_owned())
}

fn table(props: &Value) -> Result<Table, String> {
    let rows = rows_of(props)?;
    let cols = props
        .get("columns")
        .and_then(Value::as_array)
        .ok_or("a table needs props.columns")?;
    if cols.is_empty() || cols.len() > 50 {
        return Err("a table has 1 to 50 columns".into());
    }
    let all_sortable = props
        .get("sortable")
        .and_then(Value::as_bool)
        .unwrap_or(false);
    let columns = cols
        .iter()
        .map(|c| {
            let key = c
                .get("key")
                .and_then(Value::as_str)
                .ok_or("every column needs a key")?
                .to_owned();
            let cell = match c.get("cellType").and_then(Value::as_str).unwrap_or("text") {
                "text" => CellType::Text,
                "number" => CellType::Number,
                "date" => CellType::Date,
                "badge" => CellType::Badge,
                "link" => CellType::Link,
                other => return Err(format!("unknown cellType {}", crate::codec::quoted(other))),
            };
            let fmt = c.get("format");
            let format = match fmt.and_then(|f| f.get("type")).and_then(Value::as_str) {
                None => NumberFormat::Plain,
                Some("decimal") => NumberFormat::Decimal,
                Some("percent") => NumberFormat::Percent,
                Some("currency") => NumberFormat::Currency,
                Some(other) => {
                    return Err(format!(
                        "unknown number format {}",
                        crate::codec::quoted(other)
                    ))
                }
            };
            Ok(Column {
                header: text(c, "header").unwrap_or_else(|| key.clone()),
                sortable: c
                    .get("sortable")
                    .and_then(Value::as_bool)
                    .unwrap_or(all_sortable),
                cell,
                format,
                currency: fmt
                    .and_then(|f| f.get("currency"))
                    .and_then(Value::as_str)
                    .filter(|c| c.len() == 3 && c.chars().all(|ch| ch.is_ascii_alphabetic()))
                    .map(str::to_uppercase),
                locale: match fmt.and_then(|f| f.get("locale")).and_then(Value::as_str) {
                    None => None,
                    Some(l) if is_language_tag(l) => Some(l.to_owned()),
                    // The browser's `Intl` throws on a malformed tag: refused here, shown
                    // as the spec's error.
                    Some(l) => {
                        return Err(format!(
                            "column {}: format.locale {} is not a language tag such as \"en-US\"",
                            crate::codec::quoted(&key),
                            crate::codec::quoted(&l.chars().take(40).collect::<String>())
                        ))
                    }
                },
                key,
            })
        })
        .collect::<Result<Vec<_>, String>>()?;
    let page_size = props
        .get("pagination")
        .and_then(|p| p.get("pageSize"))
        .and_then(Value::as_u64)
        .map(|n| n.clamp(1, 500) as usize)
        .unwrap_or(10);
    Ok(Table {
        columns,
        rows,
        page_size,
        compact: props.get("density").and_then(Value::as_str) == Some("compact"),
    })
}

fn cards(props: &Value) -> Result<Cards, String> {
    let list = props
        .get("cards")
        .and_then(Value::as_array)
        .ok_or("a card grid needs props.cards")?;
    if list.is_empty() || list.len() > MAX_CARDS {
        return Err(format!("a card grid holds 1 to {MAX_CARDS} cards"));
    }
    let cards = list
        .iter()
        .map(|c| {
            Ok(Card {
                title: text(c, "title").ok_or("every card needs a title")?,
                description: text(c, "description"),
                image: c.get("image").and_then(Value::as_str).and_then(safe_url),
                metadata: c
                    .get("metadata")
                    .and_then(Value::as_object)
                    .map(|m| {
                        m.iter()
                            .take(12)
                            .map(|(k, v)| (k.clone(), label(Some(v))))
                            .collect()
                    })
                    .unwrap_or_default(),
                actions: c
                    .get("actions")
                    .and_then(Value::as_array)
                    .map(|a| a.iter().filter_map(|x| text(x, "label")).take(4).collect())
                    .unwrap_or_default(),
            })
        })
        .collect::<Result<Vec<_>, String>>()?;
    let columns = props
        .get("columns")
        .and_then(|c| {
            c.get("lg")
                .or_else(|| c.get("md"))
                .or_else(|| c.get("default"))
        })
        .and_then(Value::as_u64)
        .map(|n| n.clamp(1, 6) as u8)
        .unwrap_or(3);
    Ok(Cards { cards, columns })
}

/// Whether `tag` is a well-formed BCP 47 language tag as `Intl` accepts it: a language of
/// 2-3 or 5-8 letters, then subtags of 1-8 letters or digits, where a one-character
/// extension subtag is followed by at least one subtag of 2-8, and no extension repeats.
pub fn is_language_tag(tag: &str) -> bool {
    if tag.is_empty() || tag.len() > 35 {
        return false;
    }
    let mut parts = tag.split('-');
    let lang = parts.next().unwrap_or_default();
    if !matches!(lang.len(), 2 | 3 | 5..=8) || !lang.chars().all(|c| c.is_ascii_alphabetic()) {
        return false;
    }
    let mut singletons = Vec::new();
    let mut open_singleton = false;
    for part in parts {
        if part.is_empty() || part.len() > 8 || !part.chars().all(|c| c.is_ascii_alphanumeric()) {
            return false;
        }
        if part.len() == 1 {
            let s = part.to_ascii_lowercase();
            if open_singleton || singletons.contains(&s) {
                return false;
            }
            if s == "x" {
                return true; // private use: anything of 1-8 after it
            }
            singletons.push(s);
            open_singleton = true;
        } else {
            open_singleton = false;
        }
    }
    !open_singleton
}

/// Formats a number for a column, by hand (the browser refines it with `Intl` by locale).
pub fn format_number(v: f64, format: NumberFormat, currency: Option<&str>) -> String {
    match format {
        NumberFormat::Percent => format!("{:.1}%", v * 100.0),
        NumberFormat::Decimal => format!("{v:.2}"),
        NumberFormat::Currency => format!("{} {v:.2}", currency.unwrap_or("USD")),
        NumberFormat::Plain => {
            if v.fract() == 0.0 && v.abs() < 1e15 {
                format!("{v:.0}")
            } else {
                format!("{v}")
            }
        }
    }
}

/// Sorts rows by a column: numbers numerically, text case-insensitively, missing last.
pub fn sort_rows(rows: &mut [Map<String, Value>], key: &str, ascending: bool) {
    rows.sort_by(|a, b| {
        let (x, y) = (a.get(key), b.get(key));
        let ord = match (number(x), number(y)) {
            (Some(p), Some(q)) => p.partial_cmp(&q).unwrap_or(std::cmp::Ordering::Equal),
            _ => match (x.filter(|v| !v.is_null()), y.filter(|v| !v.is_null())) {
                (None, None) => std::cmp::Ordering::Equal,
                (None, _) => return std::cmp::Ordering::Greater,
                (_, None) => return std::cmp::Ordering::Less,
                _ => label(x).to_lowercase().cmp(&label(y).to_lowercase()),
            },
        };
        if ascending {
            ord
        } else {
            ord.reverse()
        }
    });
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn demo_chart_spec_parses() {
        let ui = json!({"type":"chart","component":"BarChart","title":"Quarterly revenue","props":{
            "data":[{"quarter":"Q1","revenue":120,"costs":80},{"quarter":"Q2","revenue":150,"costs":95}],
            "xKey":"quarter","yKeys":["revenue","costs"],
            "bars":[{"key":"revenue","label":"Revenue","color":"#4f46e5"},{"key":"costs","label":"Costs","color":"red; background:url(x)"}]}});
        let s = parse(&ui).unwrap();
        let Kind::Chart(c) = s.kind else { panic!() };
        assert_eq!(c.kind, ChartKind::Bar);
        assert_eq!(c.rows[1], ("Q2".into(), vec![Some(150.0), Some(95.0)]));
        assert_eq!(c.series[0].color.as_deref(), Some("#4f46e5"));
        assert_eq!(c.series[1].color, None, "colours are hex only");
        assert_eq!(s.title.as_deref(), Some("Quarterly revenue"));
    }

    #[test]
    fn results_carry_specs() {
        let r = json!({"data": [1], "ui": {"type": "markdown", "props": {"content": "hi"}}})
            .to_string();
        assert_eq!(spec_in_result(&r).unwrap()["type"], "markdown");
        assert!(spec_in_result("sunny, 21 degrees").is_none());
        assert!(spec_in_result("{\"temp\": 3}").is_none());
    }

    #[test]
    fn invalid_specs_say_why() {
        for (spec, why) in [
            (json!({"type": "chart", "props": {"data": []}}), "no data"),
            (json!({"type": "hologram"}), "unknown spec type"),
            (
                json!({"type": "table", "props": {"data": [{"a": 1}]}}),
                "props.columns",
            ),
            (
                json!({"type": "card-grid", "props": {"cards": [{"description": "x"}]}}),
                "title",
            ),
            (
                json!({"type": "chart", "props": {"data": [{"x": "a", "y": "n/a"}], "xKey": "x", "yKeys": ["y"]}}),
                "no row has a number",
            ),
            (json!([1, 2]), "JSON object"),
        ] {
            let e = parse(&spec).unwrap_err();
            assert!(e.contains(why), "{e} / {why}");
        }
    }

    #[test]
    fn urls_are_http_only() {
        assert!(safe_url("javascript:alert(1)").is_none());
        assert!(safe_url(" JAVASCRIPT:alert(1)").is_none());
        assert!(safe_url("data:text/html,<script>").is_none());
        assert!(safe_url("https://example.com/a b").is_none());
        assert_eq!(
            safe_url("https://example.com/x.png").as_deref(),
            Some("https://example.com/x.png")
        );
        let c = parse(&json!({"type": "card-grid", "props": {"cards": [{"title": "t", "image": "javascript:alert(1)"}]}})).unwrap();
        let Kind::Cards(c) = c.kind else { panic!() };
        assert_eq!(c.cards[0].image, None);
    }

    #[test]
    fn artifacts_nest_and_keep_bad_parts_as_errors() {
        let s = parse(
            &json!({"type": "artifact", "layout": "artifact", "props": {"content": [
            {"type": "markdown", "props": {"content": "# Report"}},
            {"type": "nope"}]}}),
        )
        .unwrap();
        assert_eq!(s.layout, Layout::Artifact);
        let Kind::Artifact(parts) = s.kind else {
            panic!()
        };
        assert!(parts[0].is_ok() && parts[1].is_err());
    }

    #[test]
    fn sorting_and_formats() {
        let mut rows: Vec<Map<String, Value>> = [
            json!({"n": 10, "s": "b"}),
            json!({"n": 9, "s": "A"}),
            json!({"s": "c"}),
        ]
        .into_iter()
        .map(|v| v.as_object().unwrap().clone())
        .collect();
        sort_rows(&mut rows, "n", true);
        assert_eq!(rows[0]["n"], 9);
        assert!(rows[2].get("n").is_none(), "missing values last");
        sort_rows(&mut rows, "s", false);
        assert_eq!(rows[0]["s"], "c");
        assert_eq!(format_number(0.012, NumberFormat::Percent, None), "1.2%");
        assert_eq!(format_number(3.0, NumberFormat::Plain, None), "3");
    }

    #[test]
    fn table_locales_must_be_language_tags() {
        for good in [
            "en",
            "en-US",
            "de-CH",
            "zh-Hant-TW",
            "sr-Latn-RS",
            "en-u-nu-latn",
            "es-419",
            "fil",
        ] {
            assert!(is_language_tag(good), "{good}");
        }
        for bad in [
            "zzzzzzzzz",
            "",
            "e",
            "en-",
            "en--US",
            "en-a",
            "en-u",
            "en-u-nu-u-ca",
            "1en",
            "en_US",
            "en-toolongsubtag",
        ] {
            assert!(!is_language_tag(bad), "{bad}");
        }
        let spec = |locale: &str| {
            serde_json::json!({
                "type": "table",
                "props": {
                    "columns": [{"key": "n", "cellType": "number", "format": {"type": "decimal", "locale": locale}}],
                    "data": [{"n": 1.5}]
                }
            })
        };
        let err = parse(&spec("zzzzzzzzz")).unwrap_err();
        assert!(err.contains("not a language tag"), "{err}");
        assert!(parse(&spec("de-DE")).is_ok());
    }
}

//! Usage reports from counted runs: totals per day and agent or team (a person's own
//! page) and per person, agent or team and model (the administrators' page), drawn with
//! the generative-UI chart and table, and the administrators' rows as CSV.

use std::collections::BTreeMap;

use serde_json::{json, Value};

use super::budget::money;
use super::prices::Prices;
use super::runs::{ModelTokens, RunUsage};

/// Tokens and cost of some runs. The cost is priced on each model's summed tokens, so
/// it is not off by the rounding of each run.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Totals {
    pub runs: u64,
    pub input: u64,
    pub output: u64,
    by_model: BTreeMap<String, (u64, u64)>,
}

impl Totals {
    pub fn tokens(&self) -> u64 {
        self.input + self.output
    }

    /// The estimated cost, in millionths of the currency.
    pub fn cost(&self, prices: &Prices) -> u64 {
        self.by_model
            .iter()
            .map(|(model, &(input, output))| {
                prices.cost(&ModelTokens {
                    model: model.clone(),
                    provider: String::new(),
                    input,
                    output,
                })
            })
            .sum()
    }

    fn add_model(&mut self, m: &ModelTokens) {
        self.input += m.input;
        self.output += m.output;
        let t = self.by_model.entry(m.model.clone()).or_default();
        t.0 += m.input;
        t.1 += m.output;
    }

    fn add_run(&mut self, run: &RunUsage) {
        self.runs += 1;
        run.models.iter().for_each(|m| self.add_model(m));
    }
}

/// `YYYY-MM-DD` (UTC) of a Unix time.
pub fn day(at: i64) -> String {
    let t =
        time::OffsetDateTime::from_unix_timestamp(at).unwrap_or(time::OffsetDateTime::UNIX_EPOCH);
    format!("{:04}-{:02}-{:02}", t.year(), u8::from(t.month()), t.day())
}

/// The start of a `YYYY-MM-DD` day (UTC), in Unix seconds.
pub fn parse_day(s: &str) -> Option<i64> {
    let format = time::macros::format_description!("[year]-[month]-[day]");
    time::Date::parse(s.trim(), &format)
        .ok()
        .map(|d| d.midnight().assume_utc().unix_timestamp())
}

/// All runs' totals.
pub fn totals(runs: &[RunUsage]) -> Totals {
    let mut t = Totals::default();
    for r in runs {
        t.add_run(r);
    }
    t
}

/// A person's runs per day and agent or team, oldest day first.
pub fn per_day(runs: &[RunUsage]) -> BTreeMap<(String, String), Totals> {
    let mut out: BTreeMap<(String, String), Totals> = BTreeMap::new();
    for r in runs {
        out.entry((day(r.at), r.assistant.clone()))
            .or_default()
            .add_run(r);
    }
    out
}

/// Cost is shown as written (down to a millionth), not through the table's number
/// format, which rounds to the locale's digits; it still sorts as a number.
fn cost_column(currency: &str) -> Value {
    json!({"key": "cost", "header": format!("Estimated cost ({currency})")})
}

fn number_column(key: &str, header: &str) -> Value {
    json!({"key": key, "header": header, "cellType": "number"})
}

/// The cost in the currency, to the millionth, with at least two decimals.
fn cost_value(micros: u64) -> String {
    let s = format!("{}.{:06}", micros / 1_000_000, micros % 1_000_000);
    let trimmed = s.trim_end_matches('0');
    let decimals = trimmed.len() - trimmed.find('.').unwrap_or(trimmed.len()) - 1;
    format!("{trimmed}{}", "0".repeat(2usize.saturating_sub(decimals)))
}

/// A person's usage as a generative-UI bar chart (tokens per day, a series per agent or
/// team) and table; no chart without runs.
pub fn mine(runs: &[RunUsage], prices: &Prices) -> (Option<Value>, Value) {
    let rows = per_day(runs);
    let mut assistants: Vec<String> = rows.keys().map(|(_, a)| a.clone()).collect();
    assistants.sort();
    assistants.dedup();
    assistants.truncate(12);
    let mut by_day: BTreeMap<String, serde_json::Map<String, Value>> = BTreeMap::new();
    for ((d, a), t) in &rows {
        let row = by_day.entry(d.clone()).or_insert_with(|| {
            let mut m = serde_json::Map::new();
            m.insert("day".into(), json!(d));
            for a in &assistants {
                m.insert(a.clone(), json!(0));
            }
            m
        });
        if let Some(v) = row.get_mut(a) {
            *v = json!(t.tokens());
        }
    }
    let chart = (!rows.is_empty()).then(|| {
        json!({
            "type": "chart",
            "component": "BarChart",
            "title": "Tokens per day",
            "props": {
                "xKey": "day",
                "series": assistants.iter().map(|a| json!({"key": a, "label": a})).collect::<Vec<_>>(),
                "data": by_day.into_values().collect::<Vec<_>>(),
            }
        })
    });
    let data: Vec<Value> = rows
        .iter()
        .rev()
        .map(|((d, a), t)| {
            json!({"day": d, "assistant": a, "runs": t.runs, "input": t.input,
                   "output": t.output, "tokens": t.tokens(), "cost": cost_value(t.cost(prices))})
        })
        .collect();
    let keys = [
        json!({"key": "day", "header": "Day"}),
        json!({"key": "assistant", "header": "Agent or team"}),
    ];
    let table = totals_table("Per day and agent or team", 31, keys, data, prices);
    (chart, table)
}

/// One row of the administrators' page: a person's use of one agent or team with one
/// model.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AdminRow {
    pub user: String,
    /// Their name if their identity provider gave one, else a pseudonym.
    pub person: String,
    pub assistant: String,
    pub model: String,
    pub totals: Totals,
}

/// Everyone's runs by person, agent or team and model; `person` names a user id.
pub fn by_person(runs: &[RunUsage], person: impl Fn(&str) -> String) -> Vec<AdminRow> {
    let mut out: BTreeMap<(String, String, String), Totals> = BTreeMap::new();
    for r in runs {
        for (i, m) in r.models.iter().enumerate() {
            let t = out
                .entry((r.user.clone(), r.assistant.clone(), m.model.clone()))
                .or_default();
            // A run with several models counts once, under its first.
            t.runs += u64::from(i == 0);
            t.add_model(m);
        }
    }
    out.into_iter()
        .map(|((user, assistant, model), totals)| AdminRow {
            person: person(&user),
            user,
            assistant,
            model,
            totals,
        })
        .collect()
}

/// The administrators' rows as a generative-UI table.
pub fn admin_table(rows: &[AdminRow], prices: &Prices) -> Value {
    let data: Vec<Value> = rows
        .iter()
        .map(|r| {
            json!({"person": r.person, "user": r.user, "assistant": r.assistant, "model": r.model,
                   "runs": r.totals.runs, "input": r.totals.input, "output": r.totals.output,
                   "tokens": r.totals.tokens(), "cost": cost_value(r.totals.cost(prices))})
        })
        .collect();
    let keys = [
        json!({"key": "person", "header": "Person"}),
        json!({"key": "user", "header": "User id"}),
        json!({"key": "assistant", "header": "Agent or team"}),
        json!({"key": "model", "header": "Model"}),
    ];
    totals_table(
        "Usage by person, agent or team, and model",
        50,
        keys,
        data,
        prices,
    )
}

/// A sortable generative-UI table: the `keys` columns that name a row, then its totals.
fn totals_table(
    title: &str,
    page_size: usize,
    keys: impl IntoIterator<Item = Value>,
    data: Vec<Value>,
    prices: &Prices,
) -> Value {
    let mut columns: Vec<Value> = keys.into_iter().collect();
    columns.extend([
        number_column("runs", "Answers"),
        number_column("input", "Input tokens"),
        number_column("output", "Output tokens"),
        number_column("tokens", "Tokens"),
        cost_column(&prices.currency),
    ]);
    json!({
        "type": "table",
        "title": title,
        "props": {"sortable": true, "pageSize": page_size, "columns": columns, "data": data}
    })
}

/// The administrators' rows as CSV (RFC 4180).
pub fn admin_csv(rows: &[AdminRow], prices: &Prices) -> String {
    let currency = &prices.currency;
    let mut w = csv::Writer::from_writer(Vec::new());
    let cost_header = format!("estimated_cost_{}", currency.to_ascii_lowercase());
    let _ = w.write_record([
        "person",
        "user_id",
        "assistant",
        "model",
        "answers",
        "input_tokens",
        "output_tokens",
        "tokens",
        cost_header.as_str(),
    ]);
    for r in rows {
        let t = &r.totals;
        let _ = w.write_record([
            r.person.clone(),
            r.user.clone(),
            r.assistant.clone(),
            r.model.clone(),
            t.runs.to_string(),
            t.input.to_string(),
            t.output.to_string(),
            t.tokens().to_string(),
            cost_value(t.cost(prices)),
        ]);
    }
    String::from_utf8(w.into_inner().unwrap_or_default()).unwrap_or_default()
}

/// The total cost as people read it.
pub fn cost_text(micros: u64, currency: &str) -> String {
    format!("{} {currency}", money(micros))
}

#[cfg(test)]
mod tests {
    use super::super::runs::ModelTokens;
    use super::*;

    fn run(id: &str, user: &str, at: i64, assistant: &str, input: u64, output: u64) -> RunUsage {
        RunUsage {
            run_id: id.into(),
            user: user.into(),
            at,
            assistant: assistant.into(),
            models: vec![ModelTokens {
                model: "scripted-1".into(),
                provider: "Offline".into(),
                input,
                output,
            }],
        }
    }

    fn prices() -> Prices {
        let mut m = std::collections::BTreeMap::new();
        m.insert(
            "scripted-1".to_owned(),
            super::super::prices::Price {
                input: 1.0,
                output: 2.0,
            },
        );
        Prices::new("USD".into(), m)
    }

    const DAY1: i64 = 1_796_529_989;

    fn runs() -> Vec<RunUsage> {
        vec![
            run("a", "u1", DAY1, "agent:echo-agent", 16, 3),
            run("b", "u1", DAY1 + 60, "agent:echo-agent", 30, 3),
            run("c", "u1", DAY1 + 86_400, "team:echo-team", 523, 13),
            run("d", "u2, \"x\"", DAY1, "agent:echo-agent", 10, 1),
        ]
    }

    #[test]
    fn days_parse_and_print_in_utc() {
        assert_eq!(day(DAY1), "2026-12-06");
        assert_eq!(parse_day("2026-12-06"), Some(DAY1 - DAY1 % 86_400));
        assert_eq!(parse_day("06/12/2026"), None);
    }

    #[test]
    fn a_persons_page_has_a_row_per_day_and_assistant() {
        let mine_runs: Vec<RunUsage> = runs().into_iter().filter(|r| r.user == "u1").collect();
        let (chart, table) = mine(&mine_runs, &prices());
        let chart = crate::genui::parse(&chart.unwrap()).unwrap();
        let crate::genui::Kind::Chart(c) = chart.kind else {
            panic!()
        };
        assert_eq!(c.rows.len(), 2);
        assert_eq!(c.series.len(), 2);
        let table = crate::genui::parse(&table).unwrap();
        let crate::genui::Kind::Table(t) = table.kind else {
            panic!()
        };
        // Newest day first.
        assert_eq!(t.rows[0]["tokens"], 536);
        assert_eq!(t.rows[1]["tokens"], 52);
        assert_eq!(t.rows[1]["runs"], 2);
        assert_eq!(totals(&mine_runs).tokens(), 588);
    }

    #[test]
    fn the_administrators_rows_and_csv_agree() {
        let rows = by_person(&runs(), |u| format!("~{u}"));
        assert_eq!(rows.len(), 3);
        assert_eq!(rows[0].user, "u1");
        assert_eq!(rows[0].totals.tokens(), 52);
        assert_eq!(rows[0].totals.cost(&prices()), 46 + 12);
        let csv = admin_csv(&rows, &prices());
        let lines: Vec<&str> = csv.lines().collect();
        assert_eq!(lines.len(), 4);
        assert!(lines[0].ends_with("tokens,estimated_cost_usd"));
        assert!(
            lines[1].starts_with("~u1,u1,agent:echo-agent,scripted-1,2,46,6,52,0.000058"),
            "{}",
            lines[1]
        );
        // Commas and quotes in a field are quoted.
        assert!(lines[3].contains("\"u2, \"\"x\"\"\""), "{}", lines[3]);
        assert!(crate::genui::parse(&admin_table(&rows, &prices())).is_ok());
        assert_eq!(cost_value(1_500_000), "1.50");
        assert_eq!(cost_value(0), "0.00");
        assert_eq!(cost_value(12_345_678), "12.345678");
    }
}

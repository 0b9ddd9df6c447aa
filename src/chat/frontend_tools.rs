//! Frontend tools: tools an agent asks the browser to run (AgentOS `external_execution`).
//! Only the handlers registered here run, each after checking its arguments against its
//! declared schema; an unknown tool or bad arguments give an error result for the agent,
//! never an execution. Nothing is evaluated as code.

use serde_json::{json, Value};

/// What a handler may learn from the browser (filled by the browser; plain data, so the
/// handlers are testable anywhere).
#[derive(Clone, Debug, Default, PartialEq)]
pub struct BrowserFacts {
    pub locale: String,
    pub time_zone: String,
}

/// Paths of this app a `navigate` call may open.
pub const NAVIGABLE: &[&str] = &["/", "/?agent=", "/?team="];

/// One argument a handler takes.
struct Arg {
    name: &'static str,
    kind: ArgKind,
    required: bool,
}

#[derive(Clone, Copy)]
enum ArgKind {
    Text { max: usize },
}

struct Handler {
    name: &'static str,
    description: &'static str,
    args: &'static [Arg],
    run: fn(&Value, &BrowserFacts) -> Result<String, String>,
}

const HANDLERS: &[Handler] = &[
    Handler {
        name: "get_browser_locale",
        description: "the browser's language and time zone",
        args: &[],
        run: |_, facts| {
            Ok(json!({"locale": facts.locale, "time_zone": facts.time_zone}).to_string())
        },
    },
    Handler {
        name: "navigate",
        description: "check that a path of this app may be opened, and offer it",
        args: &[Arg {
            name: "path",
            kind: ArgKind::Text { max: 300 },
            required: true,
        }],
        run: |args, _| {
            let path = args["path"].as_str().unwrap_or_default().trim();
            let allowed = path.starts_with('/')
                && !path.starts_with("//")
                && !path.contains("://")
                && !path.chars().any(|c| c.is_control() || c == '\\')
                && NAVIGABLE
                    .iter()
                    .any(|p| path == *p || (p.ends_with('=') && path.starts_with(p)));
            if allowed {
                Ok(format!("The user was offered a link to {path}."))
            } else {
                Err(format!(
                    "{} is not a page of this app that may be opened",
                    crate::codec::quoted(path)
                ))
            }
        },
    },
    Handler {
        name: "render_chart",
        description: "draw a chart from rows of data",
        args: &[
            Arg {
                name: "title",
                kind: ArgKind::Text { max: 200 },
                required: true,
            },
            Arg {
                name: "data",
                kind: ArgKind::Text { max: 100_000 },
                required: true,
            },
        ],
        run: |args, _| {
            let title = args["title"].as_str().unwrap_or_default();
            let rows: Vec<Value> = crate::codec::from_text(args["data"].as_str().unwrap_or("[]"))
                .map_err(|_| "data must be a JSON array of rows".to_owned())?;
            let first = rows
                .first()
                .and_then(Value::as_object)
                .ok_or("data must have at least one row object")?;
            let x = first
                .iter()
                .find(|(_, v)| v.is_string())
                .map(|(k, _)| k.clone())
                .ok_or("rows need a text column for the x axis")?;
            let ys: Vec<String> = first
                .iter()
                .filter(|(_, v)| v.is_number())
                .map(|(k, _)| k.clone())
                .collect();
            if ys.is_empty() {
                return Err("rows need at least one number column".into());
            }
            let bars: Vec<Value> = ys.iter().map(|y| json!({"key": y, "label": y})).collect();
            Ok(json!({
                "data": rows,
                "ui": {"type": "chart", "component": "BarChart", "title": title,
                       "props": {"data": rows, "xKey": x, "yKeys": ys, "bars": bars}}
            })
            .to_string())
        },
    },
];

/// The registered frontend tools, by name, with what they do.
pub fn registered() -> impl Iterator<Item = (&'static str, &'static str)> {
    HANDLERS.iter().map(|h| (h.name, h.description))
}

/// Runs the frontend tool `name` with `args`. `Err` is the error text for the agent.
pub fn run(name: &str, args: &Value, facts: &BrowserFacts) -> Result<String, String> {
    let h = HANDLERS.iter().find(|h| h.name == name).ok_or_else(|| {
        format!(
            "the tool {} cannot run in this browser: no handler is registered for it",
            crate::codec::quoted(name)
        )
    })?;
    let empty = serde_json::Map::new();
    let given = match args {
        Value::Object(m) => m,
        Value::Null => &empty,
        _ => return Err(format!("{name}: arguments must be an object")),
    };
    for key in given.keys() {
        if !h.args.iter().any(|a| a.name == key) {
            return Err(format!(
                "{name}: unexpected argument {}",
                crate::codec::quoted(key)
            ));
        }
    }
    for a in h.args {
        match (given.get(a.name), a.kind) {
            (None | Some(Value::Null), _) if a.required => {
                return Err(format!(
                    "{name}: missing argument {}",
                    crate::codec::quoted(a.name)
                ))
            }
            (None | Some(Value::Null), _) => {}
            (Some(Value::String(s)), ArgKind::Text { max }) if s.chars().count() <= max => {}
            (Some(Value::String(_)), ArgKind::Text { max }) => {
                return Err(format!(
                    "{name}: {} is longer than {max} characters",
                    crate::codec::quoted(a.name)
                ))
            }
            (Some(_), ArgKind::Text { .. }) => {
                return Err(format!(
                    "{name}: {} must be text",
                    crate::codec::quoted(a.name)
                ))
            }
        }
    }
    (h.run)(args, facts)
}

/// The result text sent to the agent for a handler's outcome.
pub fn result_text(outcome: Result<String, String>) -> String {
    match outcome {
        Ok(r) => r,
        Err(e) => format!("Error: {e}"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn facts() -> BrowserFacts {
        BrowserFacts {
            locale: "pt-PT".into(),
            time_zone: "Europe/Lisbon".into(),
        }
    }

    #[test]
    fn locale_handler() {
        let r = run("get_browser_locale", &json!({}), &facts()).unwrap();
        assert!(r.contains("Europe/Lisbon") && r.contains("pt-PT"));
    }

    #[test]
    fn unknown_tools_and_bad_arguments_never_run() {
        let e = run("run_shell", &json!({"command": "rm -rf /"}), &facts()).unwrap_err();
        assert!(e.contains("no handler"), "{e}");
        assert!(run("navigate", &json!({}), &facts()).is_err());
        assert!(run("navigate", &json!({"path": 5}), &facts()).is_err());
        assert!(run("navigate", &json!({"path": "/", "x": 1}), &facts()).is_err());
        assert!(run("get_browser_locale", &json!([1]), &facts()).is_err());
    }

    #[test]
    fn navigation_is_limited_to_app_paths() {
        assert!(run("navigate", &json!({"path": "/?agent=echo-agent"}), &facts()).is_ok());
        for bad in [
            "javascript:alert(1)",
            "//evil.example",
            "https://evil.example",
            "/settings",
            "/\\evil",
        ] {
            assert!(
                run("navigate", &json!({"path": bad}), &facts()).is_err(),
                "{bad}"
            );
        }
    }

    #[test]
    fn chart_handler_builds_a_spec() {
        let data = r#"[{"day":"Mon","visitors":120},{"day":"Tue","visitors":180}]"#;
        let r = run(
            "render_chart",
            &json!({"title": "Visitors", "data": data}),
            &facts(),
        )
        .unwrap();
        let v: Value = serde_json::from_str(&r).unwrap();
        assert_eq!(v["ui"]["props"]["xKey"], "day");
        assert!(crate::genui::parse(&v["ui"]).is_ok());
        assert_eq!(v["data"][1]["visitors"], 180);
        assert!(run(
            "render_chart",
            &json!({"title": "t", "data": "nope"}),
            &facts()
        )
        .is_err());
        assert_eq!(result_text(Err("x".into())), "Error: x");
    }
}

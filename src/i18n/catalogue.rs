//! A language's messages as the browser holds them, and how one is formatted. The server
//! compiles the Fluent files (`fluent.rs`) into one flat JSON object of texts:
//!
//! - `"id"`: the text, or the default variant of a message with a choice;
//! - `"id/$"`: the variable a message's choice depends on;
//! - `"id/one"`, `"id/=0"`, `"id/formal"`: a variant for a plural category, an exact
//!   number or a word;
//! - `{name}` in a text: where variable `name` goes.
//!
//! It is plain data, so the browser reads it with the JSON reader it already has, and
//! formatting needs no Fluent runtime in the wasm.

use serde_json::Value;

/// The key under which a catalogue names its language (a BCP 47 tag).
pub const LANG_KEY: &str = "@lang";
/// The key of the languages one may switch to: `[[tag, name in that language], ...]`.
pub const LANGS_KEY: &str = "@langs";

/// A value for one of a message's variables.
#[derive(Clone, Debug, PartialEq)]
pub enum Arg {
    Text(String),
    Num(i64),
}

impl From<&str> for Arg {
    fn from(s: &str) -> Self {
        Arg::Text(s.to_owned())
    }
}

impl From<String> for Arg {
    fn from(s: String) -> Self {
        Arg::Text(s)
    }
}

impl From<&String> for Arg {
    fn from(s: &String) -> Self {
        Arg::Text(s.clone())
    }
}

macro_rules! num_arg {
    ($($t:ty),*) => {$(
        impl From<$t> for Arg {
            fn from(n: $t) -> Self {
                Arg::Num(n as i64)
            }
        }
    )*};
}
num_arg!(i32, i64, u32, u64, usize);

/// What a language says of numbers: their plural category ("one", "other", …) and how
/// they are written.
pub trait Numbers {
    fn category(&self, n: i64) -> String;
    fn write(&self, n: i64) -> String;
}

/// The text of message `id` with `args`; the id itself if the catalogue lacks it, so a
/// missing message shows where it is missing rather than breaking the page.
pub fn format(messages: &Value, id: &str, args: &[(&str, Arg)], numbers: &impl Numbers) -> String {
    let text = |key: &str| messages.get(key).and_then(Value::as_str);
    let arg = |name: &str| args.iter().find(|(k, _)| *k == name).map(|(_, a)| a);
    let variant = text(&format!("{id}/$"))
        .and_then(arg)
        .and_then(|chosen| match chosen {
            Arg::Num(n) => text(&format!("{id}/={n}"))
                .or_else(|| text(&format!("{id}/{}", numbers.category(*n)))),
            Arg::Text(word) => text(&format!("{id}/{word}")),
        });
    let Some(pattern) = variant.or_else(|| text(id)) else {
        return id.to_owned();
    };
    let mut out = String::with_capacity(pattern.len());
    let mut rest = pattern;
    while let Some(open) = rest.find('{') {
        out.push_str(&rest[..open]);
        let Some(close) = rest[open..].find('}') else {
            break;
        };
        let name = &rest[open + 1..open + close];
        match arg(name) {
            Some(Arg::Text(s)) => out.push_str(s),
            Some(Arg::Num(n)) => out.push_str(&numbers.write(*n)),
            None => out.push_str(&rest[open..=open + close]),
        }
        rest = &rest[open + close + 1..];
    }
    out.push_str(rest);
    out
}

/// The text of message `id` either side of its variable `name`: for a message that puts
/// an element (a tool's name in `<code>`) in the middle of its words.
pub fn around(messages: &Value, id: &str, name: &str, numbers: &impl Numbers) -> (String, String) {
    const MARK: &str = "\u{1}";
    let whole = format(messages, id, &[(name, Arg::Text(MARK.into()))], numbers);
    match whole.split_once(MARK) {
        Some((before, after)) => (before.to_owned(), after.to_owned()),
        None => (whole, String::new()),
    }
}

/// The language of a catalogue.
pub fn lang(messages: &Value) -> &str {
    messages
        .get(LANG_KEY)
        .and_then(Value::as_str)
        .unwrap_or("en")
}

/// The languages one may switch to, as (tag, name).
pub fn languages(messages: &Value) -> Vec<(String, String)> {
    messages
        .get(LANGS_KEY)
        .and_then(Value::as_array)
        .map(|list| {
            list.iter()
                .filter_map(|pair| {
                    Some((
                        pair.get(0)?.as_str()?.to_owned(),
                        pair.get(1)?.as_str()?.to_owned(),
                    ))
                })
                .collect()
        })
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    /// English's rule, as the tests need it.
    struct English;

    impl Numbers for English {
        fn category(&self, n: i64) -> String {
            if n == 1 { "one" } else { "other" }.into()
        }
        fn write(&self, n: i64) -> String {
            format!("#{n}")
        }
    }

    fn messages() -> Value {
        json!({
            "@lang": "en",
            "plain": "New chat",
            "with": "Chat with {name}",
            "retry/$": "seconds",
            "retry": "In {seconds} seconds.",
            "retry/one": "In {seconds} second.",
            "retry/=0": "Now.",
            "tone/$": "tone",
            "tone": "Hello",
            "tone/formal": "Good day",
            "tool": "Allow {tool} to run?",
        })
    }

    #[test]
    fn texts_and_variables() {
        let m = messages();
        assert_eq!(format(&m, "plain", &[], &English), "New chat");
        assert_eq!(
            format(&m, "with", &[("name", "Echo".into())], &English),
            "Chat with Echo"
        );
        // A missing variable stays visible; a missing message shows its id.
        assert_eq!(format(&m, "with", &[], &English), "Chat with {name}");
        assert_eq!(format(&m, "nope", &[], &English), "nope");
    }

    #[test]
    fn choices_by_number_category_and_word() {
        let m = messages();
        let retry = |n: i64| format(&m, "retry", &[("seconds", n.into())], &English);
        assert_eq!(retry(1), "In #1 second.");
        assert_eq!(retry(5), "In #5 seconds.");
        assert_eq!(retry(0), "Now.");
        // Without the variable, the default variant.
        assert_eq!(format(&m, "retry", &[], &English), "In {seconds} seconds.");
        assert_eq!(
            format(&m, "tone", &[("tone", "formal".into())], &English),
            "Good day"
        );
        assert_eq!(
            format(&m, "tone", &[("tone", "casual".into())], &English),
            "Hello"
        );
    }

    #[test]
    fn text_around_a_variable() {
        let m = messages();
        assert_eq!(
            around(&m, "tool", "tool", &English),
            ("Allow ".to_owned(), " to run?".to_owned())
        );
        assert_eq!(
            around(&m, "plain", "tool", &English),
            ("New chat".to_owned(), String::new())
        );
    }

    #[test]
    fn language_and_choices_of_language() {
        let m = json!({"@lang": "de", "@langs": [["en", "English"], ["de", "Deutsch"], [1]]});
        assert_eq!(lang(&m), "de");
        assert_eq!(
            languages(&m),
            vec![
                ("en".to_owned(), "English".to_owned()),
                ("de".to_owned(), "Deutsch".to_owned())
            ]
        );
        assert_eq!(lang(&json!({})), "en");
    }
}

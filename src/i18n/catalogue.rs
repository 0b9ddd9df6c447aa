//! A language's messages as the browser holds them, and how one is formatted. The server
//! compiles the Fluent files (`fluent.rs`) into one text of `key=text` lines:
//!
//! - `id=…`: the text, or the default variant of a message with a choice;
//! - `id/$=name`: the variable a message's choice depends on;
//! - `id/one=…`, `id/#0=…`, `id/formal=…`: a variant for a plural category, an exact number
//!   or a word;
//! - `{name}` in a text: where variable `name` goes;
//! - `@lang=de`: the language; `@langs=en:English,de:Deutsch`: those one may switch to.
//!
//! The lines are sorted by key (no key holds `=`), so a text is found by bisection.
//!
//! One string: the browser reads it with the decoder it already has for strings, where a
//! JSON object would bring a decoder of its own into the first load, and formatting needs
//! no Fluent runtime in the wasm.

/// The key under which a catalogue names its language (a BCP 47 tag).
pub const LANG_KEY: &str = "@lang";
/// The key of the languages one may switch to: `tag:name,tag:name`.
pub const LANGS_KEY: &str = "@langs";

/// The text under `key`: a bisection over the sorted lines, as an answer of 500 turns asks
/// for a few thousand texts.
pub fn lookup<'a>(catalogue: &'a str, key: &str) -> Option<&'a str> {
    let bytes = catalogue.as_bytes();
    // `lo` is always the start of a line, `hi` the start of one or the end.
    let (mut lo, mut hi) = (0, bytes.len());
    while lo < hi {
        let mid = (lo + hi) / 2;
        let start = bytes[lo..mid]
            .iter()
            .rposition(|&b| b == b'\n')
            .map_or(lo, |p| lo + p + 1);
        let end = bytes[mid..hi]
            .iter()
            .position(|&b| b == b'\n')
            .map_or(hi, |p| mid + p);
        let (k, text) = catalogue[start..end].split_once('=')?;
        match k.cmp(key) {
            std::cmp::Ordering::Equal => return Some(text),
            std::cmp::Ordering::Less => lo = end + 1,
            std::cmp::Ordering::Greater => hi = start,
        }
    }
    None
}

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
pub fn format(catalogue: &str, id: &str, args: &[(&str, Arg)], numbers: &impl Numbers) -> String {
    let text = |key: &str| lookup(catalogue, key);
    let arg = |name: &str| args.iter().find(|(k, _)| *k == name).map(|(_, a)| a);
    let variant = text(&format!("{id}/$"))
        .and_then(arg)
        .and_then(|chosen| match chosen {
            Arg::Num(n) => text(&format!("{id}/#{n}"))
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
pub fn around(catalogue: &str, id: &str, name: &str, numbers: &impl Numbers) -> (String, String) {
    const MARK: &str = "\u{1}";
    let whole = format(catalogue, id, &[(name, Arg::Text(MARK.into()))], numbers);
    match whole.split_once(MARK) {
        Some((before, after)) => (before.to_owned(), after.to_owned()),
        None => (whole, String::new()),
    }
}

/// The language of a catalogue.
pub fn lang(catalogue: &str) -> &str {
    lookup(catalogue, LANG_KEY).unwrap_or("en")
}

/// The languages one may switch to, as (tag, name).
pub fn languages(catalogue: &str) -> Vec<(String, String)> {
    lookup(catalogue, LANGS_KEY)
        .unwrap_or_default()
        .split(',')
        .filter_map(|pair| {
            let (tag, name) = pair.split_once(':')?;
            Some((tag.to_owned(), name.to_owned()))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

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

    fn messages() -> &'static str {
        "@lang=en\nplain=New chat\nplain/x=Not this one\nplainer=Nor this one\n\
         retry=In {seconds} seconds.\nretry/#0=Now.\nretry/$=seconds\n\
         retry/one=In {seconds} second.\ntone=Hello\ntone/$=tone\ntone/formal=Good day\n\
         tool=Allow {tool} to run?\nwith=Chat with {name}"
    }

    #[test]
    fn texts_and_variables() {
        let m = messages();
        assert_eq!(format(m, "plain", &[], &English), "New chat");
        assert_eq!(
            format(m, "with", &[("name", "Echo".into())], &English),
            "Chat with Echo"
        );
        // A missing variable stays visible; a missing message shows its id.
        assert_eq!(format(m, "with", &[], &English), "Chat with {name}");
        assert_eq!(format(m, "nope", &[], &English), "nope");
    }

    #[test]
    fn choices_by_number_category_and_word() {
        let m = messages();
        let retry = |n: i64| format(m, "retry", &[("seconds", n.into())], &English);
        assert_eq!(retry(1), "In #1 second.");
        assert_eq!(retry(5), "In #5 seconds.");
        assert_eq!(retry(0), "Now.");
        // Without the variable, the default variant.
        assert_eq!(format(m, "retry", &[], &English), "In {seconds} seconds.");
        assert_eq!(
            format(m, "tone", &[("tone", "formal".into())], &English),
            "Good day"
        );
        assert_eq!(
            format(m, "tone", &[("tone", "casual".into())], &English),
            "Hello"
        );
    }

    #[test]
    fn text_around_a_variable() {
        let m = messages();
        assert_eq!(
            around(m, "tool", "tool", &English),
            ("Allow ".to_owned(), " to run?".to_owned())
        );
        assert_eq!(
            around(m, "plain", "tool", &English),
            ("New chat".to_owned(), String::new())
        );
    }

    #[test]
    fn language_and_choices_of_language() {
        let m = "@lang=de\n@langs=en:English,de:Deutsch,broken";
        assert_eq!(lang(m), "de");
        assert_eq!(
            languages(m),
            vec![
                ("en".to_owned(), "English".to_owned()),
                ("de".to_owned(), "Deutsch".to_owned())
            ]
        );
        assert_eq!(lang(""), "en");
        assert!(languages("").is_empty());
    }

    #[test]
    fn a_key_is_found_whole() {
        let m = messages();
        // "plain" is not "plainer", nor the start of "plain/…".
        assert_eq!(lookup(m, "plain"), Some("New chat"));
        assert_eq!(lookup(m, "plai"), None);
        assert_eq!(lookup(m, "retry/#0"), Some("Now."));
        assert_eq!(lookup(m, "plainer"), Some("Nor this one"));
        // Every key of a sorted catalogue is found, and none that is not there.
        for line in m.lines() {
            let (k, v) = line.split_once('=').unwrap();
            assert_eq!(lookup(m, k), Some(v), "{k}");
            assert_eq!(lookup(m, &format!("{k}~")), None);
        }
        assert_eq!(lookup("", "a"), None);
    }
}

//! The interface's languages on the server: the Fluent files in `locales/`, read with the
//! Fluent project's parser, checked at start-up and compiled into the flat catalogue the
//! page carries (`catalogue.rs`); and the choice of a language for each request.
//!
//! Fluent's own runtime stays out of the browser: with its plural rules it would add tens
//! of KB to the first load, which has no room for them. The browser formats the compiled
//! texts with `catalogue::format` and its own `Intl`.

use std::sync::LazyLock;

use fluent_langneg::{negotiate_languages, LanguageIdentifier, NegotiationStrategy};
use fluent_syntax::ast::{self, Entry, Expression, InlineExpression, PatternElement, VariantKey};
use intl_pluralrules::{PluralCategory, PluralRuleType, PluralRules};
use std::collections::{BTreeMap, BTreeSet};

use super::catalogue::{self, Numbers, LANGS_KEY, LANG_KEY};

/// The languages, English first: it is the fallback, and every other file must have
/// exactly its messages.
const SOURCES: &[(&str, &str)] = &[
    ("en", include_str!("../../locales/en/agno-chat.ftl")),
    ("de", include_str!("../../locales/de/agno-chat.ftl")),
];

/// The cookie that remembers the language a person chose.
pub const COOKIE: &str = "agno_chat_lang";

/// One language, ready to serve.
pub struct Locale {
    pub tag: &'static str,
    id: LanguageIdentifier,
    /// The compiled catalogue the page carries: the app's messages.
    pub catalogue: String,
    /// All messages, with those of the server's own pages (see [`SERVER_PAGES`]).
    server_catalogue: String,
    plurals: PluralRules,
    digits: num_format::Locale,
}

impl Locale {
    /// A message of the server's own pages (or of the app).
    pub fn t(&self, id: &str, args: &[(&str, catalogue::Arg)]) -> String {
        catalogue::format(&self.server_catalogue, id, args, self)
    }
}

/// English section headings (`## …`) whose messages only the server's own pages use
/// (signing in, "not available", a shared conversation) start with this: the page's
/// catalogue leaves them out, as no view of the app asks for them.
const SERVER_PAGES: &str = "Pages outside the app";

impl Numbers for Locale {
    fn category(&self, n: i64) -> String {
        let category = self.plurals.select(n).unwrap_or(PluralCategory::OTHER);
        match category {
            PluralCategory::ZERO => "zero",
            PluralCategory::ONE => "one",
            PluralCategory::TWO => "two",
            PluralCategory::FEW => "few",
            PluralCategory::MANY => "many",
            PluralCategory::OTHER => "other",
        }
        .into()
    }

    fn write(&self, n: i64) -> String {
        use num_format::ToFormattedString;
        n.to_formatted_string(&self.digits)
    }
}

pub struct Locales(Vec<Locale>);

static LOCALES: LazyLock<Result<Locales, String>> = LazyLock::new(Locales::load);

/// The languages; checked by `check` at start-up, so that a broken file stops the server
/// with its name rather than showing ids in the page.
pub fn locales() -> &'static Locales {
    match &*LOCALES {
        Ok(l) => l,
        Err(e) => panic!("{e}"),
    }
}

/// Reads and checks every language file (called once at start-up).
pub fn check() -> Result<(), String> {
    LOCALES.as_ref().map(|_| ()).map_err(Clone::clone)
}

impl Locales {
    fn load() -> Result<Self, String> {
        let mut compiled = Vec::new();
        let mut server_only = BTreeSet::new();
        for (tag, source) in SOURCES {
            let (texts, own) =
                compile(source).map_err(|e| format!("locales/{tag}/agno-chat.ftl: {e}"))?;
            if compiled.is_empty() {
                server_only = own;
            }
            compiled.push((*tag, texts));
        }
        let names: Vec<String> = compiled
            .iter()
            .map(|(tag, texts)| {
                let name = texts.get("language-name").cloned().unwrap_or_default();
                format!("{tag}:{name}")
            })
            .collect();
        let ids = |texts: &Texts| -> Vec<String> {
            texts.keys().filter(|k| !k.contains('/')).cloned().collect()
        };
        let english = ids(&compiled[0].1);
        let mut locales = Vec::new();
        for (tag, mut texts) in compiled {
            let own = ids(&texts);
            if let Some(missing) = english.iter().find(|id| !own.contains(id)) {
                return Err(format!(
                    "locales/{tag}/agno-chat.ftl lacks message `{missing}`"
                ));
            }
            if let Some(extra) = own.iter().find(|id| !english.contains(id)) {
                return Err(format!(
                    "locales/{tag}/agno-chat.ftl has `{extra}`, which English does not"
                ));
            }
            texts.insert(LANG_KEY.into(), tag.to_string());
            texts.insert(LANGS_KEY.into(), names.join(","));
            let id: LanguageIdentifier = tag.parse().map_err(|e| format!("{tag}: {e:?}"))?;
            // intl_pluralrules names languages with unic-langid's type.
            let plural_id: unic_langid::LanguageIdentifier =
                tag.parse().map_err(|e| format!("{tag}: {e}"))?;
            let plurals = PluralRules::create(plural_id, PluralRuleType::CARDINAL)
                .map_err(|e| format!("{tag}: no plural rules ({e})"))?;
            let digits = num_format::Locale::from_name(tag)
                .map_err(|e| format!("{tag}: no number format ({e})"))?;
            let lines = |keep: &dyn Fn(&str) -> bool| {
                texts
                    .iter()
                    .filter(|(k, _)| keep(k.split('/').next().unwrap_or(k)))
                    .map(|(k, v)| format!("{k}={v}"))
                    .collect::<Vec<_>>()
                    .join("\n")
            };
            locales.push(Locale {
                tag,
                id,
                catalogue: lines(&|k| !server_only.contains(k)),
                server_catalogue: lines(&|_| true),
                plurals,
                digits,
            });
        }
        Ok(Locales(locales))
    }

    pub fn english(&self) -> &Locale {
        &self.0[0]
    }

    pub fn find(&self, tag: &str) -> Option<&Locale> {
        self.0.iter().find(|l| l.tag == tag)
    }

    /// The language for a request: the one chosen (the cookie), if known; else the best
    /// match for the browser's `Accept-Language`; else English.
    pub fn negotiate(&self, chosen: Option<&str>, accept_language: Option<&str>) -> &Locale {
        if let Some(l) = chosen.and_then(|c| self.find(c)) {
            return l;
        }
        let requested = fluent_langneg::accepted_languages::parse(accept_language.unwrap_or(""));
        let available: Vec<LanguageIdentifier> = self.0.iter().map(|l| l.id.clone()).collect();
        let default = self.english().id.clone();
        let best = negotiate_languages(
            &requested,
            &available,
            Some(&default),
            NegotiationStrategy::Lookup,
        );
        best.first()
            .and_then(|id| self.0.iter().find(|l| l.id == **id))
            .unwrap_or_else(|| self.english())
    }
}

/// A language's texts by key, as the catalogue holds them.
type Texts = BTreeMap<String, String>;

/// Compiles one Fluent file into the catalogue's texts (see `catalogue.rs`), with the ids
/// of the messages under a [`SERVER_PAGES`] heading.
fn compile(source: &str) -> Result<(Texts, BTreeSet<String>), String> {
    let resource = fluent_syntax::parser::parse(source).map_err(|(_, errors)| {
        let e = &errors[0];
        let line = source[..e.pos.start.min(source.len())]
            .lines()
            .count()
            .max(1);
        format!("line {line}: cannot read ({:?})", e.kind)
    })?;
    let terms: Vec<(&str, &ast::Pattern<&str>)> = resource
        .body
        .iter()
        .filter_map(|e| match e {
            Entry::Term(t) => Some((t.id.name, &t.value)),
            _ => None,
        })
        .collect();
    let mut out = Texts::new();
    let mut server_only = BTreeSet::new();
    let mut in_server_pages = false;
    for entry in &resource.body {
        match entry {
            Entry::GroupComment(c) => {
                in_server_pages = c
                    .content
                    .first()
                    .is_some_and(|l| l.starts_with(SERVER_PAGES));
            }
            Entry::Message(m) => {
                let id = m.id.name;
                if in_server_pages {
                    server_only.insert(id.to_owned());
                }
                let pattern = m.value.as_ref().ok_or(format!("`{id}` has no text"))?;
                compile_message(id, pattern, &terms, &mut out)
                    .map_err(|e| format!("`{id}`: {e}"))?;
            }
            Entry::Junk { content } => {
                return Err(format!("cannot read `{}`", content.trim()));
            }
            _ => {}
        }
    }
    Ok((out, server_only))
}

type Terms<'a> = [(&'a str, &'a ast::Pattern<&'a str>)];

fn compile_message(
    id: &str,
    pattern: &ast::Pattern<&str>,
    terms: &Terms,
    out: &mut Texts,
) -> Result<(), String> {
    let is_choice = |e: &PatternElement<&str>| {
        matches!(
            e,
            PatternElement::Placeable {
                expression: Expression::Select { .. }
            }
        )
    };
    let Some(at) = pattern.elements.iter().position(is_choice) else {
        out.insert(id.into(), text(&pattern.elements, terms)?);
        return Ok(());
    };
    let (before, rest) = pattern.elements.split_at(at);
    let after = &rest[1..];
    if after.iter().any(is_choice) {
        return Err("more than one choice".into());
    }
    let PatternElement::Placeable {
        expression: Expression::Select { selector, variants },
    } = &rest[0]
    else {
        unreachable!()
    };
    let InlineExpression::VariableReference { id: var } = selector else {
        return Err("a choice must depend on a variable".into());
    };
    out.insert(format!("{id}/$"), var.name.to_owned());
    let (before, after) = (text(before, terms)?, text(after, terms)?);
    for v in variants {
        let words = format!("{before}{}{after}", text(&v.value.elements, terms)?);
        let key = match &v.key {
            VariantKey::Identifier { name } => name.to_string(),
            VariantKey::NumberLiteral { value } => format!("#{value}"),
        };
        if v.default {
            out.insert(id.into(), words.clone());
        }
        out.insert(format!("{id}/{key}"), words);
    }
    Ok(())
}

/// The text of a pattern without choices: `{name}` for each variable.
fn text(elements: &[PatternElement<&str>], terms: &Terms) -> Result<String, String> {
    let mut s = String::new();
    for e in elements {
        match e {
            // A line break in a long text is a space in the page (the catalogue is lines).
            PatternElement::TextElement { value } => {
                s.push_str(&literal(value)?.replace('\n', " "))
            }
            PatternElement::Placeable { expression } => s.push_str(&placeable(expression, terms)?),
        }
    }
    Ok(s)
}

fn placeable(expression: &Expression<&str>, terms: &Terms) -> Result<String, String> {
    match expression {
        Expression::Inline(InlineExpression::VariableReference { id }) => {
            Ok(format!("{{{}}}", id.name))
        }
        Expression::Inline(InlineExpression::StringLiteral { value }) => {
            let value = fluent_syntax::unicode::unescape_unicode_to_string(value);
            Ok(literal(&value)?.to_owned())
        }
        Expression::Inline(InlineExpression::TermReference {
            id,
            attribute: None,
            arguments: None,
        }) => {
            let (_, pattern) = terms
                .iter()
                .find(|(name, _)| *name == id.name)
                .ok_or(format!("no term `-{}`", id.name))?;
            text(&pattern.elements, terms)
        }
        Expression::Inline(InlineExpression::Placeable { expression }) => {
            placeable(expression, terms)
        }
        Expression::Select { .. } => Err("a choice inside a choice".into()),
        other => Err(format!("unsupported expression {other:?}")),
    }
}

/// Braces in the words would read as variables in the catalogue (and `\u{1}` is the mark
/// `catalogue::around` uses).
fn literal(s: &str) -> Result<&str, String> {
    if s.contains(['{', '}', '\u{1}']) {
        Err(format!("`{s}`: braces are not allowed in the words"))
    } else {
        Ok(s)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_language_compiles_with_english_messages() {
        check().unwrap();
        let de = locales().find("de").unwrap();
        assert_eq!(de.t("new-chat", &[]), "Neuer Chat");
        assert_eq!(
            de.t("retry-in", &[("seconds", 1.into())]),
            "Neuer Versuch in 1 Sekunde."
        );
        assert_eq!(
            de.t(
                "too-long",
                &[("count", 12345.into()), ("max", 10000.into())]
            ),
            "12.345 / 10.000 Zeichen: zu lang zum Senden."
        );
        let en = locales().english();
        assert_eq!(
            en.t(
                "too-long",
                &[("count", 12345.into()), ("max", 10000.into())]
            ),
            "12,345 / 10,000 characters: too long to send."
        );
        assert_eq!(
            catalogue::languages(&en.catalogue)[1],
            ("de".to_owned(), "Deutsch".to_owned())
        );
        // Every line of the catalogue is one `key=text`, in the order of the keys (which
        // `catalogue::lookup` bisects).
        let keys: Vec<&str> = de
            .catalogue
            .lines()
            .map(|l| l.split_once('=').unwrap().0)
            .collect();
        assert!(keys.windows(2).all(|w| w[0] < w[1]));
    }

    #[test]
    fn compiles_choices_terms_and_literals() {
        let src = "-brand = Agno\nhi = Hi from { -brand }{\"!\"}\nn =\n    { $n ->\n        [0] none\n        [one] { $n } item\n       *[other] { $n } items\n    } left\n";
        let (m, _) = compile(src).unwrap();
        assert_eq!(m["hi"], "Hi from Agno!");
        assert_eq!(m["n/$"], "n");
        assert_eq!(m["n/#0"], "none left");
        assert_eq!(m["n/one"], "{n} item left");
        assert_eq!(m["n"], "{n} items left");
        assert_eq!(m["n/other"], "{n} items left");
    }

    #[test]
    fn refuses_what_the_catalogue_cannot_hold() {
        for (src, why) in [
            ("a = { \"{\" }\n", "braces"),
            ("a = { NUMBER($n) }\n", "unsupported"),
            (
                "a = { $x ->\n    *[a] { $y ->\n        *[b] c\n    }\n}\n",
                "inside a choice",
            ),
            ("a = { -nope }\n", "no term"),
            (
                "a = { $x ->\n    *[a] b\n  } { $y ->\n    *[c] d\n  }\n",
                "more than one",
            ),
            ("a =\n    .title = x\n", "has no text"),
            ("= oops\n", "cannot read"),
        ] {
            let e = compile(src).unwrap_err();
            assert!(e.contains(why), "{src:?}: {e}");
        }
    }

    /// Every message the code asks for is in the files: a call's id written in the code,
    /// and the ids that functions hand to `t`.
    #[test]
    fn every_message_the_code_asks_for_exists() {
        let english = &locales().english().catalogue;
        let server = &locales().english().server_catalogue;
        let call = regex::Regex::new(r#"\bt(?:_args|_around)?\(\s*"([a-z0-9-]+)""#).unwrap();
        let mut files = vec![std::path::PathBuf::from(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/src"
        ))];
        let mut asked = Vec::new();
        let mut server_asked = Vec::new();
        while let Some(path) = files.pop() {
            if path.is_dir() {
                files.extend(std::fs::read_dir(&path).unwrap().map(|e| e.unwrap().path()));
            } else if path.extension().is_some_and(|e| e == "rs") {
                let code = std::fs::read_to_string(&path).unwrap();
                let ids = call.captures_iter(&code).map(|c| c[1].to_owned());
                // The server's own pages may use every message; the app only those the
                // page carries.
                if path.components().any(|c| c.as_os_str() == "server") {
                    server_asked.extend(ids);
                } else {
                    asked.extend(ids);
                }
            }
        }
        assert!(
            server_asked.len() > 5,
            "found only {} calls",
            server_asked.len()
        );
        for id in &server_asked {
            assert!(
                catalogue::lookup(server, id).is_some(),
                "`{id}` is not in locales/en/agno-chat.ftl"
            );
        }
        // The server's pages' own messages are not in the page.
        assert!(catalogue::lookup(english, "signed-out-title").is_none());
        assert!(catalogue::lookup(english, "share-page-title").is_none());
        assert!(asked.len() > 100, "found only {} calls", asked.len());
        use crate::chat::reducer::ToolState;
        use crate::state::layout::Theme;
        asked.extend([Theme::System, Theme::Light, Theme::Dark].map(|t| t.label().to_owned()));
        asked.extend(
            [
                ToolState::Running,
                ToolState::Done,
                ToolState::Failed,
                ToolState::Waiting,
                ToolState::Stopped,
                ToolState::Unfinished,
            ]
            .map(|t| t.label().to_owned()),
        );
        let day = 86_400;
        asked.extend(
            [Some(0), Some(-day), Some(-3 * day), Some(-20 * day), None].map(|ago| {
                crate::model::date_group(100 * day, ago.map(|a| 100 * day + a), |_| 0).to_owned()
            }),
        );
        for id in asked {
            assert!(
                catalogue::lookup(english, &id).is_some(),
                "`{id}` is not in locales/en/agno-chat.ftl"
            );
        }
    }

    #[test]
    fn the_chosen_language_then_the_browsers_then_english() {
        let l = locales();
        assert_eq!(l.negotiate(Some("de"), Some("en-US")).tag, "de");
        assert_eq!(l.negotiate(Some("xx"), Some("de-AT,de;q=0.9")).tag, "de");
        assert_eq!(l.negotiate(None, Some("fr-FR,de;q=0.5")).tag, "de");
        assert_eq!(l.negotiate(None, Some("fr-FR")).tag, "en");
        assert_eq!(l.negotiate(None, None).tag, "en");
    }
}

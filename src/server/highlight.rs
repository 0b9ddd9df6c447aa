//! Syntax highlighting for code blocks in answers, on the server (syntect). The browser
//! asks for it once a code block is complete; the result is HTML with CSS classes only
//! (every piece of code text is escaped by syntect), styled by `/highlight.css`.

use std::sync::OnceLock;

use syntect::highlighting::ThemeSet;
use syntect::html::{css_for_theme_with_class_style, ClassStyle, ClassedHTMLGenerator};
use syntect::parsing::SyntaxSet;
use syntect::util::LinesWithEndings;

const CLASS_STYLE: ClassStyle = ClassStyle::SpacedPrefixed { prefix: "hl-" };
/// Larger blocks are left plain: highlighting cost grows with size (and a browser can ask
/// for any code it likes).
pub const MAX_CODE_BYTES: usize = 20_000;
/// Blocks highlighted at once for browsers' requests; more wait their turn, briefly.
const AT_ONCE: usize = 1;
/// How long a request waits for its turn before its block is left plain.
const WAIT_FOR_TURN: std::time::Duration = std::time::Duration::from_millis(250);
/// Bytes of highlighted HTML kept, by the block's content.
const CACHE_BYTES: u64 = 8 << 20;

fn syntaxes() -> &'static SyntaxSet {
    static SET: OnceLock<SyntaxSet> = OnceLock::new();
    SET.get_or_init(SyntaxSet::load_defaults_newlines)
}

/// Highlights `code` written in `lang` (a fence label such as `rust`, `py`, `js`).
/// `None` when the language is unknown or the block too large.
pub fn highlight(lang: &str, code: &str) -> Option<String> {
    if code.len() > MAX_CODE_BYTES || lang.is_empty() {
        return None;
    }
    let set = syntaxes();
    let syntax = set
        .find_syntax_by_token(lang)
        .or_else(|| set.find_syntax_by_extension(lang))?;
    let mut gen = ClassedHTMLGenerator::new_with_class_style(syntax, set, CLASS_STYLE);
    for line in LinesWithEndings::from(code) {
        gen.parse_html_for_line_which_includes_newline(line).ok()?;
    }
    Some(gen.finalize())
}

/// Highlights a block a browser asked for, within a budget: the same block (language and
/// code) is highlighted once and then served from a cache, and only [`AT_ONCE`] blocks are
/// highlighted at a time, so that many requests cannot take the server's CPU from pages and
/// streams. A block that does not get its turn soon is left plain (`None`).
pub async fn highlight_budgeted(lang: String, code: String) -> Option<String> {
    use std::hash::BuildHasher;
    use std::sync::Arc;

    struct Budget {
        turns: tokio::sync::Semaphore,
        done: moka::sync::Cache<u64, Option<Arc<str>>>,
        // Seeded per process: nobody can make two blocks share a key on purpose.
        keys: std::hash::RandomState,
    }
    static BUDGET: OnceLock<Budget> = OnceLock::new();
    if code.len() > MAX_CODE_BYTES || lang.is_empty() {
        return None;
    }
    let b = BUDGET.get_or_init(|| Budget {
        turns: tokio::sync::Semaphore::new(AT_ONCE),
        done: moka::sync::Cache::builder()
            .weigher(|_, html: &Option<Arc<str>>| html.as_ref().map_or(16, |h| h.len() as u32 + 16))
            .max_capacity(CACHE_BYTES)
            .build(),
        keys: std::hash::RandomState::new(),
    });
    let key = b.keys.hash_one((&lang, &code));
    if let Some(html) = b.done.get(&key) {
        return html.map(|h| h.to_string());
    }
    let Ok(Ok(_turn)) = tokio::time::timeout(WAIT_FOR_TURN, b.turns.acquire()).await else {
        super::telemetry::metrics::rate_limited("highlight");
        return None;
    };
    let html = tokio::task::spawn_blocking(move || highlight(&lang, &code))
        .await
        .ok()
        .flatten()
        .map(Arc::<str>::from);
    b.done.insert(key, html.clone());
    html.map(|h| h.to_string())
}

/// Loads the syntax definitions and compiles the patterns of the languages answers use
/// most, so that the first conversation opened after start-up does not pay for it (about
/// 60 ms in a release build, in the history's answer). Meant for a blocking thread.
pub fn warm() {
    const SAMPLES: &[(&str, &str)] = &[
        ("rust", "fn main() { let x: u32 = 1; println!(\"{x}\"); }\n"),
        (
            "python",
            "def f(x):\n    return [x * 2 for x in range(3)]  # note\n",
        ),
        ("js", "const f = (x) => { return `${x}`; };\n"),
        ("json", "{\"a\": [1, 2.5, true, null, \"s\"]}\n"),
        ("bash", "for f in *.txt; do echo \"$f\"; done\n"),
        (
            "sql",
            "SELECT a, COUNT(*) FROM t WHERE b = 'x' GROUP BY a;\n",
        ),
        ("html", "<div class=\"a\">text</div>\n"),
    ];
    for (lang, code) in SAMPLES {
        let _ = highlight(lang, code);
    }
    let _ = compressed_stylesheet();
}

/// The stylesheet for highlighted code: a light theme, and a dark one for dark mode.
pub fn stylesheet() -> &'static str {
    static CSS: OnceLock<String> = OnceLock::new();
    CSS.get_or_init(|| {
        let themes = ThemeSet::load_defaults();
        let light = themes
            .themes
            .get("InspiredGitHub")
            .and_then(|t| css_for_theme_with_class_style(t, CLASS_STYLE).ok())
            .unwrap_or_default();
        let dark = themes
            .themes
            .get("base16-ocean.dark")
            .and_then(|t| css_for_theme_with_class_style(t, CLASS_STYLE).ok())
            .unwrap_or_default();
        format!("{light}\n@media (prefers-color-scheme: dark) {{\n{dark}\n}}\n")
    })
}

/// The stylesheet, compressed once (from 19 KB to about 3 KB).
fn compressed_stylesheet() -> &'static super::encoding::precompressed::Precompressed {
    static CSS: OnceLock<super::encoding::precompressed::Precompressed> = OnceLock::new();
    CSS.get_or_init(|| super::encoding::precompressed::Precompressed::new(stylesheet()))
}

/// `GET /highlight.css`
pub async fn stylesheet_handler(
    request: axum::http::HeaderMap,
) -> impl axum::response::IntoResponse {
    let (coding, body) = compressed_stylesheet().for_request(&request);
    (
        [
            (axum::http::header::CONTENT_TYPE, "text/css; charset=utf-8"),
            (axum::http::header::CACHE_CONTROL, "public, max-age=86400"),
        ],
        coding,
        body,
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn highlights_known_languages_and_escapes_text() {
        let html = highlight("rust", "fn main() { let s = \"<script>\"; }\n").unwrap();
        assert!(html.contains("hl-"), "{html}");
        assert!(!html.contains("<script>"), "{html}");
        assert!(html.contains("&lt;script&gt;"), "{html}");
        assert!(highlight("py", "print(1)\n").is_some());
    }

    #[test]
    fn unknown_language_or_huge_block_is_left_plain() {
        assert_eq!(highlight("no-such-language", "x"), None);
        assert_eq!(highlight("", "x"), None);
        assert_eq!(highlight("rust", &"a".repeat(MAX_CODE_BYTES + 1)), None);
    }

    #[tokio::test]
    async fn browser_requests_are_capped_cached_and_taken_in_turn() {
        let big = "let x = 1;\n".repeat(30_000 / 11 + 1);
        assert!(big.len() > 30_000);
        assert_eq!(
            highlight_budgeted("rust".into(), big).await,
            None,
            "30 KB is left plain"
        );

        // The same block again comes from the cache: fast even while a turn is taken.
        let code = format!("fn cached_{}() {{}}\n", std::process::id());
        let first = highlight_budgeted("rust".into(), code.clone()).await;
        assert!(first.is_some());
        let started = std::time::Instant::now();
        let again = highlight_budgeted("rust".into(), code).await;
        assert_eq!(again, first);
        assert!(started.elapsed() < std::time::Duration::from_millis(50));

        // Eight callers at once: each is answered (highlighted or plain) within its wait
        // plus one block's work, never queued behind all the others.
        let started = std::time::Instant::now();
        let calls = (0..8).map(|i| {
            highlight_budgeted(
                "rust".into(),
                format!("fn f{i}() {{ {} }}\n", "1 + ".repeat(4_000) + "1"),
            )
        });
        let answers = futures::future::join_all(calls).await;
        assert_eq!(answers.len(), 8);
        assert!(answers.iter().any(|a| a.is_some()));
        assert!(
            started.elapsed() < std::time::Duration::from_secs(10),
            "{:?}",
            started.elapsed()
        );
    }

    #[test]
    fn stylesheet_has_light_and_dark_rules() {
        let css = stylesheet();
        assert!(css.contains(".hl-") && css.contains("prefers-color-scheme: dark"));
    }
}

//! Syntax highlighting for code blocks in answers, on the server (syntect). The browser
//! asks for it once a code block is complete; the result is HTML with CSS classes only
//! (every piece of code text is escaped by syntect), styled by `/highlight.css`.

use std::sync::OnceLock;

use syntect::highlighting::ThemeSet;
use syntect::html::{css_for_theme_with_class_style, ClassStyle, ClassedHTMLGenerator};
use syntect::parsing::SyntaxSet;
use syntect::util::LinesWithEndings;

const CLASS_STYLE: ClassStyle = ClassStyle::SpacedPrefixed { prefix: "hl-" };
/// Larger blocks are left plain: highlighting cost grows with size.
pub const MAX_CODE_BYTES: usize = 100_000;

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
fn compressed_stylesheet() -> &'static super::precompressed::Precompressed {
    static CSS: OnceLock<super::precompressed::Precompressed> = OnceLock::new();
    CSS.get_or_init(|| super::precompressed::Precompressed::new(stylesheet()))
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

    #[test]
    fn stylesheet_has_light_and_dark_rules() {
        let css = stylesheet();
        assert!(css.contains(".hl-") && css.contains("prefers-color-scheme: dark"));
    }
}

//! Agent answers as safe HTML: CommonMark with tables, strikethrough and task lists.
//! Raw HTML in the answer is shown as text, link targets other than http(s), mailto and
//! relative paths are dropped, images become links (no remote loads), and fenced code
//! gets a header with its language and a copy button.

use pulldown_cmark::{html, CodeBlockKind, CowStr, Event, Options, Parser, Tag, TagEnd};

/// Renders markdown to HTML that is safe to insert into the page.
pub fn to_safe_html(markdown: &str) -> String {
    let opts = markdown_options();
    let mut events: Vec<Event> = Vec::new();
    let mut code: Option<(String, String)> = None; // (language, text)
    let mut image_depth = 0usize;
    for ev in Parser::new_ext(markdown, opts) {
        if let Some((_, text)) = code.as_mut() {
            match ev {
                Event::Text(t) => text.push_str(&t),
                Event::End(TagEnd::CodeBlock) => {
                    let (lang, text) = code.take().unwrap_or_default();
                    events.push(Event::Html(CowStr::from(code_block_html(&lang, &text))));
                }
                _ => {}
            }
            continue;
        }
        match ev {
            Event::Start(Tag::CodeBlock(kind)) => {
                let lang = match kind {
                    CodeBlockKind::Fenced(info) => {
                        info.split_whitespace().next().unwrap_or("").to_owned()
                    }
                    CodeBlockKind::Indented => String::new(),
                };
                code = Some((lang, String::new()));
            }
            // Raw HTML is shown, never interpreted.
            Event::Html(h) | Event::InlineHtml(h) => events.push(Event::Text(h)),
            // TeX stays text, with its delimiters, until the server's MathML replaces it
            // (see `conversation::view::answer`).
            Event::InlineMath(tex) => math_span(&mut events, "inline", "$", tex),
            Event::DisplayMath(tex) => math_span(&mut events, "block", "$$", tex),
            Event::Start(Tag::Link {
                link_type,
                dest_url,
                title,
                id,
            }) => events.push(Event::Start(Tag::Link {
                link_type,
                dest_url: safe_url(dest_url),
                title,
                id,
            })),
            // Images: a link to the image instead of loading it.
            Event::Start(Tag::Image {
                link_type,
                dest_url,
                title,
                id,
            }) => {
                image_depth += 1;
                events.push(Event::Start(Tag::Link {
                    link_type,
                    dest_url: safe_url(dest_url),
                    title,
                    id,
                }));
                events.push(Event::Text(CowStr::from("image: ")));
            }
            Event::End(TagEnd::Image) if image_depth > 0 => {
                image_depth -= 1;
                events.push(Event::End(TagEnd::Link));
            }
            other => events.push(other),
        }
    }
    // An unterminated fence while streaming: show what has arrived.
    if let Some((lang, text)) = code.take() {
        events.push(Event::Html(CowStr::from(code_block_html(&lang, &text))));
    }
    let mut out = String::with_capacity(markdown.len() * 2);
    html::push_html(&mut out, events.into_iter());
    // Links open in a new tab without access to this page.
    out.replace(
        "<a href=",
        "<a rel=\"noopener noreferrer nofollow\" target=\"_blank\" href=",
    )
}

/// Renders an answer that is still growing, at a cost per update that does not grow with
/// the answer. Top-level blocks that another block has followed are finished: CommonMark
/// cannot change them by appending text, so each is rendered once and kept; only the text
/// from the start of the last block is parsed again on each update.
///
/// Link reference definitions are the one exception (a later definition can change an
/// earlier link); [`StreamingMarkdown::finish`] renders the finished answer whole once,
/// which settles them.
#[derive(Debug, Default, Clone)]
pub struct StreamingMarkdown {
    /// Source of the frozen blocks (to notice a text that no longer extends it).
    frozen_src: String,
    /// HTML of each frozen run of blocks, in order.
    blocks: Vec<String>,
    /// HTML of the unfinished tail.
    tail: String,
    /// Bumped when the text was replaced rather than extended.
    generation: u64,
}

impl StreamingMarkdown {
    /// Brings the rendering up to `text`. Returns how many frozen blocks were added.
    pub fn update(&mut self, text: &str) -> usize {
        if !text.starts_with(self.frozen_src.as_str()) {
            self.frozen_src.clear();
            self.blocks.clear();
            self.generation += 1;
        }
        let rest = &text[self.frozen_src.len()..];
        let cut = last_block_start(rest);
        let mut added = 0;
        if cut > 0 {
            let done = &rest[..cut];
            self.blocks.push(to_safe_html(done));
            self.frozen_src.push_str(done);
            added = 1;
        }
        self.tail = to_safe_html(&text[self.frozen_src.len()..]);
        added
    }

    /// The answer is complete at `text`: brings the parts up to it, and returns the whole
    /// text's HTML if it differs from what the parts show (a link reference defined after
    /// its use), or `None` when the parts already show it and can stay as they are.
    pub fn finish(&mut self, text: &str) -> Option<String> {
        self.update(text);
        let whole = to_safe_html(text);
        let shown = self.blocks.iter().chain([&self.tail]);
        (!same_html(shown, &whole)).then_some(whole)
    }

    pub fn blocks(&self) -> &[String] {
        &self.blocks
    }

    pub fn tail(&self) -> &str {
        &self.tail
    }

    pub fn generation(&self) -> u64 {
        self.generation
    }

    /// Bytes of source already frozen (for tests and benchmarks).
    pub fn frozen_len(&self) -> usize {
        self.frozen_src.len()
    }
}

/// Whether `parts`, shown one after another, are `whole`. Rendered separately, blocks
/// lack the newline the HTML writer puts between block tags (`>\n<`), which does not
/// matter in the page; no other newline follows `>` and precedes `<` in this HTML (text
/// has its `<` and `>` escaped).
fn same_html<'a>(parts: impl Iterator<Item = &'a String>, whole: &str) -> bool {
    let normal = |s: &str| s.replace(">\n<", "><");
    normal(&parts.map(String::as_str).collect::<String>()) == normal(whole)
}

/// Byte offset from which `text` must be parsed again as more arrives: the start of the
/// last top-level block that follows a blank line (0 when there is none). Blocks before
/// it are closed for good; without a blank line between them (table rows, a setext
/// underline, a paragraph interrupted by a rule) the earlier block may still be
/// extended, so it stays in the tail.
fn last_block_start(text: &str) -> usize {
    let mut depth = 0usize;
    let mut last_start = 0usize;
    let mut consider = |start: usize| {
        if start > 0 && after_blank_line(&text[..start]) {
            last_start = start;
        }
    };
    for (ev, range) in Parser::new_ext(text, markdown_options()).into_offset_iter() {
        match ev {
            Event::Start(_) => {
                if depth == 0 {
                    consider(range.start);
                }
                depth += 1;
            }
            Event::End(_) => depth = depth.saturating_sub(1),
            // Leaf blocks without a start/end pair.
            Event::Rule if depth == 0 => consider(range.start),
            _ => {}
        }
    }
    last_start
}

/// Whether `before` (the text up to a block's first character) ends with a blank line
/// followed by the block's indentation.
fn after_blank_line(before: &str) -> bool {
    let Some(rest) = before.trim_end_matches([' ', '\t']).strip_suffix('\n') else {
        return false;
    };
    let rest = rest.strip_suffix('\r').unwrap_or(rest);
    let last_line = rest.rsplit('\n').next().unwrap_or(rest);
    rest.contains('\n') && last_line.trim().is_empty()
}

/// `<span class="math" data-math=KIND>` around the TeX, escaped as any text is.
fn math_span<'a>(events: &mut Vec<Event<'a>>, kind: &str, delimiter: &str, tex: CowStr<'a>) {
    let open = format!("<span class=\"math\" data-math=\"{kind}\">");
    events.push(Event::Html(CowStr::from(open)));
    events.push(Event::Text(CowStr::from(format!(
        "{delimiter}{tex}{delimiter}"
    ))));
    events.push(Event::Html(CowStr::from("</span>")));
}

/// The TeX inside a math span's text (what `math_span` wrote), and whether it is a block.
pub fn math_source<'a>(kind: &str, text: &'a str) -> Option<(&'a str, bool)> {
    let (delimiter, block) = match kind {
        "inline" => ("$", false),
        "block" => ("$$", true),
        _ => return None,
    };
    let tex = text.strip_prefix(delimiter)?.strip_suffix(delimiter)?;
    Some((tex, block))
}

fn markdown_options() -> Options {
    let mut opts = Options::empty();
    opts.insert(Options::ENABLE_MATH);
    opts.insert(Options::ENABLE_TABLES);
    opts.insert(Options::ENABLE_STRIKETHROUGH);
    opts.insert(Options::ENABLE_TASKLISTS);
    opts
}

fn safe_url(url: CowStr<'_>) -> CowStr<'_> {
    let lower = url.trim().to_ascii_lowercase();
    let has_scheme = lower
        .split_once(':')
        .map(|(scheme, _)| !scheme.contains('/') && !scheme.contains('?') && !scheme.contains('#'))
        .unwrap_or(false);
    let allowed = !has_scheme
        || lower.starts_with("http:")
        || lower.starts_with("https:")
        || lower.starts_with("mailto:");
    if allowed {
        url
    } else {
        CowStr::from("#")
    }
}

fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

/// The language label of a fenced block as shown (and as its `language-` class).
fn code_label(lang: &str) -> String {
    let lang_clean: String = lang
        .chars()
        .filter(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '+' | '#'))
        .take(32)
        .collect();
    if lang_clean.is_empty() {
        "text".to_owned()
    } else {
        lang_clean
    }
}

/// The fenced code blocks of an answer as [`to_safe_html`] renders them: each block's
/// language label (its `language-` class) and its text (the `<code>` element's text).
pub fn code_blocks(markdown: &str) -> Vec<(String, String)> {
    let mut blocks = Vec::new();
    let mut current: Option<(String, String)> = None;
    for ev in Parser::new_ext(markdown, markdown_options()) {
        match ev {
            Event::Start(Tag::CodeBlock(CodeBlockKind::Fenced(info))) => {
                let lang = info.split_whitespace().next().unwrap_or("");
                current = Some((code_label(lang), String::new()));
            }
            Event::Start(Tag::CodeBlock(CodeBlockKind::Indented)) => {
                current = Some((code_label(""), String::new()))
            }
            Event::Text(t) => {
                if let Some((_, text)) = current.as_mut() {
                    text.push_str(&t);
                }
            }
            Event::End(TagEnd::CodeBlock) => blocks.extend(current.take()),
            _ => {}
        }
    }
    blocks
}

fn code_block_html(lang: &str, text: &str) -> String {
    let label = code_label(lang);
    format!(
        "<div class=\"code-block\"><div class=\"code-head\"><span class=\"code-lang\">{label}</span>\
         <button type=\"button\" class=\"copy-code\" data-copy-code=\"\" aria-label=\"{}\">{}</button></div>\
         <pre><code class=\"language-{label}\">{}</code></pre></div>",
        escape(&crate::i18n::t("copy-code")),
        escape(&crate::i18n::t("copy")),
        escape(text)
    )
}

/// Links the citation markers `[1]` … `[count]` in rendered answer HTML to the sources
/// with ids `{anchor}-{n}`; markers in code and inside links stay text.
pub fn link_citations(html: &str, count: u32, anchor: &str) -> String {
    let mut out = String::with_capacity(html.len() + 64);
    let mut rest = html;
    // Open code, pre and a elements around the current text.
    let mut inert = 0usize;
    while !rest.is_empty() {
        if rest.starts_with('<') {
            let end = rest.find('>').map_or(rest.len(), |i| i + 1);
            let tag = &rest[..end];
            let name: String = tag
                .trim_start_matches(['<', '/'])
                .chars()
                .take_while(char::is_ascii_alphanumeric)
                .collect();
            if matches!(name.as_str(), "code" | "pre" | "a") {
                if tag.starts_with("</") {
                    inert = inert.saturating_sub(1);
                } else {
                    inert += 1;
                }
            }
            out.push_str(tag);
            rest = &rest[end..];
            continue;
        }
        let end = rest.find('<').unwrap_or(rest.len());
        let text = &rest[..end];
        if inert > 0 {
            out.push_str(text);
        } else {
            let mut t = text;
            while let Some(open) = t.find('[') {
                out.push_str(&t[..open]);
                let after = &t[open + 1..];
                let digits: String = after.chars().take_while(char::is_ascii_digit).collect();
                let n = digits
                    .parse::<u32>()
                    .ok()
                    .filter(|n| (1..=count).contains(n));
                match n {
                    Some(n) if after[digits.len()..].starts_with(']') => {
                        out.push_str(&format!(
                            "<a class=\"cite\" href=\"#{anchor}-{n}\" data-testid=\"cite\">[{n}]</a>"
                        ));
                        t = &after[digits.len() + 1..];
                    }
                    _ => {
                        out.push('[');
                        t = after;
                    }
                }
            }
            out.push_str(t);
        }
        rest = &rest[end..];
    }
    out
}

#[cfg(test)]
mod tests {
    #[test]
    fn math_is_marked_and_kept_as_text() {
        let html = super::to_safe_html(
            "Einstein: $E = mc^2$ and\n\n$$\\frac{1}{3} < x$$\n\nA price of $5.",
        );
        assert!(
            html.contains(r#"<span class="math" data-math="inline">$E = mc^2$</span>"#),
            "{html}"
        );
        assert!(
            html.contains(r#"<span class="math" data-math="block">$$\frac{1}{3} &lt; x$$</span>"#),
            "{html}"
        );
        // A lone dollar sign is text.
        assert!(html.contains("A price of $5."), "{html}");
        assert_eq!(super::math_source("inline", "$x^2$"), Some(("x^2", false)));
        assert_eq!(super::math_source("block", "$$x$$"), Some(("x", true)));
        assert_eq!(super::math_source("inline", "x"), None);
        assert_eq!(super::math_source("other", "$x$"), None);
    }

    use super::{code_blocks, to_safe_html, StreamingMarkdown};

    #[test]
    fn code_blocks_match_the_rendered_blocks() {
        let md = "Intro\n\n```rust title\nfn main() {}\n// <tag> & \"q\"\n```\n\n    indented\n\n```\nplain\n```\n";
        let blocks = code_blocks(md);
        assert_eq!(
            blocks,
            vec![
                (
                    "rust".to_owned(),
                    "fn main() {}\n// <tag> & \"q\"\n".to_owned()
                ),
                ("text".to_owned(), "indented\n".to_owned()),
                ("text".to_owned(), "plain\n".to_owned()),
            ]
        );
        // Each is in the HTML as `<code class="language-{label}">{escaped text}</code>`.
        let html = to_safe_html(md);
        assert!(html.contains("<code class=\"language-rust\">fn main() {}\n// &lt;tag&gt; &amp; &quot;q&quot;\n</code>"), "{html}");
    }

    /// Feeds `text` in pieces of `step` bytes (on char boundaries).
    fn stream(text: &str, step: usize) -> StreamingMarkdown {
        let mut md = StreamingMarkdown::default();
        let mut end = 0;
        while end < text.len() {
            end = (end + step).min(text.len());
            while !text.is_char_boundary(end) {
                end += 1;
            }
            md.update(&text[..end]);
        }
        md
    }

    fn joined(md: &StreamingMarkdown) -> String {
        md.blocks().concat() + md.tail()
    }

    /// Rendered separately, blocks lose the newline the HTML writer puts between block
    /// tags; that whitespace does not matter in the page.
    fn normalized(html: &str) -> String {
        html.replace(">\n<", "><")
    }

    /// Whatever the piece size, the streamed rendering equals rendering the whole text.
    #[test]
    fn streamed_equals_whole() {
        let samples = [
            "# Title\n\nA paragraph with **bold** and `code`.\n\n- one\n- two\n\n- loose three\n\nAfter the list.\n\n| a | b |\n|---|---|\n| 1 | 2 |\n| 3 | 4 |\n\n```rust\nfn main() {}\n\nlet x = 1;\n```\n\n> quote\ncontinued lazily\n\n---\n\nSetext\n===\n\n1. a\n2. b\n\n    indented code\n\nend ünïcödé ✓",
            "plain text only, no blocks at all",
            "para\n***\npara two\n\n<div>raw</div>\n\ntail",
            "- [ ] task\n- [x] done\n\n~~strike~~ and [link](https://example.com)",
        ];
        for sample in samples {
            let whole = to_safe_html(sample);
            for step in [1, 2, 3, 5, 8, 13, 64, 1000] {
                let md = stream(sample, step);
                assert_eq!(
                    normalized(&joined(&md)),
                    normalized(&whole),
                    "step {step} of {sample:?}"
                );
                // So when the answer ends, the parts stay as they are.
                assert_eq!(md.clone().finish(sample), None, "step {step} of {sample:?}");
            }
        }
    }

    /// A link reference defined after its use changes an earlier, frozen block: the
    /// finished answer is then rendered whole, with the link.
    #[test]
    fn a_late_link_definition_is_settled_when_the_answer_finishes() {
        let text = "See [the docs][d].\n\nMore words.\n\n[d]: https://example.com/docs\n";
        for step in [1, 4, 1000] {
            let mut md = stream(text, step);
            assert!(
                !joined(&md).contains("href="),
                "step {step}: not a link while streaming"
            );
            let whole = md.finish(text).expect("rendered whole");
            assert!(
                whole.contains(r#"href="https://example.com/docs">the docs</a>"#),
                "{whole}"
            );
            assert_eq!(whole, to_safe_html(text));
        }
    }

    /// The text parsed on each update is the last block, not the whole answer.
    #[test]
    fn work_per_update_stays_bounded() {
        let mut text = String::new();
        let mut md = StreamingMarkdown::default();
        for i in 0..400 {
            text.push_str(&format!("Paragraph {i} with a few words.\n\n"));
            md.update(&text);
            assert!(
                text.len() - md.frozen_len() < 64,
                "{} unfrozen bytes",
                text.len() - md.frozen_len()
            );
        }
        assert!(md.blocks().len() >= 399);
    }

    /// A text that stops extending what was rendered (a restarted answer) starts over.
    #[test]
    fn replaced_text_starts_over() {
        let mut md = StreamingMarkdown::default();
        md.update("first\n\nsecond\n\nthird");
        let generation = md.generation();
        md.update("other\n\ntext");
        assert_ne!(md.generation(), generation);
        assert_eq!(
            normalized(&joined(&md)),
            normalized(&to_safe_html("other\n\ntext"))
        );
    }

    #[test]
    fn raw_html_is_text() {
        let html = to_safe_html(
            "hi <script>window.__xss=1</script> and <img src=x onerror=\"window.__xss=2\">",
        );
        assert!(!html.contains("<script"), "{html}");
        assert!(!html.contains("<img"), "{html}");
        assert!(html.contains("&lt;script&gt;"), "{html}");
        let block = to_safe_html("<div onclick=\"x()\">\n\nblock html\n</div>");
        assert!(!block.contains("<div onclick"), "{block}");
    }

    #[test]
    fn unsafe_links_are_neutralised() {
        let html = to_safe_html("[a](javascript:alert(1)) [b](https://example.com) [c](/local) [d](JaVaScRiPt:x) [e](data:text/html,x)");
        assert!(!html.to_lowercase().contains("javascript:"), "{html}");
        assert!(!html.contains("data:text"), "{html}");
        assert!(html.contains("href=\"https://example.com\""), "{html}");
        assert!(html.contains("href=\"/local\""), "{html}");
        assert!(
            html.contains("rel=\"noopener noreferrer nofollow\""),
            "{html}"
        );
    }

    #[test]
    fn images_become_links() {
        let html = to_safe_html("![cat](https://example.com/cat.png)");
        assert!(!html.contains("<img"), "{html}");
        assert!(html.contains("image: cat"), "{html}");
    }

    #[test]
    fn tables_and_code_blocks() {
        let html = to_safe_html(
            "| a | b |\n|---|---|\n| 1 | 2 |\n\n```rust\nfn main() { let x = 1 < 2; }\n```\n",
        );
        assert!(html.contains("<table>"), "{html}");
        assert!(html.contains("class=\"language-rust\""), "{html}");
        assert!(html.contains("1 &lt; 2"), "{html}");
        assert!(html.contains("data-copy-code"), "{html}");
    }

    #[test]
    fn unterminated_fence_while_streaming() {
        let html = to_safe_html("```py\nprint(1)");
        assert!(
            html.contains("print(1)") && html.contains("language-py"),
            "{html}"
        );
    }

    #[test]
    fn citation_markers_link_to_their_sources() {
        use super::link_citations;
        let html =
            to_safe_html("Agno [1] and AgentOS [2][3], not [4] nor `[1]` or [x].\n\n```\n[2]\n```");
        let linked = link_citations(&html, 3, "turn-1-src");
        assert!(
            linked.contains(
                r##"<a class="cite" href="#turn-1-src-1" data-testid="cite">[1]</a> and"##
            ),
            "{linked}"
        );
        assert!(
            linked.contains(
                r##"#turn-1-src-2" data-testid="cite">[2]</a><a class="cite" href="#turn-1-src-3""##
            ),
            "{linked}"
        );
        assert!(
            linked.contains("not [4] nor <code>[1]</code> or [x]"),
            "{linked}"
        );
        assert_eq!(linked.matches("class=\"cite\"").count(), 3, "{linked}");
    }
}

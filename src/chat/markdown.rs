//! Agent answers as safe HTML: CommonMark with tables, strikethrough and task lists.
//! Raw HTML in the answer is shown as text, link targets other than http(s), mailto and
//! relative paths are dropped, images become links (no remote loads), and fenced code
//! gets a header with its language and a copy button.

use pulldown_cmark::{html, CodeBlockKind, CowStr, Event, Options, Parser, Tag, TagEnd};

/// Renders markdown to HTML that is safe to insert into the page.
pub fn to_safe_html(markdown: &str) -> String {
    let mut opts = Options::empty();
    opts.insert(Options::ENABLE_TABLES);
    opts.insert(Options::ENABLE_STRIKETHROUGH);
    opts.insert(Options::ENABLE_TASKLISTS);
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

fn code_block_html(lang: &str, text: &str) -> String {
    let lang_clean: String = lang
        .chars()
        .filter(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '+' | '#'))
        .take(32)
        .collect();
    let label = if lang_clean.is_empty() {
        "text".to_owned()
    } else {
        lang_clean.clone()
    };
    format!(
        "<div class=\"code-block\"><div class=\"code-head\"><span class=\"code-lang\">{label}</span>\
         <button type=\"button\" class=\"copy-code\" data-copy-code=\"\" aria-label=\"Copy code\">Copy</button></div>\
         <pre><code class=\"language-{label}\">{}</code></pre></div>",
        escape(text)
    )
}

#[cfg(test)]
mod tests {
    use super::to_safe_html;

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
}

//! TeX from answers as MathML, which browsers draw natively (no script, no font files).
//! Converted by `math-core` (MIT), made for exactly this: LaTeX math to MathML Core.

use std::sync::OnceLock;

use math_core::{LatexToMathML, MathCoreConfig, MathDisplay};

/// TeX longer than this stays text: answers' formulas are short, and the conversion runs
/// on the request's thread.
pub const MAX_TEX_BYTES: usize = 4_000;

/// The MathML for `tex` (a block formula or one in a line), or `None` to leave it as TeX:
/// too long, or not TeX that converts.
pub fn to_mathml(tex: &str, block: bool) -> Option<String> {
    static CONVERTER: OnceLock<Option<LatexToMathML>> = OnceLock::new();
    if tex.len() > MAX_TEX_BYTES || tex.trim().is_empty() {
        return None;
    }
    let converter = CONVERTER
        .get_or_init(|| LatexToMathML::new(MathCoreConfig::default()).ok())
        .as_ref()?;
    let display = if block {
        MathDisplay::Block
    } else {
        MathDisplay::Inline
    };
    let mathml = converter
        .convert_with_local_state(tex, display)
        .ok()?
        .mathml;
    // Inserted into the page as it is: only a `<math>` element, never anything that runs.
    let lower = mathml.to_ascii_lowercase();
    let safe = lower.starts_with("<math")
        && !["<script", "javascript:", "href="]
            .iter()
            .any(|bad| lower.contains(bad))
        && !has_event_attribute(&lower);
    safe.then_some(mathml)
}

/// Whether markup has an attribute such as ` onclick=` (text such as "based on x" is fine).
fn has_event_attribute(markup: &str) -> bool {
    markup.match_indices(" on").any(|(at, _)| {
        let rest = &markup[at + 3..];
        let name = rest.len()
            - rest
                .trim_start_matches(|c: char| c.is_ascii_alphabetic())
                .len();
        name > 0 && rest[name..].starts_with('=')
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tex_becomes_mathml() {
        let inline = to_mathml("E = mc^2", false).expect("converts");
        assert!(inline.starts_with("<math"), "{inline}");
        assert!(inline.contains("<msup>"), "{inline}");
        assert!(!inline.contains("display=\"block\""), "{inline}");
        let block = to_mathml(r"\int_0^1 x^2 \, dx = \frac{1}{3}", true).expect("converts");
        assert!(block.contains("display=\"block\""), "{block}");
        assert!(block.contains("<mfrac>"), "{block}");
    }

    #[test]
    fn what_does_not_convert_stays_text() {
        assert_eq!(to_mathml(r"\frac{1}{", false), None);
        assert_eq!(to_mathml("   ", false), None);
        assert_eq!(to_mathml(&"x+".repeat(MAX_TEX_BYTES), false), None);
        // Markup in TeX is text in the MathML, never elements.
        let m = to_mathml(r"\text{<script>alert(1)</script>}", false).unwrap_or_default();
        assert!(!m.to_ascii_lowercase().contains("<script"), "{m}");
        assert!(to_mathml(r"\text{based on x}", false).is_some());
        assert!(has_event_attribute(r#"<math onclick="x">"#));
        assert!(!has_event_attribute("<mtext>based on x</mtext>"));
    }
}

//! Message validation, the same on the server (authoritative) and in the browser (instant
//! feedback).

/// Why a message was refused, in words for the user.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum InputError {
    #[error("Type a message first.")]
    Empty,
    #[error(
        "Your message is {len} characters long; the limit is {max}. Shorten it and send again."
    )]
    TooLong { len: usize, max: usize },
}

impl InputError {
    /// The reason in the page's language (the `Display` text is the API's, in English).
    pub fn in_words(&self) -> String {
        match self {
            InputError::Empty => crate::i18n::t("input-empty"),
            InputError::TooLong { len, max } => crate::i18n::t_args(
                "input-too-long",
                &[("len", (*len).into()), ("max", (*max).into())],
            ),
        }
    }
}

/// Cleans a message: normalises line ends, strips control characters (keeping newlines
/// and tabs) and surrounding whitespace, then checks it is non-empty and not too long.
pub fn clean_message(raw: &str, max_chars: usize) -> Result<String, InputError> {
    let cleaned: String = raw
        .replace("\r\n", "\n")
        .chars()
        .filter(|c| *c == '\n' || *c == '\t' || !c.is_control())
        .collect();
    let trimmed = cleaned.trim();
    if trimmed.is_empty() {
        return Err(InputError::Empty);
    }
    let len = trimmed.chars().count();
    if len > max_chars {
        return Err(InputError::TooLong {
            len,
            max: max_chars,
        });
    }
    Ok(trimmed.to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn trims_and_strips_control_characters() {
        assert_eq!(
            clean_message("  hi\u{0007} there\r\n\tok \u{001b}[31m ", 100).unwrap(),
            "hi there\n\tok [31m"
        );
    }

    #[test]
    fn rejects_empty_and_whitespace() {
        assert_eq!(clean_message("   \n\u{0000} ", 100), Err(InputError::Empty));
    }

    #[test]
    fn counts_characters_not_bytes() {
        assert!(clean_message(&"é".repeat(10), 10).is_ok());
        assert_eq!(
            clean_message(&"é".repeat(11), 10),
            Err(InputError::TooLong { len: 11, max: 10 })
        );
        let msg = InputError::TooLong { len: 11, max: 10 }.to_string();
        assert!(msg.contains("11") && msg.contains("10"), "{msg}");
    }
}

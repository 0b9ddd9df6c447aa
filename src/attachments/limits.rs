//! The browser's check of a file a person adds, before anything is uploaded: how many,
//! how large, and whether AgentOS takes its kind. The server checks again from the bytes
//! (a renamed program passes here and is refused there); this check only spares a
//! pointless upload and says at once what is wrong.

use crate::model::UploadLimits;

/// A file as the browser describes it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Candidate<'a> {
    pub name: &'a str,
    pub size: u64,
    /// The browser's guess from the name; empty when it has none.
    pub mime: &'a str,
}

/// Why a file was not added.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Refusal {
    TooMany { limit: usize },
    Empty { name: String },
    TooLarge { name: String, limit_mb: u64 },
    MessageTooLarge { limit_mb: u64 },
    Kind { name: String },
}

impl Refusal {
    /// The message key and its arguments (see the i18n catalogue).
    pub fn in_words(&self) -> (&'static str, Vec<(&'static str, String)>) {
        match self {
            Refusal::TooMany { limit } => ("attach-too-many", vec![("limit", limit.to_string())]),
            Refusal::Empty { name } => ("attach-empty", vec![("name", name.clone())]),
            Refusal::TooLarge { name, limit_mb } => (
                "attach-too-large",
                vec![("name", name.clone()), ("limit", limit_mb.to_string())],
            ),
            Refusal::MessageTooLarge { limit_mb } => (
                "attach-message-too-large",
                vec![("limit", limit_mb.to_string())],
            ),
            Refusal::Kind { name } => ("attach-kind", vec![("name", name.clone())]),
        }
    }
}

/// Extensions AgentOS 3.1.10 accepts (its `EXTENSION_CATEGORY`), for files whose type the
/// browser cannot name.
const EXTENSIONS: &[&str] = &[
    "pdf", "json", "js", "docx", "doc", "pptx", "ppt", "xlsx", "xls", "msg", "zip", "eml", "py",
    "txt", "html", "htm", "css", "md", "markdown", "csv", "xml", "rtf", "png", "jpg", "jpeg",
    "gif", "webp", "bmp", "tiff", "tif", "avif", "heic", "heif", "wav", "mp3", "ogg", "m4a", "aac",
    "flac", "flv", "mov", "mpeg", "mpg", "mp4", "webm", "wmv", "3gp",
];

fn extension(name: &str) -> Option<String> {
    let (stem, ext) = name.rsplit_once('.')?;
    (!stem.is_empty()).then(|| ext.to_ascii_lowercase())
}

/// Whether AgentOS takes a file of this name and browser type (SVG is refused there).
pub fn accepted_kind(name: &str, mime: &str) -> bool {
    let mime = mime.to_ascii_lowercase();
    if mime == "image/svg+xml" {
        return false;
    }
    let by_type = ["image/", "audio/", "video/"]
        .iter()
        .any(|p| mime.starts_with(p))
        || mime == "application/pdf"
        || mime.starts_with("text/");
    by_type || extension(name).is_some_and(|e| EXTENSIONS.contains(&e.as_str()))
}

/// Checks one more file against those already added (their sizes).
pub fn check(limits: &UploadLimits, added: &[u64], file: &Candidate) -> Result<(), Refusal> {
    let mb = |b: u64| b / (1024 * 1024);
    if added.len() >= limits.max_files {
        return Err(Refusal::TooMany {
            limit: limits.max_files,
        });
    }
    if !accepted_kind(file.name, file.mime) {
        return Err(Refusal::Kind {
            name: file.name.to_owned(),
        });
    }
    if file.size == 0 {
        return Err(Refusal::Empty {
            name: file.name.to_owned(),
        });
    }
    if file.size > limits.max_file_bytes {
        return Err(Refusal::TooLarge {
            name: file.name.to_owned(),
            limit_mb: mb(limits.max_file_bytes),
        });
    }
    if added.iter().sum::<u64>() + file.size > limits.max_message_bytes {
        return Err(Refusal::MessageTooLarge {
            limit_mb: mb(limits.max_message_bytes),
        });
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    const LIMITS: UploadLimits = UploadLimits {
        max_files: 2,
        max_file_bytes: 3 * 1024 * 1024,
        max_message_bytes: 4 * 1024 * 1024,
    };

    fn file(name: &str, size: u64, mime: &str) -> Candidate<'static> {
        Candidate {
            name: Box::leak(name.to_owned().into_boxed_str()),
            size,
            mime: Box::leak(mime.to_owned().into_boxed_str()),
        }
    }

    #[test]
    fn files_within_the_limits_are_added() {
        assert_eq!(
            check(&LIMITS, &[], &file("cat.png", 124, "image/png")),
            Ok(())
        );
        assert_eq!(check(&LIMITS, &[124], &file("notes.md", 40, "")), Ok(()));
    }

    #[test]
    fn each_limit_is_named() {
        let big = 3 * 1024 * 1024 + 1;
        assert_eq!(
            check(&LIMITS, &[], &file("big.pdf", big, "application/pdf")),
            Err(Refusal::TooLarge {
                name: "big.pdf".into(),
                limit_mb: 3
            })
        );
        assert_eq!(
            check(&LIMITS, &[1, 2], &file("c.png", 1, "image/png")),
            Err(Refusal::TooMany { limit: 2 })
        );
        assert_eq!(
            check(
                &LIMITS,
                &[3 * 1024 * 1024],
                &file("d.png", 2 * 1024 * 1024, "image/png")
            ),
            Err(Refusal::MessageTooLarge { limit_mb: 4 })
        );
        assert_eq!(
            check(&LIMITS, &[], &file("e.png", 0, "image/png")),
            Err(Refusal::Empty {
                name: "e.png".into()
            })
        );
    }

    #[test]
    fn kinds_agentos_refuses_are_refused_here() {
        for (name, mime) in [
            ("setup.exe", "application/x-msdownload"),
            ("logo.svg", "image/svg+xml"),
            ("blob.bin", "application/octet-stream"),
            ("noext", ""),
        ] {
            assert_eq!(
                check(&LIMITS, &[], &file(name, 10, mime)),
                Err(Refusal::Kind { name: name.into() }),
                "{name}"
            );
        }
        assert!(accepted_kind("data.xlsx", ""));
        assert!(accepted_kind("voice", "audio/webm"));
    }
}

//! What an uploaded file is, decided from its first bytes (magic numbers, via `infer`),
//! never from the name or type the browser claims; and the limits on files per message,
//! bytes per file and per message. Plain logic, no IO.

/// How AgentOS files an upload (`classify_upload_file` in its routers).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Category {
    Image,
    Audio,
    Video,
    Document,
}

impl Category {
    pub fn name(self) -> &'static str {
        match self {
            Category::Image => "image",
            Category::Audio => "audio",
            Category::Video => "video",
            Category::Document => "document",
        }
    }
}

/// An accepted file's type: the MIME type AgentOS is told, and its category.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Kind {
    pub mime: &'static str,
    pub category: Category,
}

/// Types AgentOS 3.1.10 accepts and that can be told from their bytes. Office formats are
/// zip containers: `infer` tells them apart by their first entries.
const BINARY: &[(&str, Category)] = &[
    ("image/png", Category::Image),
    ("image/jpeg", Category::Image),
    ("image/gif", Category::Image),
    ("image/webp", Category::Image),
    ("image/bmp", Category::Image),
    ("image/tiff", Category::Image),
    ("image/avif", Category::Image),
    ("image/heif", Category::Image),
    ("audio/x-wav", Category::Audio),
    ("audio/mpeg", Category::Audio),
    ("audio/ogg", Category::Audio),
    ("audio/m4a", Category::Audio),
    ("audio/aac", Category::Audio),
    ("audio/x-flac", Category::Audio),
    ("video/mp4", Category::Video),
    ("video/webm", Category::Video),
    ("video/quicktime", Category::Video),
    ("video/mpeg", Category::Video),
    ("video/x-flv", Category::Video),
    ("application/pdf", Category::Document),
    (
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        Category::Document,
    ),
    (
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        Category::Document,
    ),
    (
        "application/vnd.openxmlformats-officedocument.presentationml.presentation",
        Category::Document,
    ),
    ("application/msword", Category::Document),
    ("application/vnd.ms-excel", Category::Document),
    ("application/vnd.ms-powerpoint", Category::Document),
    ("application/zip", Category::Document),
];

/// The spelling AgentOS expects where `infer`'s differs.
fn agentos_mime(infer_mime: &str) -> &str {
    match infer_mime {
        "audio/x-wav" => "audio/wav",
        "audio/x-flac" => "audio/flac",
        other => other,
    }
}

/// Text files have no magic number: they are told by being UTF-8 without NUL bytes, and
/// typed by their extension.
fn text_mime(file_name: &str) -> &'static str {
    let ext = file_name
        .rsplit_once('.')
        .map(|(_, e)| e.to_ascii_lowercase())
        .unwrap_or_default();
    match ext.as_str() {
        "md" | "markdown" => "text/markdown",
        "csv" => "text/csv",
        "json" => "application/json",
        "html" | "htm" => "text/html",
        "css" => "text/css",
        "xml" => "text/xml",
        "js" | "mjs" => "text/javascript",
        "py" => "text/x-python",
        "rtf" => "text/rtf",
        _ => "text/plain",
    }
}

/// Bytes read before a file's type is decided.
pub const HEAD_BYTES: usize = 8 * 1024;

/// Why a file is refused; each says which file and why, in words for people.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum Refusal {
    #[error("{name}: this kind of file ({what}) cannot be sent.")]
    Type { name: String, what: String },
    #[error("{name} is empty.")]
    Empty { name: String },
    #[error("{name} is larger than {limit_mb} MB, the most one file may be.")]
    FileTooLarge { name: String, limit_mb: u64 },
    #[error("These files are larger than {limit_mb} MB together, the most one message may carry.")]
    MessageTooLarge { limit_mb: u64 },
    #[error("At most {limit} files can be sent with one message.")]
    TooMany { limit: usize },
}

/// The type of a file from its first bytes (up to [`HEAD_BYTES`]; all of them when it is
/// shorter) and its name (used only to type text, which has no magic number).
pub fn detect(head: &[u8], file_name: &str) -> Result<Kind, Refusal> {
    if head.is_empty() {
        return Err(Refusal::Empty {
            name: file_name.to_owned(),
        });
    }
    // Text formats `infer` knows (HTML, XML, scripts) are typed like any other text.
    if let Some(t) = infer::get(head).filter(|t| t.matcher_type() != infer::MatcherType::Text) {
        let mime = t.mime_type();
        return BINARY
            .iter()
            .find(|(m, _)| *m == mime)
            .map(|(m, category)| Kind {
                mime: agentos_mime(m),
                category: *category,
            })
            .ok_or_else(|| Refusal::Type {
                name: file_name.to_owned(),
                what: mime.to_owned(),
            });
    }
    if looks_like_text(head) {
        return Ok(Kind {
            mime: text_mime(file_name),
            category: Category::Document,
        });
    }
    Err(Refusal::Type {
        name: file_name.to_owned(),
        what: "unknown binary data".into(),
    })
}

/// UTF-8 without NUL bytes; a character cut by the end of the head counts as text.
fn looks_like_text(head: &[u8]) -> bool {
    if head.contains(&0) {
        return false;
    }
    match std::str::from_utf8(head) {
        Ok(_) => true,
        Err(e) => e.error_len().is_none() && head.len() - e.valid_up_to() < 4,
    }
}

/// Limits on what one message carries.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Limits {
    pub max_files: usize,
    pub max_file_bytes: u64,
    pub max_message_bytes: u64,
}

impl Limits {
    fn mb(bytes: u64) -> u64 {
        bytes / (1024 * 1024)
    }

    /// Checks one more file; `count` files came before it.
    pub fn check_count(&self, count: usize) -> Result<(), Refusal> {
        if count >= self.max_files {
            Err(Refusal::TooMany {
                limit: self.max_files,
            })
        } else {
            Ok(())
        }
    }

    /// Checks sizes while a file streams: `file` bytes of it so far, `message` in all.
    pub fn check_bytes(&self, name: &str, file: u64, message: u64) -> Result<(), Refusal> {
        if file > self.max_file_bytes {
            return Err(Refusal::FileTooLarge {
                name: name.to_owned(),
                limit_mb: Self::mb(self.max_file_bytes),
            });
        }
        if message > self.max_message_bytes {
            return Err(Refusal::MessageTooLarge {
                limit_mb: Self::mb(self.max_message_bytes),
            });
        }
        Ok(())
    }
}

/// A file name safe to pass on: the last path segment, control characters and quotes
/// removed, at most 200 characters; `file` when nothing is left.
pub fn clean_name(raw: &str) -> String {
    let last = raw.rsplit(['/', '\\']).next().unwrap_or(raw);
    let cleaned: String = last
        .chars()
        .filter(|c| !c.is_control() && !matches!(c, '"' | '\r' | '\n'))
        .take(200)
        .collect();
    let cleaned = cleaned.trim().to_owned();
    if cleaned.is_empty() || cleaned == "." || cleaned == ".." {
        "file".into()
    } else {
        cleaned
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const PNG: &[u8] = b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR\0\0\0\x01\0\0\0\x01\x08\x06\0\0\0";
    const PDF: &[u8] = b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj\n";
    const ELF: &[u8] = b"\x7fELF\x02\x01\x01\0\0\0\0\0\0\0\0\0\x02\0>\0";
    const EXE: &[u8] = b"MZ\x90\0\x03\0\0\0\x04\0\0\0\xff\xff\0\0";

    #[test]
    fn types_come_from_the_bytes_not_the_name() {
        assert_eq!(detect(PNG, "photo.jpg").unwrap().mime, "image/png");
        assert_eq!(detect(PDF, "notes.txt").unwrap().mime, "application/pdf");
        assert_eq!(
            detect(PDF, "notes.txt").unwrap().category,
            Category::Document
        );
        // An executable renamed to look like an image or a document.
        for (bytes, name) in [(ELF, "cat.png"), (EXE, "report.pdf")] {
            assert!(
                matches!(detect(bytes, name), Err(Refusal::Type { .. })),
                "{name}"
            );
        }
        assert!(matches!(detect(b"", "x.txt"), Err(Refusal::Empty { .. })));
        assert!(matches!(
            detect(b"\x00\x01\x02binary", "data.bin"),
            Err(Refusal::Type { .. })
        ));
    }

    #[test]
    fn text_is_typed_by_its_extension() {
        assert_eq!(
            detect(b"# Title\n", "README.md").unwrap().mime,
            "text/markdown"
        );
        assert_eq!(detect(b"a,b\n1,2\n", "t.CSV").unwrap().mime, "text/csv");
        assert_eq!(
            detect(b"{\"a\":1}", "x.json").unwrap().mime,
            "application/json"
        );
        assert_eq!(
            detect("grüße".as_bytes(), "note").unwrap().mime,
            "text/plain"
        );
        // A multi-byte character cut by the end of the head is still text.
        let cut = &"aé".as_bytes()[..2];
        assert_eq!(detect(cut, "a.txt").unwrap().mime, "text/plain");
        // An SVG is text to AgentOS, never an image here (it would run scripts inline).
        let svg = b"<svg xmlns=\"http://www.w3.org/2000/svg\"><script>alert(1)</script></svg>";
        let kind = detect(svg, "x.svg").unwrap();
        assert_eq!(kind.category, Category::Document);
        assert!(kind.mime.starts_with("text/"), "{}", kind.mime);
    }

    #[test]
    fn limits_say_which_file_and_why() {
        let l = Limits {
            max_files: 2,
            max_file_bytes: 2 * 1024 * 1024,
            max_message_bytes: 3 * 1024 * 1024,
        };
        assert!(l.check_count(1).is_ok());
        assert_eq!(
            l.check_count(2).unwrap_err().to_string(),
            "At most 2 files can be sent with one message."
        );
        assert!(l.check_bytes("a.png", 1, 1).is_ok());
        assert_eq!(
            l.check_bytes("big.pdf", 3 * 1024 * 1024, 3 * 1024 * 1024)
                .unwrap_err()
                .to_string(),
            "big.pdf is larger than 2 MB, the most one file may be."
        );
        assert!(matches!(
            l.check_bytes("b.pdf", 1024, 4 * 1024 * 1024),
            Err(Refusal::MessageTooLarge { limit_mb: 3 })
        ));
    }

    #[test]
    fn names_are_cleaned() {
        assert_eq!(clean_name("../../etc/passwd"), "passwd");
        assert_eq!(clean_name("C:\\Users\\x\\report.pdf"), "report.pdf");
        assert_eq!(clean_name("a\"b\r\nc.txt"), "abc.txt");
        assert_eq!(clean_name(".."), "file");
        assert_eq!(clean_name(""), "file");
        assert_eq!(clean_name(&"x".repeat(300)).len(), 200);
    }
}

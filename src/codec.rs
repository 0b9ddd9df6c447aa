//! How the browser reads JSON: with serde_json's byte reader only. Each reader makes its
//! own copy of every decoder in the wasm, and server functions' answers are read as bytes,
//! so text (the data written into the page, JSON held in strings) is read as bytes too.

use leptos::server::codee::{Decoder, Encoder};
use serde::{de::DeserializeOwned, Serialize};

/// Reads JSON held in a string.
pub fn from_text<T: DeserializeOwned>(text: &str) -> serde_json::Result<T> {
    serde_json::from_slice(text.as_bytes())
}

/// A string the browser's storage holds as JSON (written by `gloo_storage`, whose reader
/// would read it as text).
#[cfg(feature = "hydrate")]
pub fn stored_string(key: &str) -> Option<String> {
    use gloo_storage::{LocalStorage, Storage};
    let json = LocalStorage::raw().get_item(key).ok()??;
    from_text(&json).ok()
}

/// The codec of data the server writes into the page (the settings, the first catalog):
/// Leptos's default one reads it with the text reader.
pub struct PageJson;

impl<T: Serialize> Encoder<T> for PageJson {
    type Error = serde_json::Error;
    type Encoded = String;

    fn encode(val: &T) -> Result<String, serde_json::Error> {
        serde_json::to_string(val)
    }
}

impl<T: DeserializeOwned> Decoder<T> for PageJson {
    type Error = serde_json::Error;
    type Encoded = str;

    fn decode(val: &str) -> Result<T, serde_json::Error> {
        from_text(val)
    }
}

/// `s` in double quotes with its special characters escaped, as messages show a value.
/// Written out rather than `{:?}`: the release build's browser code formats `Debug` as
/// nothing (see docs/performance.md).
pub fn quoted(s: &str) -> String {
    format!("\"{}\"", s.escape_debug())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::PublicConfig;

    #[test]
    fn what_is_written_reads_back() {
        let config = PublicConfig::default();
        let text = <PageJson as Encoder<PublicConfig>>::encode(&config).unwrap();
        let back: PublicConfig = PageJson::decode(&text).unwrap();
        assert_eq!(back, config);
        assert!(<PageJson as Decoder<PublicConfig>>::decode("{").is_err());
    }

    #[test]
    fn quoted_as_debug_would() {
        for s in ["plain", "with \"quotes\" and \\", "line\nbreak\ttab", ""] {
            assert_eq!(quoted(s), format!("{s:?}"));
        }
    }

    /// The release build's browser code formats `Debug` as nothing (`-Zfmt-debug=none`),
    /// so no code the browser runs may show a value with `{:?}`: server-only code, tests
    /// and assertions aside.
    #[test]
    fn browser_code_never_formats_with_debug() {
        let src = std::path::PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/src"));
        let server_only = [
            "server",
            "agentos",
            "bin",
            "main.rs",
            "fluent.rs",
            "transcript_tests.rs",
        ];
        let mut files = vec![src];
        let mut found = Vec::new();
        while let Some(path) = files.pop() {
            let name = path.file_name().and_then(|n| n.to_str()).unwrap_or("");
            if server_only.contains(&name) {
                continue;
            }
            if path.is_dir() {
                files.extend(std::fs::read_dir(&path).unwrap().map(|e| e.unwrap().path()));
                continue;
            }
            if path.extension().is_none_or(|e| e != "rs") {
                continue;
            }
            let code = std::fs::read_to_string(&path).unwrap();
            let code = code.split("#[cfg(test)]").next().unwrap_or("");
            for (i, line) in code.lines().enumerate() {
                let line = line.trim_start();
                if line.starts_with("//") || line.contains("assert") {
                    continue;
                }
                if line.contains(":?}") || line.contains(":#?}") {
                    found.push(format!("{}:{}: {line}", path.display(), i + 1));
                }
            }
        }
        assert!(
            found.is_empty(),
            "Debug formatting in browser code:\n{}",
            found.join("\n")
        );
    }
}

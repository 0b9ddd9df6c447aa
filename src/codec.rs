//! How the browser reads what it is sent. The first load reads no JSON: the data written
//! into the page and the answers of the server functions it calls are postcard, whose
//! decoders are a fraction of JSON's in the wasm. JSON (AgentOS's events, histories,
//! generative UI) is read by lazily loaded code, with serde_json's byte reader only: each
//! reader makes its own copy of every decoder in the wasm.

use leptos::server::codee::{Decoder, Encoder};
use serde::{de::DeserializeOwned, Serialize};

/// Reads JSON held in a string.
pub fn from_text<T: DeserializeOwned>(text: &str) -> serde_json::Result<T> {
    serde_json::from_slice(text.as_bytes())
}

/// A string the browser's storage holds as JSON (written by `gloo_storage`), read with
/// the browser's own JSON parser.
#[cfg(feature = "hydrate")]
pub fn stored_string(key: &str) -> Option<String> {
    use gloo_storage::{LocalStorage, Storage};
    let json = LocalStorage::raw().get_item(key).ok()??;
    js_sys::JSON::parse(&json).ok()?.as_string()
}

/// The codec of data the server writes into the page (the settings, the first catalog):
/// postcard, whose decoder is a fraction of JSON's in the wasm, each byte written as one
/// character from U+0100 on. Those are printable and never `<`, a backslash or a digit, so the
/// script Leptos writes them into carries them unchanged.
pub struct PageData;

/// Where [`PageData`]'s characters start.
const PAGE_DATA_BASE: u32 = 0x100;

impl<T: Serialize> Encoder<T> for PageData {
    type Error = postcard::Error;
    type Encoded = String;

    fn encode(val: &T) -> Result<String, postcard::Error> {
        let bytes = postcard::to_allocvec(val)?;
        Ok(bytes
            .iter()
            .filter_map(|&b| char::from_u32(PAGE_DATA_BASE + u32::from(b)))
            .collect())
    }
}

impl<T: DeserializeOwned> Decoder<T> for PageData {
    type Error = postcard::Error;
    type Encoded = str;

    fn decode(val: &str) -> Result<T, postcard::Error> {
        let bytes = val
            .chars()
            .map(|c| u8::try_from(u32::from(c).wrapping_sub(PAGE_DATA_BASE)))
            .collect::<Result<Vec<u8>, _>>()
            .map_err(|_| postcard::Error::DeserializeBadEncoding)?;
        postcard::from_bytes(&bytes)
    }
}

/// The codec of a text the server writes into the page (the language's messages) as it
/// is. Leptos writes a `<` in it as `\u003c`; a backslash is doubled here first, so the
/// reader can tell the two apart.
pub struct PageText;

impl Encoder<String> for PageText {
    type Error = std::convert::Infallible;
    type Encoded = String;

    fn encode(val: &String) -> Result<String, Self::Error> {
        Ok(val.replace('\\', "\\\\"))
    }
}

impl Decoder<String> for PageText {
    type Error = std::convert::Infallible;
    type Encoded = str;

    fn decode(val: &str) -> Result<String, Self::Error> {
        let mut out = String::with_capacity(val.len());
        let mut rest = val;
        while let Some(at) = rest.find('\\') {
            out.push_str(&rest[..at]);
            let after = &rest[at + 1..];
            if let Some(more) = after.strip_prefix('\\') {
                out.push('\\');
                rest = more;
            } else if let Some(more) = after.strip_prefix("u003c") {
                out.push('<');
                rest = more;
            } else {
                out.push('\\');
                rest = after;
            }
        }
        out.push_str(rest);
        Ok(out)
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

    /// What Leptos does to the text before it reaches the browser (hydration_context's
    /// `write_to_buf`), undone by the JavaScript parser but for the `<` escape.
    fn through_the_page(text: &str) -> String {
        text.replace('<', "\\u003c")
    }

    #[test]
    fn page_data_reads_back_through_the_page() {
        let config = PublicConfig::default();
        let text = <PageData as Encoder<PublicConfig>>::encode(&config).unwrap();
        assert!(!text.contains(['<', '\\']) && !text.chars().any(|c| c.is_ascii()));
        let back: PublicConfig = PageData::decode(&through_the_page(&text)).unwrap();
        assert_eq!(back, config);
        assert!(<PageData as Decoder<PublicConfig>>::decode("{}").is_err());
    }

    #[test]
    fn page_text_reads_back_through_the_page() {
        for text in [
            "plain",
            "a <b> tag",
            "a \\u003c written out",
            "ends with \\",
            "\\\\<",
        ] {
            let written = <PageText as Encoder<String>>::encode(&text.to_owned()).unwrap();
            let read = <PageText as Decoder<String>>::decode(&through_the_page(&written)).unwrap();
            assert_eq!(read, text);
        }
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

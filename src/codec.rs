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
}

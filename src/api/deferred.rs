//! A server function answer whose decoding is left to the code that uses it.
//!
//! A server function's answer is normally decoded where it is called, so the decoder for
//! its type is part of the caller's wasm. A conversation's history is opened from the
//! page's first-load wasm, but its decoder (every kind of answer part) is big and only
//! needed once a conversation opens. With [`DeferredJson`] the request is sent by the
//! caller at once and the body is kept as received; [`Deferred::decode`] then runs in
//! a lazily loaded chunk, while that chunk and the answer are fetched in parallel.
//!
//! On the wire this is plain JSON (`application/json`), exactly as with Leptos's `Json`.

use std::marker::PhantomData;

use leptos::server_fn::codec::Post;
use leptos::server_fn::{Bytes, ContentType, Decodes, Encodes, Format, FormatType};
use serde::de::DeserializeOwned;
use serde::Serialize;

/// An answer of type `T` sent as JSON: a value on the server, still-undecoded JSON in
/// the browser until [`Deferred::decode`].
pub struct Deferred<T> {
    inner: Inner<T>,
}

enum Inner<T> {
    Value(T),
    Json(Bytes, PhantomData<fn() -> T>),
}

impl<T> Deferred<T> {
    /// Wraps the server's answer.
    pub fn new(value: T) -> Self {
        Self {
            inner: Inner::Value(value),
        }
    }
}

impl<T> Deferred<T> {
    /// Whether the answer is still JSON, so that [`Deferred::decode`] has work to do.
    pub fn is_json(&self) -> bool {
        matches!(self.inner, Inner::Json(..))
    }
}

impl<T: DeserializeOwned> Deferred<T> {
    /// The answer, decoding it if it came over the network.
    pub fn decode(self) -> Result<T, serde_json::Error> {
        match self.inner {
            Inner::Value(v) => Ok(v),
            Inner::Json(bytes, _) => serde_json::from_slice(&bytes),
        }
    }
}

/// The encoding of [`Deferred`] answers: JSON, decoded by [`Deferred::decode`].
pub struct DeferredJsonEncoding;

/// A server function output (`output = DeferredJson`) for [`Deferred`] answers.
pub type DeferredJson = Post<DeferredJsonEncoding>;

impl ContentType for DeferredJsonEncoding {
    const CONTENT_TYPE: &'static str = "application/json";
}

impl FormatType for DeferredJsonEncoding {
    const FORMAT_TYPE: Format = Format::Text;
}

impl<T: Serialize> Encodes<Deferred<T>> for DeferredJsonEncoding {
    type Error = serde_json::Error;

    fn encode(output: &Deferred<T>) -> Result<Bytes, Self::Error> {
        match &output.inner {
            Inner::Value(v) => serde_json::to_vec(v).map(Bytes::from),
            Inner::Json(bytes, _) => Ok(bytes.clone()),
        }
    }
}

impl<T> Decodes<Deferred<T>> for DeferredJsonEncoding {
    type Error = std::convert::Infallible;

    fn decode(bytes: Bytes) -> Result<Deferred<T>, Self::Error> {
        Ok(Deferred {
            inner: Inner::Json(bytes, PhantomData),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Debug, PartialEq, Serialize, serde::Deserialize)]
    struct Turn {
        question: String,
        parts: Vec<u32>,
    }

    #[test]
    fn what_the_server_encodes_the_browser_decodes() {
        let sent = Turn {
            question: "why?".into(),
            parts: vec![1, 2, 3],
        };
        let bytes = DeferredJsonEncoding::encode(&Deferred::new(sent)).unwrap();
        // Plain JSON on the wire.
        assert_eq!(&bytes[..], br#"{"question":"why?","parts":[1,2,3]}"#);
        let received: Deferred<Turn> = DeferredJsonEncoding::decode(bytes).unwrap();
        assert_eq!(
            received.decode().unwrap(),
            Turn {
                question: "why?".into(),
                parts: vec![1, 2, 3]
            }
        );
    }

    #[test]
    fn a_malformed_answer_is_an_error_when_decoded_not_when_received() {
        let received: Deferred<Turn> =
            DeferredJsonEncoding::decode(Bytes::from_static(b"{\"question\":")).unwrap();
        assert!(received.decode().is_err());
        let wrong: Deferred<Turn> =
            DeferredJsonEncoding::decode(Bytes::from_static(b"[1,2]")).unwrap();
        assert!(wrong.decode().is_err());
    }

    #[test]
    fn a_value_on_the_server_needs_no_decoding() {
        let here = Deferred::new(Turn {
            question: "q".into(),
            parts: vec![],
        });
        assert_eq!(here.decode().unwrap().question, "q");
    }
}

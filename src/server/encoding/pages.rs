//! Pages (HTML) compressed as they stream.
//!
//! A page is streamed: the shell first, then each part that waited on data. A plain
//! compressing layer (tower-http's) holds bytes back until its buffer fills or the page
//! ends, so the browser would learn of the page's scripts and wasm later. Here every chunk
//! the page yields is compressed and flushed at once (brotli, else gzip): the browser can
//! decode all that has arrived, and a page is about a third of its size on the wire.
//!
//! A page holds no secret to guess (BREACH): identity is a cookie, and the one
//! per-response value, the CSP nonce, is new in every response.

use std::io::Write;

use axum::body::Body;
use axum::extract::Request;
use axum::http::{header, HeaderValue};
use axum::middleware::Next;
use axum::response::Response;
use bytes::Bytes;
use futures::StreamExt;

use super::Coding;

/// Brotli's quality for pages: made per request, so fast rather than smallest.
const BROTLI_QUALITY: u32 = 5;
const BROTLI_WINDOW: u32 = 22;

/// Compresses `text/html` answers for clients that accept brotli or gzip.
pub(super) async fn compress_pages(req: Request, next: Next) -> Response {
    let accepted = super::accepted(req.headers());
    let res = next.run(req).await;
    let html = res
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|t| t.starts_with("text/html"));
    if !html || res.headers().contains_key(header::CONTENT_ENCODING) {
        return res;
    }
    let (mut parts, body) = res.into_parts();
    parts
        .headers
        .append(header::VARY, HeaderValue::from_static("accept-encoding"));
    let Some(coding) = accepted else {
        return Response::from_parts(parts, body);
    };
    parts.headers.remove(header::CONTENT_LENGTH);
    parts.headers.insert(
        header::CONTENT_ENCODING,
        HeaderValue::from_static(coding.name()),
    );
    let chunks = body.into_data_stream();
    let stream = futures::stream::unfold(
        (chunks, Some(Encoder::new(coding))),
        |(mut chunks, encoder)| async move {
            let mut encoder = encoder?;
            match chunks.next().await {
                Some(Ok(data)) => {
                    let out = encoder.chunk(&data);
                    Some((out, (chunks, Some(encoder))))
                }
                Some(Err(e)) => Some((Err(std::io::Error::other(e)), (chunks, None))),
                None => Some((encoder.finish(), (chunks, None))),
            }
        },
    );
    Response::from_parts(parts, Body::from_stream(stream))
}

enum Encoder {
    Brotli(Box<brotli::CompressorWriter<Vec<u8>>>),
    Gzip(flate2::write::GzEncoder<Vec<u8>>),
}

impl Encoder {
    fn new(coding: Coding) -> Self {
        match coding {
            Coding::Brotli => Encoder::Brotli(Box::new(brotli::CompressorWriter::new(
                Vec::new(),
                4096,
                BROTLI_QUALITY,
                BROTLI_WINDOW,
            ))),
            Coding::Gzip => Encoder::Gzip(flate2::write::GzEncoder::new(
                Vec::new(),
                flate2::Compression::fast(),
            )),
        }
    }

    /// Compresses `data` and flushes: the bytes returned, with those before them, decode
    /// to everything written so far.
    fn chunk(&mut self, data: &[u8]) -> std::io::Result<Bytes> {
        match self {
            Encoder::Brotli(w) => {
                w.write_all(data)?;
                w.flush()?;
                Ok(Bytes::from(std::mem::take(w.get_mut())))
            }
            Encoder::Gzip(w) => {
                w.write_all(data)?;
                w.flush()?;
                Ok(Bytes::from(std::mem::take(w.get_mut())))
            }
        }
    }

    /// Ends the compressed stream.
    fn finish(self) -> std::io::Result<Bytes> {
        match self {
            Encoder::Brotli(w) => Ok(Bytes::from(w.into_inner())),
            Encoder::Gzip(w) => w.finish().map(Bytes::from),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Read;

    fn decode(coding: Coding, bytes: &[u8]) -> String {
        let mut out = Vec::new();
        match coding {
            Coding::Brotli => {
                // Reads what there is; a stream not yet finished ends early, not in error.
                let mut r = brotli::Decompressor::new(bytes, 4096);
                let mut buf = [0u8; 1024];
                loop {
                    match r.read(&mut buf) {
                        Ok(0) | Err(_) => break,
                        Ok(n) => out.extend_from_slice(&buf[..n]),
                    }
                }
            }
            Coding::Gzip => {
                let mut r = flate2::read::GzDecoder::new(bytes);
                let mut buf = [0u8; 1024];
                loop {
                    match r.read(&mut buf) {
                        Ok(0) | Err(_) => break,
                        Ok(n) => out.extend_from_slice(&buf[..n]),
                    }
                }
            }
        }
        String::from_utf8(out).unwrap()
    }

    #[test]
    fn each_chunk_can_be_decoded_as_soon_as_it_is_sent() {
        let shell = "<!DOCTYPE html><html><head><link rel=\"modulepreload\" href=\"/pkg/app.js\"></head><body>".repeat(3);
        let later = "<template id=\"1-f\"><select><option>Echo Agent</option></select></template>";
        for coding in [Coding::Brotli, Coding::Gzip] {
            let mut enc = Encoder::new(coding);
            let mut sent = enc.chunk(shell.as_bytes()).unwrap().to_vec();
            // The shell decodes before the page has ended.
            assert_eq!(decode(coding, &sent), shell, "{coding:?}");
            sent.extend_from_slice(&enc.chunk(later.as_bytes()).unwrap());
            assert_eq!(
                decode(coding, &sent),
                format!("{shell}{later}"),
                "{coding:?}"
            );
            sent.extend_from_slice(&enc.finish().unwrap());
            assert_eq!(
                decode(coding, &sent),
                format!("{shell}{later}"),
                "{coding:?}"
            );
            assert!(
                sent.len() < shell.len() + later.len(),
                "{coding:?}: compressed"
            );
        }
    }

    #[tokio::test]
    async fn only_pages_are_compressed_and_a_page_streams_whole() {
        use axum::routing::get;
        use tower::ServiceExt;
        let app = axum::Router::new()
            .route(
                "/",
                get(|| async {
                    let parts =
                        futures::stream::iter(["<html><body>", "<p>hello</p>", "</body></html>"])
                            .map(|s| Ok::<_, std::io::Error>(Bytes::from_static(s.as_bytes())));
                    Response::builder()
                        .header(header::CONTENT_TYPE, "text/html; charset=utf-8")
                        .body(Body::from_stream(parts))
                        .unwrap()
                }),
            )
            .route("/json", get(|| async { axum::Json(vec!["x"; 500]) }))
            .layer(axum::middleware::from_fn(compress_pages));
        let get_with = |path: &'static str, accept: &'static str| {
            Request::builder()
                .uri(path)
                .header(header::ACCEPT_ENCODING, accept)
                .body(Body::empty())
                .unwrap()
        };

        let res = app
            .clone()
            .oneshot(get_with("/", "gzip, br"))
            .await
            .unwrap();
        assert_eq!(res.headers()[header::CONTENT_ENCODING], "br");
        assert_eq!(res.headers()[header::VARY], "accept-encoding");
        let body = axum::body::to_bytes(res.into_body(), usize::MAX)
            .await
            .unwrap();
        assert_eq!(
            decode(Coding::Brotli, &body),
            "<html><body><p>hello</p></body></html>"
        );

        let res = app
            .clone()
            .oneshot(get_with("/", "identity"))
            .await
            .unwrap();
        assert!(res.headers().get(header::CONTENT_ENCODING).is_none());
        let body = axum::body::to_bytes(res.into_body(), usize::MAX)
            .await
            .unwrap();
        assert_eq!(&body[..], b"<html><body><p>hello</p></body></html>");

        let res = app.oneshot(get_with("/json", "br")).await.unwrap();
        assert!(
            res.headers().get(header::CONTENT_ENCODING).is_none(),
            "not a page"
        );
    }
}

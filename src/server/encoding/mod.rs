//! Content encoding, all of it: which answers are compressed, how, and where.
//! - Pages (HTML) are compressed as they stream, each chunk flushed at once (`pages`).
//! - Server functions' answers, JSON or postcard (a long conversation's history is about
//!   300 KB of JSON), are compressed by tower-http at its fastest level.
//! - The app's files under `/pkg` are compressed at build time (`scripts/build-release.sh`)
//!   and served as they are, by `Accept-Encoding` (`static_files`).
//! - Bodies the server makes itself once (the highlighting stylesheet) are compressed once,
//!   at start-up (`precompressed`).
//! - Streams (run events, streamed server functions) are never compressed: a compressor
//!   would hold their bytes back.
//!
//! Every answer that could differ by `Accept-Encoding` says so (`Vary`), for shared caches.

use axum::http::{header, HeaderMap, HeaderValue};
use axum::Router;

mod pages;
pub mod precompressed;

/// Compresses the answers of `app` that are worth it: pages as they stream, and server
/// functions' answers of some size. Goes outside the layers that read answers (the error-status
/// mapping reads error bodies).
pub fn compress(app: Router) -> Router {
    app.layer(axum::middleware::from_fn(pages::compress_pages))
        .layer(
            tower_http::compression::CompressionLayer::new()
                .quality(tower_http::CompressionLevel::Fastest)
                .compress_when(answer_worth_compressing),
        )
}

/// The app's files in `dir`, each sent in the precompressed form the request accepts
/// (brotli, else gzip, else as it is), with conditional requests answered (304):
/// leptos_axum's own file handler passes only `Accept-Encoding` on, so the JS modules,
/// which browsers must revalidate, would be sent whole every time.
pub fn static_files(
    dir: std::path::PathBuf,
) -> tower_http::set_header::SetResponseHeader<tower_http::services::ServeDir, HeaderValue> {
    // The file service picks a copy by `Accept-Encoding` and does not say so: a shared
    // cache must not hand a brotli copy to a browser that did not ask for one.
    tower_http::set_header::SetResponseHeader::appending(
        tower_http::services::ServeDir::new(dir)
            .precompressed_br()
            .precompressed_gzip(),
        header::VARY,
        HeaderValue::from_static("accept-encoding"),
    )
}

/// Whether a response is a server function's answer (JSON or postcard) large enough to be
/// worth compressing. Streams
/// (`application/octet-stream` for streamed server functions) must not be: the
/// compressor would hold back their bytes.
fn answer_worth_compressing(
    _status: axum::http::StatusCode,
    _version: axum::http::Version,
    headers: &HeaderMap,
    _extensions: &axum::http::Extensions,
) -> bool {
    let answer = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|t| {
            t.starts_with("application/json") || t.starts_with("application/x-postcard")
        });
    let length = headers
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<u64>().ok());
    answer && length.is_none_or(|n| n >= 1024)
}

/// The coding a request accepts, by its `Accept-Encoding` header.
fn accepted(request: &HeaderMap) -> Option<Coding> {
    request
        .get(header::ACCEPT_ENCODING)
        .and_then(|v| v.to_str().ok())
        .and_then(Coding::preferred)
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Coding {
    Brotli,
    Gzip,
}

impl Coding {
    fn name(self) -> &'static str {
        match self {
            Coding::Brotli => "br",
            Coding::Gzip => "gzip",
        }
    }

    /// The coding to use for an `Accept-Encoding` header: brotli if accepted, else gzip,
    /// else none. A coding with `q=0` is refused.
    fn preferred(accept: &str) -> Option<Coding> {
        let accepts = |name: &str| {
            accept.split(',').any(|item| {
                let mut parts = item.split(';').map(str::trim);
                let coding = parts.next().unwrap_or_default();
                let q = parts
                    .find_map(|p| p.strip_prefix("q="))
                    .and_then(|q| q.trim().parse::<f32>().ok())
                    .unwrap_or(1.0);
                coding.eq_ignore_ascii_case(name) && q > 0.0
            })
        };
        if accepts("br") {
            Some(Coding::Brotli)
        } else if accepts("gzip") {
            Some(Coding::Gzip)
        } else {
            None
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::http::{Extensions, StatusCode, Version};

    fn compressed(content_type: &str, length: Option<u64>) -> bool {
        let mut h = HeaderMap::new();
        h.insert(header::CONTENT_TYPE, content_type.parse().unwrap());
        if let Some(n) = length {
            h.insert(header::CONTENT_LENGTH, n.into());
        }
        answer_worth_compressing(StatusCode::OK, Version::HTTP_11, &h, &Extensions::new())
    }

    #[test]
    fn only_answers_of_some_size_are_compressed() {
        assert!(compressed("application/json", Some(300_000)));
        assert!(compressed("application/x-postcard", Some(4_000)));
        assert!(!compressed("application/x-postcard", Some(300)));
        assert!(compressed("application/json", None));
        assert!(!compressed("application/json", Some(200)));
        assert!(!compressed("application/octet-stream", None), "streams");
        assert!(
            !compressed("text/html; charset=utf-8", None),
            "streamed pages"
        );
    }

    #[test]
    fn brotli_is_preferred_then_gzip_and_q_zero_refuses() {
        assert_eq!(
            Coding::preferred("gzip, deflate, br, zstd"),
            Some(Coding::Brotli)
        );
        assert_eq!(Coding::preferred("gzip, deflate"), Some(Coding::Gzip));
        assert_eq!(Coding::preferred("br;q=0, gzip;q=0.5"), Some(Coding::Gzip));
        assert_eq!(Coding::preferred("BR"), Some(Coding::Brotli));
        assert_eq!(Coding::preferred("identity"), None);
        assert_eq!(Coding::preferred("br;q=0,gzip;q=0"), None);
        assert_eq!(Coding::preferred(""), None);
    }
}

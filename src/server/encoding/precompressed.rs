//! Bodies the server makes once (the highlighting stylesheet, the rewritten chunk loader),
//! compressed once as well: brotli and gzip at their best, at start-up, where a
//! compressing layer would compress every answer again, at a lower quality.

use std::io::Write;

use axum::http::{header, HeaderMap, HeaderValue};
use bytes::Bytes;

use super::Coding;

/// A body with its brotli and gzip forms.
#[derive(Debug)]
pub struct Precompressed {
    identity: Bytes,
    brotli: Bytes,
    gzip: Bytes,
}

impl Precompressed {
    /// Compresses `body` both ways (for a 20 KB stylesheet, tens of milliseconds: meant
    /// for start-up, off the async workers).
    #[expect(clippy::expect_used, reason = "writing to memory does not fail")]
    pub fn new(body: impl Into<Bytes>) -> Self {
        let identity: Bytes = body.into();
        let brotli = {
            let mut w = brotli::CompressorWriter::new(Vec::new(), 4096, 11, 22);
            w.write_all(&identity)
                .expect("writing to memory does not fail");
            Bytes::from(w.into_inner())
        };
        let gzip = {
            let mut w = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::best());
            w.write_all(&identity)
                .expect("writing to memory does not fail");
            Bytes::from(w.finish().expect("writing to memory does not fail"))
        };
        Self {
            identity,
            brotli,
            gzip,
        }
    }

    /// The form a request accepts (brotli, else gzip, else none), with the headers that
    /// go with it: `Content-Encoding` when compressed, and always `Vary: accept-encoding`.
    pub fn for_request(&self, request: &HeaderMap) -> (HeaderMap, Bytes) {
        let coding = super::accepted(request);
        let mut headers = HeaderMap::new();
        headers.insert(header::VARY, HeaderValue::from_static("accept-encoding"));
        let body = match coding {
            Some(c) => {
                headers.insert(header::CONTENT_ENCODING, HeaderValue::from_static(c.name()));
                match c {
                    Coding::Brotli => self.brotli.clone(),
                    Coding::Gzip => self.gzip.clone(),
                }
            }
            None => self.identity.clone(),
        };
        (headers, body)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Read;

    fn accepting(value: &'static str) -> HeaderMap {
        let mut h = HeaderMap::new();
        h.insert(header::ACCEPT_ENCODING, HeaderValue::from_static(value));
        h
    }

    #[test]
    fn each_form_decodes_to_the_body() {
        let css = ".hl-keyword { color: #a71d5d; }\n".repeat(200);
        let p = Precompressed::new(css.clone());

        let (h, br) = p.for_request(&accepting("gzip, deflate, br, zstd"));
        assert_eq!(h[header::CONTENT_ENCODING], "br");
        assert_eq!(h[header::VARY], "accept-encoding");
        let mut out = String::new();
        brotli::Decompressor::new(&br[..], 4096)
            .read_to_string(&mut out)
            .unwrap();
        assert_eq!(out, css);
        assert!(br.len() < css.len() / 10, "{} bytes", br.len());

        let (h, gz) = p.for_request(&accepting("gzip"));
        assert_eq!(h[header::CONTENT_ENCODING], "gzip");
        let mut out = String::new();
        flate2::read::GzDecoder::new(&gz[..])
            .read_to_string(&mut out)
            .unwrap();
        assert_eq!(out, css);

        for plain in [HeaderMap::new(), accepting("identity"), accepting("br;q=0")] {
            let (h, body) = p.for_request(&plain);
            assert!(!h.contains_key(header::CONTENT_ENCODING));
            assert_eq!(h[header::VARY], "accept-encoding");
            assert_eq!(body, css.as_bytes());
        }
    }
}

//! The lazily loaded wasm chunks' loader, served so that chunks compile side by side.
//!
//! `cargo leptos build --split` writes a small JS module (`__wasm_split.<hash>.js`) that
//! loads each chunk. A chunk that needs another first (the conversation's code needs the
//! part it shares with the generative-UI renderer) has both downloads started at once,
//! but its own `WebAssembly.instantiateStreaming` is called only once the other is
//! instantiated: its bytes wait, unread, while the first chunk compiles. On a click with
//! nothing loaded ahead, that put the shared chunk's whole compile in front of the
//! conversation's.
//!
//! The server serves the loader rewritten so that every chunk is compiled as it downloads
//! (`WebAssembly.compileStreaming`, started with the download) and instantiated, in the
//! same order as before, once what it needs is. Nothing else changes: the same files, the
//! same imports, the same result for a failed download (the load rejects, and is tried
//! again at the next call). A loader of any other form (another cargo-leptos) is served
//! as built, and the log says so.

use std::hash::{Hash, Hasher};
use std::path::Path;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};

use super::precompressed::Precompressed;

/// The rewritten loader, kept in memory (compressed once, see `precompressed`), with what
/// a browser revalidates it by: its entity tag, and when this server made it
/// (`Last-Modified`: the rewrite is the server's, so the built file's date would not
/// follow a change to it).
#[derive(Debug)]
pub struct ChunkLoader {
    /// Its path under the site (`/pkg/__wasm_split.<hash>.js`).
    pub path: String,
    body: Precompressed,
    etag: HeaderValue,
    made: SystemTime,
}

impl ChunkLoader {
    /// Reads the loader at `path` under `site_root` and rewrites it; `None` (the file is
    /// then served as built) when it cannot be read or its form is not the one known.
    pub fn load(site_root: &Path, path: &str) -> Option<Self> {
        let file = site_root.join(path.trim_start_matches('/'));
        let built = match std::fs::read_to_string(&file) {
            Ok(js) => js,
            Err(e) => {
                tracing::warn!(path, error = %e, "the chunk loader could not be read; served as built");
                return None;
            }
        };
        let Some(js) = compile_while_downloading(&built) else {
            tracing::warn!(
                path,
                "the chunk loader is not of the form known (cargo-leptos 0.3's); served as built, chunks compiled one after another"
            );
            return None;
        };
        tracing::info!(
            path,
            "the chunk loader is served with chunks compiled as they download"
        );
        Some(Self::new(path, js))
    }

    fn new(path: &str, js: String) -> Self {
        let mut hasher = std::collections::hash_map::DefaultHasher::new();
        js.hash(&mut hasher);
        // Weak: the body is sent compressed or not, the same JS either way.
        let etag = HeaderValue::from_str(&format!("W/\"{:016x}\"", hasher.finish()))
            .expect("an entity tag of hex digits is a valid header value");
        // HTTP dates are in whole seconds.
        let secs = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map_or(0, |d| d.as_secs());
        Self {
            path: path.to_owned(),
            body: Precompressed::new(js),
            etag,
            made: UNIX_EPOCH + Duration::from_secs(secs),
        }
    }

    /// The loader, or 304 when the browser's copy is this one (JS modules are revalidated:
    /// see `router::asset_cache_policy`). `If-None-Match`, when sent, decides (RFC 9110
    /// 13.2.2); else `If-Modified-Since`.
    pub fn respond(&self, request: &HeaderMap) -> Response {
        let made = HeaderValue::from_str(&httpdate::fmt_http_date(self.made))
            .expect("an HTTP date is a valid header value");
        let ours = self
            .etag
            .to_str()
            .unwrap_or_default()
            .trim_start_matches("W/");
        let tags: Vec<&str> = request
            .get_all(header::IF_NONE_MATCH)
            .iter()
            .filter_map(|v| v.to_str().ok())
            .flat_map(|v| v.split(','))
            .map(|tag| tag.trim().trim_start_matches("W/"))
            .collect();
        let fresh = if tags.is_empty() {
            request
                .get(header::IF_MODIFIED_SINCE)
                .and_then(|v| v.to_str().ok())
                .and_then(|v| httpdate::parse_http_date(v).ok())
                .is_some_and(|since| since >= self.made)
        } else {
            tags.iter().any(|tag| *tag == "*" || *tag == ours)
        };
        let validators = [
            (header::ETAG, self.etag.clone()),
            (header::LAST_MODIFIED, made),
        ];
        if fresh {
            // As the 200 would: the body depends on Accept-Encoding (RFC 9110 15.4.5).
            let vary = [(header::VARY, HeaderValue::from_static("accept-encoding"))];
            return (StatusCode::NOT_MODIFIED, validators, vary).into_response();
        }
        let (coding, body) = self.body.for_request(request);
        (
            [(
                header::CONTENT_TYPE,
                HeaderValue::from_static("text/javascript; charset=utf-8"),
            )],
            validators,
            coding,
            body,
        )
            .into_response()
    }
}

/// The loader with each chunk compiled as it downloads: `const src = fetch(URL);` becomes
/// `WebAssembly.compileStreaming(fetch(URL))`, and the instantiation that waited for the
/// chunk's dependencies instantiates that compiled module (with the same result,
/// `{ module, instance }`). `None` unless every chunk's fetch and instantiation were found.
pub fn compile_while_downloading(js: &str) -> Option<String> {
    const FETCH: &str = "const src = fetch(";
    const INSTANTIATE: &str = "(WebAssembly.instantiateStreaming(src, imports));";
    const INSTANTIATE_COMPILED: &str =
        "(src.then(async (module) => ({ module, instance: await WebAssembly.instantiate(module, imports) })));";
    let mut out = String::with_capacity(js.len() + 1024);
    let (mut fetches, mut instantiations) = (0, 0);
    for line in js.split_inclusive('\n') {
        let text = line.trim_end_matches(['\n', '\r']);
        let code = text.trim_start();
        let indent = &text[..text.len() - code.len()];
        if let Some(url) = code
            .strip_prefix(FETCH)
            .and_then(|rest| rest.strip_suffix(");"))
        {
            fetches += 1;
            out.push_str(&format!(
                "{indent}const src = WebAssembly.compileStreaming(fetch({url}));\n\
                 {indent}// Awaited once what this chunk needs is loaded; a failure surfaces there.\n\
                 {indent}src.catch(() => {{}});\n"
            ));
        } else if code.contains(INSTANTIATE) {
            instantiations += 1;
            out.push_str(&line.replace(INSTANTIATE, INSTANTIATE_COMPILED));
        } else {
            out.push_str(line);
        }
    }
    (fetches > 0 && fetches == instantiations && !out.contains("instantiateStreaming"))
        .then_some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    // Loaders as `cargo leptos build --split` (0.3.10) wrote them for this app.
    const RELEASE: &str = include_str!("../../tests/fixtures/wasm_split/release.js");
    const DEBUG: &str = include_str!("../../tests/fixtures/wasm_split/debug.js");

    #[test]
    fn every_chunk_is_compiled_as_it_downloads() {
        for built in [RELEASE, DEBUG] {
            let js = compile_while_downloading(built).expect("the form is known");
            assert!(!js.contains("instantiateStreaming"));
            assert_eq!(
                js.matches("WebAssembly.compileStreaming(fetch(new URL(")
                    .count(),
                3
            );
            assert_eq!(
                js.matches("await WebAssembly.instantiate(module, imports)")
                    .count(),
                3
            );
            // The same chunks, in the same order.
            let chunks = |s: &str| {
                s.match_indices(".wasm\"")
                    .map(|(i, _)| s[..i].rsplit('/').next().unwrap().to_owned())
                    .collect::<Vec<_>>()
            };
            assert_eq!(chunks(&js), chunks(built));
            // Everything else is as built: the dependencies are still awaited first.
            assert!(js.contains("await Promise.all(parallelStuff);"));
            assert_eq!(js.lines().count(), built.lines().count() + 2 * 3);
        }
        // The debug build's check of a module from another build still sees the error.
        let debug = compile_while_downloading(DEBUG).unwrap();
        assert!(debug.contains("=> debugWrap(src.then(async (module) =>"));
    }

    #[test]
    fn a_loader_of_another_form_is_left_alone() {
        assert_eq!(compile_while_downloading(""), None);
        let other = RELEASE.replace("instantiateStreaming(src, imports)", "instantiate(src)");
        assert_eq!(compile_while_downloading(&other), None);
        // A fetch whose instantiation was not found is not half rewritten.
        let half = RELEASE.replacen(
            "return async (imports) => (WebAssembly.instantiateStreaming(src, imports));",
            "return async (imports) => load(src, imports);",
            1,
        );
        assert_eq!(compile_while_downloading(&half), None);
    }

    #[test]
    fn the_loader_is_revalidated_by_its_entity_tag() {
        let loader = ChunkLoader::new("/pkg/__wasm_split.x.js", "export const a = 1;\n".into());
        let first = loader.respond(&HeaderMap::new());
        assert_eq!(first.status(), StatusCode::OK);
        assert_eq!(
            first.headers()[header::CONTENT_TYPE],
            "text/javascript; charset=utf-8"
        );
        let tag = first.headers()[header::ETAG].clone();
        assert!(tag.to_str().unwrap().starts_with("W/\""));
        let mut again = HeaderMap::new();
        again.insert(header::IF_NONE_MATCH, tag.clone());
        let not_modified = loader.respond(&again);
        assert_eq!(not_modified.status(), StatusCode::NOT_MODIFIED);
        assert_eq!(not_modified.headers()[header::VARY], "accept-encoding");
        assert_eq!(first.headers()[header::VARY], "accept-encoding");
        // The strong form of the same tag, and a list holding it, match too.
        let strong = tag.to_str().unwrap().trim_start_matches("W/").to_owned();
        again.insert(
            header::IF_NONE_MATCH,
            HeaderValue::from_str(&format!("\"other\", {strong}")).unwrap(),
        );
        assert_eq!(loader.respond(&again).status(), StatusCode::NOT_MODIFIED);
        // Another loader's tag does not.
        let other = ChunkLoader::new("/pkg/__wasm_split.x.js", "export const a = 2;\n".into());
        let mut stale = HeaderMap::new();
        stale.insert(header::IF_NONE_MATCH, tag.clone());
        assert_eq!(other.respond(&stale).status(), StatusCode::OK);
        // Nor does a date that would: the entity tag decides when there is one.
        stale.insert(
            header::IF_MODIFIED_SINCE,
            first.headers()[header::LAST_MODIFIED].clone(),
        );
        assert_eq!(other.respond(&stale).status(), StatusCode::OK);
    }

    #[test]
    fn the_loader_is_revalidated_by_its_date() {
        let loader = ChunkLoader::new("/pkg/__wasm_split.x.js", "export const a = 1;\n".into());
        let made = loader.respond(&HeaderMap::new()).headers()[header::LAST_MODIFIED].clone();
        let since = |date: HeaderValue| {
            let mut h = HeaderMap::new();
            h.insert(header::IF_MODIFIED_SINCE, date);
            loader.respond(&h).status()
        };
        assert_eq!(since(made), StatusCode::NOT_MODIFIED);
        let earlier = httpdate::fmt_http_date(loader.made - Duration::from_secs(1));
        assert_eq!(
            since(HeaderValue::from_str(&earlier).unwrap()),
            StatusCode::OK
        );
        assert_eq!(
            since(HeaderValue::from_static("not a date")),
            StatusCode::OK
        );
    }
}

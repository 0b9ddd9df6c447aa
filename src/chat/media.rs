//! Attachments and answer media as agno-chat shows them, read from AgentOS's media objects
//! (`images`, `audio`, `videos`, `files`, `response_audio`, a stored run's `input_media`),
//! and an answer's sources (`citations`, `references`). Only descriptions travel to the
//! browser: the bytes are fetched from agno-chat's media endpoint by storage key, never
//! carried inline (streamed events hold them as base64).

use serde::{Deserialize, Serialize};
use serde_json::Value;

/// What a media object is, which decides how it is shown.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum MediaKind {
    Image,
    Audio,
    Video,
    File,
}

/// One attachment or media object of an answer.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct MediaItem {
    /// AgentOS's id of the object (the same on every event that repeats it).
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub id: String,
    pub kind: Option<MediaKind>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub mime: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub size: Option<u64>,
    /// Where the browser fetches it: agno-chat's media endpoint, or for an attachment not
    /// yet sent, the browser's own copy. `None` when AgentOS did not store it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub url: Option<String>,
    /// A description of an image, or the words of an audio clip.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub text: Option<String>,
    /// The storage key at AgentOS (server side only, to build `url`).
    #[serde(skip)]
    pub key: Option<String>,
}

impl MediaItem {
    /// Whether the browser may show it (rather than offer it as a download).
    pub fn shown_inline(&self) -> bool {
        let mime = self.mime.as_deref().unwrap_or_default();
        match self.kind {
            Some(MediaKind::Image) => mime != "image/svg+xml" && mime.starts_with("image/"),
            Some(MediaKind::Audio) => mime.is_empty() || mime.starts_with("audio/"),
            Some(MediaKind::Video) => mime.starts_with("video/"),
            _ => false,
        }
    }

    /// The name to show: the file's own, else one made from its kind and format.
    pub fn label(&self) -> String {
        if let Some(n) = self.name.as_deref().filter(|n| !n.is_empty()) {
            return n.to_owned();
        }
        let kind = match self.kind {
            Some(MediaKind::Image) => "image",
            Some(MediaKind::Audio) => "audio",
            Some(MediaKind::Video) => "video",
            _ => "file",
        };
        match self.mime.as_deref().and_then(|m| m.split('/').nth(1)) {
            Some(sub) if !sub.is_empty() && sub != "octet-stream" => format!("{kind}.{sub}"),
            _ => kind.to_owned(),
        }
    }
}

/// A numbered source of an answer: markers `[n]` in its text link to it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Source {
    pub number: u32,
    pub title: String,
    /// An http(s) address only; anything else is dropped.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub url: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub snippet: Option<String>,
}

fn text(v: &Value, key: &str) -> Option<String> {
    v.get(key)
        .and_then(Value::as_str)
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(str::to_owned)
}

/// One media object (`Image|Audio|Video|File.to_dict()`, or a `response_audio`).
pub fn item(kind: MediaKind, v: &Value) -> Option<MediaItem> {
    if !v.is_object() {
        return None;
    }
    let reference = v.get("media_reference").filter(|r| r.is_object());
    let meta = |key: &str| {
        v.get("metadata").and_then(|m| text(m, key)).or_else(|| {
            reference
                .and_then(|r| r.get("metadata"))
                .and_then(|m| text(m, key))
        })
    };
    let name = text(v, "filename")
        .or_else(|| meta("filename"))
        .or_else(|| meta("name"))
        .or_else(|| text(v, "name"))
        .or_else(|| reference.and_then(|r| text(r, "filename")));
    let mime = text(v, "mime_type")
        .or_else(|| reference.and_then(|r| text(r, "mime_type")))
        .map(|m| m.to_ascii_lowercase());
    let size = reference
        .and_then(|r| r.get("size"))
        .and_then(Value::as_u64)
        .or_else(|| v.get("size").and_then(Value::as_u64));
    let described = match kind {
        MediaKind::Image => text(v, "alt_text").or_else(|| text(v, "revised_prompt")),
        MediaKind::Audio => text(v, "transcript"),
        _ => None,
    };
    Some(MediaItem {
        id: text(v, "id").unwrap_or_default(),
        kind: Some(kind),
        name,
        mime,
        size,
        url: None,
        text: described,
        key: reference.and_then(|r| text(r, "storage_key")),
    })
}

fn list(kind: MediaKind, v: Option<&Value>, out: &mut Vec<MediaItem>) {
    let items = match v {
        Some(Value::Array(a)) => a.iter().collect::<Vec<_>>(),
        Some(o @ Value::Object(_)) => vec![o],
        _ => Vec::new(),
    };
    for m in items {
        if let Some(i) = item(kind, m) {
            if i.id.is_empty() || !out.iter().any(|o| o.id == i.id) {
                out.push(i);
            }
        }
    }
}

/// An answer's media: a run's (or `RunCompleted`'s) `images`, `videos`, `audio`, `files`
/// and the model's spoken `response_audio`, in that order, each once.
pub fn output_media(run: &Value) -> Vec<MediaItem> {
    let mut out = Vec::new();
    list(MediaKind::Image, run.get("images"), &mut out);
    list(MediaKind::Video, run.get("videos"), &mut out);
    list(MediaKind::Audio, run.get("audio"), &mut out);
    list(MediaKind::File, run.get("files"), &mut out);
    list(MediaKind::Audio, run.get("response_audio"), &mut out);
    out
}

/// What the user attached to a stored run (`input_media`: note `audios`).
pub fn input_media(run: &Value) -> Vec<MediaItem> {
    let Some(input) = run.get("input_media") else {
        return Vec::new();
    };
    let mut out = Vec::new();
    list(MediaKind::Image, input.get("images"), &mut out);
    list(MediaKind::Audio, input.get("audios"), &mut out);
    list(MediaKind::Video, input.get("videos"), &mut out);
    list(MediaKind::File, input.get("files"), &mut out);
    out
}

fn web_address(url: Option<String>) -> Option<String> {
    url.filter(|u| {
        let lower = u.to_ascii_lowercase();
        (lower.starts_with("https://") || lower.starts_with("http://"))
            && !u.contains(char::is_whitespace)
    })
}

/// An answer's sources, numbered as the model cites them: `citations.urls` first, then
/// `citations.documents`, then knowledge `references` not cited already.
pub fn sources(run: &Value) -> Vec<Source> {
    let mut out: Vec<Source> = Vec::new();
    let mut push = |title: Option<String>, url: Option<String>, snippet: Option<String>| {
        let url = web_address(url);
        // A reference to a cited address adds its snippet to the citation.
        if let Some(same) = out.iter_mut().find(|s| url.is_some() && s.url == url) {
            if same.snippet.is_none() {
                same.snippet = snippet;
            }
            return;
        }
        let title = title
            .or_else(|| url.clone())
            .unwrap_or_else(|| "Source".into());
        out.push(Source {
            number: out.len() as u32 + 1,
            title,
            url,
            snippet,
        });
    };
    if let Some(c) = run.get("citations").filter(|c| c.is_object()) {
        for u in c
            .get("urls")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
        {
            push(text(u, "title"), text(u, "url"), None);
        }
        for d in c
            .get("documents")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
        {
            push(
                text(d, "document_title").or_else(|| text(d, "file_name")),
                None,
                text(d, "cited_text"),
            );
        }
    }
    for group in run
        .get("references")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
    {
        for doc in group
            .get("references")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
        {
            let meta = doc.get("meta_data").cloned().unwrap_or(Value::Null);
            push(
                text(&meta, "title").or_else(|| text(doc, "name")),
                text(&meta, "url"),
                text(doc, "content"),
            );
        }
    }
    out
}

/// The address of a stored media object at agno-chat's media endpoint.
pub fn media_url(
    kind: crate::model::AssistantKind,
    assistant: &str,
    session: &str,
    key: &str,
) -> String {
    let seg = |s: &str| {
        s.bytes()
            .map(|b| match b {
                b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' | b'/' => {
                    (b as char).to_string()
                }
                _ => format!("%{b:02X}"),
            })
            .collect::<String>()
    };
    format!(
        "/api/media/{}/{}/{}/{}",
        kind.query_key(),
        seg(&assistant.replace('/', "_")),
        seg(&session.replace('/', "_")),
        seg(key)
    )
}

/// Gives each stored item its address; items AgentOS did not store keep none.
pub fn locate(
    items: &mut [MediaItem],
    kind: crate::model::AssistantKind,
    assistant: &str,
    session: &str,
) {
    for i in items {
        if let Some(key) = &i.key {
            i.url = Some(media_url(kind, assistant, session, key));
        }
    }
}

/// Human-readable size: "124 B", "3.4 KB", "20 MB".
pub fn size_label(bytes: u64) -> String {
    const UNITS: [&str; 4] = ["KB", "MB", "GB", "TB"];
    if bytes < 1000 {
        return format!("{bytes} B");
    }
    let mut v = bytes as f64 / 1000.0;
    let mut unit = 0;
    while v >= 1000.0 && unit < UNITS.len() - 1 {
        v /= 1000.0;
        unit += 1;
    }
    if v < 10.0 {
        format!("{v:.1} {}", UNITS[unit])
    } else {
        format!("{v:.0} {}", UNITS[unit])
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fixture(name: &str) -> String {
        std::fs::read_to_string(format!(
            "{}/tests/fixtures/agentos/{name}",
            env!("CARGO_MANIFEST_DIR")
        ))
        .unwrap()
    }

    /// The `data:` JSON of the first SSE frame named `event`.
    fn frame(body: &str, event: &str) -> Value {
        let mut lines = body.lines();
        while let Some(l) = lines.next() {
            if l == format!("event: {event}") {
                let data = lines.next().unwrap().strip_prefix("data: ").unwrap();
                return serde_json::from_str(data).unwrap();
            }
        }
        panic!("no {event} frame");
    }

    #[test]
    fn stored_uploads_keep_names_sizes_and_keys() {
        let runs: Vec<Value> =
            serde_json::from_str(&fixture("media_02_session_runs_with_files.body")).unwrap();
        let items = input_media(&runs[0]);
        assert_eq!(items.len(), 2, "{items:?}");
        assert_eq!(items[0].kind, Some(MediaKind::Image));
        assert_eq!(items[0].label(), "cat.png");
        assert_eq!(items[0].mime.as_deref(), Some("image/png"));
        assert_eq!(items[0].size, Some(124));
        assert!(items[0].key.as_deref().unwrap().ends_with(".png"));
        assert!(items[0].shown_inline());
        assert_eq!(items[1].label(), "report.pdf");
        assert_eq!(items[1].kind, Some(MediaKind::File));
        assert_eq!(items[1].size, Some(439));
        assert!(!items[1].shown_inline());
    }

    #[test]
    fn every_kind_of_stored_upload_is_read() {
        let runs: Vec<Value> =
            serde_json::from_str(&fixture("media_02b_session_runs_all_kinds.body")).unwrap();
        let kinds: Vec<_> = input_media(&runs[0])
            .iter()
            .map(|i| i.kind.unwrap())
            .collect();
        assert_eq!(
            kinds,
            [
                MediaKind::Image,
                MediaKind::Image,
                MediaKind::Audio,
                MediaKind::Video,
                MediaKind::File
            ]
        );
    }

    #[test]
    fn streamed_media_carry_no_key_and_stored_ones_do() {
        let body = fixture("media_03_studio_stream.body");
        let done = frame(&body, "RunCompleted");
        let live = output_media(&done);
        assert_eq!(live.len(), 2, "{live:?}");
        assert_eq!(live[0].kind, Some(MediaKind::Image));
        assert_eq!(live[0].text.as_deref(), Some("A 64×64 blue square"));
        assert_eq!(live[1].kind, Some(MediaKind::Audio));
        assert!(live.iter().all(|i| i.key.is_none()));

        let runs: Vec<Value> =
            serde_json::from_str(&fixture("media_03b_studio_session_runs.body")).unwrap();
        let stored = output_media(runs.last().unwrap());
        assert_eq!(stored.len(), 2);
        assert_eq!(stored[0].id, live[0].id);
        assert!(stored.iter().all(|i| i.key.is_some()));
    }

    #[test]
    fn spoken_answers_are_audio_with_their_words() {
        let runs: Vec<Value> =
            serde_json::from_str(&fixture("media_03d_studio_voice_session_runs.body")).unwrap();
        let items = output_media(runs.last().unwrap());
        let spoken = items.last().unwrap();
        assert_eq!(spoken.kind, Some(MediaKind::Audio));
        assert!(spoken.text.is_some());
        assert!(spoken.key.is_some());
    }

    #[test]
    fn sources_are_numbered_as_the_model_cites_them() {
        let body = fixture("media_04_sources_stream.body");
        let s = sources(&frame(&body, "RunCompleted"));
        assert!(s.len() >= 3, "{s:?}");
        assert_eq!(s[0].number, 1);
        assert!(s[0].url.as_deref().unwrap().starts_with("http"));
        assert!(s.iter().any(|x| x.snippet.is_some()));
        let runs: Vec<Value> =
            serde_json::from_str(&fixture("media_04b_sources_session_runs.body")).unwrap();
        assert_eq!(sources(runs.last().unwrap()), s);
    }

    #[test]
    fn only_web_addresses_are_linked() {
        let run = serde_json::json!({"citations": {"urls": [
            {"url": "javascript:alert(1)", "title": "bad"},
            {"url": "https://example.com/a", "title": "good"},
            {"url": "https://example.com/a", "title": "again"}
        ]}});
        let s = sources(&run);
        assert_eq!(s.len(), 2);
        assert_eq!(s[0].url, None);
        assert_eq!(s[1].url.as_deref(), Some("https://example.com/a"));
    }

    #[test]
    fn addresses_escape_what_a_path_cannot_hold() {
        assert_eq!(
            media_url(
                crate::model::AssistantKind::Agent,
                "media-agent",
                "s 1",
                "a/b?.png"
            ),
            "/api/media/agent/media-agent/s%201/a/b%3F.png"
        );
        assert_eq!(size_label(124), "124 B");
        assert_eq!(size_label(4044), "4.0 KB");
        assert_eq!(size_label(20_000_000), "20 MB");
    }
}

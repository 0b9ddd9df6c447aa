//! The browser's files, passed on to AgentOS's multipart run request as they arrive: each
//! file's first bytes decide its type (see `kinds`), its bytes are counted against the
//! limits as they stream, and at most a few chunks are held at any moment, so a 50 MB
//! upload never puts 50 MB in the server's memory. A refused file ends the body with an
//! error, which aborts the request before AgentOS starts a run (it reads the whole form
//! first).

use bytes::{Bytes, BytesMut};
use futures::Stream;

use super::kinds::{clean_name, detect, Kind, Limits, Refusal, HEAD_BYTES};

/// Chunks in flight between the browser's stream and AgentOS's.
const IN_FLIGHT: usize = 4;

/// AgentOS refuses a `files_metadata` field over 8000 bytes; names are shortened to fit.
const METADATA_BYTES: usize = 7_900;

/// AgentOS's `files_metadata`: each file's name, by position (AgentOS keeps an image's,
/// audio's or video's name only from here). Sent after the files: AgentOS reads the
/// whole form before it looks at any field.
fn files_metadata(sent: &[Sent]) -> String {
    let mut keep = 200;
    loop {
        let entries: Vec<serde_json::Value> = sent
            .iter()
            .map(|s| serde_json::json!({ "filename": s.name.chars().take(keep).collect::<String>() }))
            .collect();
        let json = serde_json::Value::Array(entries).to_string();
        if json.len() <= METADATA_BYTES || keep <= 8 {
            return json;
        }
        keep /= 2;
    }
}

/// The browser's multipart upload, read one chunk at a time. multer drains its input for
/// as long as it is ready, so over a fast connection it would hold the whole upload while
/// AgentOS is slower to read it; here each poll hands it one chunk, so it holds about one.
pub fn incoming<S, E>(body: S, boundary: String) -> multer::Multipart<'static>
where
    S: Stream<Item = Result<Bytes, E>> + Send + 'static,
    E: Into<Box<dyn std::error::Error + Send + Sync>> + 'static,
{
    multer::Multipart::new(
        Paced {
            inner: Box::pin(body),
            handed: false,
        },
        boundary,
    )
}

struct Paced<S> {
    inner: std::pin::Pin<Box<S>>,
    /// A chunk was handed out by this poll's caller already: the next poll yields.
    handed: bool,
}

impl<S: Stream> Stream for Paced<S> {
    type Item = S::Item;

    fn poll_next(
        mut self: std::pin::Pin<&mut Self>,
        cx: &mut std::task::Context<'_>,
    ) -> std::task::Poll<Option<S::Item>> {
        if self.handed {
            self.handed = false;
            cx.waker().wake_by_ref();
            return std::task::Poll::Pending;
        }
        let next = self.inner.as_mut().poll_next(cx);
        self.handed = matches!(next, std::task::Poll::Ready(Some(_)));
        next
    }
}

/// Why an upload stopped.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum UploadError {
    #[error("{0}")]
    Refused(#[from] Refusal),
    #[error("The upload could not be read: {0}")]
    Broken(String),
}

/// One file passed on.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Sent {
    pub name: String,
    pub kind: Kind,
    pub bytes: u64,
}

/// An outgoing multipart body: its boundary, and its bytes as a stream.
pub struct Body {
    pub content_type: String,
    pub stream: std::pin::Pin<Box<dyn Stream<Item = Result<Bytes, UploadError>> + Send>>,
    /// What was sent, or why it stopped, once the stream has ended.
    pub outcome: tokio::sync::oneshot::Receiver<Result<Vec<Sent>, UploadError>>,
}

fn part_header(boundary: &str, name: &str, file: Option<(&str, &str)>) -> String {
    match file {
        None => format!(
            "--{boundary}\r\nContent-Disposition: form-data; name=\"{name}\"\r\n\r\n"
        ),
        Some((file_name, mime)) => format!(
            "--{boundary}\r\nContent-Disposition: form-data; name=\"{name}\"; filename=\"{file_name}\"\r\nContent-Type: {mime}\r\n\r\n"
        ),
    }
}

/// AgentOS's multipart body: `fields` first (their values are plain text), then every
/// file part of `incoming` (named `files`; made with [`incoming`]) as AgentOS's repeatable
/// `files` field.
pub fn forward(
    fields: Vec<(&'static str, String)>,
    mut incoming: multer::Multipart<'static>,
    limits: Limits,
) -> Body {
    let boundary = format!("agno-chat-{}", uuid::Uuid::new_v4().simple());
    let (tx, mut rx) = tokio::sync::mpsc::channel::<Result<Bytes, UploadError>>(IN_FLIGHT);
    let (done, outcome) = tokio::sync::oneshot::channel();
    let b = boundary.clone();
    tokio::spawn(async move {
        let send = |chunk: Bytes| {
            let tx = tx.clone();
            async move { tx.send(Ok(chunk)).await.is_ok() }
        };
        let result: Result<Vec<Sent>, UploadError> = async {
            for (name, value) in &fields {
                let part = format!("{}{value}\r\n", part_header(&b, name, None));
                if !send(Bytes::from(part)).await {
                    return Err(UploadError::Broken("AgentOS stopped reading".into()));
                }
            }
            let mut sent = Vec::new();
            let mut message_bytes = 0u64;
            let broken = |e: multer::Error| UploadError::Broken(e.to_string());
            while let Some(mut field) = incoming.next_field().await.map_err(broken)? {
                if field.name() != Some("files") {
                    return Err(UploadError::Broken(
                        "an unexpected field came after the files".into(),
                    ));
                }
                limits.check_count(sent.len())?;
                let name = clean_name(field.file_name().unwrap_or("file"));
                let mut head = BytesMut::new();
                while head.len() < HEAD_BYTES {
                    match field.chunk().await.map_err(broken)? {
                        Some(c) => head.extend_from_slice(&c),
                        None => break,
                    }
                }
                let kind = detect(&head, &name)?;
                let mut file_bytes = head.len() as u64;
                message_bytes += head.len() as u64;
                limits.check_bytes(&name, file_bytes, message_bytes)?;
                let header = part_header(&b, "files", Some((&name, kind.mime)));
                if !send(Bytes::from(header)).await || !send(head.freeze()).await {
                    return Err(UploadError::Broken("AgentOS stopped reading".into()));
                }
                while let Some(chunk) = field.chunk().await.map_err(broken)? {
                    file_bytes += chunk.len() as u64;
                    message_bytes += chunk.len() as u64;
                    limits.check_bytes(&name, file_bytes, message_bytes)?;
                    if !send(chunk).await {
                        return Err(UploadError::Broken("AgentOS stopped reading".into()));
                    }
                }
                if !send(Bytes::from_static(b"\r\n")).await {
                    return Err(UploadError::Broken("AgentOS stopped reading".into()));
                }
                sent.push(Sent {
                    name,
                    kind,
                    bytes: file_bytes,
                });
            }
            if !sent.is_empty() {
                let part = format!(
                    "{}{}\r\n",
                    part_header(&b, "files_metadata", None),
                    files_metadata(&sent)
                );
                if !send(Bytes::from(part)).await {
                    return Err(UploadError::Broken("AgentOS stopped reading".into()));
                }
            }
            if !send(Bytes::from(format!("--{b}--\r\n"))).await {
                return Err(UploadError::Broken("AgentOS stopped reading".into()));
            }
            Ok(sent)
        }
        .await;
        if let Err(e) = &result {
            // Ends the body with an error: the request to AgentOS is aborted.
            let _ = tx.send(Err(e.clone())).await;
        }
        let _ = done.send(result);
    });
    let stream = futures::stream::poll_fn(move |cx| rx.poll_recv(cx));
    Body {
        content_type: format!("multipart/form-data; boundary={boundary}"),
        stream: Box::pin(stream),
        outcome,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::server::uploads::kinds::Category;

    fn sent(name: &str) -> Sent {
        Sent {
            name: name.into(),
            kind: Kind {
                mime: "text/plain",
                category: Category::Document,
            },
            bytes: 1,
        }
    }

    #[test]
    fn metadata_names_each_file_and_fits_agentos_limit() {
        assert_eq!(
            files_metadata(&[sent("a.png"), sent("b \"c\".pdf")]),
            r#"[{"filename":"a.png"},{"filename":"b \"c\".pdf"}]"#
        );
        let many: Vec<Sent> = (0..100)
            .map(|i| sent(&format!("{i}{}", "x".repeat(199))))
            .collect();
        let json = files_metadata(&many);
        assert!(json.len() <= METADATA_BYTES, "{}", json.len());
        assert_eq!(
            serde_json::from_str::<Vec<serde_json::Value>>(&json)
                .unwrap()
                .len(),
            100
        );
    }
}

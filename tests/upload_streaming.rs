//! A 50 MB upload passes through `uploads::forward` into a (fake) AgentOS multipart request
//! while the server's peak memory grows by far less than the upload: the file is never
//! held whole. A renamed executable among the files aborts the request.

use std::time::Duration;

use agno_chat::server::uploads::forward::{forward, incoming, UploadError};
use agno_chat::server::uploads::kinds::{Limits, Refusal};
use axum::extract::Request;
use axum::routing::post;
use axum::{Json, Router};
use bytes::Bytes;
use futures::StreamExt;
use serde_json::{json, Value};

const MB: u64 = 1024 * 1024;
const CHUNK: usize = 64 * 1024;

/// The process's peak resident memory so far (Linux), in bytes.
fn peak_rss() -> u64 {
    let status = std::fs::read_to_string("/proc/self/status").unwrap();
    let line = status.lines().find(|l| l.starts_with("VmHWM:")).unwrap();
    let kb: u64 = line.split_whitespace().nth(1).unwrap().parse().unwrap();
    kb * 1024
}

/// A browser's multipart upload, made as it is read: `files` of (name, first bytes, size).
fn browser_upload(
    files: Vec<(&'static str, &'static [u8], u64)>,
) -> impl futures::Stream<Item = Result<Bytes, std::io::Error>> + Send + 'static {
    let mut pieces: Vec<(Bytes, u64)> = Vec::new();
    for (name, head, size) in files {
        let header = format!(
            "--b\r\nContent-Disposition: form-data; name=\"files\"; filename=\"{name}\"\r\nContent-Type: application/octet-stream\r\n\r\n"
        );
        pieces.push((Bytes::from(header), 0));
        pieces.push((Bytes::from_static(head), size - head.len() as u64));
        pieces.push((Bytes::from_static(b"\r\n"), 0));
    }
    pieces.push((Bytes::from_static(b"--b--\r\n"), 0));
    futures::stream::iter(pieces).flat_map(|(first, filler)| {
        let rest = futures::stream::unfold(filler, |left| async move {
            (left > 0).then(|| {
                let n = left.min(CHUNK as u64);
                (Ok(Bytes::from(vec![b'x'; n as usize])), left - n)
            })
        });
        futures::stream::once(async move { Ok(first) }).chain(rest)
    })
}

/// A fake AgentOS run endpoint that reads the multipart form as it streams and says what
/// it got.
async fn fake_agentos() -> String {
    async fn runs(req: Request) -> Json<Value> {
        let boundary = req
            .headers()
            .get("content-type")
            .and_then(|v| v.to_str().ok())
            .and_then(|v| multer::parse_boundary(v).ok())
            .unwrap();
        let mut form = multer::Multipart::new(req.into_body().into_data_stream(), boundary);
        let mut fields = serde_json::Map::new();
        let mut files = Vec::new();
        while let Ok(Some(mut field)) = form.next_field().await {
            let name = field.name().unwrap_or_default().to_owned();
            if name == "files" {
                let file = field.file_name().unwrap_or_default().to_owned();
                let mime = field.content_type().map(|m| m.to_string());
                let mut bytes = 0u64;
                while let Ok(Some(c)) = field.chunk().await {
                    bytes += c.len() as u64;
                    tokio::time::sleep(Duration::from_micros(200)).await;
                }
                files.push(json!({ "name": file, "type": mime, "bytes": bytes }));
            } else {
                fields.insert(name, json!(field.text().await.unwrap()));
            }
        }
        Json(json!({ "fields": fields, "files": files }))
    }
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let app = Router::new()
        .route("/runs", post(runs))
        .layer(axum::extract::DefaultBodyLimit::disable());
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    format!("http://{addr}/runs")
}

const LIMITS: Limits = Limits {
    max_files: 3,
    max_file_bytes: 64 * MB,
    max_message_bytes: 80 * MB,
};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_large_upload_streams_through_with_bounded_memory() {
    let url = fake_agentos().await;
    let before = peak_rss();
    let upload = incoming(
        browser_upload(vec![
            ("photo.png", b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR", 2048),
            ("big.pdf", b"%PDF-1.7\n", 50 * MB),
        ]),
        "b".into(),
    );
    let body = forward(
        vec![("message", "two files".into()), ("stream", "true".into())],
        upload,
        LIMITS,
    );
    let answer: Value = reqwest::Client::new()
        .post(&url)
        .header("content-type", &body.content_type)
        .body(reqwest::Body::wrap_stream(body.stream))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let sent = body.outcome.await.unwrap().unwrap();
    let grew = peak_rss().saturating_sub(before);

    assert_eq!(answer["fields"]["message"], "two files");
    assert_eq!(
        answer["files"],
        json!([
            { "name": "photo.png", "type": "image/png", "bytes": 2048 },
            { "name": "big.pdf", "type": "application/pdf", "bytes": 50 * MB },
        ])
    );
    assert_eq!(sent.len(), 2);
    assert_eq!(sent[1].bytes, 50 * MB);
    assert!(
        grew < 16 * MB,
        "peak memory grew by {} MB while 50 MB streamed through",
        grew / MB
    );
}

#[tokio::test]
async fn a_renamed_executable_aborts_the_request() {
    let url = fake_agentos().await;
    let upload = incoming(
        browser_upload(vec![
            ("notes.txt", b"plain words\n", 12),
            ("cat.png", b"\x7fELF\x02\x01\x01\0\0\0\0\0\0\0\0\0", 4096),
        ]),
        "b".into(),
    );
    let body = forward(vec![("message", "hi".into())], upload, LIMITS);
    let result = reqwest::Client::new()
        .post(&url)
        .header("content-type", &body.content_type)
        .body(reqwest::Body::wrap_stream(body.stream))
        .send()
        .await;
    assert!(result.is_err(), "the request to AgentOS went through");
    assert!(matches!(
        body.outcome.await.unwrap(),
        Err(UploadError::Refused(Refusal::Type { name, .. })) if name == "cat.png"
    ));
}

#[tokio::test]
async fn too_many_or_too_large_files_are_refused_while_streaming() {
    let limits = Limits {
        max_files: 1,
        max_file_bytes: MB,
        max_message_bytes: 2 * MB,
    };
    let drain = |files| async move {
        let body = forward(vec![], incoming(browser_upload(files), "b".into()), limits);
        let _ = body.stream.collect::<Vec<_>>().await;
        body.outcome.await.unwrap()
    };
    assert!(matches!(
        drain(vec![("a.pdf", b"%PDF-1.7\n", 2 * MB)]).await,
        Err(UploadError::Refused(Refusal::FileTooLarge { .. }))
    ));
    assert!(matches!(
        drain(vec![("a.txt", b"a\n", 2), ("b.txt", b"b\n", 2)]).await,
        Err(UploadError::Refused(Refusal::TooMany { limit: 1 }))
    ));
}

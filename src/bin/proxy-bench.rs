//! proxy-bench: what the streaming proxy costs. It runs a fake AgentOS that streams
//! numbered, time-stamped tokens, starts the real agno-chat server binary against it (on
//! one CPU core when `taskset` is there), and measures, as medians over several runs:
//!
//! - added latency per event (p50, p99): token time-stamped by the upstream until read by
//!   the client, through the proxy minus straight from the upstream;
//! - events per second through the proxy (the server on one core);
//! - memory per open stream with many concurrent streams (server RSS), while checking
//!   that every token of every stream arrived once and in order.
//!
//! Usage: proxy-bench [--server PATH] [--runs N] [--streams N] [--json PATH]
//! (scripts/bench.sh runs it after a release build).

use std::net::SocketAddr;
use std::process::{Child, Command, Stdio};
use std::sync::OnceLock;
use std::time::{Duration, Instant};

use agno_chat::chat::event::RunEvent;
use agno_chat::chat::framing::LineDecoder;
use axum::body::Body;
use axum::response::Response;
use axum::routing::{get, post};
use axum::{Form, Router};
use bytes::Bytes;
use futures::StreamExt;

static EPOCH: OnceLock<Instant> = OnceLock::new();

/// Nanoseconds since the bench started (upstream and clients share the clock).
fn now_ns() -> u64 {
    EPOCH.get_or_init(Instant::now).elapsed().as_nanos() as u64
}

// ---------------------------------------------------------------------------
// The fake AgentOS
// ---------------------------------------------------------------------------

#[derive(serde::Deserialize)]
struct RunForm {
    message: String,
}

/// What a stream carries, read from the message: `n=<tokens> gap_us=<pause between>`.
#[derive(Clone, Copy)]
struct Plan {
    tokens: u64,
    gap_us: u64,
}

impl Plan {
    fn message(&self) -> String {
        format!("n={} gap_us={}", self.tokens, self.gap_us)
    }

    fn parse(message: &str) -> Plan {
        let mut plan = Plan {
            tokens: 100,
            gap_us: 0,
        };
        for part in message.split_whitespace() {
            match part.split_once('=') {
                Some(("n", v)) => plan.tokens = v.parse().unwrap_or(plan.tokens),
                Some(("gap_us", v)) => plan.gap_us = v.parse().unwrap_or(0),
                _ => {}
            }
        }
        plan
    }
}

fn frame(event: &str, data: &serde_json::Value) -> Bytes {
    Bytes::from(format!("event: {event}\ndata: {data}\n\n"))
}

/// `RunStarted`, then `tokens` × `RunContent` ("<index>:<ns> "), then `RunCompleted`.
async fn runs(Form(form): Form<RunForm>) -> Response {
    let plan = Plan::parse(&form.message);
    let run_id = uuid_like();
    let started = frame(
        "RunStarted",
        &serde_json::json!({"event": "RunStarted", "run_id": run_id, "session_id": run_id, "agent_id": "bench"}),
    );
    let run = run_id.clone();
    let tokens = futures::stream::unfold(0u64, move |i| {
        let run = run.clone();
        async move {
            if i > plan.tokens {
                return None;
            }
            if i == plan.tokens {
                let done = frame(
                    "RunCompleted",
                    &serde_json::json!({"event": "RunCompleted", "run_id": run}),
                );
                return Some((done, i + 1));
            }
            if plan.gap_us > 0 {
                tokio::time::sleep(Duration::from_micros(plan.gap_us)).await;
            }
            let text = format!("{i}:{} ", now_ns());
            let ev = frame(
                "RunContent",
                &serde_json::json!({"event": "RunContent", "run_id": run, "content": text}),
            );
            Some((ev, i + 1))
        }
    });
    let body = futures::stream::once(async move { started })
        .chain(tokens)
        .map(Ok::<_, std::io::Error>);
    Response::builder()
        .header("content-type", "text/event-stream")
        .body(Body::from_stream(body))
        .expect("response")
}

fn uuid_like() -> String {
    use std::sync::atomic::{AtomicU64, Ordering};
    static NEXT: AtomicU64 = AtomicU64::new(1);
    format!("bench-run-{}", NEXT.fetch_add(1, Ordering::Relaxed))
}

async fn start_upstream() -> SocketAddr {
    let app = Router::new()
        .route("/health", get(|| async { "{\"status\":\"ok\"}" }))
        .route("/agents/{id}/runs", post(runs));
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind upstream");
    let addr = listener.local_addr().expect("addr");
    tokio::spawn(async move { axum::serve(listener, app).await });
    addr
}

// ---------------------------------------------------------------------------
// The server under test
// ---------------------------------------------------------------------------

struct Server {
    child: Child,
    base: String,
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Server {
    fn rss_kib(&self) -> u64 {
        std::fs::read_to_string(format!("/proc/{}/status", self.child.id()))
            .ok()
            .and_then(|s| {
                s.lines()
                    .find(|l| l.starts_with("VmRSS:"))
                    .and_then(|l| l.split_whitespace().nth(1))
                    .and_then(|v| v.parse().ok())
            })
            .unwrap_or(0)
    }
}

async fn start_server(bin: &str, upstream: SocketAddr, port: u16, site_root: &str) -> Server {
    let pinned = Command::new("taskset").arg("--version").output().is_ok();
    let mut cmd = if pinned {
        let mut c = Command::new("taskset");
        c.args(["-c", "0", bin]);
        c
    } else {
        Command::new(bin)
    };
    cmd.env("RUST_LOG", "warn")
        .env("LEPTOS_OUTPUT_NAME", "agno-chat")
        .env("LEPTOS_SITE_ROOT", site_root)
        .env("LEPTOS_SITE_PKG_DIR", "pkg")
        .env("LEPTOS_SITE_ADDR", format!("127.0.0.1:{port}"))
        .env("AGNO_CHAT_AGENTOS_URL", format!("http://{upstream}"))
        .env("AGNO_CHAT_AUTH_MODE", "trusted-header")
        .env("AGNO_CHAT_TRUSTED_USER_HEADER", "X-Bench-User")
        .env("AGNO_CHAT_SEND_RATE_PER_MIN", "100000")
        .env("AGNO_CHAT_SEND_BURST", "10000")
        .env("AGNO_CHAT_CALL_RATE_PER_MIN", "100000")
        .env("AGNO_CHAT_CALL_BURST", "10000")
        .env("AGNO_CHAT_MAX_STREAMS", "5000")
        .env("AGNO_CHAT_MAX_STREAMS_PER_USER", "1000")
        .env("AGNO_CHAT_IDLE_TIMEOUT_MS", "120000")
        .stdout(Stdio::null())
        .stderr(Stdio::inherit());
    let child = cmd
        .spawn()
        .unwrap_or_else(|e| panic!("cannot start {bin}: {e}"));
    let mut server = Server {
        child,
        base: format!("http://127.0.0.1:{port}"),
    };
    let http = reqwest::Client::new();
    for _ in 0..200 {
        if let Ok(Some(status)) = server.child.try_wait() {
            panic!("the server exited at start-up ({status}); its error is above");
        }
        if let Ok(r) = http.get(format!("{}/healthz", server.base)).send().await {
            if r.status().is_success() {
                eprintln!(
                    "server up: {bin}{}",
                    if pinned { " (taskset -c 0)" } else { "" }
                );
                return server;
            }
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!("the server did not answer /healthz");
}

// ---------------------------------------------------------------------------
// Clients
// ---------------------------------------------------------------------------

/// What one stream delivered.
#[derive(Default)]
struct Received {
    tokens: u64,
    /// Tokens missing, repeated or out of order.
    out_of_order: u64,
    completed: bool,
    latencies_ns: Vec<u64>,
}

impl Received {
    fn take_text(&mut self, text: &str, keep_latency: bool) {
        for token in text.split_whitespace() {
            let Some((i, ns)) = token.split_once(':') else {
                continue;
            };
            let (Ok(i), Ok(ns)) = (i.parse::<u64>(), ns.parse::<u64>()) else {
                continue;
            };
            if i != self.tokens {
                self.out_of_order += 1;
            }
            self.tokens = i + 1;
            if keep_latency {
                self.latencies_ns.push(now_ns().saturating_sub(ns));
            }
        }
    }
}

/// One run through agno-chat's send server function, read as the browser reads it.
async fn via_proxy(
    http: &reqwest::Client,
    base: &str,
    user: &str,
    plan: Plan,
    keep_latency: bool,
) -> Received {
    let body = serde_json::json!({"req": {
        "kind": "agent", "assistant_id": "bench", "session_id": null, "message": plan.message(),
    }});
    let resp = http
        .post(format!("{base}/api/chat/send"))
        .header("Origin", base)
        .header("Sec-Fetch-Site", "same-origin")
        .header("X-Bench-User", user)
        .json(&body)
        .send()
        .await
        .expect("send");
    assert!(
        resp.status().is_success(),
        "send answered {}",
        resp.status()
    );
    let mut got = Received::default();
    let mut decoder = LineDecoder::new();
    let mut body = resp.bytes_stream();
    while let Some(chunk) = body.next().await {
        let Ok(chunk) = chunk else { break };
        for ev in decoder.push(&chunk) {
            match ev {
                RunEvent::Content { text } => got.take_text(&text, keep_latency),
                RunEvent::Completed { .. } => got.completed = true,
                RunEvent::Failed { message, .. } => panic!("stream failed: {message}"),
                _ => {}
            }
        }
    }
    got
}

/// The same run straight from the upstream (the baseline).
async fn direct(http: &reqwest::Client, upstream: SocketAddr, plan: Plan) -> Received {
    use eventsource_stream::Eventsource;
    let resp = http
        .post(format!("http://{upstream}/agents/bench/runs"))
        .form(&[("message", plan.message()), ("stream", "true".into())])
        .send()
        .await
        .expect("direct");
    let mut got = Received::default();
    let mut events = resp.bytes_stream().eventsource();
    while let Some(Ok(ev)) = events.next().await {
        match ev.event.as_str() {
            "RunContent" => {
                let v: serde_json::Value = serde_json::from_str(&ev.data).unwrap_or_default();
                if let Some(text) = v.get("content").and_then(|c| c.as_str()) {
                    got.take_text(text, true);
                }
            }
            "RunCompleted" => got.completed = true,
            _ => {}
        }
    }
    got
}

// ---------------------------------------------------------------------------
// Figures
// ---------------------------------------------------------------------------

fn percentile(sorted: &[u64], p: f64) -> u64 {
    if sorted.is_empty() {
        return 0;
    }
    let i = ((sorted.len() - 1) as f64 * p).round() as usize;
    sorted[i]
}

fn median(v: &mut [f64]) -> f64 {
    v.sort_by(|a, b| a.total_cmp(b));
    if v.is_empty() {
        0.0
    } else {
        v[v.len() / 2]
    }
}

struct Args {
    server: String,
    site_root: String,
    runs: usize,
    streams: usize,
    json: Option<String>,
}

fn args() -> Args {
    let mut a = Args {
        server: "target/release/agno-chat".into(),
        site_root: "target/site".into(),
        runs: std::env::var("BENCH_RUNS")
            .ok()
            .and_then(|v| v.parse().ok())
            .unwrap_or(5),
        streams: 500,
        json: None,
    };
    let mut it = std::env::args().skip(1);
    while let Some(flag) = it.next() {
        let mut value = || it.next().unwrap_or_else(|| panic!("{flag} needs a value"));
        match flag.as_str() {
            "--server" => a.server = value(),
            "--site-root" => a.site_root = value(),
            "--runs" => a.runs = value().parse().expect("--runs N"),
            "--streams" => a.streams = value().parse().expect("--streams N"),
            "--json" => a.json = Some(value()),
            other => panic!("unknown argument {other}"),
        }
    }
    a
}

#[tokio::main(flavor = "current_thread")]
async fn main() {
    let args = args();
    now_ns();
    let upstream = start_upstream().await;
    let port = {
        let l = std::net::TcpListener::bind("127.0.0.1:0").expect("port");
        l.local_addr().expect("addr").port()
    };
    let server = start_server(&args.server, upstream, port, &args.site_root).await;
    let http = reqwest::Client::builder()
        .pool_max_idle_per_host(usize::MAX)
        .build()
        .expect("client");

    // Warm up both paths (connections, allocator).
    let warm = Plan {
        tokens: 200,
        gap_us: 0,
    };
    via_proxy(&http, &server.base, "warm", warm, false).await;
    direct(&http, upstream, warm).await;

    // 1. Latency per event: one paced stream at a time (no queueing), both paths.
    let paced = Plan {
        tokens: 1000,
        gap_us: 1000,
    };
    let (mut p50_added, mut p99_added, mut p50_direct, mut p50_proxy) =
        (Vec::new(), Vec::new(), Vec::new(), Vec::new());
    for _ in 0..args.runs {
        let mut d = direct(&http, upstream, paced).await.latencies_ns;
        let mut p = via_proxy(&http, &server.base, "latency", paced, true)
            .await
            .latencies_ns;
        d.sort_unstable();
        p.sort_unstable();
        let us = |ns: u64| ns as f64 / 1000.0;
        p50_direct.push(us(percentile(&d, 0.5)));
        p50_proxy.push(us(percentile(&p, 0.5)));
        p50_added.push(us(percentile(&p, 0.5)) - us(percentile(&d, 0.5)));
        p99_added.push(us(percentile(&p, 0.99)) - us(percentile(&d, 0.99)));
    }

    // 2. Throughput: 8 streams as fast as the upstream can write.
    let flood = Plan {
        tokens: 5000,
        gap_us: 0,
    };
    let mut rates = Vec::new();
    for _ in 0..args.runs {
        let t0 = Instant::now();
        let all = futures::future::join_all((0..8).map(|i| {
            let (http, base) = (&http, &server.base);
            async move { via_proxy(http, base, &format!("flood-{i}"), flood, false).await }
        }))
        .await;
        let events: u64 = all.iter().map(|r| r.tokens).sum();
        rates.push(events as f64 / t0.elapsed().as_secs_f64());
    }

    // 3. Many open streams: memory per stream, and every token once and in order.
    tokio::time::sleep(Duration::from_millis(500)).await;
    let idle_kib = server.rss_kib();
    let slow = Plan {
        tokens: 100,
        gap_us: 100_000,
    };
    let n = args.streams;
    let t0 = Instant::now();
    let streams = futures::future::join_all((0..n).map(|i| {
        let http = http.clone();
        let base = server.base.clone();
        async move { via_proxy(&http, &base, &format!("many-{i}"), slow, false).await }
    }));
    let sampler = async {
        let mut samples = Vec::new();
        // All streams are open from about 1 s in until about 10 s.
        tokio::time::sleep(Duration::from_millis(3000)).await;
        while t0.elapsed() < Duration::from_millis(8000) {
            samples.push(server.rss_kib() as f64);
            tokio::time::sleep(Duration::from_millis(250)).await;
        }
        samples
    };
    let (results, mut samples) = tokio::join!(streams, sampler);
    let busy_kib = median(&mut samples);
    let per_stream_kib = (busy_kib - idle_kib as f64) / n as f64;
    let lost: u64 = results
        .iter()
        .map(|r| slow.tokens - r.tokens.min(slow.tokens))
        .sum();
    let disordered: u64 = results.iter().map(|r| r.out_of_order).sum();
    let unfinished = results.iter().filter(|r| !r.completed).count();

    let p50 = median(&mut p50_added);
    let p99 = median(&mut p99_added);
    let rate = median(&mut rates);
    println!();
    println!(
        "proxy benchmark (medians of {} runs; server on one core)",
        args.runs
    );
    println!("  {:<48} {:>12}  target", "figure", "value");
    println!(
        "  {:<48} {:>9.0} µs",
        "upstream → client latency, direct (p50)",
        median(&mut p50_direct)
    );
    println!(
        "  {:<48} {:>9.0} µs",
        "upstream → client latency, via proxy (p50)",
        median(&mut p50_proxy)
    );
    println!(
        "  {:<48} {:>9.0} µs  < 1000 µs",
        "added latency per event (p50)", p50
    );
    println!("  {:<48} {:>9.0} µs", "added latency per event (p99)", p99);
    println!(
        "  {:<48} {:>9.0} /s",
        "events per second through the proxy", rate
    );
    println!("  {:<48} {:>9}", "concurrent streams", n);
    println!(
        "  {:<48} {:>9.1} KiB  < 62.5 KiB (64 KB)",
        "memory per open stream (RSS growth / streams)", per_stream_kib
    );
    println!("  {:<48} {:>9}  0", "tokens lost", lost);
    println!("  {:<48} {:>9}  0", "tokens out of order", disordered);
    println!(
        "  {:<48} {:>9}  0",
        "streams without RunCompleted", unfinished
    );
    println!(
        "  (server RSS {:.1} MiB idle, {:.1} MiB with {n} streams open)",
        idle_kib as f64 / 1024.0,
        busy_kib / 1024.0
    );

    if let Some(path) = args.json {
        let report = serde_json::json!({
            "runs": args.runs,
            "added_latency_p50_us": p50,
            "added_latency_p99_us": p99,
            "events_per_second": rate,
            "streams": n,
            "memory_per_stream_kib": per_stream_kib,
            "rss_idle_kib": idle_kib,
            "rss_busy_kib": busy_kib,
            "tokens_lost": lost,
            "tokens_out_of_order": disordered,
            "streams_unfinished": unfinished,
        });
        if let Some(dir) = std::path::Path::new(&path).parent() {
            let _ = std::fs::create_dir_all(dir);
        }
        std::fs::write(&path, serde_json::to_string_pretty(&report).expect("json"))
            .expect("write json");
    }
    drop(server);
}

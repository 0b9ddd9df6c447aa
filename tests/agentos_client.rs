//! The typed AgentOS client against a fake upstream (fault injection): recorded replies,
//! error details, timeouts, refused connections and the bearer credential.

use std::net::SocketAddr;
use std::time::{Duration, Instant};

use agno_chat::agentos::auth::CredentialSource;
use agno_chat::agentos::{AgentOsClient, AgentOsError, ClientOptions, Credentials};
use axum::http::{HeaderMap, StatusCode};
use axum::routing::get;
use axum::Router;

const AGENTS: &str = r#"[{"id":"echo-agent","name":"Echo Agent","db_id":"db","model":{"name":"Scripted","model":"scripted-1","provider":"Offline"},"unknown_field":1}]"#;

async fn serve(router: Router) -> SocketAddr {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(listener, router).await.unwrap() });
    addr
}

fn client(addr: SocketAddr, key: Option<&str>, request_timeout: Duration) -> AgentOsClient {
    AgentOsClient::new(ClientOptions {
        base_url: format!("http://{addr}").parse().unwrap(),
        credentials: match key {
            Some(k) => Credentials::new(
                CredentialSource::StaticKey(k.to_owned().into()),
                reqwest::Client::new(),
            ),
            None => Credentials::none(),
        },
        connect_timeout: Duration::from_millis(500),
        request_timeout,
    })
    .unwrap()
}

fn fake() -> Router {
    Router::new()
        .route(
            "/health",
            get(|| async { r#"{"status":"ok","instantiated_at":"2026-11-24T00:00:00Z"}"# }),
        )
        .route(
            "/agents",
            get(|headers: HeaderMap| async move {
                match headers.get("authorization").and_then(|v| v.to_str().ok()) {
                    Some("Bearer right-key") => (StatusCode::OK, AGENTS.to_owned()),
                    Some(_) => (
                        StatusCode::UNAUTHORIZED,
                        r#"{"detail":"Invalid authentication token"}"#.to_owned(),
                    ),
                    None => (
                        StatusCode::UNAUTHORIZED,
                        r#"{"detail":"Authorization header required"}"#.to_owned(),
                    ),
                }
            }),
        )
        .route(
            "/teams",
            get(|| async { (StatusCode::INTERNAL_SERVER_ERROR, "upstream exploded") }),
        )
        .route(
            "/info",
            get(|| async {
                tokio::time::sleep(Duration::from_secs(5)).await;
                "{}"
            }),
        )
}

#[tokio::test]
async fn lists_agents_with_the_bearer_key() {
    let addr = serve(fake()).await;
    let agents = client(addr, Some("right-key"), Duration::from_secs(2))
        .agents()
        .await
        .unwrap();
    assert_eq!(agents.len(), 1);
    assert_eq!(agents[0].id, "echo-agent");
    assert_eq!(
        agents[0].model.as_ref().unwrap().provider.as_deref(),
        Some("Offline")
    );
}

#[tokio::test]
async fn keeps_agentos_detail_on_auth_errors() {
    let addr = serve(fake()).await;
    let err = client(addr, None, Duration::from_secs(2))
        .agents()
        .await
        .unwrap_err();
    assert_eq!(
        err,
        AgentOsError::Status {
            status: 401,
            detail: "Authorization header required".into()
        }
    );
    let err = client(addr, Some("wrong"), Duration::from_secs(2))
        .agents()
        .await
        .unwrap_err();
    assert_eq!(
        err,
        AgentOsError::Status {
            status: 401,
            detail: "Invalid authentication token".into()
        }
    );
}

#[tokio::test]
async fn non_json_errors_keep_their_text() {
    let addr = serve(fake()).await;
    let err = client(addr, None, Duration::from_secs(2))
        .teams()
        .await
        .unwrap_err();
    assert_eq!(
        err,
        AgentOsError::Status {
            status: 500,
            detail: "upstream exploded".into()
        }
    );
}

#[tokio::test]
async fn request_timeout_is_enforced() {
    let addr = serve(fake()).await;
    let start = Instant::now();
    let err = client(addr, None, Duration::from_millis(300))
        .info()
        .await
        .unwrap_err();
    assert!(matches!(err, AgentOsError::Timeout(_)), "{err:?}");
    assert!(err.is_unreachable());
    assert!(
        start.elapsed() < Duration::from_secs(3),
        "took {:?}",
        start.elapsed()
    );
}

#[tokio::test]
async fn refused_connection_is_a_connect_error() {
    // Bind then drop to get a port nobody listens on.
    let port = {
        let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        l.local_addr().unwrap().port()
    };
    let addr: SocketAddr = format!("127.0.0.1:{port}").parse().unwrap();
    let err = client(addr, None, Duration::from_secs(2))
        .health()
        .await
        .unwrap_err();
    assert!(matches!(err, AgentOsError::Connect(_)), "{err:?}");
}

#[tokio::test]
async fn health_and_base_paths() {
    let addr = serve(Router::new().nest("/os", fake())).await;
    let c = AgentOsClient::new(ClientOptions {
        base_url: format!("http://{addr}/os").parse().unwrap(),
        credentials: Credentials::none(),
        connect_timeout: Duration::from_millis(500),
        request_timeout: Duration::from_secs(2),
    })
    .unwrap();
    assert_eq!(c.health().await.unwrap().status, "ok");
}

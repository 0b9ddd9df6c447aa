//! Token refresh against a fake AgentOS and a fake OAuth2 token endpoint (fault injection):
//! when AgentOS answers 401 "Token has expired", exactly one new token is obtained per
//! expiry however many requests (streaming runs included) hit it at once, and each of
//! them is retried once. Other 401s are not retried.

use std::net::SocketAddr;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use agno_chat::agentos::auth::{CredentialSource, JwtSettings, OAuthSettings, SigningKey};
use agno_chat::agentos::{AgentOsClient, AgentOsError, ClientOptions, Credentials, RunRequest};
use agno_chat::model::AssistantKind;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Form, Router};

#[derive(Default)]
struct Upstream {
    /// Tokens issued by the fake token endpoint.
    issued: AtomicU64,
    /// Tokens AgentOS now calls expired.
    expired: Mutex<Vec<String>>,
    /// Every token AgentOS has seen.
    seen: Mutex<Vec<String>>,
    /// Requests AgentOS refused as expired.
    refused: AtomicU64,
    /// `sub` claims of accepted JWTs, with the form's user_id.
    subjects: Mutex<Vec<(String, String)>>,
}

type Shared = Arc<Upstream>;

const SECRET: &str = "an-hs256-secret-of-more-than-32-characters";

/// The accepted token, or the refusal AgentOS would send.
fn check(up: &Upstream, headers: &HeaderMap) -> Result<String, Box<Response>> {
    let token = headers
        .get("authorization")
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
        .map(str::to_owned);
    let Some(token) = token else {
        return Err(Box::new(
            (
                StatusCode::UNAUTHORIZED,
                r#"{"detail":"Authorization header missing"}"#,
            )
                .into_response(),
        ));
    };
    if token == "revoked" {
        return Err(Box::new(
            (
                StatusCode::UNAUTHORIZED,
                r#"{"detail":"Invalid token: Signature verification failed"}"#,
            )
                .into_response(),
        ));
    }
    up.seen.lock().unwrap().push(token.clone());
    if up.expired.lock().unwrap().contains(&token) {
        up.refused.fetch_add(1, Ordering::SeqCst);
        return Err(Box::new(
            (
                StatusCode::UNAUTHORIZED,
                r#"{"detail":"Token has expired"}"#,
            )
                .into_response(),
        ));
    }
    Ok(token)
}

fn expire_all(up: &Upstream) {
    let seen = up.seen.lock().unwrap().clone();
    up.expired.lock().unwrap().extend(seen);
}

fn jwt_sub(token: &str) -> Option<String> {
    use jsonwebtoken::{decode, Algorithm, DecodingKey, Validation};
    decode::<serde_json::Value>(
        token,
        &DecodingKey::from_secret(SECRET.as_bytes()),
        &Validation::new(Algorithm::HS256),
    )
    .ok()
    .and_then(|d| d.claims["sub"].as_str().map(str::to_owned))
}

async fn runs(
    State(up): State<Shared>,
    headers: HeaderMap,
    Form(form): Form<Vec<(String, String)>>,
) -> Response {
    let token = match check(&up, &headers) {
        Ok(t) => t,
        Err(r) => return *r,
    };
    let user = form
        .iter()
        .find(|(k, _)| k == "user_id")
        .map(|(_, v)| v.clone())
        .unwrap_or_default();
    if let Some(sub) = jwt_sub(&token) {
        up.subjects.lock().unwrap().push((sub, user));
    }
    let body = concat!(
        "event: RunStarted\ndata: {\"event\":\"RunStarted\",\"run_id\":\"r1\",\"session_id\":\"s1\"}\n\n",
        "event: RunContent\ndata: {\"event\":\"RunContent\",\"run_id\":\"r1\",\"content\":\"hi\"}\n\n",
        "event: RunCompleted\ndata: {\"event\":\"RunCompleted\",\"run_id\":\"r1\",\"content\":\"hi\"}\n\n",
    );
    ([("content-type", "text/event-stream")], body).into_response()
}

async fn sessions(State(up): State<Shared>, headers: HeaderMap) -> Response {
    match check(&up, &headers) {
        Ok(_) => (
            [("content-type", "application/json")],
            r#"{"data":[],"meta":{"page":1,"limit":30,"total_pages":0,"total_count":0}}"#,
        )
            .into_response(),
        Err(r) => *r,
    }
}

async fn token(State(up): State<Shared>, headers: HeaderMap) -> Response {
    // client_secret_basic: base64("chat:cs-secret")
    if headers.get("authorization").and_then(|v| v.to_str().ok())
        != Some("Basic Y2hhdDpjcy1zZWNyZXQ=")
    {
        return (
            StatusCode::UNAUTHORIZED,
            r#"{"error":"invalid_client","error_description":"bad client credentials"}"#,
        )
            .into_response();
    }
    let n = up.issued.fetch_add(1, Ordering::SeqCst) + 1;
    // A slow endpoint widens the window in which concurrent requests could double-refresh.
    tokio::time::sleep(Duration::from_millis(100)).await;
    (
        [("content-type", "application/json")],
        format!(r#"{{"access_token":"tok-{n}","token_type":"Bearer","expires_in":3600}}"#),
    )
        .into_response()
}

async fn serve(up: Shared) -> SocketAddr {
    let app = Router::new()
        .route("/agents/{id}/runs", post(runs))
        .route("/sessions", get(sessions))
        .route("/oauth/token", post(token))
        .with_state(up);
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    addr
}

fn client(addr: SocketAddr, source: CredentialSource) -> AgentOsClient {
    AgentOsClient::new(ClientOptions {
        base_url: format!("http://{addr}").parse().unwrap(),
        credentials: Credentials::new(source, reqwest::Client::new()),
        connect_timeout: Duration::from_millis(500),
        request_timeout: Duration::from_secs(5),
    })
    .unwrap()
}

fn oauth(addr: SocketAddr, secret: &str) -> CredentialSource {
    CredentialSource::OAuth(OAuthSettings {
        token_url: format!("http://{addr}/oauth/token").parse().unwrap(),
        client_id: "chat".into(),
        client_secret: secret.to_owned().into(),
        scope: Some("agents:run".into()),
        audience: None,
    })
}

fn run(user: &str) -> RunRequest {
    RunRequest {
        kind: AssistantKind::Agent,
        assistant_id: "echo-agent".into(),
        message: "hello".into(),
        user_id: user.into(),
        session_id: None,
        follows: None,
        trace: None,
        background: true,
    }
}

/// Starts a streaming run and reads its body to the end.
async fn stream_ok(c: &AgentOsClient, user: &str) -> String {
    let resp = c.start_run(&run(user)).await.expect("run starts");
    resp.text().await.unwrap()
}

async fn list_ok(c: &AgentOsClient, user: &str) {
    c.list_sessions(AssistantKind::Agent, "echo-agent", user, 1, 30, None)
        .await
        .expect("sessions listed");
}

#[tokio::test]
async fn oauth_token_expiry_costs_one_refresh_for_many_concurrent_requests() {
    let up = Shared::default();
    let addr = serve(up.clone()).await;
    let c = client(addr, oauth(addr, "cs-secret"));

    assert!(stream_ok(&c, "u1").await.contains("RunCompleted"));
    list_ok(&c, "u1").await;
    assert_eq!(up.issued.load(Ordering::SeqCst), 1, "one token, cached");

    for expiry in 1..=2u64 {
        expire_all(&up);
        let mut tasks = Vec::new();
        for i in 0..12 {
            let c = c.clone();
            tasks.push(tokio::spawn(async move {
                let user = format!("u{}", i % 3);
                if i % 2 == 0 {
                    assert!(stream_ok(&c, &user).await.contains("RunCompleted"));
                } else {
                    list_ok(&c, &user).await;
                }
            }));
        }
        for t in tasks {
            t.await.unwrap();
        }
        assert_eq!(
            up.issued.load(Ordering::SeqCst),
            1 + expiry,
            "exactly one new token per expiry"
        );
        assert_eq!(c.credentials().refresh_count(), expiry);
        assert!(up.refused.load(Ordering::SeqCst) >= expiry);
    }
}

#[tokio::test]
async fn streaming_run_is_retried_after_expiry() {
    let up = Shared::default();
    let addr = serve(up.clone()).await;
    let c = client(addr, oauth(addr, "cs-secret"));
    list_ok(&c, "u1").await;
    expire_all(&up);
    let body = stream_ok(&c, "u1").await;
    assert!(body.contains("RunContent"), "{body}");
    assert_eq!(up.refused.load(Ordering::SeqCst), 1);
    assert_eq!(c.credentials().refresh_count(), 1);
}

#[tokio::test]
async fn minted_jwts_carry_the_user_and_are_reminted_on_expiry() {
    let up = Shared::default();
    let addr = serve(up.clone()).await;
    let c = client(
        addr,
        CredentialSource::Jwt(JwtSettings {
            key: SigningKey::Hs256(SECRET.to_owned().into()),
            scopes: vec!["agents:run".into()],
            audience: None,
            issuer: None,
            lifetime: Duration::from_secs(600),
        }),
    );
    stream_ok(&c, "alice").await;
    stream_ok(&c, "bob").await;
    expire_all(&up);
    stream_ok(&c, "alice").await;
    let subjects = up.subjects.lock().unwrap().clone();
    assert_eq!(subjects.len(), 3);
    assert!(
        subjects.iter().all(|(sub, user)| sub == user),
        "{subjects:?}"
    );
    assert_eq!(
        c.credentials().refresh_count(),
        1,
        "only alice's expired token"
    );
    assert_eq!(c.credentials().issued_count(), 3);
}

#[tokio::test]
async fn other_401s_and_static_keys_are_not_retried() {
    let up = Shared::default();
    let addr = serve(up.clone()).await;

    let key = client(
        addr,
        CredentialSource::StaticKey("revoked".to_owned().into()),
    );
    let err = key.start_run(&run("u1")).await.unwrap_err();
    assert!(
        matches!(&err, AgentOsError::Status { status: 401, detail } if detail.starts_with("Invalid token")),
        "{err:?}"
    );

    let fixed = client(addr, CredentialSource::StaticKey("k1".to_owned().into()));
    list_ok(&fixed, "u1").await;
    expire_all(&up);
    let err = fixed
        .list_sessions(AssistantKind::Agent, "a", "u1", 1, 30, None)
        .await
        .unwrap_err();
    assert_eq!(
        err,
        AgentOsError::Status {
            status: 401,
            detail: "Token has expired".into()
        }
    );
    assert_eq!(
        up.refused.load(Ordering::SeqCst),
        1,
        "no retry with a static key"
    );
}

#[tokio::test]
async fn token_endpoint_refusal_is_a_clear_credentials_error_without_the_secret() {
    let up = Shared::default();
    let addr = serve(up.clone()).await;
    let c = client(addr, oauth(addr, "wrong-secret-value"));
    let err = c.start_run(&run("u1")).await.unwrap_err();
    let text = err.to_string();
    assert!(matches!(err, AgentOsError::Credentials(_)), "{err:?}");
    assert!(text.contains("invalid_client"), "{text}");
    assert!(!text.contains("wrong-secret-value"), "{text}");
}

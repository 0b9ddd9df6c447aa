//! ID tokens that must not sign anyone in, from a fake OpenID provider (fault injection:
//! the real provider of the end-to-end tests never sends them). Each case goes through the
//! same `Provider::begin` and `finish` as a real sign-in; the key in `fixtures/oidc` is a
//! test key made for these tests only.

use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use agno_chat::server::sign_in::oidc::{OidcError, Provider, ProviderSettings};
use axum::extract::State;
use axum::routing::{get, post};
use axum::{Json, Router};
use jsonwebtoken::{encode, Algorithm, EncodingKey, Header};
use serde_json::{json, Value};

const KEY: &str = include_str!("fixtures/oidc/test-signing-key.pem");
const JWKS: &str = include_str!("fixtures/oidc/test-jwks.json");

#[derive(Clone)]
struct Fake {
    issuer: String,
    /// The ID token the token endpoint answers with next.
    id_token: Arc<Mutex<String>>,
}

async fn start() -> Fake {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr: SocketAddr = listener.local_addr().unwrap();
    let fake = Fake {
        issuer: format!("http://{addr}"),
        id_token: Arc::default(),
    };
    let app = Router::new()
        .route(
            "/.well-known/openid-configuration",
            get(|State(f): State<Fake>| async move {
                Json(json!({
                    "issuer": f.issuer,
                    "authorization_endpoint": format!("{}/auth", f.issuer),
                    "token_endpoint": format!("{}/token", f.issuer),
                    "jwks_uri": format!("{}/jwks", f.issuer),
                    "response_types_supported": ["code"],
                    "subject_types_supported": ["public"],
                    "id_token_signing_alg_values_supported": ["RS256"],
                }))
            }),
        )
        .route(
            "/jwks",
            get(|| async { Json(serde_json::from_str::<Value>(JWKS).unwrap()) }),
        )
        .route(
            "/token",
            post(|State(f): State<Fake>| async move {
                let id_token = f.id_token.lock().unwrap().clone();
                Json(json!({
                    "access_token": "at", "token_type": "Bearer", "expires_in": 3600,
                    "id_token": id_token,
                }))
            }),
        )
        .with_state(fake.clone());
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    fake
}

fn now() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap()
        .as_secs()
}

fn signed(claims: &Value) -> String {
    let mut header = Header::new(Algorithm::RS256);
    header.kid = Some("test-key".into());
    encode(
        &header,
        claims,
        &EncodingKey::from_rsa_pem(KEY.as_bytes()).unwrap(),
    )
    .unwrap()
}

fn provider(fake: &Fake) -> Provider {
    Provider::new(
        ProviderSettings {
            issuer: fake.issuer.clone(),
            client_id: "agno-chat".into(),
            client_secret: Some("secret".to_owned().into()),
            scopes: vec!["openid".into()],
            roles_claim: "groups".into(),
            public_url: "http://127.0.0.1:3000".parse().unwrap(),
        },
        Duration::from_secs(2),
    )
    .unwrap()
}

/// Signs in once with the claims `change` makes of a valid set.
async fn sign_in_with(change: impl FnOnce(&mut Value, &str)) -> Result<String, OidcError> {
    let fake = start().await;
    let p = provider(&fake);
    let (_, pending) = p.begin("/").await.unwrap();
    let mut claims = json!({
        "iss": fake.issuer, "aud": "agno-chat", "sub": "person-1",
        "iat": now(), "exp": now() + 300, "nonce": pending.nonce,
        "name": "Person One", "groups": ["research"],
    });
    change(&mut claims, &fake.issuer);
    *fake.id_token.lock().unwrap() = signed(&claims);
    p.finish("code", &pending).await.map(|id| {
        assert_eq!(id.claims, vec!["research"]);
        id.user
    })
}

#[tokio::test]
async fn a_valid_id_token_signs_in() {
    let user = sign_in_with(|_, _| {}).await.unwrap();
    assert!(user.starts_with("oidc-"), "{user}");
}

#[tokio::test]
async fn a_wrong_nonce_is_refused() {
    let e = sign_in_with(|c, _| c["nonce"] = json!("another-sign-in")).await;
    assert!(matches!(e, Err(OidcError::BadToken(_))), "{e:?}");
}

#[tokio::test]
async fn another_issuer_is_refused() {
    let e = sign_in_with(|c, _| c["iss"] = json!("https://elsewhere.example")).await;
    assert!(matches!(e, Err(OidcError::BadToken(_))), "{e:?}");
}

#[tokio::test]
async fn another_audience_is_refused() {
    let e = sign_in_with(|c, _| c["aud"] = json!("some-other-client")).await;
    assert!(matches!(e, Err(OidcError::BadToken(_))), "{e:?}");
}

#[tokio::test]
async fn an_expired_token_is_refused() {
    let e = sign_in_with(|c, _| {
        c["iat"] = json!(now() - 7200);
        c["exp"] = json!(now() - 3600);
    })
    .await;
    assert!(matches!(e, Err(OidcError::BadToken(_))), "{e:?}");
}

#[tokio::test]
async fn a_token_signed_with_another_key_is_refused() {
    let fake = start().await;
    let p = provider(&fake);
    let (_, pending) = p.begin("/").await.unwrap();
    let claims = json!({
        "iss": fake.issuer, "aud": "agno-chat", "sub": "person-1",
        "iat": now(), "exp": now() + 300, "nonce": pending.nonce,
    });
    // Symmetric, with a key anyone could guess: not an algorithm the provider announced.
    let forged = encode(
        &Header::new(Algorithm::HS256),
        &claims,
        &EncodingKey::from_secret(b"guessable"),
    )
    .unwrap();
    *fake.id_token.lock().unwrap() = forged;
    let e = p.finish("code", &pending).await;
    assert!(matches!(e, Err(OidcError::BadToken(_))), "{e:?}");
}

#[tokio::test]
async fn a_provider_that_is_down_is_reported_as_unreachable() {
    let p = Provider::new(
        ProviderSettings {
            issuer: "http://127.0.0.1:9".into(),
            client_id: "agno-chat".into(),
            client_secret: None,
            scopes: vec!["openid".into()],
            roles_claim: "groups".into(),
            public_url: "http://127.0.0.1:3000".parse().unwrap(),
        },
        Duration::from_secs(2),
    )
    .unwrap();
    assert!(matches!(p.begin("/").await, Err(OidcError::Unreachable(_))));
}

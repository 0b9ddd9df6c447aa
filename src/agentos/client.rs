use std::time::Duration;

use reqwest::header::{HeaderMap, HeaderValue, ACCEPT, AUTHORIZATION};
use secrecy::{ExposeSecret, SecretString};
use serde::de::DeserializeOwned;
use url::Url;

use super::error::detail_from_body;
use super::types::{Agent, Health, OsInfo, Team};
use super::AgentOsError;

/// How to reach AgentOS.
#[derive(Debug, Clone)]
pub struct ClientOptions {
    /// Base URL of AgentOS, e.g. `http://127.0.0.1:7777`.
    pub base_url: Url,
    /// Static bearer credential (AgentOS `OS_SECURITY_KEY`), if any. Redacted in Debug.
    pub credential: Option<SecretString>,
    pub connect_timeout: Duration,
    pub request_timeout: Duration,
}

/// Typed client for the AgentOS REST API. Cheap to clone (shares one connection pool).
#[derive(Debug, Clone)]
pub struct AgentOsClient {
    http: reqwest::Client,
    base: Url,
    credential: Option<SecretString>,
    request_timeout: Duration,
    connect_timeout: Duration,
}

impl AgentOsClient {
    pub fn new(options: ClientOptions) -> Result<Self, AgentOsError> {
        let mut headers = HeaderMap::new();
        headers.insert(ACCEPT, HeaderValue::from_static("application/json"));
        let http = reqwest::Client::builder()
            .connect_timeout(options.connect_timeout)
            .default_headers(headers)
            .user_agent(concat!("agno-chat/", env!("CARGO_PKG_VERSION")))
            .build()
            .map_err(|e| AgentOsError::Request(e.to_string()))?;
        let mut base = options.base_url;
        // Make `join` append to the base path instead of replacing its last segment.
        if !base.path().ends_with('/') {
            let path = format!("{}/", base.path());
            base.set_path(&path);
        }
        Ok(Self {
            http,
            base,
            credential: options.credential,
            request_timeout: options.request_timeout,
            connect_timeout: options.connect_timeout,
        })
    }

    /// `GET /health`: never needs auth. Uses a short timeout so probes fail fast.
    pub async fn health(&self) -> Result<Health, AgentOsError> {
        let probe_timeout = self.request_timeout.min(self.connect_timeout * 2);
        self.get_json_with_timeout("health", probe_timeout).await
    }

    /// `GET /info`: AgentOS name, versions and auth mode.
    pub async fn info(&self) -> Result<OsInfo, AgentOsError> {
        self.get_json("info").await
    }

    /// `GET /agents`
    pub async fn agents(&self) -> Result<Vec<Agent>, AgentOsError> {
        self.get_json("agents").await
    }

    /// `GET /teams`
    pub async fn teams(&self) -> Result<Vec<Team>, AgentOsError> {
        self.get_json("teams").await
    }

    fn url(&self, path: &str) -> Result<Url, AgentOsError> {
        self.base
            .join(path.trim_start_matches('/'))
            .map_err(|e| AgentOsError::Request(format!("bad path {path:?}: {e}")))
    }

    fn authorize(&self, req: reqwest::RequestBuilder) -> reqwest::RequestBuilder {
        match &self.credential {
            Some(secret) => req.header(AUTHORIZATION, format!("Bearer {}", secret.expose_secret())),
            None => req,
        }
    }

    async fn get_json<T: DeserializeOwned>(&self, path: &str) -> Result<T, AgentOsError> {
        self.get_json_with_timeout(path, self.request_timeout).await
    }

    async fn get_json_with_timeout<T: DeserializeOwned>(
        &self,
        path: &str,
        timeout: Duration,
    ) -> Result<T, AgentOsError> {
        let req = self
            .authorize(self.http.get(self.url(path)?))
            .timeout(timeout);
        let resp = req.send().await.map_err(|e| classify(e, timeout))?;
        let status = resp.status();
        let body = resp.text().await.map_err(|e| classify(e, timeout))?;
        if !status.is_success() {
            return Err(AgentOsError::Status {
                status: status.as_u16(),
                detail: detail_from_body(&body),
            });
        }
        serde_json::from_str(&body).map_err(|e| AgentOsError::Decode(format!("{path}: {e}")))
    }
}

/// Maps a reqwest error to our error kinds without leaking the URL (which could carry
/// credentials in its userinfo).
fn classify(e: reqwest::Error, timeout: Duration) -> AgentOsError {
    let e = e.without_url();
    if e.is_timeout() {
        AgentOsError::Timeout(timeout)
    } else if e.is_connect() {
        AgentOsError::Connect(root_cause(&e))
    } else if e.is_decode() || e.is_body() {
        AgentOsError::Decode(root_cause(&e))
    } else {
        AgentOsError::Request(root_cause(&e))
    }
}

fn root_cause(e: &(dyn std::error::Error + 'static)) -> String {
    let mut cur = e;
    while let Some(next) = cur.source() {
        cur = next;
    }
    cur.to_string()
}

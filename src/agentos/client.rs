use std::time::Duration;

use reqwest::header::{HeaderMap, HeaderValue, ACCEPT, AUTHORIZATION, CONTENT_TYPE};
use serde::de::DeserializeOwned;
use url::Url;

use super::auth::{Caller, Credentials, Token};
use super::error::{detail_from_body, root_cause};
use super::types::{Agent, Health, OsInfo, SessionList, SessionRecord, Team};
use super::AgentOsError;
use crate::model::AssistantKind;

/// How to reach AgentOS.
#[derive(Debug, Clone)]
pub struct ClientOptions {
    /// Base URL of AgentOS, e.g. `http://127.0.0.1:7777`.
    pub base_url: Url,
    /// Where bearer tokens come from (none, a static key, minted JWTs, OAuth2).
    pub credentials: Credentials,
    pub connect_timeout: Duration,
    pub request_timeout: Duration,
}

/// Typed client for the AgentOS REST API. Cheap to clone (shares one connection pool).
#[derive(Debug, Clone)]
pub struct AgentOsClient {
    http: reqwest::Client,
    base: Url,
    credentials: Credentials,
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
            credentials: options.credentials,
            request_timeout: options.request_timeout,
            connect_timeout: options.connect_timeout,
        })
    }

    /// The credentials this client sends (for refresh counts and the health summary).
    pub fn credentials(&self) -> &Credentials {
        &self.credentials
    }

    /// `GET /health`: never needs auth. Uses a short timeout so probes fail fast.
    pub async fn health(&self) -> Result<Health, AgentOsError> {
        let probe_timeout = self.request_timeout.min(self.connect_timeout * 2);
        let url = self.url("health")?;
        self.fetch_json(None, url, probe_timeout).await
    }

    /// `GET /info`: AgentOS name, versions and auth mode.
    pub async fn info(&self) -> Result<OsInfo, AgentOsError> {
        self.get_json(Caller::Service, self.url("info")?).await
    }

    /// `GET /agents`
    pub async fn agents(&self) -> Result<Vec<Agent>, AgentOsError> {
        self.get_json(Caller::Service, self.url("agents")?).await
    }

    /// `GET /teams`
    pub async fn teams(&self) -> Result<Vec<Team>, AgentOsError> {
        self.get_json(Caller::Service, self.url("teams")?).await
    }

    /// `POST /agents/{id}/runs` (or `/teams/...`) with `stream=true`. Returns the response
    /// once AgentOS answered with 200; its body is the event stream (see [`super::sse`]).
    /// Only the connect timeout applies: a stream may legitimately run for minutes, so the
    /// caller enforces first-event and idle timeouts.
    pub async fn start_run(&self, run: &RunRequest) -> Result<reqwest::Response, AgentOsError> {
        let path = format!(
            "{}/{}/runs",
            run.kind_segment(),
            encode_segment(&run.assistant_id)
        );
        let form = Self::run_fields(run);
        self.post_stream(Caller::User(&run.user_id), &path, &form)
            .await
    }

    /// [`Self::start_run`] with files: `body` is the whole multipart form (see
    /// `server::uploads::forward`), streamed as it arrives. It can be sent only once, so
    /// an expired token is not retried here (tokens are renewed before they expire).
    pub async fn start_run_with_files(
        &self,
        run: &RunRequest,
        content_type: &str,
        body: reqwest::Body,
    ) -> Result<reqwest::Response, AgentOsError> {
        let path = format!(
            "{}/{}/runs",
            run.kind_segment(),
            encode_segment(&run.assistant_id)
        );
        let url = self.url(&path)?;
        let token = self.credentials.token(Caller::User(&run.user_id)).await?;
        let req = self
            .http
            .post(url)
            .header(ACCEPT, "text/event-stream")
            .header(CONTENT_TYPE, content_type)
            .body(body);
        let resp = self.send_once(req, token.as_ref(), None).await?;
        ensure_success(resp).await
    }

    /// `GET /sessions/{id}/media/{storage_key}` for the session's owner: the stored bytes
    /// of a file uploaded or produced in that session, as AgentOS streams them (a 404 is
    /// returned as it is, for the caller to answer). Each segment of the key is encoded,
    /// so a key can neither leave the media path nor add a query.
    pub async fn session_media(
        &self,
        kind: AssistantKind,
        session_id: &str,
        storage_key: &str,
        user_id: &str,
    ) -> Result<reqwest::Response, AgentOsError> {
        let key: Vec<String> = storage_key.split('/').map(encode_segment).collect();
        let mut url = self.url(&format!(
            "sessions/{}/media/{}",
            encode_segment(session_id),
            key.join("/")
        ))?;
        url.query_pairs_mut()
            .append_pair("type", kind_param(kind))
            .append_pair("user_id", user_id);
        let token = self.credentials.token(Caller::User(user_id)).await?;
        self.send_once(
            self.http.get(url),
            token.as_ref(),
            Some(self.request_timeout),
        )
        .await
    }

    /// The form fields of a run, as [`Self::start_run`] sends them.
    pub fn run_fields(run: &RunRequest) -> Vec<(&'static str, String)> {
        let mut form: Vec<(&'static str, String)> = vec![
            ("message", run.message.clone()),
            ("stream", "true".into()),
            ("user_id", run.user_id.clone()),
        ];
        if let Some(sid) = &run.session_id {
            form.push(("session_id", sid.clone()));
        }
        if run.background {
            form.push(("background", "true".into()));
        }
        let mut metadata = serde_json::Map::new();
        if let Some(follows) = &run.follows {
            metadata.insert(
                crate::chat::branches::PARENT_KEY.into(),
                follows.clone().into(),
            );
        }
        if let Some(trace) = &run.trace {
            metadata.insert(TRACE_KEY.into(), trace.clone().into());
        }
        if !metadata.is_empty() {
            form.push(("metadata", serde_json::Value::Object(metadata).to_string()));
        }
        form
    }

    /// `POST /agents/{id}/runs/{run_id}/resume` (or `/teams/...`): the events of a
    /// background run after `last_event_index` (all of them when `None`), then live ones.
    pub async fn resume_run(
        &self,
        kind: AssistantKind,
        assistant_id: &str,
        run_id: &str,
        session_id: &str,
        user_id: &str,
        last_event_index: Option<u64>,
    ) -> Result<reqwest::Response, AgentOsError> {
        let path = format!(
            "{}/{}/runs/{}/resume",
            kind_segment(kind),
            encode_segment(assistant_id),
            encode_segment(run_id)
        );
        let mut form: Vec<(&str, String)> = vec![
            ("session_id", session_id.to_owned()),
            ("user_id", user_id.to_owned()),
        ];
        if let Some(i) = last_event_index {
            form.push(("last_event_index", i.to_string()));
        }
        self.post_stream(Caller::User(user_id), &path, &form).await
    }

    /// `GET /agents/{id}/runs/{run_id}?session_id=` (or `/teams/...`): one stored run, with
    /// its tools and, for teams, its `requirements` (raw JSON, read by `chat::hitl`).
    pub async fn get_run(
        &self,
        kind: AssistantKind,
        assistant_id: &str,
        run_id: &str,
        session_id: &str,
        user_id: &str,
    ) -> Result<serde_json::Value, AgentOsError> {
        let mut url = self.url(&format!(
            "{}/{}/runs/{}",
            kind_segment(kind),
            encode_segment(assistant_id),
            encode_segment(run_id)
        ))?;
        url.query_pairs_mut()
            .append_pair("session_id", session_id)
            .append_pair("user_id", user_id);
        self.get_json(Caller::User(user_id), url).await
    }

    /// `POST /agents/{id}/runs/{run_id}/continue` (or `/teams/...`), streaming, with
    /// `fields`: the paused tools (`tools`) or requirements (`requirements`) as decided, or
    /// what makes another version of the run (`regenerate`, or `fork` with `input`).
    pub async fn continue_run(
        &self,
        kind: AssistantKind,
        assistant_id: &str,
        run_id: &str,
        session_id: &str,
        user_id: &str,
        fields: &[(&'static str, String)],
    ) -> Result<reqwest::Response, AgentOsError> {
        let path = format!(
            "{}/{}/runs/{}/continue",
            kind_segment(kind),
            encode_segment(assistant_id),
            encode_segment(run_id)
        );
        let mut form: Vec<(&str, String)> = vec![
            ("session_id", session_id.to_owned()),
            ("user_id", user_id.to_owned()),
            ("stream", "true".into()),
        ];
        form.extend(fields.iter().cloned());
        self.post_stream(Caller::User(user_id), &path, &form).await
    }

    async fn post_stream(
        &self,
        caller: Caller<'_>,
        path: &str,
        form: &[(&str, String)],
    ) -> Result<reqwest::Response, AgentOsError> {
        let url = self.url(path)?;
        self.send(
            caller,
            || {
                self.http
                    .post(url.clone())
                    .header(ACCEPT, "text/event-stream")
                    .form(form)
            },
            None,
        )
        .await
    }

    /// `POST /agents/{id}/runs/{run_id}/cancel` (or `/teams/...`) for the user who started it.
    pub async fn cancel_run(
        &self,
        kind: AssistantKind,
        assistant_id: &str,
        run_id: &str,
        session_id: Option<&str>,
        user_id: &str,
    ) -> Result<(), AgentOsError> {
        let path = format!(
            "{}/{}/runs/{}/cancel",
            kind_segment(kind),
            encode_segment(assistant_id),
            encode_segment(run_id)
        );
        let mut url = self.url(&path)?;
        if let Some(sid) = session_id {
            url.query_pairs_mut().append_pair("session_id", sid);
        }
        self.send_expect_success(Caller::User(user_id), || self.http.post(url.clone()))
            .await
    }

    /// `GET /sessions` of one user with one agent or team, newest first.
    pub async fn list_sessions(
        &self,
        kind: AssistantKind,
        assistant_id: &str,
        user_id: &str,
        page: u32,
        limit: u32,
        name_filter: Option<&str>,
    ) -> Result<SessionList, AgentOsError> {
        let mut url = self.sessions_url(kind, Some(user_id), page, limit)?;
        {
            let mut q = url.query_pairs_mut();
            q.append_pair("component_id", assistant_id);
            if let Some(name) = name_filter {
                q.append_pair("session_name", name);
            }
        }
        self.get_json(Caller::User(user_id), url).await
    }

    /// `GET /sessions?…` of one kind, a page of them, most recently updated first; one
    /// user's, or everyone's.
    fn sessions_url(
        &self,
        kind: AssistantKind,
        user_id: Option<&str>,
        page: u32,
        limit: u32,
    ) -> Result<Url, AgentOsError> {
        let mut url = self.url("sessions")?;
        {
            let mut q = url.query_pairs_mut();
            q.append_pair("type", kind_param(kind))
                .append_pair("limit", &limit.to_string())
                .append_pair("page", &page.to_string())
                .append_pair("sort_by", "updated_at")
                .append_pair("sort_order", "desc");
            if let Some(u) = user_id {
                q.append_pair("user_id", u);
            }
        }
        Ok(url)
    }

    /// `GET /sessions` of one kind, most recently updated first: one user's (asked on their
    /// behalf), or everyone's (asked by agno-chat itself).
    pub async fn sessions_updated(
        &self,
        kind: AssistantKind,
        user_id: Option<&str>,
        page: u32,
        limit: u32,
    ) -> Result<SessionList, AgentOsError> {
        let url = self.sessions_url(kind, user_id, page, limit)?;
        let caller = match user_id {
            Some(u) => Caller::User(u),
            None => Caller::Service,
        };
        self.get_json(caller, url).await
    }

    /// `GET /sessions/{id}`, asked on behalf of `user_id`.
    pub async fn get_session(
        &self,
        kind: AssistantKind,
        session_id: &str,
        user_id: &str,
    ) -> Result<SessionRecord, AgentOsError> {
        let mut url = self.url(&format!("sessions/{}", encode_segment(session_id)))?;
        url.query_pairs_mut().append_pair("type", kind_param(kind));
        self.get_json(Caller::User(user_id), url).await
    }

    /// `GET /sessions/{id}/runs`: the stored runs (raw JSON, read by `chat::history`),
    /// all of them, or with `created_after` only those created at or after that time
    /// (seconds since the epoch).
    pub async fn session_runs(
        &self,
        kind: AssistantKind,
        session_id: &str,
        user_id: &str,
        created_after: Option<i64>,
    ) -> Result<Vec<serde_json::Value>, AgentOsError> {
        let mut url = self.url(&format!("sessions/{}/runs", encode_segment(session_id)))?;
        url.query_pairs_mut()
            .append_pair("type", kind_param(kind))
            .append_pair("user_id", user_id);
        if let Some(t) = created_after {
            url.query_pairs_mut()
                .append_pair("created_after", &t.to_string());
        }
        self.get_json(Caller::User(user_id), url).await
    }

    /// `POST /sessions/{id}/rename`, on behalf of `user_id`.
    pub async fn rename_session(
        &self,
        kind: AssistantKind,
        session_id: &str,
        name: &str,
        user_id: &str,
    ) -> Result<(), AgentOsError> {
        let mut url = self.url(&format!("sessions/{}/rename", encode_segment(session_id)))?;
        url.query_pairs_mut().append_pair("type", kind_param(kind));
        let body = serde_json::json!({ "session_name": name });
        self.send_expect_success(Caller::User(user_id), || {
            self.http.post(url.clone()).json(&body)
        })
        .await
    }

    /// `PATCH /sessions/{id}` with a new `metadata` (AgentOS replaces the whole of it), on
    /// behalf of `user_id`.
    pub async fn set_session_metadata(
        &self,
        kind: AssistantKind,
        session_id: &str,
        user_id: &str,
        metadata: &serde_json::Value,
    ) -> Result<(), AgentOsError> {
        let mut url = self.url(&format!("sessions/{}", encode_segment(session_id)))?;
        url.query_pairs_mut()
            .append_pair("type", kind_param(kind))
            .append_pair("user_id", user_id);
        let body = serde_json::json!({ "metadata": metadata });
        self.send_expect_success(Caller::User(user_id), || {
            self.http.patch(url.clone()).json(&body)
        })
        .await
    }

    /// `DELETE /sessions/{id}`, on behalf of `user_id`.
    pub async fn delete_session(
        &self,
        kind: AssistantKind,
        session_id: &str,
        user_id: &str,
    ) -> Result<(), AgentOsError> {
        let mut url = self.url(&format!("sessions/{}", encode_segment(session_id)))?;
        url.query_pairs_mut().append_pair("type", kind_param(kind));
        self.send_expect_success(Caller::User(user_id), || self.http.delete(url.clone()))
            .await
    }

    async fn send_expect_success(
        &self,
        caller: Caller<'_>,
        build: impl Fn() -> reqwest::RequestBuilder,
    ) -> Result<(), AgentOsError> {
        self.send(caller, build, Some(self.request_timeout)).await?;
        Ok(())
    }

    /// Sends a request with `caller`'s token and returns the success response. When AgentOS
    /// answers 401 "Token has expired" and the credential source can issue tokens, obtains
    /// a new token (shared with concurrent requests) and sends the request once more. The
    /// same path serves JSON calls and streaming runs (whose 401 comes before any event).
    async fn send(
        &self,
        caller: Caller<'_>,
        build: impl Fn() -> reqwest::RequestBuilder,
        timeout: Option<Duration>,
    ) -> Result<reqwest::Response, AgentOsError> {
        let token = self.credentials.token(caller).await?;
        let resp = self.send_once(build(), token.as_ref(), timeout).await?;
        if resp.status() != reqwest::StatusCode::UNAUTHORIZED || !self.credentials.can_refresh() {
            return ensure_success(resp).await;
        }
        let detail = detail_from_body(&resp.text().await.unwrap_or_default());
        let stale = match token {
            Some(t) if detail == TOKEN_EXPIRED => t,
            _ => {
                return Err(AgentOsError::Status {
                    status: 401,
                    detail,
                })
            }
        };
        let Some(fresh) = self.credentials.refresh(caller, &stale).await? else {
            return Err(AgentOsError::Status {
                status: 401,
                detail,
            });
        };
        let resp = self.send_once(build(), Some(&fresh), timeout).await?;
        ensure_success(resp).await
    }

    async fn send_once(
        &self,
        req: reqwest::RequestBuilder,
        token: Option<&Token>,
        timeout: Option<Duration>,
    ) -> Result<reqwest::Response, AgentOsError> {
        let req = match token {
            Some(t) => req.header(AUTHORIZATION, format!("Bearer {}", t.expose())),
            None => req,
        };
        let req = match timeout {
            Some(t) => req.timeout(t),
            None => req,
        };
        req.send()
            .await
            .map_err(|e| classify(e, timeout.unwrap_or(self.connect_timeout)))
    }

    fn url(&self, path: &str) -> Result<Url, AgentOsError> {
        self.base
            .join(path.trim_start_matches('/'))
            .map_err(|e| AgentOsError::Request(format!("bad path {path:?}: {e}")))
    }

    async fn get_json<T: DeserializeOwned>(
        &self,
        caller: Caller<'_>,
        url: Url,
    ) -> Result<T, AgentOsError> {
        self.fetch_json(Some(caller), url, self.request_timeout)
            .await
    }

    /// GET and decode JSON; `caller` `None` sends no credentials (health probes).
    async fn fetch_json<T: DeserializeOwned>(
        &self,
        caller: Option<Caller<'_>>,
        url: Url,
        timeout: Duration,
    ) -> Result<T, AgentOsError> {
        let path = url.path().to_owned();
        let resp = match caller {
            Some(c) => {
                self.send(c, || self.http.get(url.clone()), Some(timeout))
                    .await?
            }
            None => {
                ensure_success(
                    self.send_once(self.http.get(url), None, Some(timeout))
                        .await?,
                )
                .await?
            }
        };
        let body = resp.text().await.map_err(|e| classify(e, timeout))?;
        serde_json::from_str(&body).map_err(|e| AgentOsError::Decode(format!("{path}: {e}")))
    }
}

/// The run metadata key of a run's `traceparent` (see [`RunRequest::trace`]).
pub const TRACE_KEY: &str = "agno_chat_trace";

/// The one detail AgentOS gives for an expired JWT (and the only place it appears).
pub const TOKEN_EXPIRED: &str = "Token has expired";

/// Passes a success response through; turns any other into [`AgentOsError::Status`]
/// with AgentOS's own `detail`.
async fn ensure_success(resp: reqwest::Response) -> Result<reqwest::Response, AgentOsError> {
    if resp.status().is_success() {
        return Ok(resp);
    }
    let status = resp.status().as_u16();
    let body = resp.text().await.unwrap_or_default();
    Err(AgentOsError::Status {
        status,
        detail: detail_from_body(&body),
    })
}

/// What to run: a message for an agent or team, on behalf of a user, in a session.
#[derive(Debug, Clone)]
pub struct RunRequest {
    pub kind: AssistantKind,
    pub assistant_id: String,
    pub message: String,
    pub user_id: String,
    pub session_id: Option<String>,
    /// The run this message follows (empty: none), recorded in the run's metadata.
    pub follows: Option<String>,
    /// The W3C `traceparent` of agno-chat's span of the run, recorded in its metadata so
    /// that feedback given later joins the run's trace.
    pub trace: Option<String>,
    /// Run in the background: closing the connection does not stop it, and its events
    /// can be replayed through `resume_run`.
    pub background: bool,
}

impl RunRequest {
    fn kind_segment(&self) -> &'static str {
        kind_segment(self.kind)
    }
}

fn kind_param(kind: AssistantKind) -> &'static str {
    match kind {
        AssistantKind::Agent => "agent",
        AssistantKind::Team => "team",
    }
}

fn kind_segment(kind: AssistantKind) -> &'static str {
    match kind {
        AssistantKind::Agent => "agents",
        AssistantKind::Team => "teams",
    }
}

/// Percent-encodes one path segment (ids come from users and must not change the path).
fn encode_segment(s: &str) -> String {
    url::form_urlencoded::byte_serialize(s.as_bytes())
        .collect::<String>()
        .replace('+', "%20")
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

//! Credentials for AgentOS, held on the server only: none, a static security key, JWTs
//! minted per user, or tokens from an OAuth2 client-credentials endpoint.
//!
//! Tokens are cached (per user for minted JWTs, one for the service otherwise) and renewed
//! before they expire. When AgentOS still answers 401 "Token has expired", the client asks
//! for [`Credentials::refresh`]: callers holding the same stale token share one refresh
//! (a per-slot lock), so an expiry costs exactly one new token however many requests hit it.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use secrecy::{ExposeSecret, SecretString};
use serde::Deserialize;
use url::Url;

use super::AgentOsError;

/// On whose behalf a request is made.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Caller<'a> {
    /// agno-chat itself (catalog, health): no user is involved.
    Service,
    /// A signed-in visitor, by agno-chat's user id.
    User(&'a str),
}

/// The `sub` of minted tokens for [`Caller::Service`].
pub const SERVICE_SUBJECT: &str = "agno-chat";

/// How to sign minted JWTs.
#[derive(Clone)]
pub enum SigningKey {
    /// HS256 with a shared secret (AgentOS holds the same secret).
    Hs256(SecretString),
    /// RS256 with a PEM private key (AgentOS holds the public key).
    Rs256(SecretString),
}

impl std::fmt::Debug for SigningKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            SigningKey::Hs256(_) => f.write_str("Hs256([REDACTED])"),
            SigningKey::Rs256(_) => f.write_str("Rs256([REDACTED])"),
        }
    }
}

/// Settings for JWTs minted per user.
#[derive(Debug, Clone)]
pub struct JwtSettings {
    pub key: SigningKey,
    pub scopes: Vec<String>,
    pub audience: Option<String>,
    pub issuer: Option<String>,
    pub lifetime: Duration,
}

/// Settings for an OAuth2 client-credentials token endpoint (RFC 6749, section 4.4).
#[derive(Debug, Clone)]
pub struct OAuthSettings {
    pub token_url: Url,
    pub client_id: String,
    pub client_secret: SecretString,
    pub scope: Option<String>,
    pub audience: Option<String>,
}

/// Where AgentOS credentials come from.
#[derive(Debug, Clone, Default)]
pub enum CredentialSource {
    /// AgentOS runs without authentication.
    #[default]
    None,
    /// AgentOS `OS_SECURITY_KEY`: one bearer key that never changes.
    StaticKey(SecretString),
    /// JWTs minted by agno-chat, `sub` = the user.
    Jwt(JwtSettings),
    /// Tokens from an OAuth2 client-credentials endpoint, shared by all users.
    OAuth(OAuthSettings),
}

impl CredentialSource {
    /// A short name for logs and the health summary.
    pub fn name(&self) -> &'static str {
        match self {
            CredentialSource::None => "none",
            CredentialSource::StaticKey(_) => "security-key",
            CredentialSource::Jwt(_) => "jwt",
            CredentialSource::OAuth(_) => "oauth2-client-credentials",
        }
    }
}

/// A bearer token and which issue of its slot it is (to tell a stale token from a fresh one).
#[derive(Clone)]
pub struct Token {
    value: SecretString,
    generation: u64,
}

impl Token {
    pub(crate) fn expose(&self) -> &str {
        self.value.expose_secret()
    }
}

impl std::fmt::Debug for Token {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Token([REDACTED], generation {})", self.generation)
    }
}

struct Cached {
    token: Token,
    /// Renew (proactively) from this moment on; `None`: only when AgentOS says it expired.
    renew_at: Option<SystemTime>,
}

type Slot = Arc<tokio::sync::Mutex<Option<Cached>>>;

/// Most per-user token slots kept; the least recently used go first.
const MOST_SLOTS: u64 = 10_000;
/// A slot unused this long is dropped (its token would be renewed on next use anyway).
const SLOT_IDLE: Duration = Duration::from_secs(30 * 60);

/// Hands out AgentOS bearer tokens. Cheap to clone.
#[derive(Clone)]
pub struct Credentials {
    inner: Arc<Inner>,
}

struct Inner {
    source: CredentialSource,
    http: reqwest::Client,
    /// Per user for minted JWTs (one slot, "", otherwise). Bounded in count and idle time
    /// by `moka`, so one-shot identities cannot grow it.
    slots: moka::sync::Cache<String, Slot>,
    /// Per user, the scopes of their minted tokens where a roles policy narrows the
    /// configured ones (see [`Credentials::set_user_scopes`]).
    user_scopes: moka::sync::Cache<String, Arc<[String]>>,
    /// Tokens obtained because AgentOS said "Token has expired".
    refreshes: AtomicU64,
    /// Tokens obtained in all (first, renewed before expiry, and refreshed).
    issued: AtomicU64,
}

impl std::fmt::Debug for Credentials {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Credentials")
            .field("source", &self.inner.source.name())
            .finish_non_exhaustive()
    }
}

impl Credentials {
    /// `http` is used for the OAuth token endpoint (it carries the connect timeout).
    pub fn new(source: CredentialSource, http: reqwest::Client) -> Self {
        Self {
            inner: Arc::new(Inner {
                source,
                http,
                slots: moka::sync::Cache::builder()
                    .max_capacity(MOST_SLOTS)
                    .time_to_idle(SLOT_IDLE)
                    .build(),
                user_scopes: moka::sync::Cache::builder()
                    .max_capacity(MOST_SLOTS)
                    .time_to_idle(SLOT_IDLE)
                    .build(),
                refreshes: AtomicU64::new(0),
                issued: AtomicU64::new(0),
            }),
        }
    }

    pub fn none() -> Self {
        Self::new(CredentialSource::None, reqwest::Client::new())
    }

    pub fn source_name(&self) -> &'static str {
        self.inner.source.name()
    }

    /// The scopes minted tokens carry by default (`None` when tokens are not minted here).
    pub fn base_scopes(&self) -> Option<&[String]> {
        match &self.inner.source {
            CredentialSource::Jwt(s) => Some(&s.scopes),
            _ => None,
        }
    }

    /// The scopes `user`'s minted tokens carry from now on. A token minted with other
    /// scopes is dropped, so a change of roles reaches AgentOS with the next request.
    pub fn set_user_scopes(&self, user: &str, scopes: Vec<String>) {
        if self.base_scopes().is_none() {
            return;
        }
        let same = self
            .inner
            .user_scopes
            .get(user)
            .is_some_and(|s| *s == *scopes);
        if !same {
            self.inner
                .user_scopes
                .insert(user.to_owned(), scopes.into());
            self.inner.slots.invalidate(user);
        }
    }

    /// Whether a new token can be obtained when AgentOS says the current one expired.
    pub fn can_refresh(&self) -> bool {
        matches!(
            self.inner.source,
            CredentialSource::Jwt(_) | CredentialSource::OAuth(_)
        )
    }

    /// How many tokens were obtained because AgentOS answered "Token has expired".
    pub fn refresh_count(&self) -> u64 {
        self.inner.refreshes.load(Ordering::Relaxed)
    }

    /// How many tokens were obtained in all.
    pub fn issued_count(&self) -> u64 {
        self.inner.issued.load(Ordering::Relaxed)
    }

    /// The token to send for `caller` (`None` when AgentOS needs none). Renews a cached
    /// token that is close to expiry.
    pub async fn token(&self, caller: Caller<'_>) -> Result<Option<Token>, AgentOsError> {
        match &self.inner.source {
            CredentialSource::None => Ok(None),
            CredentialSource::StaticKey(k) => Ok(Some(Token {
                value: k.clone(),
                generation: 0,
            })),
            _ => {
                let slot = self.slot(caller);
                let mut cached = slot.lock().await;
                if let Some(c) = cached.as_ref() {
                    if c.renew_at.is_none_or(|at| SystemTime::now() < at) {
                        return Ok(Some(c.token.clone()));
                    }
                }
                let generation = cached.as_ref().map_or(1, |c| c.token.generation + 1);
                let fresh = self.obtain(caller, generation).await?;
                let token = fresh.token.clone();
                *cached = Some(fresh);
                Ok(Some(token))
            }
        }
    }

    /// A token to replace `stale`, which AgentOS said has expired. When another request
    /// already replaced it, that replacement is returned and nothing new is obtained.
    pub async fn refresh(
        &self,
        caller: Caller<'_>,
        stale: &Token,
    ) -> Result<Option<Token>, AgentOsError> {
        if !self.can_refresh() {
            return Ok(None);
        }
        let slot = self.slot(caller);
        let mut cached = slot.lock().await;
        if let Some(c) = cached.as_ref() {
            if c.token.generation != stale.generation {
                return Ok(Some(c.token.clone()));
            }
        }
        let fresh = self.obtain(caller, stale.generation + 1).await?;
        self.inner.refreshes.fetch_add(1, Ordering::Relaxed);
        metrics::counter!("agno_chat_token_refreshes_total").increment(1);
        tracing::info!(
            source = self.source_name(),
            generation = fresh.token.generation,
            "AgentOS said the token has expired: obtained a new one"
        );
        let token = fresh.token.clone();
        *cached = Some(fresh);
        Ok(Some(token))
    }

    fn slot(&self, caller: Caller<'_>) -> Slot {
        // OAuth tokens stand for agno-chat itself: one slot for everyone.
        let key = match (&self.inner.source, caller) {
            (CredentialSource::Jwt(_), Caller::User(u)) => u,
            _ => "",
        };
        // An evicted slot still held by a request stays valid for that request.
        self.inner.slots.get_with_by_ref(key, Slot::default)
    }

    /// Token slots held now (for tests and metrics).
    pub fn slot_count(&self) -> u64 {
        self.inner.slots.run_pending_tasks();
        self.inner.slots.entry_count()
    }

    async fn obtain(&self, caller: Caller<'_>, generation: u64) -> Result<Cached, AgentOsError> {
        let cached = match &self.inner.source {
            CredentialSource::Jwt(settings) => {
                let subject = match caller {
                    Caller::User(u) => u,
                    Caller::Service => SERVICE_SUBJECT,
                };
                let now = SystemTime::now();
                let narrowed = match caller {
                    Caller::User(u) => self.inner.user_scopes.get(u),
                    Caller::Service => None,
                };
                let value = match narrowed {
                    Some(scopes) => {
                        let settings = JwtSettings {
                            scopes: scopes.to_vec(),
                            ..settings.clone()
                        };
                        mint(&settings, subject, now)?
                    }
                    None => mint(settings, subject, now)?,
                };
                Cached {
                    token: Token { value, generation },
                    renew_at: Some(now + renew_after(settings.lifetime)),
                }
            }
            CredentialSource::OAuth(settings) => {
                let (value, lifetime) = fetch_oauth_token(&self.inner.http, settings).await?;
                Cached {
                    token: Token { value, generation },
                    renew_at: lifetime.map(|l| SystemTime::now() + renew_after(l)),
                }
            }
            CredentialSource::None | CredentialSource::StaticKey(_) => {
                return Err(AgentOsError::Credentials(
                    "this credential source does not issue tokens".into(),
                ))
            }
        };
        self.inner.issued.fetch_add(1, Ordering::Relaxed);
        Ok(cached)
    }
}

/// When to renew a token of this lifetime: a quarter of it early, at most a minute early.
fn renew_after(lifetime: Duration) -> Duration {
    let early = (lifetime / 4).min(Duration::from_secs(60));
    lifetime - early
}

#[derive(serde::Serialize)]
struct Claims<'a> {
    sub: &'a str,
    iat: u64,
    exp: u64,
    scopes: &'a [String],
    /// Unique per token, so two tokens minted in the same second differ.
    jti: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    aud: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    iss: Option<&'a str>,
}

/// Signs a token for `subject`, valid from `now` for the configured lifetime.
pub fn mint(
    settings: &JwtSettings,
    subject: &str,
    now: SystemTime,
) -> Result<SecretString, AgentOsError> {
    use jsonwebtoken::{encode, Algorithm, EncodingKey, Header};
    let iat = now
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or(0);
    let claims = Claims {
        sub: subject,
        iat,
        exp: iat + settings.lifetime.as_secs().max(1),
        scopes: &settings.scopes,
        jti: uuid::Uuid::new_v4().simple().to_string(),
        aud: settings.audience.as_deref(),
        iss: settings.issuer.as_deref(),
    };
    let (alg, key) = match &settings.key {
        SigningKey::Hs256(s) => (
            Algorithm::HS256,
            EncodingKey::from_secret(s.expose_secret().as_bytes()),
        ),
        SigningKey::Rs256(pem) => (
            Algorithm::RS256,
            EncodingKey::from_rsa_pem(pem.expose_secret().as_bytes()).map_err(|e| {
                AgentOsError::Credentials(format!("the RS256 private key is unusable: {e}"))
            })?,
        ),
    };
    encode(&Header::new(alg), &claims, &key)
        .map(SecretString::from)
        .map_err(|e| AgentOsError::Credentials(format!("cannot sign a token: {e}")))
}

/// Checks that a signing key can sign (so a bad key is reported at start-up).
pub fn check_signing_key(key: &SigningKey) -> Result<(), String> {
    match key {
        SigningKey::Hs256(s) if s.expose_secret().len() < 32 => {
            Err("too short: expected a random secret of at least 32 characters".into())
        }
        SigningKey::Hs256(_) => Ok(()),
        SigningKey::Rs256(pem) => {
            jsonwebtoken::EncodingKey::from_rsa_pem(pem.expose_secret().as_bytes())
                .map(|_| ())
                .map_err(|e| format!("not an RSA private key in PEM form: {e}"))
        }
    }
}

#[derive(Deserialize)]
struct TokenReply {
    access_token: String,
    #[serde(default)]
    expires_in: Option<u64>,
}

async fn fetch_oauth_token(
    http: &reqwest::Client,
    s: &OAuthSettings,
) -> Result<(SecretString, Option<Duration>), AgentOsError> {
    let mut form: Vec<(&str, &str)> = vec![("grant_type", "client_credentials")];
    if let Some(scope) = &s.scope {
        form.push(("scope", scope));
    }
    if let Some(aud) = &s.audience {
        form.push(("audience", aud));
    }
    let resp = http
        .post(s.token_url.clone())
        .basic_auth(&s.client_id, Some(s.client_secret.expose_secret()))
        .header(reqwest::header::ACCEPT, "application/json")
        .form(&form)
        .timeout(Duration::from_secs(15))
        .send()
        .await
        .map_err(|e| {
            AgentOsError::Credentials(format!(
                "the token endpoint could not be reached: {}",
                super::error::root_cause(&e.without_url())
            ))
        })?;
    let status = resp.status();
    let body = resp.text().await.unwrap_or_default();
    if !status.is_success() {
        // RFC 6749 error replies carry `error` and maybe `error_description`; never a secret.
        let reason = serde_json::from_str::<serde_json::Value>(&body)
            .ok()
            .and_then(|v| {
                v.get("error").and_then(|e| e.as_str()).map(|e| {
                    match v.get("error_description").and_then(|d| d.as_str()) {
                        Some(d) => format!("{e}: {d}"),
                        None => e.to_owned(),
                    }
                })
            })
            .unwrap_or_else(|| "no reason given".into());
        return Err(AgentOsError::Credentials(format!(
            "the token endpoint refused ({}): {reason}",
            status.as_u16()
        )));
    }
    let reply: TokenReply = serde_json::from_str(&body).map_err(|_| {
        AgentOsError::Credentials("the token endpoint's reply has no access_token".into())
    })?;
    if reply.access_token.is_empty() {
        return Err(AgentOsError::Credentials(
            "the token endpoint returned an empty access_token".into(),
        ));
    }
    let lifetime = reply.expires_in.filter(|s| *s > 0).map(Duration::from_secs);
    Ok((SecretString::from(reply.access_token), lifetime))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn hs(lifetime_s: u64) -> JwtSettings {
        JwtSettings {
            key: SigningKey::Hs256(SecretString::from("s".repeat(40))),
            scopes: vec!["agents:run".into()],
            audience: Some("os-1".into()),
            issuer: None,
            lifetime: Duration::from_secs(lifetime_s),
        }
    }

    fn decode(token: &str, secret: &str, aud: &str) -> serde_json::Value {
        use jsonwebtoken::{decode, Algorithm, DecodingKey, Validation};
        let mut v = Validation::new(Algorithm::HS256);
        v.set_audience(&[aud]);
        decode::<serde_json::Value>(token, &DecodingKey::from_secret(secret.as_bytes()), &v)
            .expect("valid token")
            .claims
    }

    #[test]
    fn minted_token_carries_the_user_and_settings() {
        let t = mint(&hs(600), "user-7", SystemTime::now()).unwrap();
        let claims = decode(t.expose_secret(), &"s".repeat(40), "os-1");
        assert_eq!(claims["sub"], "user-7");
        assert_eq!(claims["scopes"], serde_json::json!(["agents:run"]));
        assert_eq!(
            claims["exp"].as_u64().unwrap() - claims["iat"].as_u64().unwrap(),
            600
        );
        assert!(claims.get("iss").is_none());
    }

    #[test]
    fn renewal_is_early_but_not_too_early() {
        assert_eq!(
            renew_after(Duration::from_secs(3600)),
            Duration::from_secs(3540)
        );
        assert_eq!(renew_after(Duration::from_secs(8)), Duration::from_secs(6));
    }

    #[test]
    fn debug_output_never_shows_secrets() {
        let s = format!("{:?}", hs(60));
        assert!(!s.contains("sssss"), "{s}");
        let c = Credentials::new(CredentialSource::Jwt(hs(60)), reqwest::Client::new());
        assert!(!format!("{c:?}").contains("sssss"));
    }

    #[test]
    fn short_hs256_secrets_and_bad_pems_are_refused() {
        assert!(check_signing_key(&SigningKey::Hs256(SecretString::from("short"))).is_err());
        assert!(check_signing_key(&SigningKey::Rs256(SecretString::from("not a pem"))).is_err());
    }

    #[tokio::test]
    async fn one_shot_identities_cannot_grow_the_token_cache() {
        let c = Credentials::new(CredentialSource::Jwt(hs(600)), reqwest::Client::new());
        let visitors = MOST_SLOTS + 2_000;
        for i in 0..visitors {
            c.token(Caller::User(&format!("visitor-{i}")))
                .await
                .unwrap();
        }
        assert!(
            c.slot_count() <= MOST_SLOTS,
            "{} slots for {visitors} one-shot visitors",
            c.slot_count()
        );
    }

    #[tokio::test]
    async fn tokens_are_cached_per_user_and_refreshed_once_per_expiry() {
        let c = Credentials::new(CredentialSource::Jwt(hs(600)), reqwest::Client::new());
        let a1 = c.token(Caller::User("a")).await.unwrap().unwrap();
        let a2 = c.token(Caller::User("a")).await.unwrap().unwrap();
        assert_eq!(a1.expose(), a2.expose());
        let b = c.token(Caller::User("b")).await.unwrap().unwrap();
        assert_eq!(c.issued_count(), 2, "one token per user");
        assert_eq!(b.generation, 1);

        // Ten requests all hit "Token has expired" with the same token: one refresh.
        let mut tasks = Vec::new();
        for _ in 0..10 {
            let (c, stale) = (c.clone(), a1.clone());
            tasks.push(tokio::spawn(async move {
                c.refresh(Caller::User("a"), &stale).await.unwrap().unwrap()
            }));
        }
        let mut fresh = Vec::new();
        for t in tasks {
            fresh.push(t.await.unwrap());
        }
        assert_eq!(c.refresh_count(), 1);
        assert!(fresh.iter().all(|t| t.generation == 2));
        assert_eq!(
            c.token(Caller::User("a"))
                .await
                .unwrap()
                .unwrap()
                .generation,
            2
        );
    }

    #[tokio::test]
    async fn static_keys_and_no_auth_never_refresh() {
        let c = Credentials::new(
            CredentialSource::StaticKey(SecretString::from("k")),
            reqwest::Client::new(),
        );
        let t = c.token(Caller::Service).await.unwrap().unwrap();
        assert_eq!(t.expose(), "k");
        assert!(c.refresh(Caller::Service, &t).await.unwrap().is_none());
        assert!(Credentials::none()
            .token(Caller::User("x"))
            .await
            .unwrap()
            .is_none());
    }
}

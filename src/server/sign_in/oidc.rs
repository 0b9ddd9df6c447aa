//! The OpenID provider, through the `openidconnect` crate: discovery (cached, retried when
//! the provider was down), the authorization request with PKCE, state and nonce, the code
//! exchange with ID token validation (signature, issuer, audience, expiry, nonce), refresh,
//! and RP-initiated logout. Nothing here is shown to the browser but URLs to follow.

use std::collections::HashMap;
use std::sync::Arc;
use std::time::{Duration, Instant};

use openidconnect::core::{
    CoreAuthDisplay, CoreAuthPrompt, CoreErrorResponseType, CoreGenderClaim, CoreJsonWebKey,
    CoreJweContentEncryptionAlgorithm, CoreJwsSigningAlgorithm, CoreResponseType,
    CoreRevocableToken, CoreRevocationErrorResponse, CoreTokenIntrospectionResponse, CoreTokenType,
};
use openidconnect::{
    AdditionalClaims, AuthenticationFlow, AuthorizationCode, Client, ClientId, ClientSecret,
    CsrfToken, EmptyExtraTokenFields, EndpointMaybeSet, EndpointNotSet, EndpointSet, IdTokenFields,
    IssuerUrl, LogoutRequest, Nonce, OAuth2TokenResponse, PkceCodeChallenge, PkceCodeVerifier,
    PostLogoutRedirectUrl, ProviderMetadataWithLogout, RedirectUrl, RefreshToken, Scope,
    StandardErrorResponse, StandardTokenResponse, TokenResponse,
};
use secrecy::{ExposeSecret, SecretString};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use url::Url;

/// Every claim beyond the standard ones, so the configured roles claim can be read.
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
pub struct OtherClaims {
    #[serde(flatten)]
    rest: HashMap<String, serde_json::Value>,
}
impl AdditionalClaims for OtherClaims {}

type Fields = IdTokenFields<
    OtherClaims,
    EmptyExtraTokenFields,
    CoreGenderClaim,
    CoreJweContentEncryptionAlgorithm,
    CoreJwsSigningAlgorithm,
>;
type Tokens = StandardTokenResponse<Fields, CoreTokenType>;
type OidcClient = Client<
    OtherClaims,
    CoreAuthDisplay,
    CoreGenderClaim,
    CoreJweContentEncryptionAlgorithm,
    CoreJsonWebKey,
    CoreAuthPrompt,
    StandardErrorResponse<CoreErrorResponseType>,
    Tokens,
    CoreTokenIntrospectionResponse,
    CoreRevocableToken,
    CoreRevocationErrorResponse,
    EndpointSet,
    EndpointNotSet,
    EndpointNotSet,
    EndpointNotSet,
    EndpointMaybeSet,
    EndpointMaybeSet,
>;

/// The provider's settings, from the configuration.
#[derive(Clone, Debug)]
pub struct ProviderSettings {
    /// As configured (checked as an http(s) URL).
    pub issuer: String,
    pub client_id: String,
    pub client_secret: Option<SecretString>,
    pub scopes: Vec<String>,
    pub roles_claim: String,
    /// agno-chat's public URL; the callback and the post-logout page are under it.
    pub public_url: Url,
}

impl ProviderSettings {
    fn under_public(&self, path: &str) -> Url {
        let mut u = self.public_url.clone();
        u.set_path(path);
        u.set_query(None);
        u.set_fragment(None);
        u
    }

    pub fn redirect_url(&self) -> Url {
        self.under_public(super::CALLBACK_PATH)
    }

    pub fn post_logout_url(&self) -> Url {
        self.under_public(super::SIGNED_OUT_PATH)
    }
}

/// Why a sign-in step failed. `Unreachable` is the provider's fault and worth a retry;
/// the others are refusals.
#[derive(Debug, thiserror::Error)]
pub enum OidcError {
    #[error("the identity provider could not be reached: {0}")]
    Unreachable(String),
    #[error("the identity provider refused: {0}")]
    Refused(String),
    #[error("the ID token is not acceptable: {0}")]
    BadToken(String),
}

/// What a browser must bring back to finish a sign-in (kept in an encrypted cookie).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct PendingLogin {
    pub state: String,
    pub nonce: String,
    pub pkce_verifier: String,
    pub return_to: String,
}

/// Who signed in, from a validated ID token.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Identity {
    pub user: String,
    pub name: String,
    pub claims: Vec<String>,
    pub refresh: Option<String>,
}

/// How long discovered metadata (and the provider's signing keys) is used before being
/// fetched again, so a provider's key rotation is picked up.
const METADATA_FOR: Duration = Duration::from_secs(3600);

pub struct Provider {
    settings: ProviderSettings,
    http: reqwest::Client,
    discovered: tokio::sync::Mutex<Option<(Arc<Discovered>, Instant)>>,
}

struct Discovered {
    client: OidcClient,
    end_session: Option<Url>,
}

/// The AgentOS user id of an issuer's subject: stable and opaque (not the e-mail, which can
/// change or be reused), the same on every replica.
pub fn user_id(issuer: &str, subject: &str) -> String {
    let digest = Sha256::digest(format!("{issuer}\n{subject}").as_bytes());
    let hex: String = digest.iter().take(16).map(|b| format!("{b:02x}")).collect();
    format!("oidc-{hex}")
}

/// The values of `claim` in the ID token's other claims: a list of strings, or one
/// string (some providers send a single role as a string).
fn claim_values(other: &OtherClaims, claim: &str) -> Vec<String> {
    match other.rest.get(claim) {
        Some(serde_json::Value::Array(items)) => items
            .iter()
            .filter_map(|v| v.as_str().map(str::to_owned))
            .collect(),
        Some(serde_json::Value::String(s)) => s.split_whitespace().map(str::to_owned).collect(),
        _ => Vec::new(),
    }
}

impl Provider {
    pub fn new(settings: ProviderSettings, connect_timeout: Duration) -> Result<Self, String> {
        let http = reqwest::Client::builder()
            // Following redirects would let a provider's answer steer our requests.
            .redirect(reqwest::redirect::Policy::none())
            .connect_timeout(connect_timeout)
            .timeout(Duration::from_secs(15))
            .user_agent(concat!("agno-chat/", env!("CARGO_PKG_VERSION")))
            .build()
            .map_err(|e| e.to_string())?;
        Ok(Self {
            settings,
            http,
            discovered: tokio::sync::Mutex::new(None),
        })
    }

    pub fn settings(&self) -> &ProviderSettings {
        &self.settings
    }

    async fn discovered(&self) -> Result<Arc<Discovered>, OidcError> {
        let mut slot = self.discovered.lock().await;
        if let Some((d, at)) = slot.as_ref() {
            if at.elapsed() < METADATA_FOR {
                return Ok(d.clone());
            }
        }
        let issuer = IssuerUrl::new(self.settings.issuer.clone())
            .map_err(|e| OidcError::Unreachable(e.to_string()))?;
        let metadata = ProviderMetadataWithLogout::discover_async(issuer, &self.http)
            .await
            .map_err(|e| OidcError::Unreachable(error_chain(&e)))?;
        let end_session = metadata
            .additional_metadata()
            .end_session_endpoint
            .as_ref()
            .map(|u| u.url().clone());
        let client: OidcClient = Client::from_provider_metadata(
            metadata,
            ClientId::new(self.settings.client_id.clone()),
            self.settings
                .client_secret
                .as_ref()
                .map(|s| ClientSecret::new(s.expose_secret().to_owned())),
        )
        .set_redirect_uri(RedirectUrl::from_url(self.settings.redirect_url()));
        let d = Arc::new(Discovered {
            client,
            end_session,
        });
        *slot = Some((d.clone(), Instant::now()));
        Ok(d)
    }

    /// The provider's authorization URL for a new sign-in, and what the browser must
    /// bring back.
    pub async fn begin(&self, return_to: &str) -> Result<(Url, PendingLogin), OidcError> {
        let d = self.discovered().await?;
        let (challenge, verifier) = PkceCodeChallenge::new_random_sha256();
        let mut request = d
            .client
            .authorize_url(
                AuthenticationFlow::<CoreResponseType>::AuthorizationCode,
                CsrfToken::new_random,
                Nonce::new_random,
            )
            .set_pkce_challenge(challenge);
        for s in &self.settings.scopes {
            if s != "openid" {
                request = request.add_scope(Scope::new(s.clone()));
            }
        }
        let (url, state, nonce) = request.url();
        Ok((
            url,
            PendingLogin {
                state: state.secret().clone(),
                nonce: nonce.secret().clone(),
                pkce_verifier: verifier.secret().clone(),
                return_to: return_to.to_owned(),
            },
        ))
    }

    /// Exchanges the code (with the PKCE verifier) and validates the ID token against the
    /// nonce of this sign-in.
    pub async fn finish(&self, code: &str, pending: &PendingLogin) -> Result<Identity, OidcError> {
        let d = self.discovered().await?;
        let tokens = d
            .client
            .exchange_code(AuthorizationCode::new(code.to_owned()))
            .map_err(|e| OidcError::Refused(e.to_string()))?
            .set_pkce_verifier(PkceCodeVerifier::new(pending.pkce_verifier.clone()))
            .request_async(&self.http)
            .await
            .map_err(token_error)?;
        self.identity(&d, &tokens, Some(&Nonce::new(pending.nonce.clone())), None)
    }

    /// A new sign-in from a refresh token. A provider may leave the ID token out of a
    /// refresh; then the person stays who they were, with their earlier roles.
    pub async fn refresh(&self, refresh: &str, before: &Identity) -> Result<Identity, OidcError> {
        let d = self.discovered().await?;
        let token = RefreshToken::new(refresh.to_owned());
        let tokens = d
            .client
            .exchange_refresh_token(&token)
            .map_err(|e| OidcError::Refused(e.to_string()))?
            .request_async(&self.http)
            .await
            .map_err(token_error)?;
        self.identity(&d, &tokens, None, Some(before))
    }

    fn identity(
        &self,
        d: &Discovered,
        tokens: &Tokens,
        nonce: Option<&Nonce>,
        before: Option<&Identity>,
    ) -> Result<Identity, OidcError> {
        let refresh = tokens
            .refresh_token()
            .map(|t| t.secret().clone())
            .or_else(|| before.and_then(|b| b.refresh.clone()));
        let Some(id_token) = tokens.id_token() else {
            return match before {
                Some(b) => Ok(Identity {
                    refresh,
                    ..b.clone()
                }),
                None => Err(OidcError::BadToken("the answer has no ID token".into())),
            };
        };
        let verifier = d.client.id_token_verifier();
        // A refreshed ID token carries no nonce (OpenID Connect Core 12.2).
        let claims = match nonce {
            Some(n) => id_token.claims(&verifier, n),
            None => id_token.claims(&verifier, |_: Option<&Nonce>| Ok(())),
        }
        .map_err(|e| OidcError::BadToken(e.to_string()))?;
        let user = user_id(claims.issuer().as_str(), claims.subject().as_str());
        if let Some(b) = before {
            if b.user != user {
                return Err(OidcError::BadToken(
                    "a refresh returned another person".into(),
                ));
            }
        }
        let name = claims
            .name()
            .and_then(|n| n.get(None))
            .map(|n| n.as_str().to_owned())
            .or_else(|| claims.preferred_username().map(|u| u.as_str().to_owned()))
            .or_else(|| claims.email().map(|e| e.as_str().to_owned()))
            .unwrap_or_else(|| claims.subject().as_str().to_owned());
        Ok(Identity {
            user,
            name,
            claims: claim_values(claims.additional_claims(), &self.settings.roles_claim),
            refresh,
        })
    }

    /// Where to send the browser to end the provider's session too, when the provider
    /// supports RP-initiated logout.
    pub async fn logout_url(&self) -> Option<Url> {
        let d = self.discovered().await.ok()?;
        let end = d.end_session.clone()?;
        Some(
            LogoutRequest::from(openidconnect::EndSessionUrl::from_url(end))
                .set_client_id(ClientId::new(self.settings.client_id.clone()))
                .set_post_logout_redirect_uri(PostLogoutRedirectUrl::from_url(
                    self.settings.post_logout_url(),
                ))
                .http_get_url(),
        )
    }
}

fn token_error<RE: std::error::Error + 'static>(
    e: openidconnect::RequestTokenError<RE, StandardErrorResponse<CoreErrorResponseType>>,
) -> OidcError {
    match e {
        openidconnect::RequestTokenError::ServerResponse(r) => OidcError::Refused(r.to_string()),
        openidconnect::RequestTokenError::Request(r) => OidcError::Unreachable(error_chain(&r)),
        other => OidcError::Refused(error_chain(&other)),
    }
}

fn error_chain(e: &dyn std::error::Error) -> String {
    let mut out = e.to_string();
    let mut source = e.source();
    while let Some(s) = source {
        out.push_str(": ");
        out.push_str(&s.to_string());
        source = s.source();
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn user_ids_are_stable_per_issuer_and_subject() {
        let a = user_id("https://idp.example", "123");
        assert_eq!(a, user_id("https://idp.example", "123"));
        assert!(a.starts_with("oidc-") && a.len() == 37, "{a}");
        assert_ne!(a, user_id("https://other.example", "123"));
        assert_ne!(a, user_id("https://idp.example", "1234"));
        // No way to make two pairs collide by moving characters across the boundary.
        assert_ne!(user_id("https://idp.example/1", "23"), a);
    }

    #[test]
    fn the_roles_claim_may_be_a_list_or_a_string() {
        let other: OtherClaims =
            serde_json::from_str(r#"{"groups":["a","b",3],"roles":"x y","n":1}"#).unwrap();
        assert_eq!(claim_values(&other, "groups"), vec!["a", "b"]);
        assert_eq!(claim_values(&other, "roles"), vec!["x", "y"]);
        assert!(claim_values(&other, "n").is_empty());
        assert!(claim_values(&other, "missing").is_empty());
    }
}

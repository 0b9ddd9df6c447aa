//! Which AgentOS credential source is configured: none, a static key, JWTs minted per
//! user, or an OAuth2 client-credentials endpoint. At most one may be set.

use std::time::Duration;

use clap::Args;
use secrecy::SecretString;
use url::Url;

use super::parse::{self, Problems};
use crate::agentos::auth::{
    check_signing_key, CredentialSource, JwtSettings, OAuthSettings, SigningKey,
};

/// Scopes minted tokens carry unless `AGNO_CHAT_JWT_SCOPES` says otherwise: what the chat
/// needs, nothing more.
pub const DEFAULT_SCOPES: &str =
    "agents:read agents:run teams:read teams:run sessions:read sessions:write sessions:delete";

#[derive(Args, Debug)]
pub struct CredentialFlags {
    /// AgentOS security key (prefer the variable or a file)
    #[arg(long, env = "AGNO_CHAT_AGENTOS_KEY", value_parser = parse::secret, hide_env_values = true)]
    pub agentos_key: Option<SecretString>,
    /// File holding the AgentOS security key
    #[arg(long, env = "AGNO_CHAT_AGENTOS_KEY_FILE", value_parser = parse::secret_file)]
    pub agentos_key_file: Option<SecretString>,
    /// HS256 secret for minting per-user AgentOS JWTs
    #[arg(long, env = "AGNO_CHAT_JWT_SECRET", value_parser = |v: &str| hs256(parse::secret(v)?), hide_env_values = true)]
    pub jwt_secret: Option<SecretString>,
    /// File holding the HS256 secret
    #[arg(long, env = "AGNO_CHAT_JWT_SECRET_FILE", value_parser = |v: &str| hs256(parse::secret_file(v)?))]
    pub jwt_secret_file: Option<SecretString>,
    /// PEM file with an RSA private key for RS256 JWTs
    #[arg(long, env = "AGNO_CHAT_JWT_PRIVATE_KEY_FILE", value_parser = |v: &str| rs256(parse::secret_file(v)?))]
    pub jwt_private_key_file: Option<SecretString>,
    /// Scopes of minted JWTs, space- or comma-separated
    #[arg(long, env = "AGNO_CHAT_JWT_SCOPES", default_value = DEFAULT_SCOPES, value_parser = scopes)]
    pub jwt_scopes: Scopes,
    /// `aud` claim of minted JWTs
    #[arg(long, env = "AGNO_CHAT_JWT_AUDIENCE", value_parser = parse::text)]
    pub jwt_audience: Option<String>,
    /// `iss` claim of minted JWTs
    #[arg(long, env = "AGNO_CHAT_JWT_ISSUER", value_parser = parse::text)]
    pub jwt_issuer: Option<String>,
    /// Lifetime of minted JWTs, seconds
    #[arg(long = "jwt-ttl-s", env = "AGNO_CHAT_JWT_TTL_S", value_parser = parse::whole(1, 86_400), default_value_t = 900)]
    pub jwt_ttl_s: u64,
    /// OAuth2 token endpoint (client-credentials grant)
    #[arg(long, env = "AGNO_CHAT_OAUTH_TOKEN_URL", value_parser = parse::http_url)]
    pub oauth_token_url: Option<Url>,
    /// OAuth2 client id
    #[arg(long, env = "AGNO_CHAT_OAUTH_CLIENT_ID", value_parser = parse::text)]
    pub oauth_client_id: Option<String>,
    /// OAuth2 client secret
    #[arg(long, env = "AGNO_CHAT_OAUTH_CLIENT_SECRET", value_parser = parse::secret, hide_env_values = true)]
    pub oauth_client_secret: Option<SecretString>,
    /// File holding the OAuth2 client secret
    #[arg(long, env = "AGNO_CHAT_OAUTH_CLIENT_SECRET_FILE", value_parser = parse::secret_file)]
    pub oauth_client_secret_file: Option<SecretString>,
    /// `scope` to ask the token endpoint for
    #[arg(long, env = "AGNO_CHAT_OAUTH_SCOPE", value_parser = parse::text)]
    pub oauth_scope: Option<String>,
    /// `audience` to ask the token endpoint for
    #[arg(long, env = "AGNO_CHAT_OAUTH_AUDIENCE", value_parser = parse::text)]
    pub oauth_audience: Option<String>,
}

/// A secret for HS256 tokens, long enough.
fn hs256(secret: SecretString) -> Result<SecretString, String> {
    check_signing_key(&SigningKey::Hs256(secret.clone()))?;
    Ok(secret)
}

/// An RSA private key in PEM form, for RS256 tokens.
fn rs256(pem: SecretString) -> Result<SecretString, String> {
    check_signing_key(&SigningKey::Rs256(pem.clone()))?;
    Ok(pem)
}

/// The scopes minted tokens carry.
#[derive(Debug, Clone)]
pub struct Scopes(Vec<String>);

fn scopes(raw: &str) -> Result<Scopes, String> {
    Ok(Scopes(
        raw.split([' ', ','])
            .filter(|s| !s.is_empty())
            .map(str::to_owned)
            .collect(),
    ))
}

pub(super) fn read(p: &mut Problems, f: CredentialFlags) -> CredentialSource {
    let key = p.one_of(
        (f.agentos_key, "AGNO_CHAT_AGENTOS_KEY"),
        (
            f.agentos_key_file,
            "AGNO_CHAT_AGENTOS_KEY_FILE",
            "agentos-key-file",
        ),
    );
    let hs_secret = p.one_of(
        (f.jwt_secret, "AGNO_CHAT_JWT_SECRET"),
        (
            f.jwt_secret_file,
            "AGNO_CHAT_JWT_SECRET_FILE",
            "jwt-secret-file",
        ),
    );
    let rsa_key = f.jwt_private_key_file;
    let token_url = f.oauth_token_url;

    let chosen: Vec<&str> = [
        key.as_ref().map(|_| "AGNO_CHAT_AGENTOS_KEY"),
        hs_secret.as_ref().map(|_| "AGNO_CHAT_JWT_SECRET"),
        rsa_key.as_ref().map(|_| "AGNO_CHAT_JWT_PRIVATE_KEY_FILE"),
        token_url.as_ref().map(|_| "AGNO_CHAT_OAUTH_TOKEN_URL"),
    ]
    .into_iter()
    .flatten()
    .collect();
    if chosen.len() > 1 {
        p.fail(
            "AGNO_CHAT_AGENTOS_KEY",
            "agentos-key",
            format!(
                "more than one AgentOS credential source is set ({}); choose one",
                chosen.join(", ")
            ),
        );
        return CredentialSource::None;
    }

    if let Some(k) = key {
        return CredentialSource::StaticKey(k);
    }
    let key = match (hs_secret, rsa_key) {
        (Some(s), _) => Some(SigningKey::Hs256(s)),
        (None, Some(pem)) => Some(SigningKey::Rs256(pem)),
        (None, None) => None,
    };
    if let Some(key) = key {
        return CredentialSource::Jwt(JwtSettings {
            key,
            scopes: f.jwt_scopes.0,
            audience: f.jwt_audience.filter(|s| !s.is_empty()),
            issuer: f.jwt_issuer.filter(|s| !s.is_empty()),
            lifetime: Duration::from_secs(f.jwt_ttl_s),
        });
    }
    match token_url {
        Some(token_url) => oauth(
            p,
            f.oauth_client_id,
            f.oauth_client_secret,
            f.oauth_client_secret_file,
            token_url,
            f.oauth_scope,
            f.oauth_audience,
        ),
        None => CredentialSource::None,
    }
}

fn oauth(
    p: &mut Problems,
    client_id: Option<String>,
    secret: Option<SecretString>,
    secret_file: Option<SecretString>,
    token_url: Url,
    scope: Option<String>,
    audience: Option<String>,
) -> CredentialSource {
    let client_id = client_id.filter(|s| !s.is_empty());
    let client_secret = p.one_of(
        (secret, "AGNO_CHAT_OAUTH_CLIENT_SECRET"),
        (
            secret_file,
            "AGNO_CHAT_OAUTH_CLIENT_SECRET_FILE",
            "oauth-client-secret-file",
        ),
    );
    if client_id.is_none() {
        p.fail(
            "AGNO_CHAT_OAUTH_CLIENT_ID",
            "oauth-client-id",
            "missing: AGNO_CHAT_OAUTH_TOKEN_URL is set, so the client id is needed",
        );
    }
    if client_secret.is_none() && !p.names("AGNO_CHAT_OAUTH_CLIENT_SECRET") {
        p.fail(
            "AGNO_CHAT_OAUTH_CLIENT_SECRET",
            "oauth-client-secret",
            "missing: AGNO_CHAT_OAUTH_TOKEN_URL is set, so the client secret (or AGNO_CHAT_OAUTH_CLIENT_SECRET_FILE) is needed",
        );
    }
    match (client_id, client_secret) {
        (Some(client_id), Some(client_secret)) => CredentialSource::OAuth(OAuthSettings {
            token_url,
            client_id,
            client_secret,
            scope: scope.filter(|s| !s.is_empty()),
            audience: audience.filter(|s| !s.is_empty()),
        }),
        _ => CredentialSource::None,
    }
}

#[cfg(test)]
mod tests {
    use super::super::tests::{load, vars};
    use super::*;
    use secrecy::ExposeSecret;

    const URL: (&str, &str) = ("AGNO_CHAT_AGENTOS_URL", "http://127.0.0.1:7777");

    #[test]
    fn jwt_source_with_defaults() {
        let c = load(&[URL, ("AGNO_CHAT_JWT_SECRET", &"x".repeat(32))]).unwrap();
        let CredentialSource::Jwt(j) = c.credentials else {
            panic!("expected JWT")
        };
        assert_eq!(j.lifetime, Duration::from_secs(900));
        assert!(j.scopes.contains(&"sessions:delete".to_owned()));
        assert!(!format!("{j:?}").contains("xxxx"));
    }

    #[test]
    fn jwt_settings_are_validated() {
        let err = load(&[
            URL,
            ("AGNO_CHAT_JWT_SECRET", "short"),
            ("AGNO_CHAT_JWT_TTL_S", "0"),
        ])
        .unwrap_err();
        assert_eq!(
            vars(err),
            vec!["AGNO_CHAT_JWT_SECRET", "AGNO_CHAT_JWT_TTL_S"]
        );
    }

    #[test]
    fn two_sources_conflict() {
        let err = load(&[
            URL,
            ("AGNO_CHAT_AGENTOS_KEY", "k"),
            ("AGNO_CHAT_JWT_SECRET", &"x".repeat(32)),
        ])
        .unwrap_err();
        assert!(err.to_string().contains("more than one"), "{err}");
    }

    #[test]
    fn oauth_needs_id_and_secret() {
        let err = load(&[URL, ("AGNO_CHAT_OAUTH_TOKEN_URL", "http://idp/token")]).unwrap_err();
        assert_eq!(
            vars(err),
            vec!["AGNO_CHAT_OAUTH_CLIENT_ID", "AGNO_CHAT_OAUTH_CLIENT_SECRET"]
        );
        let c = load(&[
            URL,
            ("AGNO_CHAT_OAUTH_TOKEN_URL", "http://idp/token"),
            ("AGNO_CHAT_OAUTH_CLIENT_ID", "chat"),
            ("AGNO_CHAT_OAUTH_CLIENT_SECRET", "cs-1"),
            ("AGNO_CHAT_OAUTH_SCOPE", "agents:run"),
        ])
        .unwrap();
        let CredentialSource::OAuth(o) = &c.credentials else {
            panic!("expected OAuth")
        };
        assert_eq!(o.client_secret.expose_secret(), "cs-1");
        assert!(!format!("{c:?}").contains("cs-1"));
    }
}

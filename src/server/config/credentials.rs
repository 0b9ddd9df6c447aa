//! Which AgentOS credential source is configured: none, a static key, JWTs minted per
//! user, or an OAuth2 client-credentials endpoint. At most one may be set.

use std::time::Duration;

use clap::Args;
use url::Url;

use super::Reader;
use crate::agentos::auth::{
    check_signing_key, CredentialSource, JwtSettings, OAuthSettings, SigningKey,
};

/// Scopes minted tokens carry unless `AGNO_CHAT_JWT_SCOPES` says otherwise: what the chat
/// needs, nothing more.
pub const DEFAULT_SCOPES: &str =
    "agents:read agents:run teams:read teams:run sessions:read sessions:write sessions:delete";

#[derive(Args, Debug, Default)]
pub struct CredentialFlags {
    /// AgentOS security key (prefer the variable or a file) [env: AGNO_CHAT_AGENTOS_KEY]
    #[arg(long)]
    pub agentos_key: Option<String>,
    /// File holding the AgentOS security key [env: AGNO_CHAT_AGENTOS_KEY_FILE]
    #[arg(long)]
    pub agentos_key_file: Option<String>,
    /// HS256 secret for minting per-user AgentOS JWTs [env: AGNO_CHAT_JWT_SECRET]
    #[arg(long)]
    pub jwt_secret: Option<String>,
    /// File holding the HS256 secret [env: AGNO_CHAT_JWT_SECRET_FILE]
    #[arg(long)]
    pub jwt_secret_file: Option<String>,
    /// PEM file with an RSA private key for RS256 JWTs [env: AGNO_CHAT_JWT_PRIVATE_KEY_FILE]
    #[arg(long)]
    pub jwt_private_key_file: Option<String>,
    /// Scopes of minted JWTs, space- or comma-separated [env: AGNO_CHAT_JWT_SCOPES]
    #[arg(long)]
    pub jwt_scopes: Option<String>,
    /// `aud` claim of minted JWTs [env: AGNO_CHAT_JWT_AUDIENCE]
    #[arg(long)]
    pub jwt_audience: Option<String>,
    /// `iss` claim of minted JWTs [env: AGNO_CHAT_JWT_ISSUER]
    #[arg(long)]
    pub jwt_issuer: Option<String>,
    /// Lifetime of minted JWTs, seconds [env: AGNO_CHAT_JWT_TTL_S]
    #[arg(long)]
    pub jwt_ttl_s: Option<String>,
    /// OAuth2 token endpoint (client-credentials grant) [env: AGNO_CHAT_OAUTH_TOKEN_URL]
    #[arg(long)]
    pub oauth_token_url: Option<String>,
    /// OAuth2 client id [env: AGNO_CHAT_OAUTH_CLIENT_ID]
    #[arg(long)]
    pub oauth_client_id: Option<String>,
    /// OAuth2 client secret [env: AGNO_CHAT_OAUTH_CLIENT_SECRET]
    #[arg(long)]
    pub oauth_client_secret: Option<String>,
    /// File holding the OAuth2 client secret [env: AGNO_CHAT_OAUTH_CLIENT_SECRET_FILE]
    #[arg(long)]
    pub oauth_client_secret_file: Option<String>,
    /// `scope` to ask the token endpoint for [env: AGNO_CHAT_OAUTH_SCOPE]
    #[arg(long)]
    pub oauth_scope: Option<String>,
    /// `audience` to ask the token endpoint for [env: AGNO_CHAT_OAUTH_AUDIENCE]
    #[arg(long)]
    pub oauth_audience: Option<String>,
}

pub(super) fn read(r: &mut Reader<'_>, f: CredentialFlags) -> CredentialSource {
    let key = r.secret(
        (f.agentos_key, "AGNO_CHAT_AGENTOS_KEY", "agentos-key"),
        (
            f.agentos_key_file,
            "AGNO_CHAT_AGENTOS_KEY_FILE",
            "agentos-key-file",
        ),
    );
    let hs_secret = r.secret(
        (f.jwt_secret, "AGNO_CHAT_JWT_SECRET", "jwt-secret"),
        (
            f.jwt_secret_file,
            "AGNO_CHAT_JWT_SECRET_FILE",
            "jwt-secret-file",
        ),
    );
    let rsa_key = r
        .raw(f.jwt_private_key_file, "AGNO_CHAT_JWT_PRIVATE_KEY_FILE")
        .and_then(|path| {
            r.file_secret(
                &path,
                "AGNO_CHAT_JWT_PRIVATE_KEY_FILE",
                "jwt-private-key-file",
            )
        });
    let token_url = r.url(
        f.oauth_token_url,
        "AGNO_CHAT_OAUTH_TOKEN_URL",
        "oauth-token-url",
    );

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
        r.fail(
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
    let signing = match (hs_secret, rsa_key) {
        (Some(s), _) => Some((SigningKey::Hs256(s), "AGNO_CHAT_JWT_SECRET", "jwt-secret")),
        (None, Some(pem)) => Some((
            SigningKey::Rs256(pem),
            "AGNO_CHAT_JWT_PRIVATE_KEY_FILE",
            "jwt-private-key-file",
        )),
        (None, None) => None,
    };
    if let Some((key, var, flag)) = signing {
        if let Err(problem) = check_signing_key(&key) {
            r.fail(var, flag, problem);
        }
        let scopes: Vec<String> = r
            .raw(f.jwt_scopes, "AGNO_CHAT_JWT_SCOPES")
            .unwrap_or_else(|| DEFAULT_SCOPES.to_owned())
            .split([' ', ','])
            .filter(|s| !s.is_empty())
            .map(str::to_owned)
            .collect();
        let lifetime = r.number(
            f.jwt_ttl_s,
            "AGNO_CHAT_JWT_TTL_S",
            "jwt-ttl-s",
            900,
            (1, 86_400),
        );
        return CredentialSource::Jwt(JwtSettings {
            key,
            scopes,
            audience: r.raw(f.jwt_audience, "AGNO_CHAT_JWT_AUDIENCE"),
            issuer: r.raw(f.jwt_issuer, "AGNO_CHAT_JWT_ISSUER"),
            lifetime: Duration::from_secs(lifetime),
        });
    }
    if let Some(token_url) = token_url {
        return oauth(
            r,
            f.oauth_client_id,
            (f.oauth_client_secret, f.oauth_client_secret_file),
            token_url,
            f.oauth_scope,
            f.oauth_audience,
        );
    }
    CredentialSource::None
}

fn oauth(
    r: &mut Reader<'_>,
    client_id: Option<String>,
    (secret, secret_file): (Option<String>, Option<String>),
    token_url: Url,
    scope: Option<String>,
    audience: Option<String>,
) -> CredentialSource {
    let client_id = r.raw(client_id, "AGNO_CHAT_OAUTH_CLIENT_ID");
    let client_secret = r.secret(
        (
            secret,
            "AGNO_CHAT_OAUTH_CLIENT_SECRET",
            "oauth-client-secret",
        ),
        (
            secret_file,
            "AGNO_CHAT_OAUTH_CLIENT_SECRET_FILE",
            "oauth-client-secret-file",
        ),
    );
    if client_id.is_none() {
        r.fail(
            "AGNO_CHAT_OAUTH_CLIENT_ID",
            "oauth-client-id",
            "missing: AGNO_CHAT_OAUTH_TOKEN_URL is set, so the client id is needed",
        );
    }
    if client_secret.is_none()
        && !r
            .errors
            .iter()
            .any(|e| e.var.starts_with("AGNO_CHAT_OAUTH_CLIENT_SECRET"))
    {
        r.fail(
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
            scope: r.raw(scope, "AGNO_CHAT_OAUTH_SCOPE"),
            audience: r.raw(audience, "AGNO_CHAT_OAUTH_AUDIENCE"),
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

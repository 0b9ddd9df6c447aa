//! Who people are, and what they may use: the sign-in mode (`anonymous`, `trusted-header`
//! or `oidc`), the OpenID provider's settings, session timing, and the roles policy file.
//! A mode is always explicit: settings of another mode, or a mode missing one of its own,
//! stop the start with the variable named.

use std::sync::Arc;
use std::time::Duration;

use clap::{Args, ValueEnum};
use secrecy::SecretString;
use url::Url;

use super::parse::{self, Problems};
use crate::server::policy::Policy;
use crate::server::sign_in::oidc::ProviderSettings;
use crate::server::sign_in::SignInSettings;

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum AuthMode {
    /// Each browser gets a random identity in a signed cookie (the demo's default).
    Anonymous,
    /// An authenticating reverse proxy names the user in a header.
    TrustedHeader,
    /// Sign-in with an OpenID Connect provider.
    Oidc,
}

#[derive(Args, Debug)]
pub struct SignInFlags {
    /// How people are identified: anonymous, trusted-header or oidc
    #[arg(long, env = "AGNO_CHAT_AUTH_MODE", value_enum, ignore_case = true, default_value_t = AuthMode::Anonymous)]
    pub auth_mode: AuthMode,
    /// Header naming the user, set by an authenticating reverse proxy (trusted-header mode)
    #[arg(long, env = "AGNO_CHAT_TRUSTED_USER_HEADER", value_parser = trusted_user_header)]
    pub trusted_user_header: Option<axum::http::HeaderName>,
    /// The OpenID provider's issuer URL (oidc mode; discovery at /.well-known/openid-configuration)
    #[arg(long, env = "AGNO_CHAT_OIDC_ISSUER", value_parser = issuer)]
    pub oidc_issuer: Option<String>,
    /// The client id registered with the provider
    #[arg(long, env = "AGNO_CHAT_OIDC_CLIENT_ID", value_parser = parse::text)]
    pub oidc_client_id: Option<String>,
    /// The client secret (prefer the file)
    #[arg(long, env = "AGNO_CHAT_OIDC_CLIENT_SECRET", value_parser = parse::secret, hide_env_values = true)]
    pub oidc_client_secret: Option<SecretString>,
    /// File holding the client secret
    #[arg(long, env = "AGNO_CHAT_OIDC_CLIENT_SECRET_FILE", value_parser = parse::secret_file)]
    pub oidc_client_secret_file: Option<SecretString>,
    /// Scopes asked for, space- or comma-separated (openid is always asked for)
    #[arg(
        long,
        env = "AGNO_CHAT_OIDC_SCOPES",
        default_value = "openid profile email"
    )]
    pub oidc_scopes: String,
    /// The ID token claim holding the person's groups or roles
    #[arg(long, env = "AGNO_CHAT_OIDC_ROLES_CLAIM", value_parser = parse::text, default_value = "groups")]
    pub oidc_roles_claim: String,
    /// How long a sign-in lasts before it is renewed or asked for again, seconds
    #[arg(long = "session-lifetime-s", env = "AGNO_CHAT_SESSION_LIFETIME_S", value_parser = parse::whole(1, 30 * 86_400), default_value_t = 8 * 3600)]
    pub session_lifetime_s: u64,
    /// How long a sign-in may go unused, seconds
    #[arg(long = "session-idle-s", env = "AGNO_CHAT_SESSION_IDLE_S", value_parser = parse::whole(1, 30 * 86_400), default_value_t = 3600)]
    pub session_idle_s: u64,
    /// TOML file of roles: which agents and teams each may use (see docs/sign-in.md)
    #[arg(long, env = "AGNO_CHAT_POLICY_FILE", value_parser = policy_file)]
    pub policy_file: Option<PolicyFile>,
}

/// An issuer URL, kept as written: discovery compares it with the provider's own `issuer`
/// character for character (a trailing slash matters).
fn issuer(raw: &str) -> Result<String, String> {
    parse::http_url(raw)?;
    Ok(raw.trim().to_owned())
}

/// A checked policy file.
#[derive(Debug, Clone)]
pub struct PolicyFile(pub Arc<Policy>);

fn policy_file(path: &str) -> Result<PolicyFile, String> {
    let text = std::fs::read_to_string(path.trim())
        .map_err(|e| format!("cannot read the policy file {}: {e}", path.trim()))?;
    Policy::parse(&text)
        .map(|p| PolicyFile(Arc::new(p)))
        .map_err(|e| format!("{}: {e}", path.trim()))
}

/// A request header an authenticating proxy sets; never one the browser itself controls.
fn trusted_user_header(raw: &str) -> Result<axum::http::HeaderName, String> {
    match axum::http::HeaderName::from_bytes(raw.trim().to_ascii_lowercase().as_bytes()) {
        Ok(name) if !["cookie", "authorization", "host"].contains(&name.as_str()) => Ok(name),
        _ => Err(format!(
            "expected an HTTP header name such as X-Forwarded-User, got {raw:?}"
        )),
    }
}

/// The sign-in mode, with what each needs.
#[derive(Debug, Clone)]
pub enum Identification {
    Anonymous,
    TrustedHeader(axum::http::HeaderName),
    Oidc(Box<SignInSettings>),
}

/// What the configuration says about people.
#[derive(Debug, Clone)]
pub struct People {
    pub identification: Identification,
    pub policy: Option<Arc<Policy>>,
}

pub(super) fn read(p: &mut Problems, f: SignInFlags, public_url: Option<&Url>) -> People {
    let secret = p.one_of(
        (f.oidc_client_secret, "AGNO_CHAT_OIDC_CLIENT_SECRET"),
        (
            f.oidc_client_secret_file,
            "AGNO_CHAT_OIDC_CLIENT_SECRET_FILE",
            "oidc-client-secret-file",
        ),
    );
    let mode_is = |m: &str| {
        format!(
            "is set, but AGNO_CHAT_AUTH_MODE is not {m}; set AGNO_CHAT_AUTH_MODE={m} or unset it"
        )
    };
    let identification = match f.auth_mode {
        AuthMode::Anonymous | AuthMode::TrustedHeader => {
            for (set, var, flag) in [
                (
                    f.oidc_issuer.is_some(),
                    "AGNO_CHAT_OIDC_ISSUER",
                    "oidc-issuer",
                ),
                (
                    f.oidc_client_id.is_some(),
                    "AGNO_CHAT_OIDC_CLIENT_ID",
                    "oidc-client-id",
                ),
                (
                    secret.is_some(),
                    "AGNO_CHAT_OIDC_CLIENT_SECRET",
                    "oidc-client-secret",
                ),
            ] {
                if set {
                    p.fail(var, flag, mode_is("oidc"));
                }
            }
            match (f.auth_mode, f.trusted_user_header) {
                (AuthMode::TrustedHeader, Some(h)) => Identification::TrustedHeader(h),
                (AuthMode::TrustedHeader, None) => {
                    p.fail(
                        "AGNO_CHAT_TRUSTED_USER_HEADER",
                        "trusted-user-header",
                        "missing: trusted-header mode needs the header the proxy names the user in, e.g. X-Forwarded-User",
                    );
                    Identification::Anonymous
                }
                (_, Some(_)) => {
                    p.fail(
                        "AGNO_CHAT_TRUSTED_USER_HEADER",
                        "trusted-user-header",
                        mode_is("trusted-header"),
                    );
                    Identification::Anonymous
                }
                (_, None) => Identification::Anonymous,
            }
        }
        AuthMode::Oidc => {
            if f.trusted_user_header.is_some() {
                p.fail(
                    "AGNO_CHAT_TRUSTED_USER_HEADER",
                    "trusted-user-header",
                    mode_is("trusted-header"),
                );
            }
            let missing = |p: &mut Problems, var: &str, flag: &str, what: &str| {
                p.fail(var, flag, format!("missing: oidc mode needs {what}"))
            };
            if f.oidc_issuer.is_none() {
                missing(
                    p,
                    "AGNO_CHAT_OIDC_ISSUER",
                    "oidc-issuer",
                    "the provider's issuer URL",
                );
            }
            if f.oidc_client_id.is_none() {
                missing(
                    p,
                    "AGNO_CHAT_OIDC_CLIENT_ID",
                    "oidc-client-id",
                    "the client id registered with the provider",
                );
            }
            if secret.is_none() {
                missing(
                    p,
                    "AGNO_CHAT_OIDC_CLIENT_SECRET",
                    "oidc-client-secret",
                    "the client secret (or AGNO_CHAT_OIDC_CLIENT_SECRET_FILE)",
                );
            }
            if public_url.is_none() {
                missing(
                    p,
                    "AGNO_CHAT_PUBLIC_URL",
                    "public-url",
                    "the address people open (the provider sends them back to its /auth/callback)",
                );
            }
            match (f.oidc_issuer, f.oidc_client_id, public_url) {
                (Some(issuer), Some(client_id), Some(public_url)) => {
                    let mut scopes: Vec<String> = f
                        .oidc_scopes
                        .split([' ', ','])
                        .filter(|s| !s.is_empty())
                        .map(str::to_owned)
                        .collect();
                    if !scopes.iter().any(|s| s == "openid") {
                        scopes.insert(0, "openid".into());
                    }
                    Identification::Oidc(Box::new(SignInSettings {
                        provider: ProviderSettings {
                            issuer,
                            client_id,
                            client_secret: secret,
                            scopes,
                            roles_claim: f.oidc_roles_claim,
                            public_url: public_url.clone(),
                        },
                        lifetime: Duration::from_secs(f.session_lifetime_s),
                        idle: Duration::from_secs(f.session_idle_s),
                    }))
                }
                _ => Identification::Anonymous,
            }
        }
    };
    People {
        identification,
        policy: f.policy_file.map(|f| f.0),
    }
}

#[cfg(test)]
mod tests {
    use super::super::tests::{load, vars};
    use super::*;

    const URL: (&str, &str) = ("AGNO_CHAT_AGENTOS_URL", "http://h:1");

    #[test]
    fn a_half_configured_mode_names_what_is_missing_or_stray() {
        let err = load(&[URL, ("AGNO_CHAT_AUTH_MODE", "oidc")]).unwrap_err();
        assert_eq!(
            vars(err),
            vec![
                "AGNO_CHAT_OIDC_ISSUER",
                "AGNO_CHAT_OIDC_CLIENT_ID",
                "AGNO_CHAT_OIDC_CLIENT_SECRET",
                "AGNO_CHAT_PUBLIC_URL"
            ]
        );
        // A setting of oidc mode without the mode.
        let err = load(&[URL, ("AGNO_CHAT_OIDC_ISSUER", "https://idp.example")]).unwrap_err();
        assert_eq!(vars(err), vec!["AGNO_CHAT_OIDC_ISSUER"]);
    }

    #[test]
    fn oidc_mode_keeps_the_issuer_as_written() {
        let c = load(&[
            URL,
            ("AGNO_CHAT_AUTH_MODE", "oidc"),
            ("AGNO_CHAT_OIDC_ISSUER", "https://idp.example/realms/team"),
            ("AGNO_CHAT_OIDC_CLIENT_ID", "agno-chat"),
            ("AGNO_CHAT_OIDC_CLIENT_SECRET", "s3cret"),
            ("AGNO_CHAT_OIDC_SCOPES", "profile,groups"),
            ("AGNO_CHAT_PUBLIC_URL", "https://chat.example"),
        ])
        .unwrap();
        assert!(!format!("{c:?}").contains("s3cret"));
        let Identification::Oidc(s) = c.people.identification else {
            panic!("not oidc mode");
        };
        assert_eq!(s.provider.issuer, "https://idp.example/realms/team");
        assert_eq!(s.provider.scopes, vec!["openid", "profile", "groups"]);
        assert_eq!(
            s.provider.redirect_url().as_str(),
            "https://chat.example/auth/callback"
        );
        assert_eq!(s.lifetime, Duration::from_secs(8 * 3600));
    }

    #[test]
    fn a_broken_policy_file_names_its_line() {
        let path = std::env::temp_dir().join(format!("policy-{}.toml", std::process::id()));
        std::fs::write(
            &path,
            "[roles.a]\nclaims = [\"x\"]\nagents = [\"no good\"]\n",
        )
        .unwrap();
        let err = load(&[URL, ("AGNO_CHAT_POLICY_FILE", path.to_str().unwrap())]).unwrap_err();
        let _ = std::fs::remove_file(&path);
        assert_eq!(err.0[0].var, "AGNO_CHAT_POLICY_FILE");
        assert!(err.0[0].problem.contains("line 3"), "{}", err.0[0].problem);
    }
}

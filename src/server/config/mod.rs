//! Configuration from command-line flags and environment variables (a flag wins over its
//! variable), validated at start-up. Every error names the variable and what is expected.

use std::fmt;
use std::net::SocketAddr;
use std::time::Duration;

use clap::Parser;
use secrecy::SecretString;
use url::Url;

use crate::agentos::auth::CredentialSource;
use crate::model::{ComponentKind, ComponentRef, HelpLink, PublicConfig};

mod credentials;
pub mod protection;
mod reader;
pub mod telemetry;

pub use protection::Protection;
use reader::Reader;
pub use telemetry::Telemetry;

/// Command-line flags. Each has an environment variable of the same meaning; see docs/configuration.md.
#[derive(Parser, Debug, Default)]
#[command(
    name = "agno-chat",
    version,
    about = "A chat front end for Agno AgentOS"
)]
pub struct Flags {
    /// AgentOS base URL [env: AGNO_CHAT_AGENTOS_URL]
    #[arg(long)]
    pub agentos_url: Option<String>,
    /// `agent` or `team` [env: AGNO_CHAT_MODE]
    #[arg(long)]
    pub mode: Option<String>,
    /// Agent to open by default [env: AGNO_CHAT_AGENT_ID]
    #[arg(long)]
    pub agent_id: Option<String>,
    /// Team to open by default [env: AGNO_CHAT_TEAM_ID]
    #[arg(long)]
    pub team_id: Option<String>,
    #[command(flatten)]
    pub credentials: credentials::CredentialFlags,
    #[command(flatten)]
    pub protection: protection::ProtectionFlags,
    #[command(flatten)]
    pub telemetry: telemetry::TelemetryFlags,
    /// Human-in-the-loop prompts on/off [env: AGNO_CHAT_HITL]
    #[arg(long)]
    pub hitl: Option<String>,
    /// Generative UI on/off [env: AGNO_CHAT_GENUI]
    #[arg(long)]
    pub genui: Option<String>,
    /// FAQ link shown when the chat is unavailable [env: AGNO_CHAT_FAQ_URL]
    #[arg(long)]
    pub faq_url: Option<String>,
    /// Support link shown when the chat is unavailable [env: AGNO_CHAT_SUPPORT_URL]
    #[arg(long)]
    pub support_url: Option<String>,
    /// Address to listen on [env: AGNO_CHAT_LISTEN, else LEPTOS_SITE_ADDR]
    #[arg(long)]
    pub listen: Option<String>,
    /// Timeout for connecting to AgentOS, ms [env: AGNO_CHAT_CONNECT_TIMEOUT_MS]
    #[arg(long)]
    pub connect_timeout_ms: Option<String>,
    /// Timeout for a whole AgentOS request, ms [env: AGNO_CHAT_REQUEST_TIMEOUT_MS]
    #[arg(long)]
    pub request_timeout_ms: Option<String>,
    /// How often browsers re-check AgentOS while it is up, ms [env: AGNO_CHAT_HEALTH_POLL_MS]
    #[arg(long)]
    pub health_poll_ms: Option<String>,
    /// Longest wait between re-checks while AgentOS is down, ms [env: AGNO_CHAT_MAX_BACKOFF_MS]
    #[arg(long)]
    pub max_backoff_ms: Option<String>,
    /// Longest wait for a run's first event, ms [env: AGNO_CHAT_FIRST_EVENT_TIMEOUT_MS]
    #[arg(long)]
    pub first_event_timeout_ms: Option<String>,
    /// Longest silence between a run's events, ms [env: AGNO_CHAT_IDLE_TIMEOUT_MS]
    #[arg(long)]
    pub idle_timeout_ms: Option<String>,
    /// Longest message accepted, in characters [env: AGNO_CHAT_MAX_INPUT_CHARS]
    #[arg(long)]
    pub max_input_chars: Option<String>,
    /// Memory for copies of recently opened conversations, which make opening one again
    /// ask AgentOS only for its newest runs, MiB; 0 = off [env: AGNO_CHAT_HISTORY_CACHE_MB]
    #[arg(long)]
    pub history_cache_mb: Option<String>,
    /// How old such a copy may get before it is checked against a full listing again, s
    /// [env: AGNO_CHAT_HISTORY_RECHECK_SECS]
    #[arg(long)]
    pub history_recheck_secs: Option<String>,
    /// Secret (32+ characters) signing the identity cookie [env: AGNO_CHAT_COOKIE_KEY]
    #[arg(long)]
    pub cookie_key: Option<String>,
    /// Header naming the user, set by an authenticating reverse proxy
    /// [env: AGNO_CHAT_TRUSTED_USER_HEADER]
    #[arg(long)]
    pub trusted_user_header: Option<String>,
    /// `text` or `json` [env: AGNO_CHAT_LOG_FORMAT]
    #[arg(long)]
    pub log_format: Option<String>,
}

/// How log lines are written.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LogFormat {
    Text,
    Json,
}

/// The validated configuration. Secrets are [`SecretString`]s: Debug prints them redacted.
#[derive(Debug, Clone)]
pub struct Config {
    pub agentos_url: Url,
    pub mode: ComponentKind,
    pub agent_id: Option<String>,
    pub team_id: Option<String>,
    /// Where AgentOS credentials come from; secrets inside are redacted in Debug.
    pub credentials: CredentialSource,
    /// Rate limits, stream caps, blocked patterns, allowed origins.
    pub protection: Protection,
    /// Metrics, traces, error tracking and analytics.
    pub telemetry: Telemetry,
    pub hitl_enabled: bool,
    pub genui_enabled: bool,
    pub faq_url: Option<Url>,
    pub support_url: Option<Url>,
    pub listen: SocketAddr,
    pub connect_timeout: Duration,
    pub request_timeout: Duration,
    pub health_poll: Duration,
    pub max_backoff: Duration,
    pub first_event_timeout: Duration,
    pub idle_timeout: Duration,
    pub max_input_chars: usize,
    /// Budget of the copies of recently opened conversations (`server::history_cache`).
    pub history_cache_bytes: usize,
    pub history_recheck: Duration,
    /// Signs the identity cookie. When unset, a random key per process (identities then
    /// reset when the server restarts).
    pub cookie_key: Option<SecretString>,
    /// When set, the user is the one this request header names (an authenticating proxy
    /// in front of agno-chat sets it); requests without it are refused.
    pub trusted_user_header: Option<axum::http::HeaderName>,
    pub log_format: LogFormat,
}

/// One invalid or missing setting.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SettingError {
    pub var: &'static str,
    pub flag: &'static str,
    pub problem: String,
}

/// Everything wrong with the configuration, reported together.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConfigError(pub Vec<SettingError>);

impl fmt::Display for ConfigError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(f, "agno-chat cannot start: invalid configuration")?;
        for e in &self.0 {
            writeln!(f, "  {} (flag --{}): {}", e.var, e.flag, e.problem)?;
        }
        write!(f, "See docs/configuration.md.")
    }
}

impl std::error::Error for ConfigError {}

impl Config {
    /// Validates flags and environment (`env` looks a variable up) into a configuration.
    #[expect(
        clippy::expect_used,
        reason = "start-up: what is expected was checked just before"
    )]
    pub fn from_sources(
        flags: Flags,
        env: &dyn Fn(&str) -> Option<String>,
    ) -> Result<Self, ConfigError> {
        let mut r = Reader {
            env,
            errors: Vec::new(),
        };

        let agentos_url = r.url(flags.agentos_url, "AGNO_CHAT_AGENTOS_URL", "agentos-url");
        if agentos_url.is_none() && !r.errors.iter().any(|e| e.var == "AGNO_CHAT_AGENTOS_URL") {
            r.fail(
                "AGNO_CHAT_AGENTOS_URL",
                "agentos-url",
                "missing: expected the AgentOS base URL, e.g. http://127.0.0.1:7777 \
                 (scripts/run.sh starts the demo AgentOS and sets it for you)",
            );
        }
        if let Some(u) = &agentos_url {
            if !u.username().is_empty() || u.password().is_some() {
                r.fail(
                    "AGNO_CHAT_AGENTOS_URL",
                    "agentos-url",
                    "must not contain credentials; use AGNO_CHAT_AGENTOS_KEY or AGNO_CHAT_AGENTOS_KEY_FILE (or a JWT or OAuth2 source)",
                );
            }
        }

        let mode = match r
            .raw(flags.mode, "AGNO_CHAT_MODE")
            .map(|v| v.to_ascii_lowercase())
        {
            None => ComponentKind::Agent,
            Some(v) if v == "agent" => ComponentKind::Agent,
            Some(v) if v == "team" => ComponentKind::Team,
            Some(v) => {
                r.fail(
                    "AGNO_CHAT_MODE",
                    "mode",
                    format!("expected agent or team, got {v:?}"),
                );
                ComponentKind::Agent
            }
        };
        let agent_id = r.raw(flags.agent_id, "AGNO_CHAT_AGENT_ID");
        let team_id = r.raw(flags.team_id, "AGNO_CHAT_TEAM_ID");

        let credentials = credentials::read(&mut r, flags.credentials);
        let protection = protection::read(&mut r, flags.protection);
        let telemetry = telemetry::read(&mut r, flags.telemetry);

        let hitl_enabled = r.bool(flags.hitl, "AGNO_CHAT_HITL", "hitl", true);
        let genui_enabled = r.bool(flags.genui, "AGNO_CHAT_GENUI", "genui", true);
        let faq_url = r.url(flags.faq_url, "AGNO_CHAT_FAQ_URL", "faq-url");
        let support_url = r.url(flags.support_url, "AGNO_CHAT_SUPPORT_URL", "support-url");

        // AGNO_CHAT_LISTEN (or --listen) wins over cargo-leptos' LEPTOS_SITE_ADDR.
        let (listen_var, listen_raw) = match r.raw(flags.listen, "AGNO_CHAT_LISTEN") {
            Some(v) => ("AGNO_CHAT_LISTEN", Some(v)),
            None => ("LEPTOS_SITE_ADDR", r.raw(None, "LEPTOS_SITE_ADDR")),
        };
        let listen_raw = listen_raw.unwrap_or_else(|| "127.0.0.1:3000".to_owned());
        let listen = listen_raw.parse::<SocketAddr>().unwrap_or_else(|_| {
            r.fail(
                listen_var,
                "listen",
                format!("expected IP:PORT such as 127.0.0.1:3000, got {listen_raw:?}"),
            );
            SocketAddr::from(([127, 0, 0, 1], 3000))
        });

        let connect_timeout = r.millis(
            flags.connect_timeout_ms,
            "AGNO_CHAT_CONNECT_TIMEOUT_MS",
            "connect-timeout-ms",
            3_000,
        );
        let request_timeout = r.millis(
            flags.request_timeout_ms,
            "AGNO_CHAT_REQUEST_TIMEOUT_MS",
            "request-timeout-ms",
            15_000,
        );
        let health_poll = r.millis(
            flags.health_poll_ms,
            "AGNO_CHAT_HEALTH_POLL_MS",
            "health-poll-ms",
            10_000,
        );
        let max_backoff = r.millis(
            flags.max_backoff_ms,
            "AGNO_CHAT_MAX_BACKOFF_MS",
            "max-backoff-ms",
            8_000,
        );

        let first_event_timeout = r.millis(
            flags.first_event_timeout_ms,
            "AGNO_CHAT_FIRST_EVENT_TIMEOUT_MS",
            "first-event-timeout-ms",
            60_000,
        );
        let idle_timeout = r.millis(
            flags.idle_timeout_ms,
            "AGNO_CHAT_IDLE_TIMEOUT_MS",
            "idle-timeout-ms",
            120_000,
        );
        let max_input_chars = r.number(
            flags.max_input_chars,
            "AGNO_CHAT_MAX_INPUT_CHARS",
            "max-input-chars",
            crate::chat::validate::DEFAULT_MAX_CHARS as u64,
            (1, 1_000_000),
        ) as usize;
        let history_cache_bytes = r.number(
            flags.history_cache_mb,
            "AGNO_CHAT_HISTORY_CACHE_MB",
            "history-cache-mb",
            64,
            (0, 65_536),
        ) as usize
            * 1024
            * 1024;
        let history_recheck = Duration::from_secs(r.number(
            flags.history_recheck_secs,
            "AGNO_CHAT_HISTORY_RECHECK_SECS",
            "history-recheck-secs",
            300,
            (0, 86_400),
        ));
        let cookie_key = match r.raw(flags.cookie_key, "AGNO_CHAT_COOKIE_KEY") {
            Some(k) if k.chars().count() >= 32 => Some(SecretString::from(k)),
            Some(_) => {
                r.fail(
                    "AGNO_CHAT_COOKIE_KEY",
                    "cookie-key",
                    "too short: expected a random secret of at least 32 characters",
                );
                None
            }
            None => None,
        };

        let trusted_user_header =
            match r.raw(flags.trusted_user_header, "AGNO_CHAT_TRUSTED_USER_HEADER") {
                None => None,
                Some(h) => {
                    match axum::http::HeaderName::from_bytes(h.to_ascii_lowercase().as_bytes()) {
                        Ok(name)
                            if !["cookie", "authorization", "host"].contains(&name.as_str()) =>
                        {
                            Some(name)
                        }
                        _ => {
                            r.fail(
                        "AGNO_CHAT_TRUSTED_USER_HEADER",
                        "trusted-user-header",
                        format!("expected an HTTP header name such as X-Forwarded-User, got {h:?}"),
                    );
                            None
                        }
                    }
                }
            };

        let log_format = match r
            .raw(flags.log_format, "AGNO_CHAT_LOG_FORMAT")
            .map(|v| v.to_ascii_lowercase())
        {
            None => LogFormat::Text,
            Some(v) if v == "text" => LogFormat::Text,
            Some(v) if v == "json" => LogFormat::Json,
            Some(v) => {
                r.fail(
                    "AGNO_CHAT_LOG_FORMAT",
                    "log-format",
                    format!("expected text or json, got {v:?}"),
                );
                LogFormat::Text
            }
        };

        if !r.errors.is_empty() {
            return Err(ConfigError(r.errors));
        }
        Ok(Config {
            agentos_url: agentos_url.expect("checked above"),
            mode,
            agent_id,
            team_id,
            credentials,
            protection,
            telemetry,
            hitl_enabled,
            genui_enabled,
            faq_url,
            support_url,
            listen,
            connect_timeout,
            request_timeout,
            health_poll,
            max_backoff,
            first_event_timeout,
            idle_timeout,
            max_input_chars,
            history_cache_bytes,
            history_recheck,
            cookie_key,
            trusted_user_header,
            log_format,
        })
    }

    /// Reads the process's flags and environment.
    pub fn from_process() -> Result<Self, ConfigError> {
        let flags = Flags::parse();
        Self::from_sources(flags, &|k| std::env::var(k).ok())
    }

    /// The default conversation partner named by the configuration, if any.
    pub fn default_component(&self) -> Option<ComponentRef> {
        match self.mode {
            ComponentKind::Agent => self
                .agent_id
                .clone()
                .map(|id| ComponentRef::new(ComponentKind::Agent, id)),
            ComponentKind::Team => self
                .team_id
                .clone()
                .map(|id| ComponentRef::new(ComponentKind::Team, id)),
        }
    }

    /// What the browser may know.
    pub fn public(&self) -> PublicConfig {
        let mut help_links = Vec::new();
        if let Some(u) = &self.faq_url {
            help_links.push(HelpLink {
                label: "FAQ".into(),
                url: u.to_string(),
            });
        }
        if let Some(u) = &self.support_url {
            help_links.push(HelpLink {
                label: "Contact support".into(),
                url: u.to_string(),
            });
        }
        PublicConfig {
            hitl_enabled: self.hitl_enabled,
            genui_enabled: self.genui_enabled,
            help_links,
            health_poll_ms: self.health_poll.as_millis() as u64,
            max_backoff_ms: self.max_backoff.as_millis() as u64,
            max_input_chars: self.max_input_chars,
            min_send_interval_ms: self.protection.min_send_interval.as_millis() as u64,
            report_message_content: self.telemetry.report_message_content,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    pub(super) fn load(pairs: &[(&str, &str)]) -> Result<Config, ConfigError> {
        let env: HashMap<String, String> = pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        Config::from_sources(Flags::default(), &move |k| env.get(k).cloned())
    }

    pub(super) fn vars(err: ConfigError) -> Vec<&'static str> {
        err.0.iter().map(|e| e.var).collect()
    }

    #[test]
    fn minimal_config_uses_defaults() {
        let c = load(&[("AGNO_CHAT_AGENTOS_URL", "http://127.0.0.1:7777")]).unwrap();
        assert_eq!(c.mode, ComponentKind::Agent);
        assert!(c.hitl_enabled && c.genui_enabled);
        assert_eq!(c.listen.to_string(), "127.0.0.1:3000");
        assert_eq!(c.connect_timeout, Duration::from_secs(3));
        assert_eq!(c.default_component(), None);
    }

    #[test]
    fn missing_url_names_the_variable() {
        let err = load(&[]).unwrap_err();
        assert_eq!(vars(err.clone()), vec!["AGNO_CHAT_AGENTOS_URL"]);
        let text = err.to_string();
        assert!(
            text.contains("AGNO_CHAT_AGENTOS_URL") && text.contains("missing"),
            "{text}"
        );
    }

    #[test]
    fn malformed_values_name_their_variables() {
        let err = load(&[
            ("AGNO_CHAT_AGENTOS_URL", "ftp://x"),
            ("AGNO_CHAT_MODE", "robot"),
            ("AGNO_CHAT_HITL", "maybe"),
            ("AGNO_CHAT_CONNECT_TIMEOUT_MS", "-5"),
            ("AGNO_CHAT_FAQ_URL", "not a url"),
            ("AGNO_CHAT_LISTEN", "localhost"),
            ("AGNO_CHAT_LOG_FORMAT", "xml"),
        ])
        .unwrap_err();
        assert_eq!(
            vars(err),
            vec![
                "AGNO_CHAT_AGENTOS_URL",
                "AGNO_CHAT_MODE",
                "AGNO_CHAT_HITL",
                "AGNO_CHAT_FAQ_URL",
                "AGNO_CHAT_LISTEN",
                "AGNO_CHAT_CONNECT_TIMEOUT_MS",
                "AGNO_CHAT_LOG_FORMAT",
            ]
        );
    }

    #[test]
    fn numbers_out_of_range_say_what_is_expected() {
        let err = load(&[
            ("AGNO_CHAT_AGENTOS_URL", "http://127.0.0.1:7777"),
            ("AGNO_CHAT_IDLE_TIMEOUT_MS", "0"),
            ("AGNO_CHAT_MAX_INPUT_CHARS", "2000000"),
            ("AGNO_CHAT_HISTORY_CACHE_MB", "lots"),
        ])
        .unwrap_err();
        let problems: Vec<(&str, String)> =
            err.0.iter().map(|e| (e.var, e.problem.clone())).collect();
        assert_eq!(
            problems,
            vec![
                (
                    "AGNO_CHAT_IDLE_TIMEOUT_MS",
                    "expected a whole number of milliseconds from 1 to 3600000, got \"0\""
                        .to_owned()
                ),
                (
                    "AGNO_CHAT_MAX_INPUT_CHARS",
                    "expected a whole number from 1 to 1000000, got \"2000000\"".to_owned()
                ),
                (
                    "AGNO_CHAT_HISTORY_CACHE_MB",
                    "expected a whole number from 0 to 65536, got \"lots\"".to_owned()
                ),
            ]
        );
        let c = load(&[
            ("AGNO_CHAT_AGENTOS_URL", "http://127.0.0.1:7777"),
            ("AGNO_CHAT_MAX_INPUT_CHARS", "500"),
        ])
        .unwrap();
        assert_eq!(c.max_input_chars, 500);
        // The copies of opened conversations: 64 MiB, checked in full every 5 minutes.
        assert_eq!(c.history_cache_bytes, 64 << 20);
        assert_eq!(c.history_recheck, Duration::from_secs(300));
    }

    #[test]
    fn trusted_user_header_is_validated() {
        let c = load(&[
            ("AGNO_CHAT_AGENTOS_URL", "http://h:1"),
            ("AGNO_CHAT_TRUSTED_USER_HEADER", "X-Forwarded-User"),
        ])
        .unwrap();
        assert_eq!(c.trusted_user_header.unwrap().as_str(), "x-forwarded-user");
        for bad in ["bad header", "Cookie"] {
            let err = load(&[
                ("AGNO_CHAT_AGENTOS_URL", "http://h:1"),
                ("AGNO_CHAT_TRUSTED_USER_HEADER", bad),
            ])
            .unwrap_err();
            assert_eq!(vars(err), vec!["AGNO_CHAT_TRUSTED_USER_HEADER"]);
        }
    }

    #[test]
    fn flags_win_over_variables() {
        let flags = Flags {
            agentos_url: Some("http://flag:1".into()),
            mode: Some("team".into()),
            team_id: Some("t1".into()),
            ..Flags::default()
        };
        let c = Config::from_sources(flags, &|k| match k {
            "AGNO_CHAT_AGENTOS_URL" => Some("http://env:2".into()),
            _ => None,
        })
        .unwrap();
        assert_eq!(c.agentos_url.as_str(), "http://flag:1/");
        assert_eq!(
            c.default_component(),
            Some(ComponentRef::new(ComponentKind::Team, "t1"))
        );
    }

    #[test]
    fn secrets_are_redacted_in_debug_and_errors() {
        let c = load(&[
            ("AGNO_CHAT_AGENTOS_URL", "http://127.0.0.1:7777"),
            ("AGNO_CHAT_AGENTOS_KEY", "super-secret-key-123"),
        ])
        .unwrap();
        let dbg = format!("{c:?}");
        assert!(!dbg.contains("super-secret-key-123"), "{dbg}");
        let err =
            load(&[("AGNO_CHAT_AGENTOS_URL", "http://user:hunter2@example.com")]).unwrap_err();
        assert!(!err.to_string().contains("hunter2"), "{err}");
        let err = load(&[("AGNO_CHAT_AGENTOS_URL", "nonsense://user:hunter2@")]).unwrap_err();
        assert!(!err.to_string().contains("hunter2"), "{err}");
    }

    #[test]
    fn key_file_is_read_and_both_sources_conflict() {
        let dir = std::env::temp_dir().join(format!("agno-chat-cfg-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join("key");
        std::fs::write(&path, "file-key\n").unwrap();
        let p = path.to_str().unwrap();
        let c = load(&[
            ("AGNO_CHAT_AGENTOS_URL", "http://h:1"),
            ("AGNO_CHAT_AGENTOS_KEY_FILE", p),
        ])
        .unwrap();
        use secrecy::ExposeSecret;
        match c.credentials {
            CredentialSource::StaticKey(k) => assert_eq!(k.expose_secret(), "file-key"),
            other => panic!("expected a static key, got {other:?}"),
        }
        let err = load(&[
            ("AGNO_CHAT_AGENTOS_URL", "http://h:1"),
            ("AGNO_CHAT_AGENTOS_KEY_FILE", p),
            ("AGNO_CHAT_AGENTOS_KEY", "k"),
        ])
        .unwrap_err();
        assert_eq!(vars(err), vec!["AGNO_CHAT_AGENTOS_KEY_FILE"]);
        let err = load(&[
            ("AGNO_CHAT_AGENTOS_URL", "http://h:1"),
            ("AGNO_CHAT_AGENTOS_KEY_FILE", "/nonexistent/key"),
        ])
        .unwrap_err();
        assert_eq!(vars(err), vec!["AGNO_CHAT_AGENTOS_KEY_FILE"]);
        std::fs::remove_dir_all(dir).ok();
    }

    #[test]
    fn public_config_carries_help_links_but_no_secrets() {
        let c = load(&[
            ("AGNO_CHAT_AGENTOS_URL", "http://127.0.0.1:7777"),
            ("AGNO_CHAT_AGENTOS_KEY", "k-123"),
            ("AGNO_CHAT_FAQ_URL", "https://example.com/faq"),
            ("AGNO_CHAT_SUPPORT_URL", "https://example.com/help"),
        ])
        .unwrap();
        let p = c.public();
        assert_eq!(p.help_links.len(), 2);
        let json = serde_json::to_string(&p).unwrap();
        assert!(!json.contains("k-123") && !json.contains("7777"), "{json}");
    }
}

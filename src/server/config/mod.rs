//! Configuration from command-line flags and environment variables (a flag wins over its
//! variable), read by clap and validated at start-up. Every error names the variable and
//! what is expected; every invalid setting is reported at once.

use std::ffi::OsString;
use std::fmt;
use std::net::SocketAddr;
use std::time::Duration;

use clap::{CommandFactory, FromArgMatches, Parser, ValueEnum};
use secrecy::SecretString;
use url::Url;

use crate::agentos::auth::CredentialSource;
use crate::model::{AssistantId, AssistantKind, AssistantRef, HelpLink, PublicConfig};

mod credentials;
mod parse;
pub mod protection;
pub mod sign_in;
pub mod telemetry;

pub use protection::Protection;
pub use telemetry::Telemetry;

/// Command-line flags, each with its environment variable; see docs/configuration.md.
#[derive(Parser, Debug)]
#[command(
    name = "agno-chat",
    version,
    about = "A chat front end for Agno AgentOS"
)]
pub struct Flags {
    /// AgentOS base URL
    #[arg(long, env = "AGNO_CHAT_AGENTOS_URL", value_parser = agentos_url)]
    pub agentos_url: Option<Url>,
    /// Whether the chat opens an agent or a team by default
    #[arg(long, env = "AGNO_CHAT_MODE", value_enum, ignore_case = true, default_value_t = Mode::Agent)]
    pub mode: Mode,
    /// Agent to open by default
    #[arg(long, env = "AGNO_CHAT_AGENT_ID", value_parser = assistant_id)]
    pub agent_id: Option<AssistantId>,
    /// Team to open by default
    #[arg(long, env = "AGNO_CHAT_TEAM_ID", value_parser = assistant_id)]
    pub team_id: Option<AssistantId>,
    #[command(flatten)]
    pub credentials: credentials::CredentialFlags,
    #[command(flatten)]
    pub protection: protection::ProtectionFlags,
    #[command(flatten)]
    pub telemetry: telemetry::TelemetryFlags,
    /// Human-in-the-loop prompts on/off
    #[arg(long, env = "AGNO_CHAT_HITL", value_parser = parse::boolean, action = clap::ArgAction::Set, default_value = "true")]
    pub hitl: bool,
    /// Generative UI on/off
    #[arg(long, env = "AGNO_CHAT_GENUI", value_parser = parse::boolean, action = clap::ArgAction::Set, default_value = "true")]
    pub genui: bool,
    /// FAQ link shown when the chat is unavailable
    #[arg(long, env = "AGNO_CHAT_FAQ_URL", value_parser = parse::http_url)]
    pub faq_url: Option<Url>,
    /// Support link shown when the chat is unavailable
    #[arg(long, env = "AGNO_CHAT_SUPPORT_URL", value_parser = parse::http_url)]
    pub support_url: Option<Url>,
    /// Address to listen on (else LEPTOS_SITE_ADDR, else 127.0.0.1:3000)
    #[arg(long, env = "AGNO_CHAT_LISTEN", value_parser = socket_addr)]
    pub listen: Option<SocketAddr>,
    /// The address cargo-leptos names for the server
    #[arg(long, env = "LEPTOS_SITE_ADDR", value_parser = socket_addr, hide = true)]
    pub leptos_site_addr: Option<SocketAddr>,
    /// Timeout for connecting to AgentOS, ms
    #[arg(long = "connect-timeout-ms", env = "AGNO_CHAT_CONNECT_TIMEOUT_MS", value_parser = parse::millis, default_value = "3000")]
    pub connect_timeout: Duration,
    /// Timeout for a whole AgentOS request, ms
    #[arg(long = "request-timeout-ms", env = "AGNO_CHAT_REQUEST_TIMEOUT_MS", value_parser = parse::millis, default_value = "15000")]
    pub request_timeout: Duration,
    /// How often browsers re-check AgentOS while it is up, ms
    #[arg(long = "health-poll-ms", env = "AGNO_CHAT_HEALTH_POLL_MS", value_parser = parse::millis, default_value = "10000")]
    pub health_poll: Duration,
    /// Longest wait between re-checks while AgentOS is down, ms
    #[arg(long = "max-backoff-ms", env = "AGNO_CHAT_MAX_BACKOFF_MS", value_parser = parse::millis, default_value = "8000")]
    pub max_backoff: Duration,
    /// Longest wait for a run's first event, ms
    #[arg(long = "first-event-timeout-ms", env = "AGNO_CHAT_FIRST_EVENT_TIMEOUT_MS", value_parser = parse::millis, default_value = "60000")]
    pub first_event_timeout: Duration,
    /// Longest silence between a run's events, ms
    #[arg(long = "idle-timeout-ms", env = "AGNO_CHAT_IDLE_TIMEOUT_MS", value_parser = parse::millis, default_value = "120000")]
    pub idle_timeout: Duration,
    /// Longest message accepted, in characters
    #[arg(long, env = "AGNO_CHAT_MAX_INPUT_CHARS", value_parser = parse::whole(1, 1_000_000), default_value_t = crate::model::DEFAULT_MAX_INPUT_CHARS as u64)]
    pub max_input_chars: u64,
    /// Memory for copies of recently opened conversations, which make opening one again
    /// ask AgentOS only for its newest runs, MiB; 0 = off
    #[arg(long, env = "AGNO_CHAT_HISTORY_CACHE_MB", value_parser = parse::whole(0, 65_536), default_value_t = 64)]
    pub history_cache_mb: u64,
    /// How old such a copy may get before it is checked against a full listing again, s
    #[arg(long, env = "AGNO_CHAT_HISTORY_RECHECK_SECS", value_parser = parse::whole(0, 86_400), default_value_t = 300)]
    pub history_recheck_secs: u64,
    /// Secret (32+ characters) signing the identity cookie
    #[arg(long, env = "AGNO_CHAT_COOKIE_KEY", value_parser = cookie_key, hide_env_values = true)]
    pub cookie_key: Option<SecretString>,
    /// On SIGTERM, how long the answers streaming here may go on before they are closed to
    /// be resumed through another replica, s
    #[arg(long, env = "AGNO_CHAT_DRAIN_SECS", value_parser = parse::whole(0, 3600), default_value_t = 20)]
    pub drain_secs: u64,
    /// Redis (or any server of its protocol, such as Valkey) that several replicas share
    /// for rate limits, stream caps and who runs what: redis://[:PASSWORD@]HOST[:PORT][/DB]
    /// or rediss:// for TLS. Unset: all of it stays in this process (one replica)
    #[arg(long, env = "AGNO_CHAT_REDIS_URL", value_parser = redis_url, hide_env_values = true)]
    pub redis_url: Option<SecretString>,
    #[command(flatten)]
    pub sign_in: sign_in::SignInFlags,
    /// Most files one message may carry
    #[arg(long, env = "AGNO_CHAT_MAX_FILES", value_parser = parse::whole(0, 100), default_value_t = 10)]
    pub max_files: u64,
    /// Largest file, MiB
    #[arg(long = "max-file-mb", env = "AGNO_CHAT_MAX_FILE_MB", value_parser = parse::whole(1, 4096), default_value_t = 20)]
    pub max_file_mb: u64,
    /// Most bytes of files one message may carry, MiB
    #[arg(long = "max-message-mb", env = "AGNO_CHAT_MAX_MESSAGE_MB", value_parser = parse::whole(1, 16384), default_value_t = 50)]
    pub max_message_mb: u64,
    /// How log lines are written
    #[arg(long, env = "AGNO_CHAT_LOG_FORMAT", value_enum, ignore_case = true, default_value_t = LogFormat::Text)]
    pub log_format: LogFormat,
}

/// Whether the chat opens an agent or a team by default.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Mode {
    Agent,
    Team,
}

/// How log lines are written.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum LogFormat {
    Text,
    Json,
}

/// AgentOS's address, without credentials in it (they would end up in logs).
fn agentos_url(raw: &str) -> Result<Url, String> {
    let u = parse::http_url(raw)?;
    if !u.username().is_empty() || u.password().is_some() {
        return Err(
            "must not contain credentials; use AGNO_CHAT_AGENTOS_KEY or \
                    AGNO_CHAT_AGENTOS_KEY_FILE (or a JWT or OAuth2 source)"
                .into(),
        );
    }
    Ok(u)
}

fn assistant_id(raw: &str) -> Result<AssistantId, String> {
    AssistantId::new(raw.trim()).map_err(|e| e.to_string())
}

fn socket_addr(raw: &str) -> Result<SocketAddr, String> {
    raw.trim()
        .parse()
        .map_err(|_| format!("expected IP:PORT such as 127.0.0.1:3000, got {raw:?}"))
}

/// A Redis address (kept secret: it may carry a password).
fn redis_url(raw: &str) -> Result<SecretString, String> {
    let u = Url::parse(raw.trim()).map_err(|e| format!("not a URL ({e})"))?;
    match u.scheme() {
        "redis" | "rediss" if u.host_str().is_some_and(|h| !h.is_empty()) => parse::secret(raw),
        "redis" | "rediss" => Err("has no host, as in redis://127.0.0.1:6379".into()),
        other => Err(format!("expected redis:// or rediss://, got {other}://")),
    }
}

fn cookie_key(raw: &str) -> Result<SecretString, String> {
    if raw.trim().chars().count() >= 32 {
        parse::secret(raw)
    } else {
        Err("too short: expected a random secret of at least 32 characters".into())
    }
}

/// The validated configuration. Secrets are [`SecretString`]s: Debug prints them redacted.
#[derive(Debug, Clone)]
pub struct Config {
    pub agentos_url: Url,
    pub mode: AssistantKind,
    pub agent_id: Option<AssistantId>,
    pub team_id: Option<AssistantId>,
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
    /// How long streams may go on after SIGTERM (`server::drain`).
    pub drain: Duration,
    /// Redis shared by the replicas (`server::shared`); `None`: state in this process.
    pub redis_url: Option<SecretString>,
    /// How people are identified (anonymous, a trusted proxy's header, or OpenID
    /// Connect sign-in) and the roles policy.
    pub people: sign_in::People,
    /// What one message may carry in files.
    pub uploads: crate::server::uploads::kinds::Limits,
    pub log_format: LogFormat,
}

/// One invalid or missing setting.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SettingError {
    pub var: String,
    pub flag: String,
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
    /// Reads the process's flags and environment. Help and version are printed here, and
    /// an unknown flag ends the process as clap says.
    pub fn from_process() -> Result<Self, ConfigError> {
        let vars = parse::variables(&Flags::command());
        let args: Vec<OsString> = std::env::args_os().collect();
        match parse::matches(|| parse::blank_is_unset(Flags::command()), &args, &vars) {
            Ok(m) => Self::from_matches(&m),
            Err(parse::Failure::Settings(errors)) => Err(ConfigError(errors)),
            Err(parse::Failure::Cli(e)) => e.exit(),
        }
    }

    fn from_matches(m: &clap::ArgMatches) -> Result<Self, ConfigError> {
        let flags = Flags::from_arg_matches(m).map_err(|e| {
            ConfigError(vec![SettingError {
                var: String::new(),
                flag: String::new(),
                problem: e.to_string(),
            }])
        })?;
        Self::from_flags(flags)
    }

    /// Checks what no single setting can say alone (a missing URL, credential sources
    /// that conflict) and builds the configuration.
    pub fn from_flags(f: Flags) -> Result<Self, ConfigError> {
        let mut p = parse::Problems::default();
        if f.agentos_url.is_none() {
            p.fail(
                "AGNO_CHAT_AGENTOS_URL",
                "agentos-url",
                "missing: expected the AgentOS base URL, e.g. http://127.0.0.1:7777 \
                 (scripts/run.sh starts the demo AgentOS and sets it for you)",
            );
        }
        let credentials = credentials::read(&mut p, f.credentials);
        let protection = protection::read(f.protection);
        let people = sign_in::read(&mut p, f.sign_in, protection.public_origin.as_ref());
        let telemetry = telemetry::read(&mut p, f.telemetry);
        let (Some(agentos_url), true) = (f.agentos_url, p.0.is_empty()) else {
            return Err(ConfigError(p.0));
        };
        Ok(Config {
            agentos_url,
            mode: match f.mode {
                Mode::Agent => AssistantKind::Agent,
                Mode::Team => AssistantKind::Team,
            },
            agent_id: f.agent_id,
            team_id: f.team_id,
            credentials,
            protection,
            telemetry,
            hitl_enabled: f.hitl,
            genui_enabled: f.genui,
            faq_url: f.faq_url,
            support_url: f.support_url,
            listen: f
                .listen
                .or(f.leptos_site_addr)
                .unwrap_or(SocketAddr::from(([127, 0, 0, 1], 3000))),
            connect_timeout: f.connect_timeout,
            request_timeout: f.request_timeout,
            health_poll: f.health_poll,
            max_backoff: f.max_backoff,
            first_event_timeout: f.first_event_timeout,
            idle_timeout: f.idle_timeout,
            max_input_chars: f.max_input_chars as usize,
            history_cache_bytes: f.history_cache_mb as usize * 1024 * 1024,
            history_recheck: Duration::from_secs(f.history_recheck_secs),
            cookie_key: f.cookie_key,
            drain: Duration::from_secs(f.drain_secs),
            redis_url: f.redis_url,
            people,
            uploads: crate::server::uploads::kinds::Limits {
                max_files: f.max_files as usize,
                max_file_bytes: f.max_file_mb * 1024 * 1024,
                max_message_bytes: f.max_message_mb * 1024 * 1024,
            },
            log_format: f.log_format,
        })
    }

    /// The default conversation partner named by the configuration, if any.
    pub fn default_assistant(&self) -> Option<AssistantRef> {
        match self.mode {
            AssistantKind::Agent => self
                .agent_id
                .clone()
                .map(|id| AssistantRef::new(AssistantKind::Agent, id)),
            AssistantKind::Team => self
                .team_id
                .clone()
                .map(|id| AssistantRef::new(AssistantKind::Team, id)),
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
            account: None,
            uploads: crate::model::UploadLimits {
                max_files: self.uploads.max_files,
                max_file_bytes: self.uploads.max_file_bytes,
                max_message_bytes: self.uploads.max_message_bytes,
            },
            // The person's, filled in for each page.
            budget_notice: None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The configuration from `pairs` of variables and values. They are given to clap as
    /// the variables' flags, in the order the flags are declared (the order clap reads
    /// variables in), and the process's own environment is left out.
    pub(super) fn load(pairs: &[(&str, &str)]) -> Result<Config, ConfigError> {
        let cmd = || Flags::command().mut_args(|a| a.env(None::<&str>));
        let mut args: Vec<OsString> = vec!["agno-chat".into()];
        for arg in Flags::command().get_arguments() {
            let var = arg.get_env().map(|v| v.to_string_lossy().into_owned());
            for (k, v) in pairs.iter().filter(|(k, _)| Some(*k) == var.as_deref()) {
                let long = arg.get_long().unwrap_or_else(|| panic!("{k} has no flag"));
                args.push(format!("--{long}={v}").into());
            }
        }
        for (k, _) in pairs {
            assert!(
                Flags::command()
                    .get_arguments()
                    .any(|a| a.get_env().is_some_and(|v| v == *k)),
                "no setting reads {k}"
            );
        }
        match parse::matches(cmd, &args, &parse::variables(&Flags::command())) {
            Ok(m) => Config::from_matches(&m),
            Err(parse::Failure::Settings(e)) => Err(ConfigError(e)),
            Err(parse::Failure::Cli(e)) => panic!("{:?}: {e}", e.kind()),
        }
    }

    pub(super) fn vars(err: ConfigError) -> Vec<String> {
        err.0.into_iter().map(|e| e.var).collect()
    }

    #[test]
    fn minimal_config_uses_defaults() {
        let c = load(&[("AGNO_CHAT_AGENTOS_URL", "http://127.0.0.1:7777")]).unwrap();
        assert_eq!(c.mode, AssistantKind::Agent);
        assert!(c.hitl_enabled && c.genui_enabled);
        assert_eq!(c.listen.to_string(), "127.0.0.1:3000");
        assert_eq!(c.connect_timeout, Duration::from_secs(3));
        assert_eq!(c.default_assistant(), None);
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
        let problems: Vec<(&str, String)> = err
            .0
            .iter()
            .map(|e| (e.var.as_str(), e.problem.clone()))
            .collect();
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
        // Only in its own mode.
        let err = load(&[
            ("AGNO_CHAT_AGENTOS_URL", "http://h:1"),
            ("AGNO_CHAT_TRUSTED_USER_HEADER", "X-Forwarded-User"),
        ])
        .unwrap_err();
        assert_eq!(vars(err), vec!["AGNO_CHAT_TRUSTED_USER_HEADER"]);
        let c = load(&[
            ("AGNO_CHAT_AGENTOS_URL", "http://h:1"),
            ("AGNO_CHAT_AUTH_MODE", "trusted-header"),
            ("AGNO_CHAT_TRUSTED_USER_HEADER", "X-Forwarded-User"),
        ])
        .unwrap();
        let sign_in::Identification::TrustedHeader(h) = c.people.identification else {
            panic!("not trusted-header mode");
        };
        assert_eq!(h.as_str(), "x-forwarded-user");
        for bad in ["bad header", "Cookie"] {
            let err = load(&[
                ("AGNO_CHAT_AGENTOS_URL", "http://h:1"),
                ("AGNO_CHAT_AUTH_MODE", "trusted-header"),
                ("AGNO_CHAT_TRUSTED_USER_HEADER", bad),
            ])
            .unwrap_err();
            assert_eq!(vars(err), vec!["AGNO_CHAT_TRUSTED_USER_HEADER"]);
        }
    }

    #[test]
    fn flags_name_the_default_partner() {
        let m = Flags::command()
            .mut_args(|a| a.env(None::<&str>))
            .try_get_matches_from([
                "agno-chat",
                "--agentos-url",
                "http://flag:1",
                "--mode",
                "TEAM",
                "--team-id",
                "t1",
            ])
            .unwrap();
        let c = Config::from_matches(&m).unwrap();
        assert_eq!(c.agentos_url.as_str(), "http://flag:1/");
        assert_eq!(
            c.default_assistant(),
            Some(AssistantRef::new(AssistantKind::Team, "t1".into()))
        );
    }

    #[test]
    fn every_setting_has_a_variable_and_a_flag() {
        for a in Flags::command().get_arguments() {
            if matches!(a.get_id().as_str(), "help" | "version") {
                continue;
            }
            let var = a.get_env().map(|v| v.to_string_lossy().into_owned());
            assert!(
                var.as_deref()
                    .is_some_and(|v| v.starts_with("AGNO_CHAT_") || v == "LEPTOS_SITE_ADDR"),
                "{} has no variable",
                a.get_id()
            );
            assert!(a.get_long().is_some(), "{} has no flag", a.get_id());
        }
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

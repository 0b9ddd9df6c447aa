//! Observability settings: metrics endpoint protection, OTLP run traces, Sentry error
//! tracking, the analytics webhook, and whether message text may be reported.

use clap::Args;
use secrecy::SecretString;
use url::Url;

use super::parse::{self, Problems};

#[derive(Args, Debug)]
pub struct TelemetryFlags {
    /// Bearer token required to read /metrics
    #[arg(long, env = "AGNO_CHAT_METRICS_TOKEN", value_parser = parse::secret, hide_env_values = true)]
    pub metrics_token: Option<SecretString>,
    /// File holding that token
    #[arg(long, env = "AGNO_CHAT_METRICS_TOKEN_FILE", value_parser = parse::secret_file)]
    pub metrics_token_file: Option<SecretString>,
    /// OTLP/HTTP endpoint for run traces, e.g. http://collector:4318
    #[arg(long, env = "AGNO_CHAT_OTLP_ENDPOINT", value_parser = parse::http_url)]
    pub otlp_endpoint: Option<Url>,
    /// Extra headers for the OTLP endpoint, `name=value,name=value` (for instance
    /// Langfuse's Authorization)
    #[arg(long, env = "AGNO_CHAT_OTLP_HEADERS", value_parser = parse_headers, hide_env_values = true)]
    pub otlp_headers: Option<Headers>,
    /// Sentry DSN: server errors, panics and browser errors go there
    #[arg(long, env = "AGNO_CHAT_SENTRY_DSN", value_parser = sentry_dsn, hide_env_values = true)]
    pub sentry_dsn: Option<SecretString>,
    /// Sentry environment name
    #[arg(long, env = "AGNO_CHAT_SENTRY_ENVIRONMENT", value_parser = parse::text)]
    pub sentry_environment: Option<String>,
    /// URL that receives analytics events as JSON batches
    #[arg(long, env = "AGNO_CHAT_ANALYTICS_WEBHOOK_URL", value_parser = parse::http_url)]
    pub analytics_webhook_url: Option<Url>,
    /// Include message text in analytics and error reports
    #[arg(long, env = "AGNO_CHAT_REPORT_MESSAGE_CONTENT", value_parser = parse::boolean, action = clap::ArgAction::Set, default_value = "false")]
    pub report_message_content: bool,
}

/// Headers sent with every OTLP export; their values are secrets (API keys).
#[derive(Debug, Clone)]
pub struct Headers(Vec<(String, SecretString)>);

/// Validated observability settings.
#[derive(Debug, Clone, Default)]
pub struct Telemetry {
    pub metrics_token: Option<SecretString>,
    pub otlp_endpoint: Option<Url>,
    /// Header name and value pairs; values may be credentials.
    pub otlp_headers: Vec<(String, SecretString)>,
    pub sentry_dsn: Option<SecretString>,
    pub sentry_environment: Option<String>,
    pub analytics_webhook: Option<Url>,
    pub report_message_content: bool,
}

pub(super) fn read(p: &mut Problems, f: TelemetryFlags) -> Telemetry {
    let metrics_token = p.one_of(
        (f.metrics_token, "AGNO_CHAT_METRICS_TOKEN"),
        (
            f.metrics_token_file,
            "AGNO_CHAT_METRICS_TOKEN_FILE",
            "metrics-token-file",
        ),
    );
    Telemetry {
        metrics_token,
        otlp_endpoint: f.otlp_endpoint,
        otlp_headers: f.otlp_headers.map(|h| h.0).unwrap_or_default(),
        sentry_dsn: f.sentry_dsn,
        sentry_environment: f.sentry_environment.filter(|s| !s.is_empty()),
        analytics_webhook: f.analytics_webhook_url,
        report_message_content: f.report_message_content,
    }
}

fn sentry_dsn(raw: &str) -> Result<SecretString, String> {
    match raw.trim().parse::<sentry::types::Dsn>() {
        Ok(_) => parse::secret(raw),
        Err(e) => Err(format!(
            "not a Sentry DSN ({e}); expected https://KEY@HOST/PROJECT"
        )),
    }
}

fn parse_headers(raw: &str) -> Result<Headers, String> {
    raw.split(',')
        .filter(|p| !p.trim().is_empty())
        .map(|pair| {
            let (name, value) = pair
                .split_once('=')
                .ok_or_else(|| "expected name=value pairs separated by commas".to_owned())?;
            let name = name.trim();
            axum::http::HeaderName::from_bytes(name.as_bytes())
                .map_err(|_| format!("{name:?} is not a header name"))?;
            Ok((name.to_owned(), SecretString::from(value.trim().to_owned())))
        })
        .collect::<Result<_, String>>()
        .map(Headers)
}

#[cfg(test)]
mod tests {
    use super::super::tests::{load, vars};

    const URL: (&str, &str) = ("AGNO_CHAT_AGENTOS_URL", "http://127.0.0.1:7777");

    #[test]
    fn telemetry_settings() {
        let c = load(&[
            URL,
            ("AGNO_CHAT_OTLP_ENDPOINT", "http://127.0.0.1:4318"),
            (
                "AGNO_CHAT_OTLP_HEADERS",
                "Authorization=Basic abc==, x-tenant = t1",
            ),
            ("AGNO_CHAT_SENTRY_DSN", "http://pub@127.0.0.1:9000/1"),
        ])
        .unwrap();
        let t = &c.telemetry;
        assert_eq!(t.otlp_headers.len(), 2);
        assert_eq!(t.otlp_headers[1].0, "x-tenant");
        assert!(!t.report_message_content);
        assert!(!format!("{c:?}").contains("abc=="));
        let err = load(&[
            URL,
            ("AGNO_CHAT_SENTRY_DSN", "not a dsn"),
            ("AGNO_CHAT_OTLP_HEADERS", "novalue"),
        ])
        .unwrap_err();
        assert_eq!(
            vars(err),
            vec!["AGNO_CHAT_OTLP_HEADERS", "AGNO_CHAT_SENTRY_DSN"]
        );
    }
}

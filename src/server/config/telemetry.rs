//! Observability settings: metrics endpoint protection, OTLP run traces, Sentry error
//! tracking, the analytics webhook, and whether message text may be reported.

use clap::Args;
use secrecy::SecretString;
use url::Url;

use super::Reader;

#[derive(Args, Debug, Default)]
pub struct TelemetryFlags {
    /// Bearer token required to read /metrics [env: AGNO_CHAT_METRICS_TOKEN]
    #[arg(long)]
    pub metrics_token: Option<String>,
    /// File holding that token [env: AGNO_CHAT_METRICS_TOKEN_FILE]
    #[arg(long)]
    pub metrics_token_file: Option<String>,
    /// OTLP/HTTP endpoint for run traces, e.g. http://collector:4318 [env: AGNO_CHAT_OTLP_ENDPOINT]
    #[arg(long)]
    pub otlp_endpoint: Option<String>,
    /// Extra headers for the OTLP endpoint, `name=value,name=value` (for instance
    /// Langfuse's Authorization) [env: AGNO_CHAT_OTLP_HEADERS]
    #[arg(long)]
    pub otlp_headers: Option<String>,
    /// Sentry DSN: server errors, panics and browser errors go there [env: AGNO_CHAT_SENTRY_DSN]
    #[arg(long)]
    pub sentry_dsn: Option<String>,
    /// Sentry environment name [env: AGNO_CHAT_SENTRY_ENVIRONMENT]
    #[arg(long)]
    pub sentry_environment: Option<String>,
    /// URL that receives analytics events as JSON batches [env: AGNO_CHAT_ANALYTICS_WEBHOOK_URL]
    #[arg(long)]
    pub analytics_webhook_url: Option<String>,
    /// Include message text in analytics and error reports [env: AGNO_CHAT_REPORT_MESSAGE_CONTENT]
    #[arg(long)]
    pub report_message_content: Option<String>,
}

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

pub(super) fn read(r: &mut Reader<'_>, f: TelemetryFlags) -> Telemetry {
    let metrics_token = r.secret(
        (f.metrics_token, "AGNO_CHAT_METRICS_TOKEN", "metrics-token"),
        (
            f.metrics_token_file,
            "AGNO_CHAT_METRICS_TOKEN_FILE",
            "metrics-token-file",
        ),
    );
    let otlp_endpoint = r.url(f.otlp_endpoint, "AGNO_CHAT_OTLP_ENDPOINT", "otlp-endpoint");
    let otlp_headers = match r.raw(f.otlp_headers, "AGNO_CHAT_OTLP_HEADERS") {
        None => Vec::new(),
        Some(raw) => match parse_headers(&raw) {
            Ok(h) => h,
            Err(problem) => {
                r.fail("AGNO_CHAT_OTLP_HEADERS", "otlp-headers", problem);
                Vec::new()
            }
        },
    };
    let sentry_dsn = r.raw(f.sentry_dsn, "AGNO_CHAT_SENTRY_DSN").and_then(|dsn| {
        match dsn.parse::<sentry::types::Dsn>() {
            Ok(_) => Some(SecretString::from(dsn)),
            Err(e) => {
                r.fail(
                    "AGNO_CHAT_SENTRY_DSN",
                    "sentry-dsn",
                    format!("not a Sentry DSN ({e}); expected https://KEY@HOST/PROJECT"),
                );
                None
            }
        }
    });
    Telemetry {
        metrics_token,
        otlp_endpoint,
        otlp_headers,
        sentry_dsn,
        sentry_environment: r.raw(f.sentry_environment, "AGNO_CHAT_SENTRY_ENVIRONMENT"),
        analytics_webhook: r.url(
            f.analytics_webhook_url,
            "AGNO_CHAT_ANALYTICS_WEBHOOK_URL",
            "analytics-webhook-url",
        ),
        report_message_content: r.bool(
            f.report_message_content,
            "AGNO_CHAT_REPORT_MESSAGE_CONTENT",
            "report-message-content",
            false,
        ),
    }
}

fn parse_headers(raw: &str) -> Result<Vec<(String, SecretString)>, String> {
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
        .collect()
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

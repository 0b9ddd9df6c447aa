use tracing_subscriber::layer::SubscriberExt;
use tracing_subscriber::util::SubscriberInitExt;
use tracing_subscriber::{fmt, EnvFilter, Layer};

use super::config::LogFormat;

/// Installs the global tracing subscriber: log lines (text or JSON) on stdout, and Sentry
/// (errors become Sentry events, warnings and info breadcrumbs) once a Sentry client is
/// bound. `RUST_LOG` adjusts levels (default: info).
pub fn init(format: LogFormat) {
    let filter = EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| EnvFilter::new("info,hyper=warn,reqwest=warn,opentelemetry=warn"));
    let lines = match format {
        LogFormat::Json => fmt::layer()
            .with_target(false)
            .json()
            .flatten_event(true)
            .with_current_span(true)
            .boxed(),
        LogFormat::Text => fmt::layer().with_target(false).boxed(),
    };
    tracing_subscriber::registry()
        .with(filter)
        .with(lines)
        .with(sentry::integrations::tracing::layer())
        .init();
}

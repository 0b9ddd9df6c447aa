use tracing_subscriber::{fmt, EnvFilter};

use super::config::LogFormat;

/// Installs the global tracing subscriber. `RUST_LOG` adjusts levels (default: info).
pub fn init(format: LogFormat) {
    let filter = EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| EnvFilter::new("info,hyper=warn,reqwest=warn"));
    let builder = fmt().with_env_filter(filter).with_target(false);
    match format {
        LogFormat::Json => builder
            .json()
            .flatten_event(true)
            .with_current_span(true)
            .init(),
        LogFormat::Text => builder.init(),
    }
}

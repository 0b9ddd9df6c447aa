//! Run traces over OTLP/HTTP (JSON), when `AGNO_CHAT_OTLP_ENDPOINT` is set: one span per
//! conversation turn with child spans for tool calls and model requests, named and
//! attributed after the OpenTelemetry GenAI semantic conventions, so Langfuse or any
//! OTLP collector shows them. Without an endpoint the global tracer is a no-op.

use std::collections::HashMap;
use std::time::Duration;

use opentelemetry::global;
use opentelemetry_otlp::{Protocol, SpanExporter, WithExportConfig, WithHttpConfig};
use opentelemetry_sdk::trace::SdkTracerProvider;
use opentelemetry_sdk::Resource;
use secrecy::ExposeSecret;

use crate::server::config::Telemetry;

/// Flushes and stops the exporter when dropped (at shutdown).
pub struct TracesGuard(Option<SdkTracerProvider>);

impl Drop for TracesGuard {
    fn drop(&mut self) {
        if let Some(p) = self.0.take() {
            if let Err(e) = p.shutdown() {
                eprintln!("agno-chat: flushing run traces failed: {e}");
            }
        }
    }
}

/// The OTLP traces URL for a configured endpoint: `/v1/traces` is added unless present.
pub fn traces_url(endpoint: &url::Url) -> String {
    let base = endpoint.as_str().trim_end_matches('/');
    if base.ends_with("/v1/traces") {
        base.to_owned()
    } else {
        format!("{base}/v1/traces")
    }
}

/// Sets up the exporter when an endpoint is configured.
pub fn init(t: &Telemetry) -> Result<TracesGuard, String> {
    let Some(endpoint) = &t.otlp_endpoint else {
        return Ok(TracesGuard(None));
    };
    let headers: HashMap<String, String> = t
        .otlp_headers
        .iter()
        .map(|(k, v)| (k.clone(), v.expose_secret().to_owned()))
        .collect();
    let exporter = SpanExporter::builder()
        .with_http()
        .with_protocol(Protocol::HttpJson)
        .with_endpoint(traces_url(endpoint))
        .with_headers(headers)
        .with_timeout(Duration::from_secs(10))
        .build()
        .map_err(|e| format!("cannot set up the OTLP exporter (AGNO_CHAT_OTLP_ENDPOINT): {e}"))?;
    let provider = SdkTracerProvider::builder()
        .with_batch_exporter(exporter)
        .with_resource(
            Resource::builder()
                .with_service_name("agno-chat")
                .with_attribute(opentelemetry::KeyValue::new(
                    "service.version",
                    env!("CARGO_PKG_VERSION"),
                ))
                .build(),
        )
        .build();
    global::set_tracer_provider(provider.clone());
    Ok(TracesGuard(Some(provider)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn traces_path_is_added_once() {
        let u = |s: &str| url::Url::parse(s).unwrap();
        assert_eq!(traces_url(&u("http://c:4318")), "http://c:4318/v1/traces");
        assert_eq!(
            traces_url(&u("https://cloud.langfuse.com/api/public/otel")),
            "https://cloud.langfuse.com/api/public/otel/v1/traces"
        );
        assert_eq!(
            traces_url(&u("http://c:4318/v1/traces")),
            "http://c:4318/v1/traces"
        );
    }
}

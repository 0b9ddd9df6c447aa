use std::sync::Arc;

use axum::extract::FromRef;
use leptos::config::LeptosOptions;

use super::config::Config;
use super::health::HealthMonitor;
use super::identity::IdentityKeys;
use super::limits::{RateLimits, StreamSlots};
use super::runs::ActiveRuns;
use super::telemetry::sink::AnalyticsSink;
use crate::agentos::{AgentOsClient, AgentOsError, ClientOptions, Credentials};
use crate::api::ApiError;
use metrics_exporter_prometheus::PrometheusHandle;

/// Everything the server's handlers and server functions share. Cheap to clone.
#[derive(Clone)]
pub struct AppState {
    pub config: Arc<Config>,
    pub agentos: AgentOsClient,
    pub health: HealthMonitor,
    pub identity: IdentityKeys,
    pub runs: ActiveRuns,
    pub limits: RateLimits,
    pub streams: StreamSlots,
    pub analytics: AnalyticsSink,
    pub metrics: PrometheusHandle,
    pub leptos_options: LeptosOptions,
}

impl AppState {
    pub fn new(config: Config, leptos_options: LeptosOptions) -> Result<Self, AgentOsError> {
        let token_http = reqwest::Client::builder()
            .connect_timeout(config.connect_timeout)
            .user_agent(concat!("agno-chat/", env!("CARGO_PKG_VERSION")))
            .build()
            .map_err(|e| AgentOsError::Request(e.to_string()))?;
        let agentos = AgentOsClient::new(ClientOptions {
            base_url: config.agentos_url.clone(),
            credentials: Credentials::new(config.credentials.clone(), token_http.clone()),
            connect_timeout: config.connect_timeout,
            request_timeout: config.request_timeout,
        })?;
        let health = HealthMonitor::new(agentos.clone());
        let analytics = AnalyticsSink::new(
            config.telemetry.analytics_webhook.clone(),
            token_http.clone(),
        );
        let identity = IdentityKeys::with_trusted_header(
            config.cookie_key.as_ref(),
            config.trusted_user_header.clone(),
        )
        .always_secure(
            config
                .protection
                .public_origin
                .as_ref()
                .is_some_and(|u| u.scheme() == "https"),
        );
        let p = &config.protection;
        let limits = RateLimits::new(p.send_rate, p.call_rate);
        let streams = StreamSlots::new(p.max_streams_per_user, p.max_streams);
        Ok(Self {
            config: Arc::new(config),
            agentos,
            health,
            identity,
            runs: ActiveRuns::default(),
            limits,
            streams,
            analytics,
            metrics: super::telemetry::metrics::install(),
            leptos_options,
        })
    }
}

impl FromRef<AppState> for LeptosOptions {
    fn from_ref(state: &AppState) -> Self {
        state.leptos_options.clone()
    }
}

/// The server state inside a server function (provided as Leptos context by the router).
pub fn app_state() -> Result<AppState, ApiError> {
    leptos::prelude::use_context::<AppState>()
        .ok_or_else(|| ApiError::Internal("server state missing from context".into()))
}

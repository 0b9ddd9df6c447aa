use std::sync::Arc;

use axum::extract::FromRef;
use leptos::config::LeptosOptions;

use super::config::Config;
use super::health::HealthMonitor;
use super::history_cache::HistoryCache;
use super::history_cache::HistoryKey;
use super::identity::IdentityKeys;
use super::limits::{RateLimits, StreamSlots};
use super::ownership::{Ownership, SessionOwners};
use super::runs::ActiveRuns;
use super::sign_in::SignIn;
use super::swr::SwrCache;
use super::telemetry::sink::AnalyticsSink;
use crate::agentos::{AgentOsClient, AgentOsError, ClientOptions, Credentials};
use crate::error::ApiError;
use crate::model::Catalog;
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
    /// Copies of recently opened conversations (see `history_cache`).
    pub histories: HistoryCache,
    /// Conversations recently confirmed to be their caller's (see `ownership`).
    pub owners: SessionOwners,
    /// Redis, when the replicas share it (see `shared`).
    pub shared: Option<super::shared::Shared>,
    /// A conversation's share and feedback (see `annotations`).
    pub annotations: super::annotations::AnnotationStore,
    /// Seals and opens share links (see `sharing`).
    pub shares: super::sharing::ShareKeys,
    /// What people spend, for budgets and the usage pages (see `usage`).
    pub usage: super::usage::UsageBook,
    /// AgentOS's agents and teams: see [`AppState::catalog`].
    catalog: SwrCache<Catalog>,
}

/// A conversation's name in Redis.
fn generation_name(key: &HistoryKey) -> String {
    format!(
        "{}:{}:{}:{}",
        key.kind.query_key(),
        key.assistant,
        key.session,
        key.user
    )
}

/// How long the agents and teams are served without asking AgentOS again, and how long a
/// copy may be served while one request behind it refreshes it.
const CATALOG_FRESH_FOR: std::time::Duration = std::time::Duration::from_secs(30);
const CATALOG_STALE_FOR: std::time::Duration = std::time::Duration::from_secs(600);

impl AppState {
    /// Checks that a session or run is the caller's (see `ownership`).
    pub fn ownership(&self) -> Ownership<'_> {
        Ownership {
            agentos: &self.agentos,
            owners: &self.owners,
        }
    }

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
        use super::config::sign_in::Identification;
        let always_secure = config
            .protection
            .public_origin
            .as_ref()
            .is_some_and(|u| u.scheme() == "https");
        let mut identity = IdentityKeys::with_trusted_header(
            config.cookie_key.as_ref(),
            match &config.people.identification {
                Identification::TrustedHeader(h) => Some(h.clone()),
                _ => None,
            },
        )
        .always_secure(always_secure)
        .client_ip_from(config.protection.client_ip_source.clone())
        .with_policy(config.people.policy.clone());
        if let Identification::Oidc(settings) = &config.people.identification {
            let sign_in = SignIn::new(
                (**settings).clone(),
                identity.key().clone(),
                always_secure,
                config.connect_timeout,
            )
            .map_err(AgentOsError::Request)?;
            identity = identity.with_sign_in(sign_in);
            if let Ok(issuer) = url::Url::parse(&settings.provider.issuer) {
                super::security::allow_form_target(&issuer);
            }
        }
        let p = &config.protection;
        let limits =
            RateLimits::new(p.send_rate, p.call_rate).with_new_identities(p.new_identity_rate);
        let streams = StreamSlots::new(p.max_streams_per_user, p.max_streams);
        let histories = HistoryCache::new(config.history_cache_bytes, config.history_recheck);
        let owners = SessionOwners::default();
        let shares = super::sharing::ShareKeys::new(identity.key().master());
        let runs = ActiveRuns::with_owners(owners.clone());
        let annotations =
            super::annotations::AnnotationStore::new(agentos.clone(), owners.clone(), runs.clone());
        let usage = match &config.people.policy {
            Some(p) => {
                super::usage::UsageBook::new(agentos.clone(), p.prices().clone(), p.periods())
            }
            None => super::usage::UsageBook::new(agentos.clone(), Default::default(), Vec::new()),
        };
        Ok(Self {
            config: Arc::new(config),
            agentos,
            health,
            identity,
            runs,
            shared: None,
            annotations,
            limits,
            streams,
            analytics,
            metrics: super::telemetry::metrics::install(),
            leptos_options,
            histories,
            owners,
            shares,
            usage,
            catalog: SwrCache::new(CATALOG_FRESH_FOR, CATALOG_STALE_FOR),
        })
    }

    /// Keeps what the replicas must agree on in Redis (see `shared`).
    pub fn with_shared(mut self, shared: super::shared::Shared) -> Self {
        self.limits = self.limits.shared(shared.clone());
        self.streams = self.streams.shared(shared.clone());
        self.runs = self.runs.shared(shared.clone());
        self.usage = self.usage.shared(shared.clone());
        self.shared = Some(shared);
        self
    }

    /// How to load a conversation: `HistoryCache::plan`, after making sure that, with
    /// several replicas, a copy is used only if no replica changed the conversation's runs
    /// in place since it was made. Redis failing, the conversation is asked for in full.
    pub async fn history_plan(&self, key: &HistoryKey) -> super::history_cache::Plan {
        if let Some(shared) = &self.shared {
            match shared.history_generation(&generation_name(key)).await {
                Ok(g) => self.histories.check_generation(key, g),
                Err(e) => {
                    super::shared::failed("history", &e);
                    self.histories.forget(key);
                }
            }
        }
        self.histories.plan(key)
    }

    /// A conversation's runs changed in place (an answer regenerated, the conversation
    /// deleted): no copy of it, on any replica, is used again as it is.
    pub async fn history_changed(&self, key: &HistoryKey) {
        self.histories.forget(key);
        if let Some(shared) = &self.shared {
            if let Err(e) = shared.bump_history(&generation_name(key)).await {
                super::shared::failed("history", &e);
            }
        }
    }

    /// The agents and teams AgentOS serves (the same for every user: they are asked for
    /// with the service's credentials). Every page renders them on the server, so they are
    /// cached: a page never waits on AgentOS for them once a copy exists, and a change in
    /// AgentOS shows within `CATALOG_FRESH_FOR` plus one request.
    pub async fn catalog(&self) -> Result<Catalog, AgentOsError> {
        let agentos = self.agentos.clone();
        let configured = self.config.default_assistant();
        self.catalog
            .get(move || async move {
                let (agents, teams) = tokio::join!(agentos.agents(), agentos.teams());
                Ok(super::catalog::build_catalog(agents?, teams?, configured))
            })
            .await
    }

    /// Fetches the catalog in the background, so the first page after start-up need not
    /// wait for it. A failure here only means the first page asks again.
    pub fn warm_catalog(&self) {
        let state = self.clone();
        tokio::spawn(async move {
            if let Err(e) = state.catalog().await {
                tracing::debug!(error = %e, "could not load the agents and teams at start-up");
            }
        });
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

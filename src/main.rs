//! The agno-chat server: validates configuration, then serves the Leptos app, its server
//! functions and the health endpoints.

use agno_chat::server::{config::Config, logging, router, state::AppState, telemetry};
use leptos::config::get_configuration;

#[tokio::main]
async fn main() {
    let config = match Config::from_process() {
        Ok(c) => c,
        Err(e) => {
            eprintln!("{e}");
            std::process::exit(2);
        }
    };
    if let Err(e) = agno_chat::i18n::fluent::check() {
        eprintln!("agno-chat cannot start: the interface's languages: {e}");
        std::process::exit(2);
    }
    logging::init(config.log_format);
    // Error tracking and run traces, when configured; the guards flush at exit.
    let _sentry = telemetry::errors::init(&config.telemetry);
    let _traces = match telemetry::traces::init(&config.telemetry) {
        Ok(g) => g,
        Err(e) => {
            eprintln!("agno-chat cannot start: {e}");
            std::process::exit(2);
        }
    };

    let mut leptos_options = match get_configuration(None) {
        Ok(c) => c.leptos_options,
        Err(e) => {
            eprintln!("agno-chat cannot start: Leptos site settings (LEPTOS_* variables): {e}");
            std::process::exit(2);
        }
    };
    leptos_options.site_addr = config.listen;
    // cargo-leptos names the assets by content hash and lists the hashes in a file beside
    // the binary; use them whenever that file is there.
    if !leptos_options.hash_files {
        leptos_options.hash_files = std::env::current_exe()
            .ok()
            .and_then(|exe| {
                exe.parent()
                    .map(|dir| dir.join(leptos_options.hash_file.as_ref()))
            })
            .is_some_and(|path| path.exists());
    }
    let addr = config.listen;
    tracing::info!(
        agentos = %config.agentos_url,
        mode = ?config.mode,
        auth = config.credentials.name(),
        hitl = config.hitl_enabled,
        metrics_protected = config.telemetry.metrics_token.is_some(),
        otlp = config.telemetry.otlp_endpoint.is_some(),
        sentry = config.telemetry.sentry_dsn.is_some(),
        analytics_webhook = config.telemetry.analytics_webhook.is_some(),
        genui = config.genui_enabled,
        "configuration loaded"
    );

    let redis_url = config.redis_url.clone();
    let drain_for = config.drain;
    let mut state = match AppState::new(config, leptos_options) {
        Ok(s) => s,
        Err(e) => {
            eprintln!("agno-chat cannot start: {e}");
            std::process::exit(2);
        }
    };
    // Several replicas agree through Redis; one that cannot reach it would not.
    if let Some(url) = redis_url {
        match agno_chat::server::shared::Shared::connect(&url).await {
            Ok(shared) => {
                tracing::info!("rate limits, stream caps and run owners are shared in Redis");
                state = state.with_shared(shared);
            }
            Err(e) => {
                eprintln!("agno-chat cannot start: {e}");
                std::process::exit(2);
            }
        }
    }
    state.limits.spawn_sweeper();
    state.warm_catalog();
    // In the background: the first opened conversation then finds it ready.
    tokio::task::spawn_blocking(agno_chat::server::highlight::warm);
    let streams = state.streams.clone();
    let app = router::build(state, agno_chat::app::page_shell);

    let listener = match tokio::net::TcpListener::bind(addr).await {
        Ok(l) => l,
        Err(e) => {
            eprintln!("agno-chat cannot start: cannot listen on {addr} (AGNO_CHAT_LISTEN): {e}");
            std::process::exit(2);
        }
    };
    tracing::info!("agno-chat listening on http://{addr}");
    if let Err(e) = axum::serve(
        listener,
        // The peer's address, for limits on requests without an identity.
        app.into_make_service_with_connect_info::<std::net::SocketAddr>(),
    )
    .with_graceful_shutdown(shutdown_signal(drain_for))
    .await
    {
        tracing::error!(error = %e, "server stopped with an error");
        std::process::exit(1);
    }
    streams.settle().await;
    tracing::info!("stopped");
}

/// Resolves on Ctrl-C or SIGTERM, after which the server takes no new connections and
/// waits for those open; the answers streaming are drained first (see `server::drain`).
async fn shutdown_signal(drain_for: std::time::Duration) {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let term = async {
        if let Ok(mut s) = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate())
        {
            s.recv().await;
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! {
        _ = ctrl_c => {},
        _ = term => {},
    }
    tracing::info!("shutting down");
    agno_chat::server::drain::begin(drain_for);
    // Whatever is still open a little after the drain (a stuck connection) does not keep
    // the process from ending.
    tokio::spawn(async move {
        tokio::time::sleep(drain_for + std::time::Duration::from_secs(10)).await;
        tracing::warn!("connections still open after the drain; exiting");
        std::process::exit(0);
    });
}

//! The server's settings that the browser may know (limits, switches, help links). The
//! server writes them into the page it renders, and the browser reads them from there
//! while it hydrates: one context, there from the first render, with no request of its own.

use leptos::prelude::*;

use crate::codec::PageData;
use crate::model::PublicConfig;

/// The server's public settings. They do not change while a page is open, but for the
/// person's budget warning.
#[derive(Clone, Copy)]
pub struct Settings(StoredValue<PublicConfig>);

impl Settings {
    pub fn get(&self) -> PublicConfig {
        self.0.get_value()
    }

    pub fn with<T>(&self, f: impl FnOnce(&PublicConfig) -> T) -> T {
        self.0.with_value(f)
    }

    /// The newest warning that most of a budget is used (from an answer's end).
    pub fn note_budget(&self, notice: String) {
        self.0.update_value(|c| c.budget_notice = Some(notice));
    }
}

pub fn provide_settings() -> Settings {
    let shared = SharedValue::<_, PageData>::new_with_encoding(from_server);
    let settings = Settings(StoredValue::new(shared.into_inner()));
    provide_context(settings);
    settings
}

pub fn use_settings() -> Settings {
    expect_context::<Settings>()
}

/// The settings, where the page is rendered: the server's; in the browser (which reads
/// the server's from the page), the defaults, for a page that was not rendered there.
fn from_server() -> PublicConfig {
    #[cfg(feature = "ssr")]
    {
        let mut config = crate::server::state::app_state()
            .map(|s| s.config.public())
            .unwrap_or_default();
        let parts = use_context::<axum::http::request::Parts>();
        let extensions = parts.as_ref().map(|p| &p.extensions);
        config.account = extensions
            .and_then(|e| e.get::<crate::server::sign_in::Person>())
            .map(|p| p.name.clone());
        config.budget_notice = extensions
            .and_then(|e| e.get::<crate::server::budgets::BudgetNotice>())
            .map(|n| n.0.clone());
        config
    }
    #[cfg(not(feature = "ssr"))]
    {
        PublicConfig::default()
    }
}

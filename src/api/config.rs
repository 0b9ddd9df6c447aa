use leptos::prelude::*;

use super::ApiError;
use crate::model::PublicConfig;

/// The part of the configuration the browser may know (feature flags, help links, polling).
#[server(prefix = "/api", endpoint = "config")]
pub async fn fetch_public_config() -> Result<PublicConfig, ApiError> {
    let state = crate::server::state::app_state()?;
    Ok(state.config.public())
}

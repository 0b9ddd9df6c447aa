use leptos::prelude::*;
use leptos::server_fn::codec::Postcard;

use super::ApiError;
use crate::model::Catalog;

/// The agents and teams AgentOS serves, and the one to open by default.
#[server(prefix = "/api", endpoint = "assistants", output = Postcard)]
pub async fn list_assistants() -> Result<Catalog, ApiError> {
    let state = crate::server::state::app_state()?;
    Ok(state.catalog().await?)
}

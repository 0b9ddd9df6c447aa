use leptos::prelude::*;

use super::ApiError;
use crate::model::Catalog;

/// The agents and teams AgentOS serves, and the one to open by default.
#[server(prefix = "/api", endpoint = "components")]
pub async fn list_components() -> Result<Catalog, ApiError> {
    let state = crate::server::state::app_state()?;
    let (agents, teams) = tokio::join!(state.agentos.agents(), state.agentos.teams());
    let agents = agents?;
    let teams = teams?;
    Ok(crate::server::catalog::build_catalog(
        agents,
        teams,
        state.config.default_component(),
    ))
}

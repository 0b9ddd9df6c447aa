use leptos::prelude::*;
use leptos::server_fn::codec::Postcard;

use super::ApiError;
use crate::model::AgentOsStatus;

/// Whether AgentOS answers right now (cached briefly on the server so that many browsers
/// polling at once cost AgentOS one probe).
#[server(prefix = "/api", endpoint = "status", output = Postcard)]
pub async fn agentos_status() -> Result<AgentOsStatus, ApiError> {
    let state = crate::server::state::app_state()?;
    Ok(state.health.status().await)
}

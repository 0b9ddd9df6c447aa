use leptos::prelude::*;
use leptos::server_fn::codec::Postcard;

use super::ApiError;
use crate::model::Catalog;

/// The agents and teams AgentOS serves that the caller's roles include, and the one to
/// open by default.
#[server(prefix = "/api", endpoint = "assistants", output = Postcard)]
pub async fn list_assistants() -> Result<Catalog, ApiError> {
    let caller = crate::server::caller::Caller::get().await?;
    let catalog = caller.state.catalog().await?;
    Ok(crate::server::catalog::visible_to(catalog, &caller.access))
}

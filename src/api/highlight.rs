use leptos::prelude::*;
use leptos::server_fn::codec::Postcard;

use super::ApiError;

/// Syntax-highlighted HTML (CSS classes only) for a code block, or `None` to leave it plain.
#[server(prefix = "/api", endpoint = "highlight", output = Postcard)]
pub async fn highlight_code(lang: String, code: String) -> Result<Option<String>, ApiError> {
    // Highlighting is CPU work: cached, capped and taken in turns (see the function).
    Ok(crate::server::highlight::highlight_budgeted(lang, code).await)
}

use leptos::prelude::*;

use super::ApiError;

/// Syntax-highlighted HTML (CSS classes only) for a code block, or `None` to leave it plain.
#[server(prefix = "/api", endpoint = "highlight")]
pub async fn highlight_code(lang: String, code: String) -> Result<Option<String>, ApiError> {
    if code.len() > crate::server::highlight::MAX_CODE_BYTES {
        return Ok(None);
    }
    // Highlighting is CPU work: keep it off the async workers.
    tokio::task::spawn_blocking(move || crate::server::highlight::highlight(&lang, &code))
        .await
        .map_err(|e| ApiError::Internal(e.to_string()))
}

use leptos::prelude::*;
use leptos::server_fn::codec::Postcard;

use super::ApiError;

/// MathML for TeX found in an answer (`block`: a formula on its own line), or `None` to
/// leave it as TeX.
#[server(prefix = "/api", endpoint = "math", output = Postcard)]
pub async fn render_math(tex: String, block: bool) -> Result<Option<String>, ApiError> {
    crate::server::caller::Caller::get().await?;
    Ok(crate::server::math::to_mathml(&tex, block))
}

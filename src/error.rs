use leptos::server_fn::codec::PostcardEncoding;
use leptos::server_fn::error::{FromServerFnError, ServerFnErrorErr};
use serde::{Deserialize, Serialize};

/// Errors a server function reports to the browser. Messages are safe to show to users:
/// they never contain credentials or internal addresses.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, thiserror::Error)]
pub enum ApiError {
    /// AgentOS did not answer (connection refused, timeout). The message is for people;
    /// the technical cause went to the log.
    #[error("{0}")]
    Unavailable(String),
    /// AgentOS refused our credentials.
    #[error("This chat is not allowed to use the agent service right now ({0}). Please tell the people who run it.")]
    Unauthorized(String),
    /// AgentOS answered with an error; `detail` is its own explanation.
    #[error("The agent service could not do that: {detail}")]
    Upstream { status: u16, detail: String },
    /// The thing asked for does not exist, or is not the caller's.
    #[error("{0}")]
    NotFound(String),
    /// The request was invalid; the message says what to change.
    #[error("{0}")]
    Invalid(String),
    /// Too many requests from this user; the next one may come after `retry_after_s`.
    #[error("{message}")]
    RateLimited { retry_after_s: u64, message: String },
    /// The person's sign-in has ended (or never was): the browser sends them to sign in.
    #[error("{0}")]
    SignInRequired(String),
    /// Refused by agno-chat's own protections (a cross-origin request, for instance).
    #[error("{0}")]
    Forbidden(String),
    /// A fault inside agno-chat; the text is for the log (see `Debug`), not for people.
    #[error("Something went wrong in the chat server. Try again; if it keeps happening, please tell the people who run this chat.")]
    Internal(String),
    /// The browser could not reach the agno-chat server, or the reply was unreadable; the
    /// text is the browser's own, for error reports.
    #[error("The chat server could not be reached. Check your connection and try again.")]
    Transport(String),
}

/// Sent as postcard, like the answers the first load reads: the page then has no JSON
/// decoder of its own (see `codec`).
impl FromServerFnError for ApiError {
    type Encoder = PostcardEncoding;

    fn from_server_fn_error(value: ServerFnErrorErr) -> Self {
        match value {
            ServerFnErrorErr::Args(m) | ServerFnErrorErr::MissingArg(m) => ApiError::Invalid(m),
            // On the server this is an unreadable request body.
            #[cfg(feature = "ssr")]
            ServerFnErrorErr::Deserialization(m) => {
                ApiError::Invalid(format!("The request could not be read: {m}"))
            }
            ServerFnErrorErr::ServerError(m) => ApiError::Internal(m),
            other => ApiError::Transport(other.to_string()),
        }
    }

    /// Every server function's error passes here in the browser: an ended sign-in sends
    /// the person to sign in, back to this same address afterwards (the draft is kept in
    /// the browser's storage, so nothing typed is lost).
    fn de(data: leptos::server_fn::Bytes) -> Self {
        let e =
            <Self::Encoder as leptos::server_fn::Decodes<Self>>::decode(data).unwrap_or_else(|e| {
                Self::from_server_fn_error(ServerFnErrorErr::Deserialization(e.to_string()))
            });
        #[cfg(feature = "hydrate")]
        if matches!(e, ApiError::SignInRequired(_)) {
            crate::state::sign_in_again();
        }
        e
    }
}

impl ApiError {
    /// The HTTP status this error is answered with.
    pub fn status(&self) -> u16 {
        match self {
            ApiError::Invalid(_) => 400,
            ApiError::SignInRequired(_) => 401,
            ApiError::Forbidden(_) => 403,
            ApiError::NotFound(_) => 404,
            ApiError::RateLimited { .. } => 429,
            ApiError::Unauthorized(_) | ApiError::Upstream { .. } => 502,
            ApiError::Unavailable(_) => 503,
            ApiError::Internal(_) | ApiError::Transport(_) => 500,
        }
    }

    /// A "slow down" refusal that says when to try again.
    pub fn rate_limited(what: &str, retry_after_s: u64) -> Self {
        let s = retry_after_s.max(1);
        ApiError::RateLimited {
            retry_after_s: s,
            message: format!(
                "You are {what} faster than this chat allows. Try again in {s} second{}.",
                if s == 1 { "" } else { "s" }
            ),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::ApiError;

    #[test]
    fn people_read_what_happened_and_the_log_keeps_the_cause() {
        let internal = ApiError::Internal("no user identity on this request".into());
        assert!(!internal.to_string().contains("identity"));
        assert!(
            format!("{internal:?}").contains("identity"),
            "the log keeps it"
        );
        let transport = ApiError::Transport("TypeError: Failed to fetch".into());
        assert!(!transport.to_string().contains("TypeError"));
    }
}

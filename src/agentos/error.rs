use std::time::Duration;

use crate::error::ApiError;

/// What can go wrong talking to AgentOS.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum AgentOsError {
    /// No connection could be made (refused, DNS, TLS).
    #[error("cannot connect to AgentOS: {0}")]
    Connect(String),
    /// Connecting or the whole request took longer than allowed.
    #[error("AgentOS did not answer within {} ms", .0.as_millis())]
    Timeout(Duration),
    /// AgentOS answered with a non-success status; `detail` is AgentOS's explanation.
    #[error("AgentOS answered {status}: {detail}")]
    Status { status: u16, detail: String },
    /// The reply was not what the protocol promises.
    #[error("unreadable AgentOS reply: {0}")]
    Decode(String),
    /// No credential could be obtained for AgentOS (token endpoint down, unusable key).
    #[error("no AgentOS credential: {0}")]
    Credentials(String),
    /// The request could not be built or sent for another reason.
    #[error("request to AgentOS failed: {0}")]
    Request(String),
}

/// The innermost cause of an error, which says what went wrong (the outer ones wrap it
/// with the request's details).
pub(crate) fn root_cause(e: &(dyn std::error::Error + 'static)) -> String {
    let mut cur = e;
    while let Some(next) = cur.source() {
        cur = next;
    }
    cur.to_string()
}

impl AgentOsError {
    /// True when AgentOS itself could not be reached (as opposed to answering with an error).
    pub fn is_unreachable(&self) -> bool {
        matches!(self, AgentOsError::Connect(_) | AgentOsError::Timeout(_))
    }
}

/// Extracts AgentOS's explanation from an error body: `{"detail": "..."}`, a validation
/// error list `{"detail": [{"msg": ...}]}`, or the raw text as a last resort.
pub(crate) fn detail_from_body(body: &str) -> String {
    let trimmed = body.trim();
    if let Ok(value) = serde_json::from_str::<serde_json::Value>(trimmed) {
        match value.get("detail") {
            Some(serde_json::Value::String(s)) => return s.clone(),
            Some(serde_json::Value::Array(items)) => {
                let msgs: Vec<String> = items
                    .iter()
                    .map(|item| {
                        let msg = item
                            .get("msg")
                            .and_then(|m| m.as_str())
                            .unwrap_or("invalid");
                        let loc = item
                            .get("loc")
                            .and_then(|l| l.as_array())
                            .map(|parts| {
                                parts
                                    .iter()
                                    .map(|p| match p {
                                        serde_json::Value::String(s) => s.clone(),
                                        other => other.to_string(),
                                    })
                                    .collect::<Vec<_>>()
                                    .join(".")
                            })
                            .unwrap_or_default();
                        if loc.is_empty() {
                            msg.to_owned()
                        } else {
                            format!("{loc}: {msg}")
                        }
                    })
                    .collect();
                if !msgs.is_empty() {
                    return msgs.join("; ");
                }
            }
            Some(other) => return other.to_string(),
            None => {}
        }
    }
    if trimmed.is_empty() {
        "no details given".to_owned()
    } else {
        trimmed.chars().take(300).collect()
    }
}

/// What the browser is told when AgentOS fails: words for people; the cause goes to the log.
impl From<AgentOsError> for ApiError {
    fn from(e: AgentOsError) -> Self {
        use AgentOsError as E;
        match e {
            E::Connect(_) | E::Timeout(_) => {
                tracing::warn!(error = %e, "AgentOS could not be reached");
                ApiError::Unavailable(
                    "The agent service is not answering right now. Try again in a moment.".into(),
                )
            }
            E::Status { status, detail } if status == 401 || status == 403 => {
                ApiError::Unauthorized(detail)
            }
            E::Status { status, detail } => ApiError::Upstream { status, detail },
            E::Credentials(m) => ApiError::Unauthorized(m),
            E::Decode(m) => ApiError::Internal(format!("unexpected AgentOS reply: {m}")),
            E::Request(m) => ApiError::Internal(m),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn detail_string() {
        assert_eq!(
            detail_from_body(r#"{"detail":"Token has expired"}"#),
            "Token has expired"
        );
    }

    #[test]
    fn detail_validation_list() {
        let body = r#"{"detail":[{"type":"missing","loc":["body","message"],"msg":"Field required","input":null}]}"#;
        assert_eq!(detail_from_body(body), "body.message: Field required");
    }

    #[test]
    fn detail_falls_back_to_text() {
        assert_eq!(detail_from_body("Not Found"), "Not Found");
        assert_eq!(detail_from_body("   "), "no details given");
    }

    #[test]
    fn transcripts_error_bodies_keep_detail() {
        // Recorded AgentOS replies, when the shared transcripts are present.
        let dir =
            std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/agentos/transcripts");
        for (file, expected) in [
            ("70_err_unknown_agent.body", "Agent not found"),
            ("J04_jwt_agents_expired.body", "Token has expired"),
            (
                "A03_key_agents_noauth.body",
                "Authorization header required",
            ),
        ] {
            let Ok(body) = std::fs::read_to_string(dir.join(file)) else {
                continue;
            };
            assert_eq!(detail_from_body(&body), expected, "{file}");
        }
    }
}

#[cfg(test)]
mod api_error_tests {
    use super::*;

    #[test]
    fn people_read_what_happened_not_the_machinery() {
        let refused =
            AgentOsError::Connect("tcp connect error: Connection refused (os error 111)".into());
        let timeout = AgentOsError::Timeout(std::time::Duration::from_millis(3_000));
        for e in [refused, timeout] {
            let shown = ApiError::from(e).to_string();
            assert!(shown.contains("not answering"), "{shown}");
            for internal in ["os error", "tcp", "AgentOS", "ms"] {
                assert!(!shown.contains(internal), "{shown:?} shows {internal:?}");
            }
        }
    }
}

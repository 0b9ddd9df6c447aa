//! Ids of what AgentOS keeps: an assistant (agent or team), a session, a run. Each is its
//! own type, checked where it comes in (deserialized from a request, read from the
//! address, made from AgentOS's answers), so that an id that is not valid never reaches
//! AgentOS and one kind of id cannot be passed where another is meant.

use serde::{Deserialize, Serialize};

/// Whether `id` looks like an AgentOS id: 1 to 128 characters from `A-Z a-z 0-9 - _ . :`.
pub fn is_valid_id(id: &str) -> bool {
    !id.is_empty()
        && id.len() <= 128
        && id
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "-_.:".contains(c))
}

/// An id that is not one (see [`is_valid_id`]).
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("{what} is not valid: expected 1 to 128 characters from A-Z a-z 0-9 - _ . :")]
pub struct InvalidId {
    pub what: &'static str,
}

macro_rules! id_type {
    ($(#[$doc:meta])* $name:ident, $what:literal) => {
        $(#[$doc])*
        #[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
        #[serde(try_from = "String", into = "String")]
        pub struct $name(String);

        impl $name {
            pub fn new(id: impl Into<String>) -> Result<Self, InvalidId> {
                let id = id.into();
                if is_valid_id(&id) {
                    Ok(Self(id))
                } else {
                    Err(InvalidId { what: $what })
                }
            }

            pub fn as_str(&self) -> &str {
                &self.0
            }
        }

        impl TryFrom<String> for $name {
            type Error = InvalidId;
            fn try_from(id: String) -> Result<Self, InvalidId> {
                Self::new(id)
            }
        }

        impl From<$name> for String {
            fn from(id: $name) -> String {
                id.0
            }
        }

        impl std::ops::Deref for $name {
            type Target = str;
            fn deref(&self) -> &str {
                &self.0
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(&self.0)
            }
        }

        impl PartialEq<str> for $name {
            fn eq(&self, other: &str) -> bool {
                self.0 == other
            }
        }

        /// Tests write ids as literals.
        #[cfg(test)]
        impl From<&str> for $name {
            fn from(id: &str) -> Self {
                Self::new(id).unwrap()
            }
        }

        impl PartialEq<&str> for $name {
            fn eq(&self, other: &&str) -> bool {
                self.0 == *other
            }
        }
    };
}

id_type!(
    /// The id of an agent or team.
    AssistantId,
    "the agent or team id"
);
id_type!(
    /// The id of a session (a conversation).
    SessionId,
    "the session id"
);
id_type!(
    /// The id of a run (one answer).
    RunId,
    "the run id"
);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids() {
        assert!(is_valid_id("5cc36f7c-475b-4131-8a0a-5f34cecfd179"));
        assert!(is_valid_id("echo-agent"));
        assert!(!is_valid_id(""));
        assert!(!is_valid_id("../etc"));
        assert!(!is_valid_id(&"a".repeat(129)));
    }

    #[test]
    fn ids_are_checked_when_deserialized() {
        let s: SessionId = serde_json::from_str("\"5cc36f7c-475b\"").unwrap();
        assert_eq!(s, "5cc36f7c-475b");
        assert_eq!(serde_json::to_string(&s).unwrap(), "\"5cc36f7c-475b\"");
        let err = serde_json::from_str::<RunId>("\"../admin\"").unwrap_err();
        assert!(err.to_string().contains("the run id is not valid"), "{err}");
        assert!(AssistantId::new("").is_err());
    }
}

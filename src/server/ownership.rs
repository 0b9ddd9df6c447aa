//! Whose a session or run is. Every id the browser sends is trusted only once AgentOS
//! finds it among the caller's: another user's session or run is "not found".
//!
//! Conversations recently confirmed to be a user's are remembered, so that sending into
//! one does not ask AgentOS again each time (a session's owner never changes; a deleted
//! one is forgotten). Confirmed by AgentOS's answer, by an opened history, or by a run of
//! the user in it.

use std::time::Duration;

use super::history_cache::HistoryKey;
use crate::agentos::AgentOsClient;
use crate::error::ApiError;
use crate::model::{AssistantId, AssistantKind, RunId, SessionId};

/// How long a confirmation is trusted, and how many are kept.
const TRUST_FOR: Duration = Duration::from_secs(600);
const MOST: u64 = 100_000;

/// Cheap to clone. Bounded in count and age by `moka` (LRU-like eviction with a TTL),
/// which is made for exactly this and already safe under concurrent use.
#[derive(Clone)]
pub struct SessionOwners(moka::sync::Cache<HistoryKey, ()>);

impl Default for SessionOwners {
    fn default() -> Self {
        Self(
            moka::sync::Cache::builder()
                .max_capacity(MOST)
                .time_to_live(TRUST_FOR)
                .build(),
        )
    }
}

impl SessionOwners {
    pub fn confirmed(&self, key: &HistoryKey) -> bool {
        self.0.contains_key(key)
    }

    pub fn remember(&self, key: HistoryKey) {
        self.0.insert(key, ());
    }

    pub fn forget(&self, key: &HistoryKey) {
        self.0.invalidate(key);
    }
}

/// Whose a session is, as far as the caller may know.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Owner {
    /// The caller's, with this agent or team.
    Caller,
    /// AgentOS has no such session (deleted, or AgentOS's store was reset).
    Missing,
    /// Someone else's, or with another agent or team.
    Other,
}

/// Ownership checks against AgentOS, with the confirmations remembered (see
/// [`SessionOwners`]). Made by `AppState::ownership`.
pub struct Ownership<'a> {
    pub agentos: &'a AgentOsClient,
    pub owners: &'a SessionOwners,
}

impl Ownership<'_> {
    /// Whether the session exists, belongs to `user_id` and is with this agent or team (else
    /// "not found"). A confirmation is remembered for a while (see [`SessionOwners`]).
    pub async fn owned_session(
        &self,
        kind: AssistantKind,
        assistant_id: &AssistantId,
        session_id: &SessionId,
        user_id: &str,
    ) -> Result<(), ApiError> {
        match self
            .session_owner(kind, assistant_id, session_id, user_id)
            .await?
        {
            Owner::Caller => Ok(()),
            Owner::Missing | Owner::Other => Err(ApiError::NotFound(
                "That conversation was not found.".into(),
            )),
        }
    }

    pub async fn session_owner(
        &self,
        kind: AssistantKind,
        assistant_id: &AssistantId,
        session_id: &SessionId,
        user_id: &str,
    ) -> Result<Owner, ApiError> {
        let key = HistoryKey::new(user_id, kind, assistant_id, session_id);
        if self.owners.confirmed(&key) {
            return Ok(Owner::Caller);
        }
        let record = match self.agentos.get_session(kind, session_id, user_id).await {
            Ok(r) => r,
            Err(crate::agentos::AgentOsError::Status { status: 404, .. }) => {
                return Ok(Owner::Missing)
            }
            Err(e) => return Err(e.into()),
        };
        if owner_of(&record, kind, assistant_id, user_id) != Owner::Caller {
            return Ok(Owner::Other);
        }
        self.owners.remember(key);
        Ok(Owner::Caller)
    }

    /// The caller's session as AgentOS stores it now (never a remembered confirmation:
    /// for reading its metadata), or "not found".
    pub async fn owned_session_record(
        &self,
        kind: AssistantKind,
        assistant_id: &AssistantId,
        session_id: &SessionId,
        user_id: &str,
    ) -> Result<crate::agentos::types::SessionRecord, ApiError> {
        let not_found = || ApiError::NotFound("That conversation was not found.".into());
        let record = match self.agentos.get_session(kind, session_id, user_id).await {
            Ok(r) => r,
            Err(crate::agentos::AgentOsError::Status { status: 404, .. }) => {
                return Err(not_found())
            }
            Err(e) => return Err(e.into()),
        };
        if owner_of(&record, kind, assistant_id, user_id) != Owner::Caller {
            return Err(not_found());
        }
        self.owners
            .remember(HistoryKey::new(user_id, kind, assistant_id, session_id));
        Ok(record)
    }

    /// One run of one of the caller's sessions, as AgentOS stores it (raw JSON, read by
    /// `chat::hitl`): a run id from the browser is only trusted once it is found in a session
    /// that is the caller's. AgentOS looks the run up inside that session, so another
    /// session's run, or another user's, is "not found".
    pub async fn owned_run(
        &self,
        kind: AssistantKind,
        assistant_id: &AssistantId,
        session_id: &SessionId,
        run_id: &RunId,
        user_id: &str,
    ) -> Result<serde_json::Value, ApiError> {
        let not_found = || ApiError::NotFound("That answer was not found.".into());
        self.owned_session(kind, assistant_id, session_id, user_id)
            .await?;
        let run = match self
            .agentos
            .get_run(kind, assistant_id, run_id, session_id, user_id)
            .await
        {
            Ok(r) => r,
            Err(crate::agentos::AgentOsError::Status { status: 404, .. }) => {
                tracing::warn!(%run_id, "run access refused: not in the caller's session");
                return Err(not_found());
            }
            Err(e) => return Err(e.into()),
        };
        let field = |name: &str| run.get(name).and_then(|v| v.as_str());
        // Defence in depth: whatever AgentOS returns must be that run of that session.
        if field("run_id").is_some_and(|r| r != run_id.as_str())
            || field("session_id").is_some_and(|s| s != session_id.as_str())
        {
            tracing::warn!(%run_id, "run access refused: AgentOS answered with another run");
            return Err(not_found());
        }
        Ok(run)
    }
}

/// Whether AgentOS's `record` is `user_id`'s session with this agent or team.
fn owner_of(
    record: &crate::agentos::types::SessionRecord,
    kind: AssistantKind,
    assistant_id: &AssistantId,
    user_id: &str,
) -> Owner {
    let assistant = match kind {
        AssistantKind::Agent => record.agent_id.as_deref(),
        AssistantKind::Team => record.team_id.as_deref(),
    };
    if record.user_id.as_deref() != Some(user_id) || assistant != Some(assistant_id.as_str()) {
        tracing::warn!(session_id = %record.session_id, "session access refused: not the caller's");
        return Owner::Other;
    }
    Owner::Caller
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_confirmation_is_for_that_user_component_and_session_only() {
        let owners = SessionOwners::default();
        let key = HistoryKey::new("alice", AssistantKind::Agent, &"echo".into(), &"s1".into());
        owners.remember(key.clone());
        assert!(owners.confirmed(&key));
        assert!(!owners.confirmed(&HistoryKey::new(
            "bob",
            AssistantKind::Agent,
            &"echo".into(),
            &"s1".into()
        )));
        assert!(!owners.confirmed(&HistoryKey::new(
            "alice",
            AssistantKind::Team,
            &"echo".into(),
            &"s1".into()
        )));
        assert!(!owners.confirmed(&HistoryKey::new(
            "alice",
            AssistantKind::Agent,
            &"other".into(),
            &"s1".into()
        )));
        owners.forget(&key);
        assert!(!owners.confirmed(&key));
    }
}

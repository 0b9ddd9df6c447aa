//! Conversations recently confirmed to be a user's, so that sending into one does not ask
//! AgentOS again each time (a session's owner never changes; a deleted one is forgotten).
//! Confirmed by AgentOS's answer, by an opened history, or by a run of the user in it.

use std::time::Duration;

use super::history_cache::HistoryKey;

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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::ComponentKind;

    #[test]
    fn a_confirmation_is_for_that_user_component_and_session_only() {
        let owners = SessionOwners::default();
        let key = HistoryKey::new("alice", ComponentKind::Agent, "echo", "s1");
        owners.remember(key.clone());
        assert!(owners.confirmed(&key));
        assert!(!owners.confirmed(&HistoryKey::new("bob", ComponentKind::Agent, "echo", "s1")));
        assert!(!owners.confirmed(&HistoryKey::new("alice", ComponentKind::Team, "echo", "s1")));
        assert!(!owners.confirmed(&HistoryKey::new(
            "alice",
            ComponentKind::Agent,
            "other",
            "s1"
        )));
        owners.forget(&key);
        assert!(!owners.confirmed(&key));
    }
}

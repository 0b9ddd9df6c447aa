//! Runs streaming right now, and whose they are: only the user who started a run may stop it.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use super::history_cache::HistoryKey;
use super::ownership::SessionOwners;
use crate::model::{AssistantId, AssistantKind, SessionId};

#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct ActiveRun {
    pub user_id: String,
    pub kind: AssistantKind,
    pub assistant_id: String,
    pub session_id: Option<String>,
}

#[derive(Clone, Default)]
pub struct ActiveRuns {
    runs: Arc<Mutex<HashMap<String, ActiveRun>>>,
    /// Told of every claimed run's session: a run of a user in a session is proof that
    /// the session is theirs (AgentOS made it for them, or it was checked before the
    /// claim), so the next message into it need not ask AgentOS.
    owners: Option<SessionOwners>,
    /// Where every replica records who runs what (see `shared`), when configured.
    shared: Option<super::shared::Shared>,
}

impl ActiveRuns {
    /// Registers runs, and tells `owners` whose sessions they run in.
    pub fn with_owners(owners: SessionOwners) -> Self {
        Self {
            runs: Arc::default(),
            owners: Some(owners),
            shared: None,
        }
    }

    /// Also records the runs in Redis, so that their owner can stop them through any
    /// replica.
    pub fn shared(mut self, shared: super::shared::Shared) -> Self {
        self.shared = Some(shared);
        self
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<String, ActiveRun>> {
        self.runs.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Registers `run_id` as `run`'s user's, unless another user holds it: an entry is
    /// never handed from one user to another. `false` when someone else holds it.
    pub fn claim(&self, run_id: &str, run: ActiveRun) -> bool {
        let mut runs = self.lock();
        if runs
            .get(run_id)
            .is_some_and(|held| held.user_id != run.user_id)
        {
            return false;
        }
        let session = run.session_id.clone().and_then(|s| SessionId::new(s).ok());
        let assistant = AssistantId::new(run.assistant_id.clone()).ok();
        if let (Some(owners), Some(session), Some(assistant)) = (&self.owners, session, assistant) {
            owners.remember(HistoryKey::new(
                &run.user_id,
                run.kind,
                &assistant,
                &session,
            ));
        }
        if let Some(shared) = self.shared.clone() {
            let (id, user) = (run_id.to_owned(), run.user_id.clone());
            let record = serde_json::to_string(&run).unwrap_or_default();
            tokio::spawn(async move {
                match shared.claim_run(&id, &user, &record).await {
                    Ok(true) => {}
                    Ok(false) => {
                        tracing::warn!(run_id = %id, "a run is recorded as another user's in Redis")
                    }
                    // Stop then works through this replica only.
                    Err(e) => super::shared::failed("run_owners", &e),
                }
            });
        }
        runs.insert(run_id.to_owned(), run);
        true
    }

    /// Forgets `run_id` if `user_id` holds it.
    pub fn release(&self, run_id: &str, user_id: &str) {
        let mut runs = self.lock();
        if runs.get(run_id).is_some_and(|r| r.user_id == user_id) {
            runs.remove(run_id);
            if let Some(shared) = self.shared.clone() {
                let (id, user) = (run_id.to_owned(), user_id.to_owned());
                tokio::spawn(async move {
                    // Left behind, it expires on its own.
                    if let Err(e) = shared.release_run(&id, &user).await {
                        super::shared::failed("run_owners", &e);
                    }
                });
            }
        }
    }

    /// The run, if it is active on any replica and belongs to `user_id` (this replica's
    /// own runs are known without asking Redis).
    pub async fn owned_anywhere(&self, run_id: &str, user_id: &str) -> Option<ActiveRun> {
        if let Some(run) = self.owned_by(run_id, user_id) {
            return Some(run);
        }
        let shared = self.shared.as_ref()?;
        match shared.run(run_id).await {
            Ok(record) => record
                .and_then(|r| serde_json::from_str::<ActiveRun>(&r).ok())
                .filter(|r| r.user_id == user_id),
            Err(e) => {
                super::shared::failed("run_owners", &e);
                None
            }
        }
    }

    /// The run, if it is active and belongs to `user_id`.
    pub fn owned_by(&self, run_id: &str, user_id: &str) -> Option<ActiveRun> {
        self.lock()
            .get(run_id)
            .filter(|r| r.user_id == user_id)
            .cloned()
    }

    /// Whether a run of `session_id` is streaming through this server now.
    pub fn session_busy(&self, session_id: &str) -> bool {
        self.lock()
            .values()
            .any(|r| r.session_id.as_deref() == Some(session_id))
    }

    pub fn len(&self) -> usize {
        self.lock().len()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

/// The runs one stream has claimed, released when the stream ends however it ends (a
/// start that fails, a timeout, the browser going away, a panic).
pub struct Claims {
    runs: ActiveRuns,
    user_id: String,
    held: Vec<String>,
}

impl Claims {
    pub fn new(runs: ActiveRuns, user_id: &str) -> Self {
        Self {
            runs,
            user_id: user_id.to_owned(),
            held: Vec::new(),
        }
    }

    /// Claims `run_id` for this stream's user (see [`ActiveRuns::claim`]).
    pub fn claim(&mut self, run_id: &str, run: ActiveRun) -> bool {
        debug_assert_eq!(run.user_id, self.user_id);
        if !self.runs.claim(run_id, run) {
            return false;
        }
        if !self.held.iter().any(|r| r == run_id) {
            self.held.push(run_id.to_owned());
        }
        true
    }
}

impl Drop for Claims {
    fn drop(&mut self) {
        for run_id in &self.held {
            self.runs.release(run_id, &self.user_id);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn run(user: &str) -> ActiveRun {
        ActiveRun {
            user_id: user.into(),
            kind: AssistantKind::Agent,
            assistant_id: "echo-agent".into(),
            session_id: Some("s1".into()),
        }
    }

    #[test]
    fn an_entry_is_never_handed_to_another_user() {
        let runs = ActiveRuns::default();
        assert!(runs.claim("r1", run("alice")));
        assert!(
            !runs.claim("r1", run("bob")),
            "bob must not take alice's run"
        );
        assert_eq!(runs.owned_by("r1", "alice"), Some(run("alice")));
        assert_eq!(runs.owned_by("r1", "bob"), None);
        assert!(runs.session_busy("s1") && !runs.session_busy("s2"));
        assert!(
            runs.claim("r1", run("alice")),
            "the owner may claim it again"
        );
        runs.release("r1", "bob");
        assert_eq!(runs.len(), 1, "only the owner releases it");
        runs.release("r1", "alice");
        assert!(runs.is_empty());
    }

    #[test]
    fn a_claimed_run_confirms_its_session_for_its_user_only() {
        let owners = SessionOwners::default();
        let runs = ActiveRuns::with_owners(owners.clone());
        let key = |user: &str| {
            HistoryKey::new(
                user,
                AssistantKind::Agent,
                &"echo-agent".into(),
                &"s1".into(),
            )
        };
        assert!(runs.claim("r1", run("alice")));
        assert!(owners.confirmed(&key("alice")));
        assert!(!runs.claim("r1", run("bob")));
        assert!(
            !owners.confirmed(&key("bob")),
            "a refused claim proves nothing"
        );
    }

    #[test]
    fn claims_are_released_when_the_stream_ends_on_any_path() {
        let runs = ActiveRuns::default();
        {
            let mut claims = Claims::new(runs.clone(), "alice");
            assert!(claims.claim("r1", run("alice")));
            assert!(claims.claim("r1", run("alice")));
            assert_eq!(runs.len(), 1);
        }
        assert!(runs.is_empty(), "dropped with the stream");

        assert!(runs.claim("r2", run("alice")));
        {
            let mut bobs = Claims::new(runs.clone(), "bob");
            assert!(!bobs.claim("r2", run("bob")));
        }
        assert_eq!(
            runs.owned_by("r2", "alice"),
            Some(run("alice")),
            "a refused claim releases nothing of the holder's"
        );
    }
}

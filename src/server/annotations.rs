//! Reads and writes a conversation's annotations (its share link, the feedback on its
//! answers: `chat::annotations`) in its AgentOS session's metadata, for the session's
//! owner only.
//!
//! AgentOS replaces a session's metadata wholesale, so a write is a read, a merge and a
//! write back, one at a time per conversation on this server. A run saves its session
//! when it ends, with the metadata it read when it started: a write made while a run of
//! the conversation streams would be lost, so it is made again once that run has ended.

use std::sync::Arc;
use std::time::Duration;

use futures::lock::Mutex;

use super::ownership::{Ownership, SessionOwners};
use super::runs::ActiveRuns;
use crate::agentos::AgentOsClient;
use crate::chat::annotations::Annotations;
use crate::error::ApiError;
use crate::model::{AssistantId, AssistantKind, SessionId};

/// Which conversation, and whose.
#[derive(Clone, Debug)]
pub struct Place {
    pub kind: AssistantKind,
    pub assistant_id: AssistantId,
    pub session_id: SessionId,
    pub user_id: String,
}

/// How long a write waits for a run of its conversation to end before it is made again;
/// runs longer than this keep the write only if they end before it is given up.
const WAIT_FOR_RUN: Duration = Duration::from_secs(30 * 60);
/// After the run's stream ended, AgentOS may still be saving the session.
const AFTER_RUN: Duration = Duration::from_secs(1);

/// Reads and writes annotations: one lock per conversation being written, and the
/// writes waiting for a run to end. Cheap to clone.
#[derive(Clone)]
pub struct AnnotationStore {
    agentos: AgentOsClient,
    owners: SessionOwners,
    runs: ActiveRuns,
    locks: moka::sync::Cache<String, Arc<Mutex<()>>>,
    waiting: moka::sync::Cache<String, Annotations>,
}

impl AnnotationStore {
    pub fn new(agentos: AgentOsClient, owners: SessionOwners, runs: ActiveRuns) -> Self {
        Self {
            agentos,
            owners,
            runs,
            locks: moka::sync::Cache::builder()
                .max_capacity(10_000)
                .time_to_idle(Duration::from_secs(600))
                .build(),
            waiting: moka::sync::Cache::builder()
                .max_capacity(10_000)
                .time_to_live(WAIT_FOR_RUN + Duration::from_secs(60))
                .build(),
        }
    }

    fn lock(&self, session_id: &str) -> Arc<Mutex<()>> {
        self.locks
            .get_with_by_ref(session_id, || Arc::new(Mutex::new(())))
    }

    fn ownership(&self) -> Ownership<'_> {
        Ownership {
            agentos: &self.agentos,
            owners: &self.owners,
        }
    }

    /// The conversation's annotations as stored now; "not found" unless it is the
    /// caller's.
    pub async fn read(&self, at: &Place) -> Result<Annotations, ApiError> {
        let record = self
            .ownership()
            .owned_session_record(at.kind, &at.assistant_id, &at.session_id, &at.user_id)
            .await?;
        Ok(parsed(&at.session_id, record.metadata.as_ref()))
    }

    /// Changes the conversation's annotations with `change` and stores them; returns
    /// what `change` returned. Nothing is stored when `change` refuses.
    pub async fn update<T>(
        &self,
        at: &Place,
        change: impl FnOnce(&mut Annotations) -> Result<T, ApiError>,
    ) -> Result<T, ApiError> {
        let lock = self.lock(&at.session_id);
        let _held = lock.lock().await;
        let record = self
            .ownership()
            .owned_session_record(at.kind, &at.assistant_id, &at.session_id, &at.user_id)
            .await?;
        let mut annotations = parsed(&at.session_id, record.metadata.as_ref());
        let out = change(&mut annotations)?;
        let metadata = annotations.merged_into(record.metadata);
        self.agentos
            .set_session_metadata(at.kind, &at.session_id, &at.user_id, &metadata)
            .await?;
        if self.runs.session_busy(&at.session_id) {
            self.again_after_run(at, annotations);
        }
        Ok(out)
    }

    /// Makes the write again once the conversation's run has ended (see the module).
    fn again_after_run(&self, at: &Place, annotations: Annotations) {
        let already = self.waiting.contains_key(at.session_id.as_str());
        self.waiting.insert(at.session_id.to_string(), annotations);
        if already {
            return;
        }
        let (store, at) = (self.clone(), at.clone());
        tokio::spawn(async move {
            let started = tokio::time::Instant::now();
            while store.runs.session_busy(&at.session_id) && started.elapsed() < WAIT_FOR_RUN {
                tokio::time::sleep(Duration::from_millis(500)).await;
            }
            tokio::time::sleep(AFTER_RUN).await;
            match store.write_again(&at).await {
                Ok(true) => {
                    tracing::info!(session_id = %at.session_id, "annotations written again after a run")
                }
                Ok(false) => {}
                Err(e) => {
                    tracing::warn!(session_id = %at.session_id, error = %e, "annotations could not be written again after a run")
                }
            }
        });
    }

    /// Writes the waiting annotations unless they are stored already; whether it wrote.
    async fn write_again(&self, at: &Place) -> Result<bool, ApiError> {
        let lock = self.lock(&at.session_id);
        let _held = lock.lock().await;
        let Some(wanted) = self.waiting.remove(at.session_id.as_str()) else {
            return Ok(false);
        };
        let record = self
            .ownership()
            .owned_session_record(at.kind, &at.assistant_id, &at.session_id, &at.user_id)
            .await?;
        if parsed(&at.session_id, record.metadata.as_ref()) == wanted {
            return Ok(false);
        }
        let metadata = wanted.merged_into(record.metadata);
        self.agentos
            .set_session_metadata(at.kind, &at.session_id, &at.user_id, &metadata)
            .await?;
        Ok(true)
    }
}

/// The annotations in `metadata`; a shape this version does not read is logged and
/// read as none (and replaced by the next write).
fn parsed(session_id: &SessionId, metadata: Option<&serde_json::Value>) -> Annotations {
    Annotations::read(metadata).unwrap_or_else(|why| {
        tracing::warn!(%session_id, error = %why, "the session's annotations could not be read");
        Annotations::default()
    })
}

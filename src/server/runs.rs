//! Runs streaming right now, and whose they are: only the user who started a run may stop it.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use crate::model::ComponentKind;

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ActiveRun {
    pub user_id: String,
    pub kind: ComponentKind,
    pub component_id: String,
    pub session_id: Option<String>,
}

#[derive(Clone, Default)]
pub struct ActiveRuns(Arc<Mutex<HashMap<String, ActiveRun>>>);

impl ActiveRuns {
    pub fn insert(&self, run_id: String, run: ActiveRun) {
        self.0
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .insert(run_id, run);
    }

    pub fn remove(&self, run_id: &str) {
        self.0
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .remove(run_id);
    }

    /// The run, if it is active and belongs to `user_id`.
    pub fn owned_by(&self, run_id: &str, user_id: &str) -> Option<ActiveRun> {
        self.0
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .get(run_id)
            .filter(|r| r.user_id == user_id)
            .cloned()
    }

    pub fn len(&self) -> usize {
        self.0.lock().unwrap_or_else(|e| e.into_inner()).len()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

//! The versions of the conversation's turns: regenerating an answer, editing a question,
//! and moving between the versions, the conversation below following the version shown.
//! The versions are a tree (`chat::branches::Tree`) over every turn made (`all`); the
//! turns shown (`data.turns`) are its path. Part of the conversation's lazily loaded
//! code (see `lazy`): only its views call it.

use leptos::prelude::*;

use super::*;
use crate::chat::branches::Tree;

impl ChatState {
    /// Shows these turns (every version, in the order they were made) as `tree` says.
    pub(super) fn show_versions(&self, all: Vec<Turn>, tree: Tree) {
        self.all.set_value(all);
        self.tree.set_value(tree);
        self.show_path();
    }

    /// Places a new message's turn after the last turn shown; returns the run it follows
    /// (empty when none), which the server records with the run.
    #[cfg(feature = "hydrate")]
    pub(super) fn place(&self, turn_id: u64) -> String {
        let Some(turn) = self.turn(turn_id, Turn::clone) else {
            return String::new();
        };
        let follows = self.tree.with_value(|tree| {
            self.all.with_value(|all| {
                tree.path()
                    .iter()
                    .rev()
                    .find_map(|&i| all[i].answer.with_untracked(|a| a.run_id.clone()))
                    .map(String::from)
                    .unwrap_or_default()
            })
        });
        self.tree.update_value(|tree| {
            tree.add(tree.last());
        });
        self.all.update_value(|all| all.push(turn));
        follows
    }

    /// Takes back the turn placed last, if it is `turn_id` (a message not sent).
    #[cfg(feature = "hydrate")]
    pub(super) fn unplace(&self, turn_id: u64) {
        if self.all.with_value(|all| all.last().map(|t| t.id)) == Some(turn_id) {
            self.all.update_value(|all| {
                all.pop();
            });
            self.tree.update_value(Tree::pop);
        }
    }

    /// Which version turn `turn_id` is (from 1) and how many versions its turn has
    /// (tracked: changes when a version is added or another is shown).
    pub fn version(&self, turn_id: u64) -> (usize, usize) {
        self.data.versions().track();
        self.index_of(turn_id)
            .map_or((1, 1), |i| self.tree.with_value(|t| t.version(i)))
    }

    /// Shows the version `step` places away from turn `turn_id`'s (-1: the one before),
    /// and the conversation that follows it. Not while an answer streams.
    pub fn show_version(&self, turn_id: u64, step: isize) {
        if self.data.streaming().get_untracked().is_some() {
            return;
        }
        let Some(i) = self.index_of(turn_id) else {
            return;
        };
        let mut moved = false;
        self.tree
            .update_value(|t| moved = t.step(i, step).is_some());
        if moved {
            self.show_path();
            self.data.announcement().set(t("announce-version"));
        }
    }

    /// Asks for another answer to turn `turn_id`'s question, as another version of it.
    pub fn regenerate(&self, turn_id: u64) {
        self.branch(turn_id, None);
    }

    /// Asks `text` in place of turn `turn_id`'s question: the conversation goes on from
    /// there as another version, the old one kept. `Err` says why it was not sent (the
    /// text stays where it was typed).
    pub fn edit(&self, turn_id: u64, text: &str) -> Result<(), String> {
        let text =
            crate::chat::validate::clean_message(text, self.settings.with(|s| s.max_input_chars))
                .map_err(|e| e.to_string())?;
        self.branch(turn_id, Some(text));
        Ok(())
    }

    fn branch(&self, turn_id: u64, edit: Option<String>) {
        if self.data.streaming().get_untracked().is_some() {
            return;
        }
        let (Some(assistant), Some(session_id), Some(i)) = (
            self.data.assistant().get_untracked(),
            self.data.session_id().get_untracked(),
            self.index_of(turn_id),
        ) else {
            return;
        };
        let (question, attachments, run_id) = self.all.with_value(|all| {
            let t = &all[i];
            let run_id = t.answer.with_untracked(|a| a.run_id.clone());
            (t.question.clone(), t.attachments.clone(), run_id)
        });
        let Some(run_id) = run_id else {
            return;
        };
        let id = self.next_id.get_value();
        self.next_id.set_value(id + 1);
        let answer = ArcStore::new(Answer::new());
        let turn = Turn {
            id,
            question: edit.clone().unwrap_or(question),
            answer: answer.clone(),
            at: now_epoch(),
            // AgentOS keeps the files of the question with each of its versions.
            attachments,
        };
        let req = crate::api::BranchRequest {
            kind: assistant.kind,
            assistant_id: assistant.id,
            session_id,
            run_id,
            edit,
        };
        #[cfg(feature = "hydrate")]
        {
            let this = *self;
            let answer = answer.clone();
            self.spawn_stream(async move { this.branch_into(req, id, answer).await });
        }
        #[cfg(not(feature = "hydrate"))]
        let _ = (req, answer);
        self.all.update_value(|all| all.push(turn));
        self.tree.update_value(|t| {
            t.add_version(i);
        });
        self.show_path();
        self.data.streaming().set(Some(id));
        self.stream_clock
            .set_value((crate::state::analytics::now_ms(), None));
        self.data.announcement().set(t("announce-sent"));
    }

    fn index_of(&self, turn_id: u64) -> Option<usize> {
        self.all
            .with_value(|all| all.iter().position(|t| t.id == turn_id))
    }

    /// Shows the turns along the versions chosen.
    fn show_path(&self) {
        let turns: Vec<Turn> = self.tree.with_value(|tree| {
            self.all
                .with_value(|all| tree.path().into_iter().map(|i| all[i].clone()).collect())
        });
        self.data.turns().set(turns);
        self.data.versions().update(|v| *v = v.wrapping_add(1));
    }
}

//! The versions of a conversation's turns: a regenerated answer or an edited question is
//! another version of its turn, and the conversation below a turn follows the version
//! shown. Plain data: a tree of turns, each with the turn it follows, and for each turn
//! the version chosen among those that follow the same one.
//!
//! AgentOS stores every version as a run of the session: a regeneration or an edit is a
//! run `forked_from_run_id` its source; a regenerated source is marked `REGENERATED`.
//! Which turn an ordinary run follows is not stored by AgentOS, so agno-chat records it
//! in the run's metadata when it sends (see [`PARENT_KEY`]); runs sent by other clients
//! follow the run stored before them, as AgentOS itself reads a session.

use serde::{Deserialize, Serialize};
use serde_json::Value;

/// The run metadata key in which agno-chat records the run a message follows (an empty
/// string for a conversation's first message).
pub const PARENT_KEY: &str = "agno_chat_follows";

/// What a stored run says of its place in the conversation.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Lineage {
    /// The run this one is another version of (a regenerated answer, an edited question).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub version_of: Option<String>,
    /// The run it follows as recorded when it was sent: `Some("")` for a first message,
    /// `None` when nothing was recorded.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub follows: Option<String>,
    /// A newer version replaced it (AgentOS's `REGENERATED`): not shown by default.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub replaced: bool,
}

impl Lineage {
    /// Reads a run record of `GET /sessions/{id}/runs`.
    pub fn of_run(run: &Value) -> Self {
        let text = |v: Option<&Value>| {
            v.and_then(Value::as_str)
                .filter(|s| !s.is_empty())
                .map(str::to_owned)
        };
        Self {
            version_of: text(run.get("forked_from_run_id")),
            follows: run
                .get("metadata")
                .and_then(|m| m.get(PARENT_KEY))
                .and_then(Value::as_str)
                .map(str::to_owned),
            replaced: run.get("status").and_then(Value::as_str) == Some("REGENERATED"),
        }
    }
}

/// The `/continue` form fields that make another version of the stored `run`: its answer
/// regenerated (`edit` = `None`), or its question replaced by `edit` (a fork of the run
/// from its question). `Err` says why this run cannot have another version.
pub fn continue_fields(
    run: &Value,
    edit: Option<&str>,
) -> Result<Vec<(&'static str, String)>, &'static str> {
    match run
        .get("status")
        .and_then(Value::as_str)
        .unwrap_or_default()
    {
        "COMPLETED" | "ERROR" | "REGENERATED" => {}
        // AgentOS cannot continue a cancelled run; sending it again is the way.
        "CANCELLED" => {
            return Err("A stopped answer has no other versions: send the question again.")
        }
        _ => return Err("This answer is not finished yet."),
    }
    let Some(text) = edit else {
        return Ok(vec![("regenerate", "true".into())]);
    };
    // The run's own question: its messages keep the prompt's system message first.
    let index = run
        .get("messages")
        .and_then(Value::as_array)
        .and_then(|ms| {
            ms.iter().position(|m| {
                m.get("role").and_then(Value::as_str) == Some("user")
                    && m.get("from_history").and_then(Value::as_bool) != Some(true)
            })
        })
        .ok_or("This question cannot be edited.")?;
    Ok(vec![
        ("fork", "true".into()),
        ("continue_from", index.to_string()),
        ("input", text.to_owned()),
    ])
}

/// The turns of a conversation as a tree, by their index in the conversation's list of
/// all turns (every version, in the order they were made).
#[derive(Clone, Debug, PartialEq)]
pub struct Tree {
    /// Each turn's parent: the turn it follows (`None` for a first turn).
    parents: Vec<Option<usize>>,
    /// The versions that follow each turn, oldest first; `[0]` holds the first turns,
    /// `[i + 1]` those following turn `i`.
    children: Vec<Vec<usize>>,
    /// The version shown among each turn's children (same indexing as `children`).
    chosen: Vec<Option<usize>>,
}

impl Default for Tree {
    /// No turns yet: only the place of the first turns.
    fn default() -> Self {
        Tree {
            parents: Vec::new(),
            children: vec![Vec::new()],
            chosen: vec![None],
        }
    }
}

impl Tree {
    /// The tree of stored turns, in the order they were made, from what each says of
    /// itself (`run_id`, lineage). A version follows what its source follows; an ordinary
    /// turn follows what it recorded, or else the turn made before it. The branch shown
    /// is the one the newest turn is on (where the person was last); elsewhere each turn
    /// shows its newest version that was not replaced.
    pub fn from_lineage<'a>(turns: impl IntoIterator<Item = (&'a str, &'a Lineage)>) -> Self {
        let mut tree = Tree::default();
        let mut ids: std::collections::HashMap<&str, usize> = std::collections::HashMap::new();
        let mut replaced = Vec::new();
        for (i, (run_id, lineage)) in turns.into_iter().enumerate() {
            let parent = match (&lineage.version_of, &lineage.follows) {
                (Some(source), _) if ids.contains_key(source.as_str()) => {
                    tree.parents[ids[source.as_str()]]
                }
                (_, Some(follows)) if follows.is_empty() => None,
                (_, Some(follows)) if ids.contains_key(follows.as_str()) => {
                    Some(ids[follows.as_str()])
                }
                _ => i.checked_sub(1),
            };
            tree.add(parent);
            replaced.push(lineage.replaced);
            if !run_id.is_empty() {
                ids.insert(run_id, i);
            }
        }
        // Each shows its newest version that was not replaced (or its newest).
        for (slot, kids) in tree.children.iter().enumerate() {
            tree.chosen[slot] = kids
                .iter()
                .rev()
                .find(|&&k| !replaced[k])
                .or(kids.last())
                .copied();
        }
        let mut at = (0..tree.len()).rev().find(|&k| !replaced[k]);
        while let Some(i) = at {
            let parent = tree.parents[i];
            tree.chosen[slot(parent)] = Some(i);
            at = parent;
        }
        tree
    }

    /// How many turns (of every version) it holds.
    pub fn len(&self) -> usize {
        self.parents.len()
    }

    pub fn is_empty(&self) -> bool {
        self.parents.is_empty()
    }

    /// Adds a turn following `parent` (`None`: a first turn), shown from now on; returns
    /// its index.
    pub fn add(&mut self, parent: Option<usize>) -> usize {
        let i = self.parents.len();
        self.parents.push(parent);
        self.children.push(Vec::new());
        self.chosen.push(None);
        let slot = slot(parent);
        self.children[slot].push(i);
        self.chosen[slot] = Some(i);
        i
    }

    /// Takes back the turn added last (a message that was not sent); the version shown
    /// before it is shown again.
    pub fn pop(&mut self) {
        let Some(parent) = self.parents.pop() else {
            return;
        };
        let i = self.parents.len();
        self.children.pop();
        self.chosen.pop();
        let slot = slot(parent);
        self.children[slot].retain(|&k| k != i);
        self.chosen[slot] = self.children[slot].last().copied();
    }

    /// Adds another version of turn `of`, shown from now on; returns its index.
    pub fn add_version(&mut self, of: usize) -> usize {
        self.add(self.parents[of])
    }

    /// The turns shown, from the first: each the chosen version among those following
    /// the one before.
    pub fn path(&self) -> Vec<usize> {
        let mut path = Vec::new();
        let mut at = self.chosen.first().copied().flatten();
        while let Some(i) = at {
            path.push(i);
            at = self.chosen[i + 1];
        }
        path
    }

    /// The turn a new message follows: the last one shown.
    pub fn last(&self) -> Option<usize> {
        self.path().last().copied()
    }

    /// The turn `i` follows.
    pub fn parent(&self, i: usize) -> Option<usize> {
        self.parents.get(i).copied().flatten()
    }

    /// Which version turn `i` is (from 1) and how many its turn has.
    pub fn version(&self, i: usize) -> (usize, usize) {
        let Some(parent) = self.parents.get(i) else {
            return (1, 1);
        };
        let kids = &self.children[slot(*parent)];
        let at = kids.iter().position(|&k| k == i).unwrap_or(0);
        (at + 1, kids.len())
    }

    /// Shows the version `step` places away from turn `i` (-1: the one before); returns
    /// the version now shown, or `None` when there is none there.
    pub fn step(&mut self, i: usize, step: isize) -> Option<usize> {
        let parent = *self.parents.get(i)?;
        let slot = slot(parent);
        let kids = &self.children[slot];
        let at = kids.iter().position(|&k| k == i)?;
        let next = *kids.get(at.checked_add_signed(step)?)?;
        self.chosen[slot] = Some(next);
        Some(next)
    }
}

fn slot(parent: Option<usize>) -> usize {
    parent.map_or(0, |p| p + 1)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lineage(version_of: Option<&str>, follows: Option<&str>, replaced: bool) -> Lineage {
        Lineage {
            version_of: version_of.map(str::to_owned),
            follows: follows.map(str::to_owned),
            replaced,
        }
    }

    #[test]
    fn another_version_is_asked_for_with_the_right_fields_recorded() {
        let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("tests/fixtures/agentos/branches/runs_after_normal_after_edit.json");
        let runs: Vec<Value> =
            serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
        let first = &runs[0];
        assert_eq!(
            continue_fields(first, None).unwrap(),
            [("regenerate", "true".to_owned())]
        );
        // The system message is index 0: the question is 1.
        assert_eq!(
            continue_fields(first, Some("one pear")).unwrap(),
            [
                ("fork", "true".to_owned()),
                ("continue_from", "1".to_owned()),
                ("input", "one pear".to_owned())
            ]
        );
        let mut stopped = first.clone();
        stopped["status"] = "CANCELLED".into();
        assert!(continue_fields(&stopped, None).is_err());
        let mut running = first.clone();
        running["status"] = "RUNNING".into();
        assert!(continue_fields(&running, Some("x")).is_err());
        let mut bare = first.clone();
        bare["messages"] = serde_json::json!([]);
        assert!(continue_fields(&bare, Some("x")).is_err());
    }

    #[test]
    fn a_plain_conversation_is_one_line() {
        let plain = Lineage::default();
        let tree = Tree::from_lineage([("a", &plain), ("b", &plain), ("c", &plain)]);
        assert_eq!(tree.path(), [0, 1, 2]);
        assert_eq!(tree.version(1), (1, 1));
        assert_eq!(tree.last(), Some(2));
    }

    #[test]
    fn a_regenerated_answer_is_a_second_version_shown_first() {
        // a, b, then b regenerated as b2 (b marked REGENERATED): b2 shows, b is 1 of 2.
        let (a, b, b2) = (
            lineage(None, Some(""), false),
            lineage(None, Some("a"), true),
            lineage(Some("b"), None, false),
        );
        let mut tree = Tree::from_lineage([("a", &a), ("b", &b), ("b2", &b2)]);
        assert_eq!(tree.path(), [0, 2]);
        assert_eq!(tree.version(2), (2, 2));
        assert_eq!(tree.version(1), (1, 2));
        assert_eq!(tree.step(2, -1), Some(1));
        assert_eq!(tree.path(), [0, 1]);
        assert_eq!(tree.step(1, -1), None);
        assert_eq!(tree.step(1, 1), Some(2));
    }

    #[test]
    fn an_edited_first_question_branches_and_the_old_branch_stays() {
        // q1, q2, q3, then q1 edited (a fork of q1), then q4 after the edit.
        let runs = [
            ("r1", lineage(None, Some(""), false)),
            ("r2", lineage(None, Some("r1"), false)),
            ("r3", lineage(None, Some("r2"), false)),
            ("e1", lineage(Some("r1"), None, false)),
            ("r4", lineage(None, Some("e1"), false)),
        ];
        let mut tree = Tree::from_lineage(runs.iter().map(|(id, l)| (*id, l)));
        assert_eq!(tree.path(), [3, 4]);
        assert_eq!(tree.version(3), (2, 2));
        tree.step(3, -1);
        assert_eq!(tree.path(), [0, 1, 2]);
        // A new message follows the branch shown.
        let q = tree.add(tree.last());
        assert_eq!(tree.parent(q), Some(2));
        assert_eq!(tree.path(), [0, 1, 2, q]);
        // Opened again, the branch with the newest message shows.
        let mut again = runs.to_vec();
        again.push(("r5", lineage(None, Some("r3"), false)));
        let tree = Tree::from_lineage(again.iter().map(|(id, l)| (*id, l)));
        assert_eq!(tree.path(), [0, 1, 2, 5]);
        assert_eq!(tree.version(0), (1, 2));
    }

    #[test]
    fn runs_of_other_clients_follow_the_run_before() {
        // Nothing recorded: each follows the previous stored run, as AgentOS reads them.
        let plain = Lineage::default();
        let fork = lineage(Some("a"), None, false);
        let tree = Tree::from_lineage([("a", &plain), ("b", &plain), ("a2", &fork), ("c", &plain)]);
        // a2 is a version of a; c follows a2 (the run stored before it).
        assert_eq!(tree.path(), [2, 3]);
        assert_eq!(tree.parent(1), Some(0));
    }

    #[test]
    fn a_version_of_an_unknown_run_is_placed_as_recorded() {
        let orphan = lineage(Some("gone"), Some(""), false);
        let tree = Tree::from_lineage([("x", &orphan)]);
        assert_eq!(tree.path(), [0]);
    }

    #[test]
    fn live_versions_are_shown_as_they_are_made() {
        let mut tree = Tree::default();
        let a = tree.add(None);
        let b = tree.add(Some(a));
        let b2 = tree.add_version(b);
        assert_eq!(tree.path(), [a, b2]);
        assert_eq!(tree.version(b2), (2, 2));
        let a2 = tree.add_version(a);
        assert_eq!(tree.path(), [a2]);
        tree.step(a2, -1);
        assert_eq!(tree.path(), [a, b2]);
        // A message that was not sent is taken back.
        let c = tree.add(tree.last());
        assert_eq!(tree.path(), [a, b2, c]);
        tree.pop();
        assert_eq!(tree.path(), [a, b2]);
        assert_eq!(tree.len(), 4);
    }
}

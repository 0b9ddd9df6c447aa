//! The conversations the server has rebuilt lately, so that opening one again asks AgentOS
//! only for what may have changed since.
//!
//! AgentOS lists a session's runs in full (`GET /sessions/{id}/runs`), turning every run
//! into its answer schema; with `created_after` it answers only the newest runs, in about
//! the time it takes to read the session. Runs that have finished (completed, cancelled,
//! failed) do not change, so a copy of a conversation is brought up to date by asking for
//! the runs created since the newest run it holds, or since the oldest run it holds that
//! had not finished (paused for a human, still running):
//!
//! - a run in that answer replaces the copy's run with the same id, or is added;
//! - a run of the copy created in that span but missing from the answer is gone (AgentOS
//!   hides runs it marks `REGENERATED`), and is removed.
//!
//! What this cannot see is an older, finished run changed by another client (regenerated
//! in place from another front end). So every copy is checked against a full listing
//! again once it is older than `recheck`, and a copy is never used for another user,
//! agent or team, or session: the key holds all four.
//!
//! The copies are bounded by an estimate of their size in bytes, the least recently used
//! going first; `moka` does the bounding and eviction (it is made for this and safe under
//! concurrent use). A budget of 0 turns the cache off.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use crate::chat::history::{HighlightedCode, HistoryTurn};
use crate::chat::reducer::Status;
use crate::model::{AssistantId, AssistantKind, SessionId};

/// Whose conversation a copy is: the user, the agent or team, and the session.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct HistoryKey {
    pub user: String,
    pub kind: AssistantKind,
    pub assistant: AssistantId,
    pub session: SessionId,
}

impl HistoryKey {
    pub fn new(
        user: &str,
        kind: AssistantKind,
        assistant: &AssistantId,
        session: &SessionId,
    ) -> Self {
        Self {
            user: user.to_owned(),
            kind,
            assistant: assistant.clone(),
            session: session.clone(),
        }
    }
}

/// One turn of a copy, with its run's `created_at` (seconds since the epoch).
#[derive(Clone, Debug, PartialEq)]
pub struct DatedTurn {
    pub created_at: Option<i64>,
    pub turn: HistoryTurn,
}

/// What to ask AgentOS for.
#[derive(Debug)]
pub enum Plan {
    /// Every run (no usable copy).
    Full,
    /// The runs created at or after `since`, to be merged into `copy`.
    Since {
        copy: Arc<Vec<DatedTurn>>,
        since: i64,
    },
}

/// See the module documentation. Cheap to clone (shares the copies).
#[derive(Clone)]
pub struct HistoryCache {
    /// `None` when the budget is 0.
    copies: Option<moka::sync::Cache<HistoryKey, Arc<Entry>>>,
    budget: usize,
    recheck: Duration,
    versions: Arc<AtomicU64>,
    /// With several replicas: the change count in Redis each conversation's copy was
    /// made at (see `AppState::history_plan`).
    generations: moka::sync::Cache<HistoryKey, u64>,
}

#[derive(Clone)]
struct Entry {
    turns: Arc<Vec<DatedTurn>>,
    /// About how many bytes `turns` hold (see `weight`), counted once.
    bytes: usize,
    /// When the copy was last made from a full listing.
    checked: Instant,
    /// Changes only when the turns change.
    version: u64,
    /// The highlighted code of the newest turns, as sent with this version.
    highlighted: Option<Arc<Vec<HighlightedCode>>>,
}

impl HistoryCache {
    /// Copies up to about `budget` bytes, each checked in full every `recheck`.
    pub fn new(budget: usize, recheck: Duration) -> Self {
        let copies = (budget > 0).then(|| {
            moka::sync::Cache::builder()
                .max_capacity(budget as u64)
                .weigher(|_, e: &Arc<Entry>| u32::try_from(e.bytes).unwrap_or(u32::MAX))
                .eviction_policy(moka::policy::EvictionPolicy::lru())
                .build()
        });
        Self {
            copies,
            budget,
            recheck,
            versions: Arc::new(AtomicU64::new(0)),
            generations: moka::sync::Cache::builder().max_capacity(100_000).build(),
        }
    }

    /// Drops `key`'s copy unless it was made at change count `generation` (kept in
    /// Redis, bumped by every replica that changes a run in place), and remembers it.
    pub fn check_generation(&self, key: &HistoryKey, generation: u64) {
        if self.generations.get(key) != Some(generation) {
            self.forget(key);
            self.generations.insert(key.clone(), generation);
        }
    }

    /// How to load `key`'s conversation: from its copy and the runs since, or in full.
    pub fn plan(&self, key: &HistoryKey) -> Plan {
        self.plan_at(key, Instant::now())
    }

    fn plan_at(&self, key: &HistoryKey, now: Instant) -> Plan {
        let Some(entry) = self.copies.as_ref().and_then(|c| c.get(key)) else {
            return Plan::Full;
        };
        if now.saturating_duration_since(entry.checked) >= self.recheck {
            return Plan::Full;
        }
        match since(&entry.turns) {
            Some(since) => Plan::Since {
                copy: entry.turns.clone(),
                since,
            },
            None => Plan::Full,
        }
    }

    /// Keeps `turns` as `key`'s copy, and returns its version (`None`: not kept). `full`:
    /// they come from a full listing (else from a copy brought up to date, which keeps the
    /// time of its last full listing).
    pub fn store(&self, key: HistoryKey, turns: Arc<Vec<DatedTurn>>, full: bool) -> Option<u64> {
        self.store_at(key, turns, full, Instant::now())
    }

    fn store_at(
        &self,
        key: HistoryKey,
        turns: Arc<Vec<DatedTurn>>,
        full: bool,
        now: Instant,
    ) -> Option<u64> {
        let copies = self.copies.as_ref()?;
        let bytes = weight(&turns);
        if bytes > self.budget {
            copies.invalidate(&key);
            return None;
        }
        let entry = match copies.get(&key) {
            Some(old) => {
                let same = old.turns == turns;
                Entry {
                    checked: if full { now } else { old.checked },
                    version: if same {
                        old.version
                    } else {
                        self.next_version()
                    },
                    highlighted: old.highlighted.clone().filter(|_| same),
                    turns,
                    bytes,
                }
            }
            // A copy brought up to date whose entry was evicted meanwhile: its age is
            // unknown, so it is checked in full next time.
            None if !full => return None,
            None => Entry {
                turns,
                bytes,
                checked: now,
                version: self.next_version(),
                highlighted: None,
            },
        };
        let version = entry.version;
        copies.insert(key, Arc::new(entry));
        Some(version)
    }

    fn next_version(&self) -> u64 {
        self.versions.fetch_add(1, Ordering::Relaxed) + 1
    }

    /// The highlighted code kept with version `version` of `key`'s copy, if any.
    pub fn highlighted(&self, key: &HistoryKey, version: u64) -> Option<Arc<Vec<HighlightedCode>>> {
        let e = self.copies.as_ref()?.get(key)?;
        e.highlighted.clone().filter(|_| e.version == version)
    }

    /// Keeps `highlighted` with version `version` of `key`'s copy (highlighting the same
    /// turns again gives the same): the next opening then highlights nothing.
    pub fn keep_highlighted(
        &self,
        key: &HistoryKey,
        version: u64,
        highlighted: Arc<Vec<HighlightedCode>>,
    ) {
        let Some(copies) = &self.copies else { return };
        if let Some(e) = copies.get(key).filter(|e| e.version == version) {
            let mut e = e.as_ref().clone();
            e.highlighted = Some(highlighted);
            copies.insert(key.clone(), Arc::new(e));
        }
    }

    /// Drops `key`'s copy (the session is gone, or not the caller's).
    pub fn forget(&self, key: &HistoryKey) {
        if let Some(c) = &self.copies {
            c.invalidate(key);
        }
    }

    /// How many copies and about how many bytes the cache holds (as of moka's last
    /// upkeep, which it runs as the cache is used).
    pub fn size(&self) -> (usize, usize) {
        match &self.copies {
            Some(c) => (c.entry_count() as usize, c.weighted_size() as usize),
            None => (0, 0),
        }
    }

    /// Applies the uses and evictions moka has batched, so that tests see an exact state.
    #[cfg(test)]
    fn settle(&self) -> (usize, usize) {
        if let Some(c) = &self.copies {
            c.run_pending_tasks();
        }
        self.size()
    }
}

/// The `created_after` bound that brings `turns` up to date: the newest turn's time, or
/// the oldest unfinished turn's if earlier. `None` when a turn has no time, or there are
/// none (then the conversation is listed in full).
pub fn since(turns: &[DatedTurn]) -> Option<i64> {
    let mut newest: Option<i64> = None;
    let mut unfinished: Option<i64> = None;
    for t in turns {
        let at = t.created_at?;
        newest = Some(newest.map_or(at, |n| n.max(at)));
        if !finished(t.turn.answer.status) {
            unfinished = Some(unfinished.map_or(at, |u| u.min(at)));
        }
    }
    let newest = newest?;
    Some(unfinished.map_or(newest, |u| u.min(newest)))
}

/// Runs in these states do not change any more.
fn finished(status: Status) -> bool {
    matches!(
        status,
        Status::Completed | Status::Cancelled | Status::Error
    )
}

/// `copy` brought up to date with `newer`, every run AgentOS lists created at or after
/// `since`: those replace the copy's runs of the same id or are added, and the copy's
/// runs of that span that `newer` lacks are dropped. Oldest first.
pub fn merge(copy: &[DatedTurn], newer: Vec<DatedTurn>, since: i64) -> Vec<DatedTurn> {
    let mut merged: Vec<DatedTurn> = copy
        .iter()
        .filter(|t| t.created_at.is_some_and(|at| at < since))
        .filter(|t| !newer.iter().any(|n| n.turn.run_id == t.turn.run_id))
        .cloned()
        .collect();
    merged.extend(newer);
    // Stable: runs of the same second keep the order AgentOS gave them.
    merged.sort_by_key(|t| t.created_at);
    merged
}

/// About how many bytes a copy holds: its text, and a fixed share per turn for the rest.
fn weight(turns: &[DatedTurn]) -> usize {
    fn tools(tools: &[crate::chat::event::ToolCall]) -> usize {
        tools
            .iter()
            .map(|tool| {
                64 + tool.tool_name.len()
                    + tool.tool_args.as_ref().map_or(0, |v| v.to_string().len())
                    + tool.result.as_ref().map_or(0, String::len)
            })
            .sum()
    }
    turns
        .iter()
        .map(|t| {
            let a = &t.turn.answer;
            let members: usize = a
                .members
                .iter()
                .map(|m| 64 + m.text.len() + tools(&m.tools))
                .sum();
            512 + t.turn.run_id.len()
                + t.turn.question.len()
                + a.text.len()
                + a.reasoning.len()
                + tools(&a.tools)
                + members
        })
        .sum()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::chat::reducer::Answer;

    fn turn(id: &str, at: i64, status: Status) -> DatedTurn {
        let mut answer = Answer::new();
        answer.text = format!("answer {id}");
        answer.status = status;
        DatedTurn {
            created_at: Some(at),
            turn: HistoryTurn {
                run_id: id.into(),
                question: id.into(),
                answer,
                at: Some(at),
                attachments: Vec::new(),
                lineage: Default::default(),
            },
        }
    }

    fn key(session: &str) -> HistoryKey {
        HistoryKey {
            user: "u".into(),
            kind: AssistantKind::Agent,
            assistant: "echo".into(),
            session: session.into(),
        }
    }

    fn ids(turns: &[DatedTurn]) -> Vec<&str> {
        turns.iter().map(|t| t.turn.run_id.as_str()).collect()
    }

    #[test]
    fn asks_from_the_newest_run_or_the_oldest_unfinished_one() {
        use Status::*;
        let done = [
            turn("a", 10, Completed),
            turn("b", 20, Cancelled),
            turn("c", 30, Error),
        ];
        assert_eq!(since(&done), Some(30));
        let paused = [
            turn("a", 10, Completed),
            turn("b", 20, Paused),
            turn("c", 30, Completed),
        ];
        assert_eq!(since(&paused), Some(20));
        let running = [turn("a", 10, Streaming), turn("b", 20, Completed)];
        assert_eq!(since(&running), Some(10));
        // Nothing to go by: listed in full.
        assert_eq!(since(&[]), None);
        let mut undated = turn("d", 40, Completed);
        undated.created_at = None;
        assert_eq!(since(&[turn("a", 10, Completed), undated]), None);
    }

    #[test]
    fn merging_replaces_adds_and_drops_runs_of_the_span() {
        use Status::*;
        let copy = vec![
            turn("a", 10, Completed),
            turn("b", 20, Paused),
            turn("c", 30, Completed),
            turn("d", 30, Completed),
        ];
        // Since 20: b finished, c was regenerated (hidden), d is unchanged, e and f are new.
        let newer = vec![
            turn("b", 20, Completed),
            turn("d", 30, Completed),
            turn("e", 30, Completed),
            turn("f", 31, Streaming),
        ];
        let merged = merge(&copy, newer, 20);
        assert_eq!(ids(&merged), ["a", "b", "d", "e", "f"]);
        assert_eq!(merged[1].turn.answer.status, Completed);
        // Nothing new: the copy as it was.
        let same = merge(
            &copy,
            vec![turn("c", 30, Completed), turn("d", 30, Completed)],
            30,
        );
        assert_eq!(ids(&same), ["a", "b", "c", "d"]);
    }

    #[test]
    fn a_copy_is_used_until_it_is_due_for_a_full_check() {
        let cache = HistoryCache::new(1 << 20, Duration::from_secs(300));
        let t0 = Instant::now();
        assert!(matches!(cache.plan_at(&key("s"), t0), Plan::Full));
        let turns = Arc::new(vec![turn("a", 10, Status::Completed)]);
        cache.store_at(key("s"), turns.clone(), true, t0);
        match cache.plan_at(&key("s"), t0 + Duration::from_secs(10)) {
            Plan::Since { copy, since } => assert_eq!((copy, since), (turns.clone(), 10)),
            other => panic!("the copy and the runs since should be used: {other:?}"),
        }
        // Another user, agent or session never gets it.
        let mut other = key("s");
        other.user = "v".into();
        assert!(matches!(cache.plan_at(&other, t0), Plan::Full));
        other = key("s");
        other.assistant = "other".into();
        assert!(matches!(cache.plan_at(&other, t0), Plan::Full));
        // Brought up to date at 200 s, it is still checked in full at 300 s.
        let t200 = t0 + Duration::from_secs(200);
        cache.store_at(key("s"), turns.clone(), false, t200);
        assert!(matches!(
            cache.plan_at(&key("s"), t0 + Duration::from_secs(299)),
            Plan::Since { .. }
        ));
        assert!(matches!(
            cache.plan_at(&key("s"), t0 + Duration::from_secs(300)),
            Plan::Full
        ));
        cache.forget(&key("s"));
        assert_eq!(cache.settle(), (0, 0));
    }

    #[test]
    fn the_least_recently_used_copies_go_first_and_a_budget_of_0_keeps_none() {
        let one = Arc::new(vec![turn("a", 10, Status::Completed)]);
        let w = weight(&one);
        let cache = HistoryCache::new(2 * w, Duration::from_secs(300));
        let t = Instant::now();
        cache.store_at(key("1"), one.clone(), true, t);
        cache.store_at(key("2"), one.clone(), true, t);
        // moka applies uses in batches; settle them so the order is the one written here.
        assert_eq!(cache.settle(), (2, 2 * w));
        // Using 1 makes 2 the least recently used.
        assert!(matches!(cache.plan_at(&key("1"), t), Plan::Since { .. }));
        cache.settle();
        cache.store_at(key("3"), one.clone(), true, t);
        assert_eq!(cache.settle(), (2, 2 * w));
        assert!(matches!(cache.plan_at(&key("2"), t), Plan::Full));
        assert!(matches!(cache.plan_at(&key("1"), t), Plan::Since { .. }));
        // A copy brought up to date after its entry was evicted is not kept.
        cache.store_at(key("2"), one.clone(), false, t);
        assert!(matches!(cache.plan_at(&key("2"), t), Plan::Full));

        let off = HistoryCache::new(0, Duration::from_secs(300));
        off.store_at(key("1"), one, true, t);
        assert_eq!(off.settle(), (0, 0));
    }

    #[test]
    fn a_version_changes_with_the_turns_and_keeps_its_highlighting() {
        let cache = HistoryCache::new(1 << 20, Duration::from_secs(300));
        let t = Instant::now();
        let turns = Arc::new(vec![turn("a", 10, Status::Completed)]);
        let v1 = cache.store_at(key("s"), turns.clone(), true, t).unwrap();
        cache.keep_highlighted(&key("s"), v1, Arc::new(Vec::new()));
        assert!(cache.highlighted(&key("s"), v1).is_some());
        // The same turns again: same version, highlighting kept.
        assert_eq!(cache.store_at(key("s"), turns, false, t), Some(v1));
        assert!(cache.highlighted(&key("s"), v1).is_some());
        // New turns: a new version, and the old highlighting is not used for it.
        let more = Arc::new(vec![
            turn("a", 10, Status::Completed),
            turn("b", 11, Status::Completed),
        ]);
        let v2 = cache.store_at(key("s"), more, false, t).unwrap();
        assert_ne!(v1, v2);
        assert!(cache.highlighted(&key("s"), v2).is_none());
        assert!(cache.highlighted(&key("s"), v1).is_none());
    }
}

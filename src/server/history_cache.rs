//! The conversations the server has rebuilt lately, so that opening one again asks AgentOS
//! only for what may have changed since.
//!
//! AgentOS lists a session's runs in full (`GET /sessions/{id}/runs`): for 500 runs that is
//! 70–450 ms of AgentOS's time, most of it spent turning every run into its answer schema.
//! With `created_after` it answers only the newest runs, in about the time it takes to
//! read the session (about 35 ms for 500 runs). Runs that have finished (completed,
//! cancelled, failed) do not change, so a copy of a conversation is brought up to date by
//! asking for the runs created since the newest run it holds, or since the oldest run it
//! holds that had not finished (paused for a human, still running):
//!
//! - a run in that answer replaces the copy's run with the same id, or is added;
//! - a run of the copy created in that span but missing from the answer is gone (AgentOS
//!   hides runs it marks `REGENERATED`), and is removed.
//!
//! What this cannot see is an older, finished run changed by another client (regenerated
//! in place from another front end). So every copy is checked against a full listing
//! again once it is older than `recheck` (five minutes unless configured), and a copy is
//! never used for another user, agent or team, or session: the key holds all four.
//!
//! A copy can also be shown before AgentOS is asked at all ([`Plan::Copy`]), the browser
//! then asking for the runs since while it shows it (`check_session`): only when every run
//! of the copy has finished, nothing was sent to that conversation through this server
//! since the copy was brought up to date ([`HistoryCache::mark_changed`]), and the copy
//! is not due for its full check. What the browser may see for that moment is a
//! conversation without the runs another client added since, which the check then adds.
//! Each copy carries a version, changed only when its turns change, so that the check
//! answers "unchanged" in a few bytes.
//!
//! The copies are bounded by an estimate of their size in bytes; the least recently used
//! go first. A budget of 0 turns the cache off.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use crate::chat::history::{HighlightedCode, HistoryTurn};
use crate::chat::reducer::Status;
use crate::model::ComponentKind;

/// Whose conversation a copy is: the user, the agent or team, and the session.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct HistoryKey {
    pub user: String,
    pub kind: ComponentKind,
    pub component: String,
    pub session: String,
}

impl HistoryKey {
    pub fn new(user: &str, kind: ComponentKind, component: &str, session: &str) -> Self {
        Self {
            user: user.to_owned(),
            kind,
            component: component.to_owned(),
            session: session.to_owned(),
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
    /// Nothing yet: `copy` is shown as it is, and checked after (see the module
    /// documentation). `version` names it for that check.
    Copy {
        copy: Arc<Vec<DatedTurn>>,
        version: u64,
    },
}

/// See the module documentation. Cheap to clone (shares the copies).
#[derive(Clone)]
pub struct HistoryCache {
    inner: Arc<Mutex<Inner>>,
    budget: usize,
    recheck: Duration,
}

#[derive(Default)]
struct Inner {
    entries: HashMap<HistoryKey, Entry>,
    bytes: usize,
    /// Stamps entries when used; the smallest stamp is the least recently used.
    clock: u64,
}

struct Entry {
    turns: Arc<Vec<DatedTurn>>,
    bytes: usize,
    used: u64,
    /// When the copy was last made from a full listing.
    checked: Instant,
    /// Changes only when the turns change.
    version: u64,
    /// When a run was last sent to this conversation through this server, if that was
    /// after AgentOS was last asked for the copy's runs.
    changed: Option<Instant>,
    /// The highlighted code of the newest turns, as sent with this version.
    highlighted: Option<Arc<Vec<HighlightedCode>>>,
}

impl HistoryCache {
    /// Copies up to about `budget` bytes, each checked in full every `recheck`.
    pub fn new(budget: usize, recheck: Duration) -> Self {
        Self {
            inner: Arc::new(Mutex::new(Inner::default())),
            budget,
            recheck,
        }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Inner> {
        self.inner.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// How to load `key`'s conversation: from its copy and the runs since, or in full;
    /// or, with `copy_first`, from its copy alone when it can be shown first and checked
    /// after (see the module documentation).
    pub fn plan(&self, key: &HistoryKey, copy_first: bool) -> Plan {
        self.plan_at(key, Instant::now(), copy_first)
    }

    fn plan_at(&self, key: &HistoryKey, now: Instant, copy_first: bool) -> Plan {
        let mut inner = self.lock();
        inner.clock += 1;
        let clock = inner.clock;
        let Some(entry) = inner.entries.get_mut(key) else {
            return Plan::Full;
        };
        if now.saturating_duration_since(entry.checked) >= self.recheck {
            return Plan::Full;
        }
        entry.used = clock;
        let settled = !entry.turns.is_empty()
            && entry
                .turns
                .iter()
                .all(|t| t.created_at.is_some() && finished(t.turn.answer.status));
        if copy_first && settled && entry.changed.is_none() {
            return Plan::Copy {
                copy: entry.turns.clone(),
                version: entry.version,
            };
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
    /// time of its last full listing). `asked`: when AgentOS was asked for them.
    pub fn store(
        &self,
        key: HistoryKey,
        turns: Arc<Vec<DatedTurn>>,
        full: bool,
        asked: Instant,
    ) -> Option<u64> {
        self.store_at(key, turns, full, asked, Instant::now())
    }

    fn store_at(
        &self,
        key: HistoryKey,
        turns: Arc<Vec<DatedTurn>>,
        full: bool,
        asked: Instant,
        now: Instant,
    ) -> Option<u64> {
        let bytes = weight(&turns);
        let mut inner = self.lock();
        inner.clock += 1;
        let new_version = inner.clock;
        let (checked, version, changed, highlighted) = match inner.entries.remove(&key) {
            Some(old) => {
                inner.bytes -= old.bytes;
                let same = old.turns == turns;
                (
                    if full { now } else { old.checked },
                    if same { old.version } else { new_version },
                    // A run sent after AgentOS was asked may be missing from `turns`.
                    old.changed.filter(|&at| at >= asked),
                    old.highlighted.filter(|_| same),
                )
            }
            // A copy brought up to date whose entry was evicted meanwhile: its age is
            // unknown, so it is checked in full next time.
            None if !full => return None,
            None => (now, new_version, None, None),
        };
        if bytes > self.budget {
            return None;
        }
        while inner.bytes + bytes > self.budget {
            let Some(oldest) = inner
                .entries
                .iter()
                .min_by_key(|(_, e)| e.used)
                .map(|(k, _)| k.clone())
            else {
                break;
            };
            if let Some(e) = inner.entries.remove(&oldest) {
                inner.bytes -= e.bytes;
            }
        }
        inner.clock += 1;
        let used = inner.clock;
        inner.bytes += bytes;
        inner.entries.insert(
            key,
            Entry {
                turns,
                bytes,
                used,
                checked,
                version,
                changed,
                highlighted,
            },
        );
        Some(version)
    }

    /// The highlighted code kept with version `version` of `key`'s copy, if any.
    pub fn highlighted(&self, key: &HistoryKey, version: u64) -> Option<Arc<Vec<HighlightedCode>>> {
        let inner = self.lock();
        let e = inner.entries.get(key).filter(|e| e.version == version)?;
        e.highlighted.clone()
    }

    /// Keeps `highlighted` with version `version` of `key`'s copy (highlighting the same
    /// turns again gives the same): an opening from the copy then highlights nothing.
    pub fn keep_highlighted(
        &self,
        key: &HistoryKey,
        version: u64,
        highlighted: Arc<Vec<HighlightedCode>>,
    ) {
        let mut inner = self.lock();
        if let Some(e) = inner.entries.get_mut(key).filter(|e| e.version == version) {
            e.highlighted = Some(highlighted);
        }
    }

    /// A run was sent to `key`'s conversation through this server: its copy is not shown
    /// before AgentOS has been asked for the runs since (see [`Plan::Copy`]).
    pub fn mark_changed(&self, key: &HistoryKey) {
        self.mark_changed_at(key, Instant::now());
    }

    fn mark_changed_at(&self, key: &HistoryKey, now: Instant) {
        if let Some(e) = self.lock().entries.get_mut(key) {
            e.changed = Some(now);
        }
    }

    /// Drops `key`'s copy (the session is gone, or not the caller's).
    pub fn forget(&self, key: &HistoryKey) {
        let mut inner = self.lock();
        if let Some(e) = inner.entries.remove(key) {
            inner.bytes -= e.bytes;
        }
    }

    /// How many copies and about how many bytes the cache holds.
    pub fn size(&self) -> (usize, usize) {
        let inner = self.lock();
        (inner.entries.len(), inner.bytes)
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
            },
        }
    }

    fn key(session: &str) -> HistoryKey {
        HistoryKey {
            user: "u".into(),
            kind: ComponentKind::Agent,
            component: "echo".into(),
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
        assert!(matches!(cache.plan_at(&key("s"), t0, false), Plan::Full));
        let turns = Arc::new(vec![turn("a", 10, Status::Completed)]);
        cache.store_at(key("s"), turns.clone(), true, t0, t0);
        match cache.plan_at(&key("s"), t0 + Duration::from_secs(10), false) {
            Plan::Since { copy, since } => assert_eq!((copy, since), (turns.clone(), 10)),
            other => panic!("the copy and the runs since should be used: {other:?}"),
        }
        // Another user, agent or session never gets it.
        let mut other = key("s");
        other.user = "v".into();
        assert!(matches!(cache.plan_at(&other, t0, false), Plan::Full));
        other = key("s");
        other.component = "other".into();
        assert!(matches!(cache.plan_at(&other, t0, false), Plan::Full));
        // Brought up to date at 200 s, it is still checked in full at 300 s.
        let t200 = t0 + Duration::from_secs(200);
        cache.store_at(key("s"), turns.clone(), false, t200, t200);
        assert!(matches!(
            cache.plan_at(&key("s"), t0 + Duration::from_secs(299), false),
            Plan::Since { .. }
        ));
        assert!(matches!(
            cache.plan_at(&key("s"), t0 + Duration::from_secs(300), false),
            Plan::Full
        ));
        cache.forget(&key("s"));
        assert_eq!(cache.size(), (0, 0));
    }

    #[test]
    fn the_least_recently_used_copies_go_first_and_a_budget_of_0_keeps_none() {
        let one = Arc::new(vec![turn("a", 10, Status::Completed)]);
        let w = weight(&one);
        let cache = HistoryCache::new(2 * w, Duration::from_secs(300));
        let t = Instant::now();
        cache.store_at(key("1"), one.clone(), true, t, t);
        cache.store_at(key("2"), one.clone(), true, t, t);
        // Using 1 makes 2 the least recently used.
        assert!(matches!(
            cache.plan_at(&key("1"), t, false),
            Plan::Since { .. }
        ));
        cache.store_at(key("3"), one.clone(), true, t, t);
        assert_eq!(cache.size(), (2, 2 * w));
        assert!(matches!(cache.plan_at(&key("2"), t, false), Plan::Full));
        assert!(matches!(
            cache.plan_at(&key("1"), t, false),
            Plan::Since { .. }
        ));
        // A copy brought up to date after its entry was evicted is not kept.
        cache.store_at(key("2"), one.clone(), false, t, t);
        assert!(matches!(cache.plan_at(&key("2"), t, false), Plan::Full));

        let off = HistoryCache::new(0, Duration::from_secs(300));
        off.store_at(key("1"), one, true, t, t);
        assert_eq!(off.size(), (0, 0));
    }

    #[test]
    fn a_settled_copy_is_shown_first_until_a_run_is_sent_through_this_server() {
        use Status::*;
        let cache = HistoryCache::new(1 << 20, Duration::from_secs(300));
        let t0 = Instant::now();
        let at = |s: u64| t0 + Duration::from_secs(s);
        let turns = Arc::new(vec![turn("a", 10, Completed), turn("b", 20, Error)]);
        let v1 = cache
            .store_at(key("s"), turns.clone(), true, t0, t0)
            .unwrap();
        let Plan::Copy { copy, version } = cache.plan_at(&key("s"), at(1), true) else {
            panic!("a settled copy is shown first");
        };
        assert_eq!((copy, version), (turns.clone(), v1));
        // Not when asked for the runs since (the check), nor past the full check's age.
        assert!(matches!(
            cache.plan_at(&key("s"), at(1), false),
            Plan::Since { .. }
        ));
        assert!(matches!(
            cache.plan_at(&key("s"), at(300), true),
            Plan::Full
        ));
        // Another user never gets it.
        let mut other = key("s");
        other.user = "v".into();
        assert!(matches!(cache.plan_at(&other, at(1), true), Plan::Full));

        // A run sent here: AgentOS is asked first, until a listing asked after the send.
        cache.mark_changed_at(&key("s"), at(2));
        assert!(matches!(
            cache.plan_at(&key("s"), at(3), true),
            Plan::Since { .. }
        ));
        // A listing asked before the send may lack its run: still asked first.
        assert_eq!(
            cache.store_at(key("s"), turns.clone(), false, at(1), at(3)),
            Some(v1)
        );
        assert!(matches!(
            cache.plan_at(&key("s"), at(3), true),
            Plan::Since { .. }
        ));
        // Asked after it, with a new run: a new version, shown first again.
        let grown = Arc::new(vec![
            turn("a", 10, Completed),
            turn("b", 20, Error),
            turn("c", 30, Completed),
        ]);
        let v2 = cache
            .store_at(key("s"), grown.clone(), false, at(4), at(4))
            .unwrap();
        assert_ne!(v2, v1);
        assert!(matches!(
            cache.plan_at(&key("s"), at(5), true),
            Plan::Copy { version, .. } if version == v2
        ));
        // The same turns again keep their version: the check answers "unchanged".
        assert_eq!(
            cache.store_at(key("s"), grown.clone(), false, at(5), at(5)),
            Some(v2)
        );

        // Highlighted code is kept with a version, and goes when the turns change.
        let code = Arc::new(vec![HighlightedCode {
            lang: "rust".into(),
            code: "x".into(),
            html: "<b>x</b>".into(),
        }]);
        cache.keep_highlighted(&key("s"), v1, code.clone()); // an older version: not kept
        assert!(cache.highlighted(&key("s"), v2).is_none());
        cache.keep_highlighted(&key("s"), v2, code.clone());
        assert_eq!(cache.highlighted(&key("s"), v2), Some(code.clone()));
        cache.store_at(key("s"), grown, false, at(6), at(6));
        assert_eq!(
            cache.highlighted(&key("s"), v2),
            Some(code),
            "same turns, same code"
        );
        let v3 = cache
            .store_at(key("s"), turns, false, at(7), at(7))
            .unwrap();
        assert!(cache.highlighted(&key("s"), v3).is_none());
        assert!(cache.highlighted(&key("s"), v2).is_none());
    }

    #[test]
    fn a_copy_with_an_unfinished_or_undated_run_is_never_shown_first() {
        use Status::*;
        let cache = HistoryCache::new(1 << 20, Duration::from_secs(300));
        let t = Instant::now();
        for unsettled in [
            vec![turn("a", 10, Completed), turn("b", 20, Paused)],
            vec![turn("a", 10, Streaming)],
            vec![DatedTurn {
                created_at: None,
                ..turn("a", 10, Completed)
            }],
            vec![],
        ] {
            cache.store_at(key("s"), Arc::new(unsettled), true, t, t);
            assert!(!matches!(
                cache.plan_at(&key("s"), t, true),
                Plan::Copy { .. }
            ));
        }
        // Marking a conversation without a copy does nothing.
        cache.mark_changed_at(&key("none"), t);
        assert!(matches!(cache.plan_at(&key("none"), t, true), Plan::Full));
    }
}

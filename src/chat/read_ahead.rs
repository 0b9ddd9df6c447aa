//! Reading ahead of a click: the request for a conversation starts while the pointer
//! rests on its entry in the list (or focus is on it), and the click that follows takes
//! its answer instead of asking again.
//!
//! One slot, for the entry the user is about to open. An answer is kept for a short while
//! only (the conversation could change meanwhile: this tab's own sends empty the slot,
//! the time limit covers other tabs), and is taken at most once.

use futures::channel::oneshot;

/// The slot. `K` names what was read (agent or team, and session); `T` is the answer.
pub struct ReadAhead<K, T> {
    entry: Option<Entry<K, T>>,
    keep_ms: f64,
}

struct Entry<K, T> {
    key: K,
    started_ms: f64,
    answer: oneshot::Receiver<T>,
}

impl<K: PartialEq, T> ReadAhead<K, T> {
    /// An empty slot whose answers are used within `keep_ms` of their request's start.
    pub fn new(keep_ms: f64) -> Self {
        Self {
            entry: None,
            keep_ms,
        }
    }

    /// Starts reading `key` ahead, in place of whatever the slot held. Returns where to
    /// send the answer, or `None` when a read of the same key, recent enough to be used,
    /// is already there.
    pub fn start(&mut self, key: K, now_ms: f64) -> Option<oneshot::Sender<T>> {
        if let Some(e) = &self.entry {
            if e.key == key && self.fresh(e, now_ms) {
                return None;
            }
        }
        let (tx, answer) = oneshot::channel();
        self.entry = Some(Entry {
            key,
            started_ms: now_ms,
            answer,
        });
        Some(tx)
    }

    /// The answer read ahead for `key` (still on its way, perhaps), when it is recent
    /// enough. The slot is emptied either way: an answer is used once.
    pub fn take(&mut self, key: &K, now_ms: f64) -> Option<oneshot::Receiver<T>> {
        let e = self.entry.take()?;
        (e.key == *key && self.fresh(&e, now_ms)).then_some(e.answer)
    }

    /// Forgets what was read (the conversation is about to change).
    pub fn clear(&mut self) {
        self.entry = None;
    }

    fn fresh(&self, e: &Entry<K, T>, now_ms: f64) -> bool {
        now_ms - e.started_ms < self.keep_ms
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use futures::executor::block_on;

    #[test]
    fn a_click_takes_the_answer_read_ahead_once() {
        let mut r = ReadAhead::new(10_000.0);
        let tx = r.start("a", 0.0).expect("a first read starts");
        tx.send(7).unwrap();
        let rx = r.take(&"a", 500.0).expect("the read is there");
        assert_eq!(block_on(rx), Ok(7));
        assert!(r.take(&"a", 600.0).is_none(), "taken once");
    }

    #[test]
    fn the_answer_can_be_taken_while_still_on_its_way() {
        let mut r = ReadAhead::new(10_000.0);
        let tx = r.start("a", 0.0).unwrap();
        let rx = r.take(&"a", 10.0).unwrap();
        tx.send(1).unwrap();
        assert_eq!(block_on(rx), Ok(1));
    }

    #[test]
    fn pointing_again_at_the_same_entry_does_not_ask_again() {
        let mut r = ReadAhead::<_, u8>::new(10_000.0);
        let _tx = r.start("a", 0.0).unwrap();
        assert!(r.start("a", 2_000.0).is_none());
        // Once too old, it is read again.
        assert!(r.start("a", 10_000.0).is_some());
    }

    #[test]
    fn another_entry_replaces_the_read() {
        let mut r = ReadAhead::new(10_000.0);
        let a = r.start("a", 0.0).unwrap();
        let _b = r.start("b", 100.0).unwrap();
        assert!(
            a.send(1).is_err(),
            "the first read's answer has nowhere to go"
        );
        assert!(r.take(&"a", 200.0).is_none());
        assert!(r.take(&"b", 200.0).is_none(), "a miss empties the slot");
    }

    #[test]
    fn old_reads_and_cleared_reads_are_not_used() {
        let mut r = ReadAhead::new(10_000.0);
        r.start("a", 0.0).unwrap().send(1).unwrap();
        assert!(r.take(&"a", 10_000.0).is_none(), "too old");
        r.start("a", 20_000.0).unwrap().send(2).unwrap();
        r.clear();
        assert!(r.take(&"a", 20_001.0).is_none(), "cleared");
    }

    #[test]
    fn a_dropped_request_shows_as_cancelled() {
        let mut r = ReadAhead::<_, u8>::new(10_000.0);
        drop(r.start("a", 0.0).unwrap());
        let rx = r.take(&"a", 1.0).unwrap();
        assert!(block_on(rx).is_err());
    }
}

//! What agno-chat keeps about a conversation beside its runs: the share link (if the
//! owner made one) and the feedback given on each answer. Kept in the AgentOS session's
//! own metadata, under one key, so that it survives restarts and is the same on every
//! replica; AgentOS replaces a session's metadata wholesale, so every write is a merge
//! of this key into what is stored (see `server::annotations`).

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use serde_json::Value;

/// The session metadata key agno-chat owns.
pub const METADATA_KEY: &str = "agno_chat";

/// Longest feedback comment, in characters.
pub const MAX_COMMENT_CHARS: usize = 2_000;

/// Most answers in one share: the longest conversation the shared page shows.
pub const MAX_SHARED_RUNS: usize = 2_000;

/// Thumbs up or down.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Rating {
    Up,
    Down,
}

impl Rating {
    pub fn name(self) -> &'static str {
        match self {
            Rating::Up => "up",
            Rating::Down => "down",
        }
    }

    /// The score recorded on the run's trace: 1 for up, 0 for down.
    pub fn score(self) -> f64 {
        match self {
            Rating::Up => 1.0,
            Rating::Down => 0.0,
        }
    }
}

/// The feedback on one answer.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Feedback {
    pub rating: Rating,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub comment: String,
    /// When it was given, in seconds since the epoch.
    #[serde(default)]
    pub at: i64,
}

/// A read-only link to the conversation as it was when shared: the answers then on
/// screen, in order. Later messages are not shown until the owner shares again.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Share {
    /// Random; sealed into the link, so a link made for an older share stops working.
    pub id: String,
    /// Seconds since the epoch.
    pub created_at: i64,
    pub runs: Vec<String>,
}

/// Everything under [`METADATA_KEY`].
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Annotations {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub share: Option<Share>,
    /// By run id.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub feedback: BTreeMap<String, Feedback>,
}

impl Annotations {
    /// Reads a session's `metadata`. Nothing there, or a shape this version does not
    /// know, reads as no annotations: `Err` carries the reason, for the log.
    pub fn read(metadata: Option<&Value>) -> Result<Self, String> {
        match metadata.and_then(|m| m.get(METADATA_KEY)) {
            None | Some(Value::Null) => Ok(Self::default()),
            Some(v) => Self::deserialize(v).map_err(|e| e.to_string()),
        }
    }

    /// `metadata` with these annotations in place of the old ones; every other key is
    /// kept as it was.
    pub fn merged_into(&self, metadata: Option<Value>) -> Value {
        let mut map = match metadata {
            Some(Value::Object(m)) => m,
            _ => serde_json::Map::new(),
        };
        if self == &Self::default() {
            map.remove(METADATA_KEY);
        } else {
            map.insert(
                METADATA_KEY.into(),
                serde_json::to_value(self).unwrap_or(Value::Null),
            );
        }
        Value::Object(map)
    }

    /// Sets (or with `None`, removes) the feedback on `run_id`.
    pub fn rate(&mut self, run_id: &str, feedback: Option<Feedback>) {
        match feedback {
            Some(f) => {
                self.feedback.insert(run_id.to_owned(), f);
            }
            None => {
                self.feedback.remove(run_id);
            }
        }
    }

    /// The share whose id is `id`, if it is the live one.
    pub fn live_share(&self, id: &str) -> Option<&Share> {
        self.share.as_ref().filter(|s| s.id == id)
    }
}

/// A comment as it is kept: trimmed; `Err` says why it is refused.
pub fn checked_comment(comment: &str) -> Result<String, String> {
    let comment = comment.trim();
    let n = comment.chars().count();
    if n > MAX_COMMENT_CHARS {
        return Err(format!(
            "The comment is {n} characters long; at most {MAX_COMMENT_CHARS} are kept."
        ));
    }
    Ok(comment.to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn other_metadata_is_kept_when_annotations_are_written() {
        let stored = json!({ "team": "support", "agno_chat": { "feedback": {} } });
        let mut a = Annotations::read(Some(&stored)).unwrap();
        a.rate(
            "r1",
            Some(Feedback {
                rating: Rating::Down,
                comment: "wrong city".into(),
                at: 5,
            }),
        );
        let written = a.merged_into(Some(stored));
        assert_eq!(written["team"], "support");
        assert_eq!(written["agno_chat"]["feedback"]["r1"]["rating"], "down");
        assert_eq!(Annotations::read(Some(&written)).unwrap(), a);
    }

    #[test]
    fn feedback_is_changed_and_removed() {
        let mut a = Annotations::default();
        let up = Feedback {
            rating: Rating::Up,
            comment: String::new(),
            at: 1,
        };
        a.rate("r1", Some(up.clone()));
        a.rate(
            "r1",
            Some(Feedback {
                rating: Rating::Down,
                ..up
            }),
        );
        assert_eq!(a.feedback["r1"].rating, Rating::Down);
        a.rate("r1", None);
        assert!(a.feedback.is_empty());
        // Nothing left: the key goes, rather than an empty object staying behind.
        let written = a.merged_into(Some(json!({ "agno_chat": { "feedback": {} }, "x": 1 })));
        assert_eq!(written, json!({ "x": 1 }));
    }

    #[test]
    fn nothing_or_a_foreign_shape_reads_as_no_annotations() {
        assert_eq!(Annotations::read(None).unwrap(), Annotations::default());
        assert_eq!(
            Annotations::read(Some(&json!({ "other": 1 }))).unwrap(),
            Annotations::default()
        );
        assert!(Annotations::read(Some(&json!({ "agno_chat": [1, 2] }))).is_err());
        // A metadata that is not an object is replaced by one.
        assert_eq!(
            Annotations::default().merged_into(Some(json!("text"))),
            json!({})
        );
    }

    #[test]
    fn only_the_live_share_opens() {
        let a = Annotations {
            share: Some(Share {
                id: "abc".into(),
                created_at: 1,
                runs: vec!["r1".into()],
            }),
            ..Default::default()
        };
        assert!(a.live_share("abc").is_some());
        assert!(a.live_share("old").is_none());
        assert!(Annotations::default().live_share("abc").is_none());
    }

    #[test]
    fn comments_are_trimmed_and_bounded() {
        assert_eq!(checked_comment("  fine \n").unwrap(), "fine");
        assert!(checked_comment(&"é".repeat(MAX_COMMENT_CHARS)).is_ok());
        assert!(checked_comment(&"é".repeat(MAX_COMMENT_CHARS + 1)).is_err());
    }

    #[test]
    fn a_session_recorded_from_agentos_reads_and_merges() {
        let session: Value = serde_json::from_str(include_str!(
            "../../tests/fixtures/agentos/annotations/session_with_annotations.json"
        ))
        .unwrap();
        let metadata = session.get("metadata").cloned();
        let mut a = Annotations::read(metadata.as_ref()).unwrap();
        let run = "892c26cd-bb9a-4265-8092-15dcff2973de";
        assert_eq!(a.feedback[run].rating, Rating::Down);
        assert_eq!(a.feedback[run].comment, "wrong city");
        assert_eq!(a.share.as_ref().unwrap().runs, [run]);
        a.share = None;
        let written = a.merged_into(metadata);
        assert_eq!(written["team"], "support", "another key is kept");
        assert!(written["agno_chat"].get("share").is_none());
    }

    #[test]
    fn a_stored_record_reads_back() {
        // As AgentOS returns it from `GET /sessions/{id}` after agno-chat wrote it.
        let stored = json!({
            "agno_chat": {
                "share": { "id": "k3", "created_at": 1764900000, "runs": ["a", "b"] },
                "feedback": { "a": { "rating": "up", "at": 1764900001 } }
            }
        });
        let a = Annotations::read(Some(&stored)).unwrap();
        assert_eq!(a.share.as_ref().unwrap().runs, ["a", "b"]);
        assert_eq!(a.feedback["a"].rating, Rating::Up);
        assert_eq!(a.feedback["a"].comment, "");
    }
}

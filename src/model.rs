//! Plain data shared by the server and the browser.

use serde::{Deserialize, Serialize};

pub use crate::ids::{AssistantId, RunId, SessionId};

/// Whether an assistant (what a conversation is with) is a single AgentOS agent or a team
/// of agents. ("Assistant" rather than AgentOS's "component", which in this code means a
/// Leptos component.)
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum AssistantKind {
    Agent,
    Team,
}

impl AssistantKind {
    /// The query parameter (and AgentOS path segment, singular) naming this kind.
    pub fn query_key(self) -> &'static str {
        match self {
            AssistantKind::Agent => "agent",
            AssistantKind::Team => "team",
        }
    }
}

/// A reference to one agent or team.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct AssistantRef {
    pub kind: AssistantKind,
    pub id: AssistantId,
}

impl AssistantRef {
    pub fn new(kind: AssistantKind, id: AssistantId) -> Self {
        Self { kind, id }
    }

    /// Picks the assistant named by `?agent=` / `?team=` query values, if any (and valid).
    /// `agent` wins when both are given.
    pub fn from_query(agent: Option<String>, team: Option<String>) -> Option<Self> {
        let clean = |v: Option<String>| v.and_then(|s| AssistantId::new(s.trim()).ok());
        clean(agent)
            .map(|id| Self::new(AssistantKind::Agent, id))
            .or_else(|| clean(team).map(|id| Self::new(AssistantKind::Team, id)))
    }
}

/// One conversation: the agent or team, and the session.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct ConversationRef {
    pub kind: AssistantKind,
    pub assistant_id: AssistantId,
    pub session_id: SessionId,
}

/// One agent or team as listed by AgentOS.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct AssistantSummary {
    pub kind: AssistantKind,
    pub id: AssistantId,
    pub name: String,
    pub description: Option<String>,
}

impl AssistantSummary {
    pub fn reference(&self) -> AssistantRef {
        AssistantRef::new(self.kind, self.id.clone())
    }
}

/// The agents and teams a user can talk to, and which one to open by default.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Catalog {
    pub agents: Vec<AssistantSummary>,
    pub teams: Vec<AssistantSummary>,
    /// The configured default, or the first assistant AgentOS lists.
    pub default: Option<AssistantRef>,
}

impl Catalog {
    pub fn find(&self, r: &AssistantRef) -> Option<&AssistantSummary> {
        let list = match r.kind {
            AssistantKind::Agent => &self.agents,
            AssistantKind::Team => &self.teams,
        };
        list.iter().find(|c| c.id == r.id)
    }

    /// Resolves what to show: the requested assistant when it exists, else the default.
    pub fn resolve(&self, requested: Option<&AssistantRef>) -> Option<&AssistantSummary> {
        requested
            .and_then(|r| self.find(r))
            .or_else(|| self.default.as_ref().and_then(|d| self.find(d)))
    }
}

/// One conversation in the sidebar.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct SessionSummary {
    pub id: SessionId,
    pub name: String,
    /// Last activity, seconds since the Unix epoch.
    pub updated_at: Option<i64>,
}

/// One page of a user's conversations, newest first.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct SessionPage {
    pub items: Vec<SessionSummary>,
    pub page: u32,
    pub total_pages: u32,
    pub total_count: u64,
}

/// Parses AgentOS timestamps (`2026-11-24T20:39:48Z`, with optional fraction/offset, or
/// epoch seconds) into epoch seconds.
pub fn parse_timestamp(v: &serde_json::Value) -> Option<i64> {
    match v {
        serde_json::Value::Number(n) => n.as_f64().map(|f| f as i64),
        serde_json::Value::String(s) => parse_iso8601(s),
        _ => None,
    }
}

fn parse_iso8601(s: &str) -> Option<i64> {
    let (date, rest) = s.split_once('T')?;
    let mut d = date.split('-').map(|p| p.parse::<i64>().ok());
    let (y, m, day) = (d.next()??, d.next()??, d.next()??);
    let time: String = rest.chars().take(8).collect();
    let mut t = time.split(':').map(|p| p.parse::<i64>().ok());
    let (hh, mm, ss) = (t.next()??, t.next()??, t.next()??);
    let tail = &rest[8.min(rest.len())..];
    let tail = tail.trim_start_matches(|c: char| c == '.' || c.is_ascii_digit());
    let offset = match tail.as_bytes().first() {
        Some(b'+') | Some(b'-') if tail.len() >= 6 => {
            let sign = if tail.starts_with('-') { -1 } else { 1 };
            let h: i64 = tail[1..3].parse().ok()?;
            let m: i64 = tail[4..6].parse().ok()?;
            sign * (h * 3600 + m * 60)
        }
        _ => 0,
    };
    // Days from civil date (proleptic Gregorian), after H. Hinnant's algorithm.
    let y = if m <= 2 { y - 1 } else { y };
    let era = if y >= 0 { y } else { y - 399 } / 400;
    let yoe = y - era * 400;
    let mp = (m + 9) % 12;
    let doy = (153 * mp + 2) / 5 + day - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    let days = era * 146_097 + doe - 719_468;
    Some(days * 86_400 + hh * 3600 + mm * 60 + ss - offset)
}

/// The sidebar group (its message id) of a conversation last active at `then`, seen at
/// `now` (epoch s, UTC).
pub fn date_group(now: i64, then: Option<i64>, utc_offset_s: impl Fn(i64) -> i64) -> &'static str {
    let Some(then) = then else {
        return "group-older";
    };
    // Days of the person's calendar, not UTC's: each time with its own offset (daylight
    // saving may differ between the two).
    let day = |t: i64| (t + utc_offset_s(t)).div_euclid(86_400);
    match day(now) - day(then) {
        i64::MIN..=0 => "group-today",
        1 => "group-yesterday",
        2..=7 => "group-week",
        8..=30 => "group-month",
        _ => "group-older",
    }
}

/// Whether AgentOS answers, as seen from the agno-chat server.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct AgentOsStatus {
    pub reachable: bool,
    /// Round-trip time of the last probe, when it answered.
    pub latency_ms: Option<u64>,
    /// Why AgentOS is considered unavailable (no secrets, no internal addresses).
    pub reason: Option<String>,
}

/// A link shown by the "chat unavailable" view.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct HelpLink {
    pub label: String,
    pub url: String,
}

/// Longest message accepted unless the configuration says otherwise, in characters.
pub const DEFAULT_MAX_INPUT_CHARS: usize = 10_000;

/// Settings the browser is allowed to know.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct PublicConfig {
    pub hitl_enabled: bool,
    pub genui_enabled: bool,
    pub help_links: Vec<HelpLink>,
    /// How often the browser re-checks AgentOS while it is up.
    pub health_poll_ms: u64,
    /// Longest wait between re-checks while AgentOS is down.
    pub max_backoff_ms: u64,
    /// Longest message accepted, in characters.
    pub max_input_chars: usize,
    /// Shortest time between two sends from this browser.
    pub min_send_interval_ms: u64,
    /// Whether analytics and error reports may carry message text.
    pub report_message_content: bool,
    /// The signed-in person's name (OIDC sign-in only).
    pub account: Option<String>,
    /// What one message may carry (checked again on the server).
    pub uploads: UploadLimits,
    /// Most of one of the person's budgets is used: the warning to show.
    pub budget_notice: Option<String>,
}

/// Limits on the files of one message.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct UploadLimits {
    pub max_files: usize,
    pub max_file_bytes: u64,
    pub max_message_bytes: u64,
}

/// The server's defaults (`AGNO_CHAT_MAX_FILES`, `_MAX_FILE_MB`, `_MAX_MESSAGE_MB`).
impl Default for UploadLimits {
    fn default() -> Self {
        Self {
            max_files: 10,
            max_file_bytes: 20 * 1024 * 1024,
            max_message_bytes: 50 * 1024 * 1024,
        }
    }
}

/// What the browser assumes until the server's settings are here: the server's own
/// defaults.
impl Default for PublicConfig {
    fn default() -> Self {
        Self {
            hitl_enabled: true,
            genui_enabled: true,
            help_links: Vec::new(),
            health_poll_ms: 10_000,
            max_backoff_ms: 8_000,
            max_input_chars: DEFAULT_MAX_INPUT_CHARS,
            min_send_interval_ms: 0,
            report_message_content: false,
            account: None,
            uploads: UploadLimits::default(),
            budget_notice: None,
        }
    }
}

/// An agent's or team's avatar: the first letter or digit of its name, and one of eight
/// colours chosen by its id (so two agents with one initial still tell apart).
pub fn avatar(name: &str, id: &str) -> (String, u8) {
    let initial = name
        .chars()
        .find(|c| c.is_alphanumeric())
        .map_or_else(|| "?".to_owned(), |c| c.to_uppercase().collect());
    let hash = id
        .bytes()
        .fold(0u32, |h, b| h.wrapping_mul(31).wrapping_add(u32::from(b)));
    (initial, (hash % 8) as u8)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn summary(kind: AssistantKind, id: &str) -> AssistantSummary {
        AssistantSummary {
            kind,
            id: id.into(),
            name: id.into(),
            description: None,
        }
    }

    #[test]
    fn timestamps_parse_to_epoch_seconds() {
        use serde_json::json;
        assert_eq!(parse_timestamp(&json!("1970-01-01T00:00:00Z")), Some(0));
        assert_eq!(
            parse_timestamp(&json!("2026-11-24T20:39:48Z")),
            Some(1_795_552_788)
        );
        assert_eq!(
            parse_timestamp(&json!("2026-11-24T20:39:53.198385+00:00")),
            Some(1_795_552_793)
        );
        assert_eq!(
            parse_timestamp(&json!("2026-11-24T22:39:48+02:00")),
            Some(1_795_552_788)
        );
        assert_eq!(parse_timestamp(&json!(1795552785)), Some(1_795_552_785));
        assert_eq!(parse_timestamp(&json!("yesterday")), None);
    }

    #[test]
    fn date_groups() {
        let now = 1_795_552_788; // 2026-11-24 20:39 UTC
        let utc = |_| 0;
        assert_eq!(date_group(now, Some(now - 60), utc), "group-today");
        assert_eq!(date_group(now, Some(now - 86_400), utc), "group-yesterday");
        assert_eq!(date_group(now, Some(now - 3 * 86_400), utc), "group-week");
        assert_eq!(date_group(now, Some(now - 20 * 86_400), utc), "group-month");
        assert_eq!(date_group(now, Some(now - 90 * 86_400), utc), "group-older");
        assert_eq!(date_group(now, None, utc), "group-older");
    }

    #[test]
    fn an_avatar_is_the_names_initial_on_the_ids_colour() {
        assert_eq!(avatar("echo agent", "echo").0, "E");
        assert_eq!(avatar("  ärger", "x").0, "Ä");
        assert_eq!(avatar("--", "x").0, "?");
        // The same id, the same colour; the ids of the demo's agents spread over several.
        assert_eq!(avatar("A", "echo").1, avatar("B", "echo").1);
        let hues: std::collections::BTreeSet<u8> = ["echo", "tools", "reasoning", "team", "hitl"]
            .iter()
            .map(|id| avatar("x", id).1)
            .collect();
        assert!(hues.len() >= 3, "{hues:?}");
        assert!(hues.iter().all(|h| *h < 8));
    }

    #[test]
    fn date_groups_follow_the_persons_calendar() {
        // 2026-12-03 09:00 at UTC+14 is 2026-12-02 19:00 UTC; last evening there, 20:00
        // on the 2nd, is 06:00 UTC on the 2nd: the same UTC day, the day before locally.
        let now = 1_796_238_000; // 2026-12-02T19:00:00Z
        let last_evening = 1_796_191_200; // 2026-12-02T06:00:00Z
        let kiribati = |_| 14 * 3_600;
        assert_eq!(
            date_group(now, Some(last_evening), kiribati),
            "group-yesterday"
        );
        assert_eq!(date_group(now, Some(last_evening), |_| 0), "group-today");
        // West of UTC: 23:30 local on the 2nd is already the 3rd in UTC.
        let honolulu = |_| -10 * 3_600;
        let now = 1_796_261_400; // 2026-12-03T01:30:00Z = 15:30 on the 2nd in Honolulu
        let morning = 1_796_238_000 - 4 * 3_600; // 05:00 on the 2nd in Honolulu
        assert_eq!(date_group(now, Some(morning), honolulu), "group-today");
        assert_eq!(date_group(now, Some(morning), |_| 0), "group-yesterday");
    }

    #[test]
    fn query_prefers_agent_and_ignores_blank_values() {
        assert_eq!(
            AssistantRef::from_query(Some("a".into()), Some("t".into())),
            Some(AssistantRef::new(AssistantKind::Agent, "a".into()))
        );
        assert_eq!(
            AssistantRef::from_query(Some("  ".into()), Some("t".into())),
            Some(AssistantRef::new(AssistantKind::Team, "t".into()))
        );
        assert_eq!(AssistantRef::from_query(None, Some("".into())), None);
    }

    #[test]
    fn resolve_falls_back_to_default_for_unknown_ids() {
        let catalog = Catalog {
            agents: vec![
                summary(AssistantKind::Agent, "a1"),
                summary(AssistantKind::Agent, "a2"),
            ],
            teams: vec![summary(AssistantKind::Team, "t1")],
            default: Some(AssistantRef::new(AssistantKind::Agent, "a2".into())),
        };
        let team = AssistantRef::new(AssistantKind::Team, "t1".into());
        assert_eq!(catalog.resolve(Some(&team)).unwrap().id, "t1");
        let unknown = AssistantRef::new(AssistantKind::Team, "nope".into());
        assert_eq!(catalog.resolve(Some(&unknown)).unwrap().id, "a2");
        assert_eq!(catalog.resolve(None).unwrap().id, "a2");
        // An agent id is not found among teams.
        let wrong_kind = AssistantRef::new(AssistantKind::Team, "a1".into());
        assert_eq!(catalog.resolve(Some(&wrong_kind)).unwrap().id, "a2");
    }
}

/// A message for an agent or team. The user is not part of it: the server knows who
/// is asking.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ChatRequest {
    pub kind: AssistantKind,
    pub assistant_id: AssistantId,
    pub session_id: Option<SessionId>,
    pub message: String,
    /// The run of the turn this message follows in the branch shown (empty for a
    /// conversation's first message; see `chat::branches`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub follows: Option<String>,
}

//! Plain data shared by the server and the browser.

use serde::{Deserialize, Serialize};

/// Whether a conversation partner is a single agent or a team of agents.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ComponentKind {
    Agent,
    Team,
}

impl ComponentKind {
    /// The query parameter (and AgentOS path segment, singular) naming this kind.
    pub fn query_key(self) -> &'static str {
        match self {
            ComponentKind::Agent => "agent",
            ComponentKind::Team => "team",
        }
    }
}

/// A reference to one agent or team.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct ComponentRef {
    pub kind: ComponentKind,
    pub id: String,
}

impl ComponentRef {
    pub fn new(kind: ComponentKind, id: impl Into<String>) -> Self {
        Self {
            kind,
            id: id.into(),
        }
    }

    /// Picks the component named by `?agent=` / `?team=` query values, if any.
    /// `agent` wins when both are given.
    pub fn from_query(agent: Option<String>, team: Option<String>) -> Option<Self> {
        let clean = |v: Option<String>| v.map(|s| s.trim().to_owned()).filter(|s| !s.is_empty());
        clean(agent)
            .map(|id| Self::new(ComponentKind::Agent, id))
            .or_else(|| clean(team).map(|id| Self::new(ComponentKind::Team, id)))
    }
}

/// One agent or team as listed by AgentOS.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ComponentSummary {
    pub kind: ComponentKind,
    pub id: String,
    pub name: String,
    pub description: Option<String>,
}

impl ComponentSummary {
    pub fn reference(&self) -> ComponentRef {
        ComponentRef::new(self.kind, self.id.clone())
    }
}

/// The agents and teams a user can talk to, and which one to open by default.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Catalog {
    pub agents: Vec<ComponentSummary>,
    pub teams: Vec<ComponentSummary>,
    /// The configured default, or the first component AgentOS lists.
    pub default: Option<ComponentRef>,
}

impl Catalog {
    pub fn find(&self, r: &ComponentRef) -> Option<&ComponentSummary> {
        let list = match r.kind {
            ComponentKind::Agent => &self.agents,
            ComponentKind::Team => &self.teams,
        };
        list.iter().find(|c| c.id == r.id)
    }

    /// Resolves what to show: the requested component when it exists, else the default.
    pub fn resolve(&self, requested: Option<&ComponentRef>) -> Option<&ComponentSummary> {
        requested
            .and_then(|r| self.find(r))
            .or_else(|| self.default.as_ref().and_then(|d| self.find(d)))
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
}

#[cfg(test)]
mod tests {
    use super::*;

    fn summary(kind: ComponentKind, id: &str) -> ComponentSummary {
        ComponentSummary {
            kind,
            id: id.into(),
            name: id.into(),
            description: None,
        }
    }

    #[test]
    fn query_prefers_agent_and_ignores_blank_values() {
        assert_eq!(
            ComponentRef::from_query(Some("a".into()), Some("t".into())),
            Some(ComponentRef::new(ComponentKind::Agent, "a"))
        );
        assert_eq!(
            ComponentRef::from_query(Some("  ".into()), Some("t".into())),
            Some(ComponentRef::new(ComponentKind::Team, "t"))
        );
        assert_eq!(ComponentRef::from_query(None, Some("".into())), None);
    }

    #[test]
    fn resolve_falls_back_to_default_for_unknown_ids() {
        let catalog = Catalog {
            agents: vec![
                summary(ComponentKind::Agent, "a1"),
                summary(ComponentKind::Agent, "a2"),
            ],
            teams: vec![summary(ComponentKind::Team, "t1")],
            default: Some(ComponentRef::new(ComponentKind::Agent, "a2")),
        };
        let team = ComponentRef::new(ComponentKind::Team, "t1");
        assert_eq!(catalog.resolve(Some(&team)).unwrap().id, "t1");
        let unknown = ComponentRef::new(ComponentKind::Team, "nope");
        assert_eq!(catalog.resolve(Some(&unknown)).unwrap().id, "a2");
        assert_eq!(catalog.resolve(None).unwrap().id, "a2");
        // An agent id is not found among teams.
        let wrong_kind = ComponentRef::new(ComponentKind::Team, "a1");
        assert_eq!(catalog.resolve(Some(&wrong_kind)).unwrap().id, "a2");
    }
}

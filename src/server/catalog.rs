use crate::agentos::types::{Agent, Team};
use crate::model::{Catalog, ComponentKind, ComponentRef, ComponentSummary};

/// Builds the picker's catalog from AgentOS's lists. The default is the configured
/// component when AgentOS has it, else the first agent (or team, in team mode).
pub fn build_catalog(
    agents: Vec<Agent>,
    teams: Vec<Team>,
    configured: Option<ComponentRef>,
) -> Catalog {
    let name_or_id = |name: Option<String>, id: &str| {
        name.filter(|n| !n.trim().is_empty())
            .unwrap_or_else(|| id.to_owned())
    };
    let agents: Vec<ComponentSummary> = agents
        .into_iter()
        .map(|a| ComponentSummary {
            kind: ComponentKind::Agent,
            name: name_or_id(a.name, &a.id),
            id: a.id,
            description: a.description,
        })
        .collect();
    let teams: Vec<ComponentSummary> = teams
        .into_iter()
        .map(|t| ComponentSummary {
            kind: ComponentKind::Team,
            name: name_or_id(t.name, &t.id),
            id: t.id,
            description: t.description,
        })
        .collect();
    let mut catalog = Catalog {
        agents,
        teams,
        default: None,
    };
    let preferred_kind = configured
        .as_ref()
        .map(|c| c.kind)
        .unwrap_or(ComponentKind::Agent);
    catalog.default = configured
        .filter(|c| catalog.find(c).is_some())
        .or_else(|| {
            let (first, second) = match preferred_kind {
                ComponentKind::Agent => (&catalog.agents, &catalog.teams),
                ComponentKind::Team => (&catalog.teams, &catalog.agents),
            };
            first
                .first()
                .or(second.first())
                .map(ComponentSummary::reference)
        });
    catalog
}

#[cfg(test)]
mod tests {
    use super::*;

    fn transcript<T: serde::de::DeserializeOwned>(name: &str) -> Option<T> {
        let dir =
            std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/agentos/transcripts");
        let body = std::fs::read_to_string(dir.join(name)).ok()?;
        Some(serde_json::from_str(&body).expect(name))
    }

    fn agent(id: &str) -> Agent {
        serde_json::from_value(serde_json::json!({ "id": id, "name": format!("Agent {id}") }))
            .unwrap()
    }

    fn team(id: &str) -> Team {
        serde_json::from_value(serde_json::json!({ "id": id })).unwrap()
    }

    #[test]
    fn default_is_first_agent_when_nothing_configured() {
        let c = build_catalog(vec![agent("a1"), agent("a2")], vec![team("t1")], None);
        assert_eq!(
            c.default,
            Some(ComponentRef::new(ComponentKind::Agent, "a1"))
        );
        assert_eq!(c.teams[0].name, "t1", "missing names fall back to the id");
    }

    #[test]
    fn configured_default_is_used_only_when_it_exists() {
        let t1 = ComponentRef::new(ComponentKind::Team, "t1");
        let c = build_catalog(vec![agent("a1")], vec![team("t1")], Some(t1.clone()));
        assert_eq!(c.default, Some(t1));
        let missing = ComponentRef::new(ComponentKind::Team, "zz");
        let c = build_catalog(vec![agent("a1")], vec![team("t1")], Some(missing));
        assert_eq!(
            c.default,
            Some(ComponentRef::new(ComponentKind::Team, "t1"))
        );
        let c = build_catalog(vec![], vec![], None);
        assert_eq!(c.default, None);
    }

    #[test]
    fn recorded_agent_and_team_lists_parse() {
        let (Some(agents), Some(teams)) = (
            transcript::<Vec<Agent>>("05_agents.body"),
            transcript::<Vec<Team>>("07_teams.body"),
        ) else {
            return;
        };
        let c = build_catalog(agents, teams, None);
        assert!(c
            .agents
            .iter()
            .any(|a| a.id == "echo-agent" && a.name == "Echo Agent"));
        assert!(c.teams.iter().any(|t| t.id == "echo-team"));
        assert_eq!(c.default.unwrap().id, "echo-agent");
    }
}

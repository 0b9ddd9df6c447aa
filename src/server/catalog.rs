use crate::agentos::types::{Agent, Team};
use crate::model::{AssistantId, AssistantKind, AssistantRef, AssistantSummary, Catalog};

/// Builds the picker's catalog from AgentOS's lists. The default is the configured
/// assistant when AgentOS has it, else the first agent (or team, in team mode).
pub fn build_catalog(
    agents: Vec<Agent>,
    teams: Vec<Team>,
    configured: Option<AssistantRef>,
) -> Catalog {
    // One whose id is not an id could not be talked to: it is left out.
    let summary = |kind, id: String, name: Option<String>, description| {
        Some(AssistantSummary {
            kind,
            name: name
                .filter(|n| !n.trim().is_empty())
                .unwrap_or_else(|| id.clone()),
            id: AssistantId::new(id).ok()?,
            description,
        })
    };
    let agents: Vec<AssistantSummary> = agents
        .into_iter()
        .filter_map(|a| summary(AssistantKind::Agent, a.id, a.name, a.description))
        .collect();
    let teams: Vec<AssistantSummary> = teams
        .into_iter()
        .filter_map(|t| summary(AssistantKind::Team, t.id, t.name, t.description))
        .collect();
    let mut catalog = Catalog {
        agents,
        teams,
        default: None,
    };
    let preferred_kind = configured
        .as_ref()
        .map(|c| c.kind)
        .unwrap_or(AssistantKind::Agent);
    catalog.default = configured
        .filter(|c| catalog.find(c).is_some())
        .or_else(|| first_of(&catalog, preferred_kind));
    catalog
}

/// The first assistant of `kind`, else of the other kind.
fn first_of(catalog: &Catalog, kind: AssistantKind) -> Option<AssistantRef> {
    let (first, second) = match kind {
        AssistantKind::Agent => (&catalog.agents, &catalog.teams),
        AssistantKind::Team => (&catalog.teams, &catalog.agents),
    };
    first
        .first()
        .or(second.first())
        .map(AssistantSummary::reference)
}

/// The part of `catalog` that `access` includes; the default moves to the first one
/// allowed when the configured default is not.
pub fn visible_to(mut catalog: Catalog, access: &crate::server::policy::Access) -> Catalog {
    if !access.is_restricted() {
        return catalog;
    }
    catalog
        .agents
        .retain(|a| access.may_use(AssistantKind::Agent, a.id.as_str()));
    catalog
        .teams
        .retain(|t| access.may_use(AssistantKind::Team, t.id.as_str()));
    let kind = catalog
        .default
        .as_ref()
        .map_or(AssistantKind::Agent, |d| d.kind);
    catalog.default = catalog
        .default
        .take()
        .filter(|d| access.may_use(d.kind, d.id.as_str()))
        .or_else(|| first_of(&catalog, kind));
    catalog
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn people_see_only_what_their_roles_include() {
        let agent = |id: &str| -> Agent {
            serde_json::from_value(serde_json::json!({ "id": id })).unwrap()
        };
        let catalog = build_catalog(
            vec![agent("echo-agent"), agent("weather-agent")],
            vec![],
            None,
        );
        let policy = crate::server::policy::Policy::parse(
            "[roles.r]\nclaims = [\"research\"]\nagents = [\"weather-agent\"]\n",
        )
        .unwrap();
        let research = visible_to(catalog.clone(), &policy.access(&["research".into()]));
        assert_eq!(research.agents.len(), 1);
        assert_eq!(research.agents[0].id.as_str(), "weather-agent");
        assert_eq!(research.default.unwrap().id.as_str(), "weather-agent");
        let nobody = visible_to(catalog.clone(), &policy.access(&[]));
        assert!(nobody.agents.is_empty() && nobody.default.is_none());
        let all = visible_to(catalog, &crate::server::policy::Access::unrestricted());
        assert_eq!(all.agents.len(), 2);
    }

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
            Some(AssistantRef::new(AssistantKind::Agent, "a1".into()))
        );
        assert_eq!(c.teams[0].name, "t1", "missing names fall back to the id");
    }

    #[test]
    fn configured_default_is_used_only_when_it_exists() {
        let t1 = AssistantRef::new(AssistantKind::Team, "t1".into());
        let c = build_catalog(vec![agent("a1")], vec![team("t1")], Some(t1.clone()));
        assert_eq!(c.default, Some(t1));
        let missing = AssistantRef::new(AssistantKind::Team, "zz".into());
        let c = build_catalog(vec![agent("a1")], vec![team("t1")], Some(missing));
        assert_eq!(
            c.default,
            Some(AssistantRef::new(AssistantKind::Team, "t1".into()))
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

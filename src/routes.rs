//! The app's addresses. A conversation has a path of its own, so that a reload, Back and
//! a shared link open exactly what was on screen:
//!
//! - `/`: the default agent or team, with the conversation last open with it here;
//! - `/agents/{id}` and `/teams/{id}`: that agent or team (the same);
//! - `/agents/{id}/c/{session}` and `/teams/{id}/c/{session}`: one conversation.
//!
//! Older links (`/?agent=ID&session=S`, `/?team=ID`) still open what they named, and the
//! address is then rewritten to the path. Plain Rust, read the same way by the page (in
//! the browser and during server rendering) and by the server's page status check.

use percent_encoding::{percent_decode_str, utf8_percent_encode, AsciiSet, NON_ALPHANUMERIC};

use crate::model::{ComponentKind, ComponentRef};

/// The pages' paths, as the server's router writes them: every other path is "not found".
pub const PATHS: [&str; 5] = [
    "/",
    "/agents/{id}",
    "/agents/{id}/c/{session}",
    "/teams/{id}",
    "/teams/{id}/c/{session}",
];

/// What a chat page's address names.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ChatRoute {
    /// The agent or team; `None`: the default one.
    pub target: Option<ComponentRef>,
    /// The conversation; `None`: the one last open here, or a new one.
    pub session: Option<String>,
}

/// Characters kept as they are in a path segment; everything else is escaped.
const SEGMENT: &AsciiSet = &NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'_')
    .remove(b'.')
    .remove(b'~');

impl ChatRoute {
    pub fn new(target: Option<ComponentRef>, session: Option<String>) -> Self {
        Self { target, session }
    }

    /// The route of a chat page's `path` and `query` (without `?`); `None` for any other
    /// page.
    pub fn parse(path: &str, query: &str) -> Option<Self> {
        let segments: Vec<String> = path
            .trim_start_matches('/')
            .trim_end_matches('/')
            .split('/')
            .filter(|s| !s.is_empty())
            .map(|s| percent_decode_str(s).decode_utf8_lossy().trim().to_owned())
            .collect();
        let kind = |s: &str| match s {
            "agents" => Some(ComponentKind::Agent),
            "teams" => Some(ComponentKind::Team),
            _ => None,
        };
        match segments.as_slice() {
            [] => Some(Self::from_query(query)),
            [k, id] if !id.is_empty() => Some(Self::new(
                Some(ComponentRef::new(kind(k)?, id.clone())),
                None,
            )),
            [k, id, c, session] if c == "c" && !id.is_empty() && !session.is_empty() => {
                Some(Self::new(
                    Some(ComponentRef::new(kind(k)?, id.clone())),
                    Some(session.clone()),
                ))
            }
            _ => None,
        }
    }

    /// An older link's query: `?agent=` or `?team=` (agent wins), and `?session=`.
    fn from_query(query: &str) -> Self {
        let param = |name: &str| {
            form_urlencoded::parse(query.as_bytes())
                .find(|(k, _)| k == name)
                .map(|(_, v)| v.trim().to_owned())
                .filter(|v| !v.is_empty())
        };
        Self::new(
            ComponentRef::from_query(param("agent"), param("team")),
            param("session"),
        )
    }

    /// The path of this route (`/` when it names nothing).
    pub fn href(&self) -> String {
        let Some(target) = &self.target else {
            return "/".into();
        };
        let kind = match target.kind {
            ComponentKind::Agent => "agents",
            ComponentKind::Team => "teams",
        };
        let id = utf8_percent_encode(&target.id, SEGMENT);
        match &self.session {
            Some(s) => format!("/{kind}/{id}/c/{}", utf8_percent_encode(s, SEGMENT)),
            None => format!("/{kind}/{id}"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn agent(id: &str) -> Option<ComponentRef> {
        Some(ComponentRef::new(ComponentKind::Agent, id))
    }

    #[test]
    fn paths_name_the_agent_or_team_and_the_conversation() {
        assert_eq!(ChatRoute::parse("/", ""), Some(ChatRoute::default()));
        assert_eq!(
            ChatRoute::parse("/agents/echo-agent", ""),
            Some(ChatRoute::new(agent("echo-agent"), None))
        );
        assert_eq!(
            ChatRoute::parse("/teams/research/c/s-1/", ""),
            Some(ChatRoute::new(
                Some(ComponentRef::new(ComponentKind::Team, "research")),
                Some("s-1".into())
            ))
        );
        for other in [
            "/nope",
            "/agents",
            "/agents/x/c",
            "/agents/x/d/s",
            "/people/x",
            "/agents/x/c/s/more",
        ] {
            assert_eq!(ChatRoute::parse(other, ""), None, "{other}");
        }
    }

    #[test]
    fn older_query_links_still_name_what_they_did() {
        assert_eq!(
            ChatRoute::parse("/", "agent=echo-agent&session=abc"),
            Some(ChatRoute::new(agent("echo-agent"), Some("abc".into())))
        );
        assert_eq!(
            ChatRoute::parse("/", "team=t&agent=a"),
            Some(ChatRoute::new(agent("a"), None))
        );
        assert_eq!(
            ChatRoute::parse("/", "session=%20&agent=%20"),
            Some(ChatRoute::default())
        );
    }

    #[test]
    fn an_href_reads_back_as_the_same_route_whatever_the_ids_hold() {
        for (id, session) in [
            ("echo-agent", None),
            ("a b/c?d#e%f", Some("s/1?x")),
            ("été", Some("ünï")),
        ] {
            let route = ChatRoute::new(agent(id), session.map(str::to_owned));
            let href = route.href();
            assert!(!href[1..].contains(['?', '#', ' ']), "{href}");
            assert_eq!(ChatRoute::parse(&href, ""), Some(route), "{href}");
        }
        assert_eq!(ChatRoute::default().href(), "/");
        assert_eq!(
            ChatRoute::new(agent("echo-agent"), Some("abc".into())).href(),
            "/agents/echo-agent/c/abc"
        );
    }

    #[test]
    fn the_server_serves_exactly_the_paths_the_page_reads() {
        for path in PATHS {
            let example = path
                .replace("{id}", "echo-agent")
                .replace("{session}", "s1");
            assert!(ChatRoute::parse(&example, "").is_some(), "{path}");
        }
        assert_eq!(
            ChatRoute::parse("/agents/echo-agent/c/s1", "").map(|r| r.href()),
            Some("/agents/echo-agent/c/s1".to_owned())
        );
    }

    #[test]
    fn broken_escapes_do_not_panic() {
        assert!(ChatRoute::parse("/agents/%zz", "").is_some());
        assert!(ChatRoute::parse("/agents/%FF/c/%4", "").is_some());
        assert_eq!(
            ChatRoute::parse("/", "agent=%FF").map(|r| r.target.is_some()),
            Some(true)
        );
    }
}

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

use crate::model::{AssistantId, AssistantKind, AssistantRef, SessionId};

/// The pages' paths, as the server's router writes them: every other path is "not found".
/// Where the page's language form posts the language chosen (the server remembers it and
/// sends the person back to the page they were on).
/// Where a message is sent.
pub const SEND_PATH: &str = "/api/chat/send";
/// Where a message with files is sent (a multipart upload, see `server::uploads`).
pub const SEND_FILES_PATH: &str = "/api/chat/send-files";
/// Another version of an answer (regenerated, or after an edited question): a send.
pub const BRANCH_PATH: &str = "/api/chat/branch";

pub const LANGUAGE_PATH: &str = "/language";

/// A person's own usage and budgets.
pub const USAGE_PATH: &str = "/usage";
/// Everyone's usage, for administrators.
pub const ADMIN_USAGE_PATH: &str = "/admin/usage";
/// The usage pages' own stylesheet.
pub const USAGE_STYLESHEET_PATH: &str = "/usage.css";
/// The element a usage page is drawn in place of (see `usage`).
pub const USAGE_ROOT_ID: &str = "usage-page";
/// The administrators' usage as CSV (`?from=YYYY-MM-DD&to=YYYY-MM-DD`).
pub const ADMIN_USAGE_CSV_PATH: &str = "/api/usage/export.csv";

pub const PATHS: [&str; 7] = [
    "/",
    "/agents/{id}",
    "/agents/{id}/c/{session}",
    "/teams/{id}",
    "/teams/{id}/c/{session}",
    USAGE_PATH,
    ADMIN_USAGE_PATH,
];

/// Which of the app's pages an address shows.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Page {
    Chat,
    Usage,
    AdminUsage,
}

impl Page {
    /// The page at `path`; `None`: not found.
    pub fn of(path: &str) -> Option<Self> {
        match path.trim_end_matches('/') {
            USAGE_PATH => Some(Page::Usage),
            ADMIN_USAGE_PATH => Some(Page::AdminUsage),
            _ => ChatRoute::parse(path, "").map(|_| Page::Chat),
        }
    }
}

/// What a chat page's address names.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ChatRoute {
    /// The agent or team; `None`: the default one.
    pub target: Option<AssistantRef>,
    /// The conversation; `None`: the one last open here, or a new one.
    pub session: Option<SessionId>,
}

/// Characters kept as they are in a path segment; everything else is escaped.
const SEGMENT: &AsciiSet = &NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'_')
    .remove(b'.')
    .remove(b'~');

impl ChatRoute {
    pub fn new(target: Option<AssistantRef>, session: Option<SessionId>) -> Self {
        Self { target, session }
    }

    /// The route of a chat page's `path` and `query` (without `?`); `None` for any other
    /// page, or one whose ids are not valid ids.
    pub fn parse(path: &str, query: &str) -> Option<Self> {
        let segments: Vec<String> = path
            .trim_start_matches('/')
            .trim_end_matches('/')
            .split('/')
            .filter(|s| !s.is_empty())
            .map(|s| percent_decode_str(s).decode_utf8_lossy().trim().to_owned())
            .collect();
        let kind = |s: &str| match s {
            "agents" => Some(AssistantKind::Agent),
            "teams" => Some(AssistantKind::Team),
            _ => None,
        };
        let assistant =
            |k: &str, id: &str| Some(AssistantRef::new(kind(k)?, AssistantId::new(id).ok()?));
        match segments.as_slice() {
            [] => Some(Self::from_query(query)),
            [k, id] => Some(Self::new(Some(assistant(k, id)?), None)),
            [k, id, c, session] if c == "c" => Some(Self::new(
                Some(assistant(k, id)?),
                Some(SessionId::new(session.as_str()).ok()?),
            )),
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
            AssistantRef::from_query(param("agent"), param("team")),
            param("session").and_then(|s| SessionId::new(s).ok()),
        )
    }

    /// The path of this route (`/` when it names nothing).
    pub fn href(&self) -> String {
        let Some(target) = &self.target else {
            return "/".into();
        };
        let kind = match target.kind {
            AssistantKind::Agent => "agents",
            AssistantKind::Team => "teams",
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

    fn agent(id: &str) -> Option<AssistantRef> {
        Some(AssistantRef::new(AssistantKind::Agent, id.into()))
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
                Some(AssistantRef::new(AssistantKind::Team, "research".into())),
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
            ("a.b:c_d", Some("s:1.2")),
            ("A-Z_0.9", Some("5cc36f7c-475b-4131-8a0a-5f34cecfd179")),
        ] {
            let route = ChatRoute::new(agent(id), session.map(SessionId::from));
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
            assert!(Page::of(&example).is_some(), "{path}");
        }
        assert_eq!(
            ChatRoute::parse("/agents/echo-agent/c/s1", "").map(|r| r.href()),
            Some("/agents/echo-agent/c/s1".to_owned())
        );
    }

    #[test]
    fn ids_that_are_not_ids_name_nothing() {
        for path in [
            "/agents/a%20b",
            "/agents/%C3%A9t%C3%A9",
            "/agents/x/c/s%2F1",
            "/agents/%zz",
            "/agents/%FF/c/%4",
        ] {
            assert_eq!(ChatRoute::parse(path, ""), None, "{path}");
        }
        assert_eq!(
            ChatRoute::parse("/", "agent=%FF&session=../x"),
            Some(ChatRoute::default())
        );
    }
}

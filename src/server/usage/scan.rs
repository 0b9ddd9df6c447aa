//! Reads what people spent from AgentOS's stored runs: for the usage pages, and to
//! rebuild the budgets' counts after a restart. AgentOS has no listing of runs across
//! sessions, so this pages through the sessions updated since the start of the period
//! (newest first) and reads each one's runs created since then.

use futures::{StreamExt, TryStreamExt};

use super::runs::{from_stored, timestamp, RunUsage};
use crate::agentos::{AgentOsClient, AgentOsError};
use crate::model::AssistantKind;

const PAGE: u32 = 100;
/// At most this many pages of sessions per kind (10,000 sessions).
const MAX_PAGES: u32 = 100;
/// Sessions whose runs are read at once.
const AT_ONCE: usize = 6;

/// The runs created in `[since, until)` (Unix seconds) of `user`, or of everyone.
pub async fn runs_between(
    agentos: &AgentOsClient,
    user: Option<&str>,
    since: i64,
    until: i64,
) -> Result<Vec<RunUsage>, AgentOsError> {
    let mut sessions: Vec<(AssistantKind, String, String, String)> = Vec::new();
    for kind in [AssistantKind::Agent, AssistantKind::Team] {
        for page in 1..=MAX_PAGES {
            let list = agentos.sessions_updated(kind, user, page, PAGE).await?;
            let n = list.data.len();
            let mut older = false;
            for s in list.data {
                let updated = s
                    .updated_at
                    .as_ref()
                    .and_then(timestamp)
                    .unwrap_or(i64::MAX);
                if updated < since {
                    older = true;
                    continue;
                }
                let (Some(owner), Some(id)) = (
                    s.user_id.filter(|u| !u.is_empty()),
                    match kind {
                        AssistantKind::Agent => s.agent_id,
                        AssistantKind::Team => s.team_id,
                    },
                ) else {
                    continue;
                };
                let assistant = format!("{}:{id}", kind.query_key());
                sessions.push((kind, s.session_id, owner, assistant));
            }
            if older || (n as u32) < PAGE {
                break;
            }
        }
    }
    let per_session = futures::stream::iter(sessions)
        .map(|(kind, session, owner, assistant)| async move {
            let runs = agentos
                .session_runs(kind, &session, &owner, Some(since))
                .await?;
            Ok::<_, AgentOsError>(
                runs.iter()
                    .filter_map(|r| from_stored(r, &owner, &assistant))
                    .filter(|r| r.at >= since && r.at < until)
                    .collect::<Vec<_>>(),
            )
        })
        .buffer_unordered(AT_ONCE);
    let all: Vec<Vec<RunUsage>> = per_session.try_collect().await?;
    Ok(all.into_iter().flatten().collect())
}

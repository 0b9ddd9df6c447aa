//! AgentOS reply shapes (agno 3.1.10). Only the fields agno-chat uses are declared; unknown
//! fields are ignored so newer AgentOS versions keep working.

use serde::Deserialize;

/// `GET /health`
#[derive(Debug, Clone, Deserialize, PartialEq)]
pub struct Health {
    pub status: String,
    #[serde(default)]
    pub instantiated_at: Option<String>,
}

/// `GET /info`
#[derive(Debug, Clone, Deserialize, PartialEq)]
pub struct OsInfo {
    #[serde(default)]
    pub os_id: Option<String>,
    #[serde(default)]
    pub name: Option<String>,
    #[serde(default)]
    pub os_version: Option<String>,
    #[serde(default)]
    pub agno_version: Option<String>,
    #[serde(default)]
    pub agent_count: Option<u32>,
    #[serde(default)]
    pub team_count: Option<u32>,
    #[serde(default)]
    pub auth_mode: Option<String>,
}

/// The model an agent or team uses.
#[derive(Debug, Clone, Deserialize, PartialEq)]
pub struct ModelInfo {
    #[serde(default)]
    pub name: Option<String>,
    #[serde(default)]
    pub model: Option<String>,
    #[serde(default)]
    pub provider: Option<String>,
}

/// One entry of `GET /agents`.
#[derive(Debug, Clone, Deserialize, PartialEq)]
pub struct Agent {
    pub id: String,
    #[serde(default)]
    pub name: Option<String>,
    #[serde(default)]
    pub description: Option<String>,
    #[serde(default)]
    pub db_id: Option<String>,
    #[serde(default)]
    pub model: Option<ModelInfo>,
}

/// One entry of `GET /teams`.
#[derive(Debug, Clone, Deserialize, PartialEq)]
pub struct Team {
    pub id: String,
    #[serde(default)]
    pub name: Option<String>,
    #[serde(default)]
    pub description: Option<String>,
    #[serde(default)]
    pub mode: Option<String>,
    #[serde(default)]
    pub model: Option<ModelInfo>,
    #[serde(default)]
    pub members: Vec<TeamMember>,
}

/// A member of a team (an agent or a nested team).
#[derive(Debug, Clone, Deserialize, PartialEq)]
pub struct TeamMember {
    #[serde(default)]
    pub id: Option<String>,
    #[serde(default)]
    pub name: Option<String>,
}

/// One session in `GET /sessions` (and the fields of `GET /sessions/{id}` we use).
#[derive(Debug, Clone, Deserialize, PartialEq)]
pub struct SessionRecord {
    pub session_id: String,
    #[serde(default)]
    pub session_name: Option<String>,
    #[serde(default)]
    pub user_id: Option<String>,
    #[serde(default)]
    pub agent_id: Option<String>,
    #[serde(default)]
    pub team_id: Option<String>,
    #[serde(default)]
    pub created_at: Option<serde_json::Value>,
    #[serde(default)]
    pub updated_at: Option<serde_json::Value>,
    /// Free-form; agno-chat keeps its annotations here (see `chat::annotations`).
    #[serde(default)]
    pub metadata: Option<serde_json::Value>,
}

/// Paging facts of `GET /sessions`.
#[derive(Debug, Clone, Deserialize, PartialEq, Default)]
pub struct PageMeta {
    #[serde(default)]
    pub page: Option<u32>,
    #[serde(default)]
    pub limit: Option<u32>,
    #[serde(default)]
    pub total_pages: Option<u32>,
    #[serde(default)]
    pub total_count: Option<u64>,
}

/// `GET /sessions`
#[derive(Debug, Clone, Deserialize, PartialEq)]
pub struct SessionList {
    pub data: Vec<SessionRecord>,
    #[serde(default)]
    pub meta: PageMeta,
}

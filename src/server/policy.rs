//! The roles policy: which agents and teams each role may see and run, the AgentOS scopes
//! minted for it, and who is an administrator. Read from a TOML file at start-up
//! (`AGNO_CHAT_POLICY_FILE`) and checked there, each error naming its line; applied to
//! every request from the values of the person's roles claim.
//!
//! ```toml
//! [roles.staff]
//! claims = ["staff"]            # values of the roles claim that give this role; "*": everyone
//! agents = ["echo-agent"]       # agent ids, or "*" for all
//! teams = []                    # team ids, or "*"
//! scopes = []                   # extra AgentOS scopes for this role's tokens
//! admin = false                 # the administrators' pages
//! budgets = [{ every = "day", tokens = 200000 }, { every = "month", cost = 20.0 }]
//!
//! [users."<agno-chat user id>"]   # one person's budgets, instead of their roles'
//! budgets = [{ every = "day", tokens = 1000000 }]
//!
//! [prices]                      # per million tokens, for budgets and usage in money
//! currency = "USD"
//! models = { "gpt-4o" = { input = 2.5, output = 10.0 }, "*" = { input = 1.0, output = 4.0 } }
//! ```

use std::collections::{BTreeMap, BTreeSet};
use std::fmt;
use std::sync::Arc;

use serde::Deserialize;
use toml::Spanned;

use super::usage::budget::{most_generous, Budget, Measure, Period};
use super::usage::prices::{Price, Prices};
use crate::model::{AssistantId, AssistantKind};

/// Whoever holds a role with this claim value: everyone, signed in or not.
const EVERYONE: &str = "*";

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct File {
    roles: BTreeMap<String, Spanned<RoleEntry>>,
    #[serde(default)]
    users: BTreeMap<String, UserEntry>,
    #[serde(default)]
    prices: Option<PricesEntry>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct UserEntry {
    budgets: Vec<Spanned<BudgetEntry>>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct BudgetEntry {
    every: Spanned<String>,
    #[serde(default)]
    tokens: Option<u64>,
    #[serde(default)]
    cost: Option<f64>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct PricesEntry {
    #[serde(default)]
    currency: Option<String>,
    models: BTreeMap<String, Spanned<PriceEntry>>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct PriceEntry {
    input: f64,
    output: f64,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RoleEntry {
    claims: Spanned<Vec<Spanned<String>>>,
    #[serde(default)]
    agents: Vec<Spanned<String>>,
    #[serde(default)]
    teams: Vec<Spanned<String>>,
    #[serde(default)]
    scopes: Vec<Spanned<String>>,
    #[serde(default)]
    admin: bool,
    #[serde(default)]
    budgets: Vec<Spanned<BudgetEntry>>,
}

/// Checks a list of budgets (of a role or a person, `whose`).
fn budgets(
    text: &str,
    whose: &str,
    entries: Vec<Spanned<BudgetEntry>>,
) -> Result<Vec<Budget>, PolicyError> {
    entries
        .into_iter()
        .map(|e| {
            let span = e.span();
            let e = e.into_inner();
            let err = |span: std::ops::Range<usize>, problem: String| PolicyError {
                line: line_of(text, span.start),
                problem: format!("{whose}: {problem}"),
            };
            let period = Period::parse(e.every.get_ref()).map_err(|p| err(e.every.span(), p))?;
            let (measure, limit) = match (e.tokens, e.cost) {
                (Some(t), None) => (Measure::Tokens, t),
                (None, Some(c)) if c.is_finite() && c >= 0.0 => {
                    (Measure::Cost, (c * 1_000_000.0).round() as u64)
                }
                (None, Some(_)) => {
                    return Err(err(
                        span,
                        "a budget's cost must be a number of 0 or more".into(),
                    ))
                }
                _ => {
                    return Err(err(
                        span,
                        "a budget sets either `tokens` or `cost`, not both or neither".into(),
                    ))
                }
            };
            Ok(Budget {
                period,
                measure,
                limit,
            })
        })
        .collect()
}

/// What a role, or a person's roles together, may use.
#[derive(Clone, Debug, PartialEq, Eq)]
enum Allowed {
    All,
    Only(BTreeSet<String>),
}

impl Allowed {
    fn from_ids(ids: Vec<String>) -> Self {
        if ids.iter().any(|i| i == EVERYONE) {
            Allowed::All
        } else {
            Allowed::Only(ids.into_iter().collect())
        }
    }

    fn contains(&self, id: &str) -> bool {
        match self {
            Allowed::All => true,
            Allowed::Only(ids) => ids.contains(id),
        }
    }

    fn merge(&mut self, other: &Allowed) {
        match (&mut *self, other) {
            (Allowed::All, _) => {}
            (_, Allowed::All) => *self = Allowed::All,
            (Allowed::Only(a), Allowed::Only(b)) => a.extend(b.iter().cloned()),
        }
    }
}

#[derive(Clone, Debug)]
struct Role {
    name: String,
    claims: Vec<String>,
    agents: Allowed,
    teams: Allowed,
    scopes: Vec<String>,
    admin: bool,
    budgets: Vec<Budget>,
}

/// The roles policy, checked.
#[derive(Clone, Debug)]
pub struct Policy {
    roles: Vec<Role>,
    /// Budgets of single people, by agno-chat user id, instead of their roles'.
    users: BTreeMap<String, Vec<Budget>>,
    prices: Prices,
}

/// A problem in the policy file, at a line (1-based).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PolicyError {
    pub line: usize,
    pub problem: String,
}

impl fmt::Display for PolicyError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "line {}: {}", self.line, self.problem)
    }
}

fn line_of(text: &str, offset: usize) -> usize {
    text[..offset.min(text.len())].matches('\n').count() + 1
}

/// An AgentOS scope: `resource:action` or `resource:id:action`, without spaces.
fn valid_scope(s: &str) -> bool {
    let parts: Vec<&str> = s.split(':').collect();
    (2..=3).contains(&parts.len())
        && parts.iter().all(|p| {
            !p.is_empty()
                && p.chars()
                    .all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '-' | '.' | '*'))
        })
}

impl Policy {
    /// Reads and checks a policy file's text.
    pub fn parse(text: &str) -> Result<Self, PolicyError> {
        let file: File = toml::from_str(text).map_err(|e| PolicyError {
            line: e.span().map_or(1, |s| line_of(text, s.start)),
            problem: e.message().to_owned(),
        })?;
        let at = |span: std::ops::Range<usize>, problem: String| PolicyError {
            line: line_of(text, span.start),
            problem,
        };
        let mut roles = Vec::new();
        for (name, entry) in file.roles {
            let span = entry.span();
            let entry = entry.into_inner();
            let claims_span = entry.claims.span();
            let claims: Vec<String> = entry
                .claims
                .into_inner()
                .into_iter()
                .map(|c| {
                    let v = c.get_ref().trim().to_owned();
                    if v.is_empty() {
                        Err(at(
                            c.span(),
                            format!("role \"{name}\": an empty claim value"),
                        ))
                    } else {
                        Ok(v)
                    }
                })
                .collect::<Result<_, _>>()?;
            if claims.is_empty() {
                return Err(at(
                    claims_span,
                    format!("role \"{name}\": `claims` lists nobody; use [\"*\"] for everyone"),
                ));
            }
            let ids = |list: Vec<Spanned<String>>, what: &str| {
                list.into_iter()
                    .map(|i| {
                        let v = i.get_ref().trim().to_owned();
                        if v == EVERYONE || AssistantId::new(v.as_str()).is_ok() {
                            Ok(v)
                        } else {
                            Err(at(
                                i.span(),
                                format!("role \"{name}\": \"{v}\" is not a valid {what} id"),
                            ))
                        }
                    })
                    .collect::<Result<Vec<_>, _>>()
            };
            let agents = ids(entry.agents, "agent")?;
            let teams = ids(entry.teams, "team")?;
            let scopes = entry
                .scopes
                .into_iter()
                .map(|s| {
                    let v = s.get_ref().trim().to_owned();
                    if valid_scope(&v) {
                        Ok(v)
                    } else {
                        Err(at(
                            s.span(),
                            format!(
                                "role \"{name}\": \"{v}\" is not an AgentOS scope \
                                 (resource:action or resource:id:action)"
                            ),
                        ))
                    }
                })
                .collect::<Result<Vec<_>, _>>()?;
            let budgets = budgets(text, &format!("role \"{name}\""), entry.budgets)?;
            if agents.is_empty()
                && teams.is_empty()
                && scopes.is_empty()
                && !entry.admin
                && budgets.is_empty()
            {
                return Err(at(
                    span,
                    format!(
                        "role \"{name}\" gives nothing: list agents, teams, scopes or budgets, or set admin"
                    ),
                ));
            }
            roles.push(Role {
                name,
                claims,
                agents: Allowed::from_ids(agents),
                teams: Allowed::from_ids(teams),
                scopes,
                admin: entry.admin,
                budgets,
            });
        }
        let mut users = BTreeMap::new();
        for (id, entry) in file.users {
            let list = budgets(text, &format!("user \"{id}\""), entry.budgets)?;
            users.insert(id, list);
        }
        let prices = match file.prices {
            None => Prices::default(),
            Some(p) => {
                let mut models = BTreeMap::new();
                for (model, price) in p.models {
                    let span = price.span();
                    let price = price.into_inner();
                    let ok = |v: f64| v.is_finite() && v >= 0.0;
                    if !ok(price.input) || !ok(price.output) {
                        return Err(at(
                            span,
                            format!("prices of \"{model}\" must be numbers of 0 or more"),
                        ));
                    }
                    models.insert(
                        model,
                        Price {
                            input: price.input,
                            output: price.output,
                        },
                    );
                }
                Prices::new(p.currency.unwrap_or_else(|| "USD".into()), models)
            }
        };
        let priced = roles
            .iter()
            .flat_map(|r| &r.budgets)
            .chain(users.values().flatten())
            .any(|b| b.measure == Measure::Cost);
        if priced && prices.is_empty() {
            return Err(PolicyError {
                line: text.find("cost").map_or(1, |o| line_of(text, o)),
                problem: "a budget counts cost, but there is no [prices] table of models".into(),
            });
        }
        Ok(Self {
            roles,
            users,
            prices,
        })
    }

    /// The price table (empty without `[prices]`).
    pub fn prices(&self) -> &Prices {
        &self.prices
    }

    /// Whether any budget is set, for anyone.
    pub fn has_budgets(&self) -> bool {
        self.roles.iter().any(|r| !r.budgets.is_empty()) || !self.users.is_empty()
    }

    /// Every period some budget counts in.
    pub fn periods(&self) -> Vec<Period> {
        let mut out: Vec<Period> = self
            .roles
            .iter()
            .flat_map(|r| &r.budgets)
            .chain(self.users.values().flatten())
            .map(|b| b.period)
            .collect();
        out.sort();
        out.dedup();
        out
    }

    /// The budgets of `user`, who holds the roles named in `access`: their own if the file
    /// names them, else the most generous of their roles'.
    pub fn budgets(&self, user: &str, access: &Access) -> Vec<Budget> {
        if let Some(own) = self.users.get(user) {
            return most_generous(own.iter().copied());
        }
        most_generous(
            self.roles
                .iter()
                .filter(|r| access.roles.contains(&r.name))
                .flat_map(|r| r.budgets.iter().copied()),
        )
    }

    /// What someone with these roles-claim values may use (none: only the roles given to
    /// everyone).
    pub fn access(&self, claims: &[String]) -> Access {
        let mut access = Access {
            roles: Vec::new(),
            agents: Allowed::Only(BTreeSet::new()),
            teams: Allowed::Only(BTreeSet::new()),
            scopes: Vec::new(),
            admin: false,
            restricted: true,
        };
        for role in &self.roles {
            let held = role
                .claims
                .iter()
                .any(|c| c == EVERYONE || claims.contains(c));
            if !held {
                continue;
            }
            access.roles.push(role.name.clone());
            access.agents.merge(&role.agents);
            access.teams.merge(&role.teams);
            for s in &role.scopes {
                if !access.scopes.contains(s) {
                    access.scopes.push(s.clone());
                }
            }
            access.admin |= role.admin;
        }
        access
    }
}

/// What one person may use, from the policy and their roles.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Access {
    /// The names of the roles they hold.
    pub roles: Vec<String>,
    agents: Allowed,
    teams: Allowed,
    scopes: Vec<String>,
    /// May open the administrators' pages.
    pub admin: bool,
    /// A policy applies (without one, everyone may use everything).
    restricted: bool,
}

impl Access {
    /// Without a policy file: every agent and team, nobody an administrator.
    pub fn unrestricted() -> Arc<Self> {
        Arc::new(Self {
            roles: Vec::new(),
            agents: Allowed::All,
            teams: Allowed::All,
            scopes: Vec::new(),
            admin: false,
            restricted: false,
        })
    }

    /// Whether a policy narrows what this person may use.
    pub fn is_restricted(&self) -> bool {
        self.restricted
    }

    pub fn may_use(&self, kind: AssistantKind, id: &str) -> bool {
        match kind {
            AssistantKind::Agent => self.agents.contains(id),
            AssistantKind::Team => self.teams.contains(id),
        }
    }

    /// The scopes of this person's AgentOS tokens, from the configured `base`: where the
    /// policy limits agents or teams, the global read and run scopes of that kind are
    /// replaced by one per allowed id, so AgentOS enforces the same rule.
    pub fn agentos_scopes(&self, base: &[String]) -> Vec<String> {
        if !self.restricted {
            return base.to_vec();
        }
        let mut out: Vec<String> = Vec::new();
        let mut push = |s: String| {
            if !out.contains(&s) {
                out.push(s);
            }
        };
        for (resource, allowed) in [("agents", &self.agents), ("teams", &self.teams)] {
            for s in base {
                let global = s
                    .strip_prefix(resource)
                    .and_then(|r| r.strip_prefix(':'))
                    .filter(|action| !action.contains(':'));
                match (global, allowed) {
                    (None, _) => {}
                    (Some(_), Allowed::All) => push(s.clone()),
                    (Some(action), Allowed::Only(ids)) => {
                        for id in ids {
                            push(format!("{resource}:{id}:{action}"));
                        }
                    }
                }
            }
        }
        for s in base {
            let kind_scope = ["agents:", "teams:"].iter().any(|p| s.starts_with(p));
            if !kind_scope {
                push(s.clone());
            }
        }
        for s in &self.scopes {
            push(s.clone());
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const EXAMPLE: &str = r#"
[roles.everyone]
claims = ["*"]
agents = ["echo-agent"]

[roles.staff]
claims = ["staff"]
agents = ["weather-agent", "reasoning-agent"]
teams = ["*"]

[roles.admin]
claims = ["admins"]
admin = true
scopes = ["metrics:read"]
"#;

    fn strings(v: &[&str]) -> Vec<String> {
        v.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn roles_add_up_from_the_claims_held() {
        let p = Policy::parse(EXAMPLE).unwrap();
        let nobody = p.access(&[]);
        assert_eq!(nobody.roles, strings(&["everyone"]));
        assert!(nobody.may_use(AssistantKind::Agent, "echo-agent"));
        assert!(!nobody.may_use(AssistantKind::Agent, "weather-agent"));
        assert!(!nobody.may_use(AssistantKind::Team, "demo-team"));
        assert!(!nobody.admin);

        let staff_admin = p.access(&strings(&["staff", "admins", "other"]));
        assert_eq!(staff_admin.roles, strings(&["admin", "everyone", "staff"]));
        assert!(staff_admin.may_use(AssistantKind::Agent, "weather-agent"));
        assert!(staff_admin.may_use(AssistantKind::Agent, "echo-agent"));
        assert!(staff_admin.may_use(AssistantKind::Team, "any-team"));
        assert!(!staff_admin.may_use(AssistantKind::Agent, "fail-agent"));
        assert!(staff_admin.admin);
    }

    #[test]
    fn tokens_carry_one_scope_per_allowed_id() {
        let p = Policy::parse(EXAMPLE).unwrap();
        let base = strings(&[
            "agents:read",
            "agents:run",
            "teams:read",
            "teams:run",
            "sessions:read",
        ]);
        assert_eq!(
            p.access(&[]).agentos_scopes(&base),
            strings(&[
                "agents:echo-agent:read",
                "agents:echo-agent:run",
                "sessions:read"
            ])
        );
        assert_eq!(
            p.access(&strings(&["staff", "admins"]))
                .agentos_scopes(&base),
            strings(&[
                "agents:echo-agent:read",
                "agents:reasoning-agent:read",
                "agents:weather-agent:read",
                "agents:echo-agent:run",
                "agents:reasoning-agent:run",
                "agents:weather-agent:run",
                "teams:read",
                "teams:run",
                "sessions:read",
                "metrics:read",
            ])
        );
        assert_eq!(Access::unrestricted().agentos_scopes(&base), base);
    }

    #[test]
    fn budgets_come_from_roles_or_the_person() {
        let p = Policy::parse(
            r#"
[roles.everyone]
claims = ["*"]
agents = ["echo-agent"]
budgets = [{ every = "day", tokens = 1000 }, { every = "month", cost = 2.5 }]

[roles.staff]
claims = ["staff"]
budgets = [{ every = "day", tokens = 5000 }]

[users."oidc-123"]
budgets = [{ every = "90s", tokens = 10 }]

[prices]
currency = "EUR"
models = { "scripted-1" = { input = 0.5, output = 1.5 } }
"#,
        )
        .unwrap();
        let b = |period, measure, limit| Budget {
            period,
            measure,
            limit,
        };
        assert!(p.has_budgets());
        assert_eq!(p.prices().currency, "EUR");
        assert_eq!(
            p.periods(),
            vec![Period::Day, Period::Month, Period::Every(90)]
        );
        assert_eq!(
            p.budgets("anyone", &p.access(&[])),
            vec![
                b(Period::Day, Measure::Tokens, 1000),
                b(Period::Month, Measure::Cost, 2_500_000)
            ]
        );
        assert_eq!(
            p.budgets("anyone", &p.access(&strings(&["staff"])))[0],
            b(Period::Day, Measure::Tokens, 5000)
        );
        assert_eq!(
            p.budgets("oidc-123", &p.access(&strings(&["staff"]))),
            vec![b(Period::Every(90), Measure::Tokens, 10)]
        );
        assert!(!Policy::parse(EXAMPLE).unwrap().has_budgets());
    }

    #[test]
    fn budget_errors_name_the_line() {
        let err = |text: &str| Policy::parse(text).unwrap_err();
        let e = err("[roles.a]\nclaims = [\"x\"]\nbudgets = [{ every = \"week\", tokens = 3 }]\n");
        assert_eq!(e.line, 3, "{e}");
        assert!(e.problem.contains("week"), "{e}");
        let e = err("[roles.a]\nclaims = [\"x\"]\nbudgets = [{ every = \"day\", tokens = 3, cost = 1.0 }]\n");
        assert!(e.problem.contains("either"), "{e}");
        let e = err("[roles.a]\nclaims = [\"x\"]\nbudgets = [{ every = \"day\", cost = 1.0 }]\n");
        assert!(e.problem.contains("[prices]"), "{e}");
        let e = err("[roles.a]\nclaims = [\"x\"]\nagents = [\"*\"]\n[prices]\nmodels = { m = { input = -1.0, output = 1.0 } }\n");
        assert_eq!(e.line, 5, "{e}");
    }

    #[test]
    fn errors_name_the_line() {
        let err = |text: &str| Policy::parse(text).unwrap_err();
        let e = err("[roles.a]\nclaims = [\"x\"]\nagents = [\"ok\", \"not valid!\"]\n");
        assert_eq!(e.line, 3, "{e}");
        assert!(e.problem.contains("not valid!"), "{e}");

        let e = err("[roles.a]\nclaims = [\"x\"]\nagent = [\"echo\"]\n");
        assert_eq!(e.line, 3, "{e}");
        assert!(e.problem.contains("agent"), "{e}");

        let e = err("[roles.a]\nclaims = []\nagents = [\"echo\"]\n");
        assert_eq!(e.line, 2, "{e}");

        let e = err("\n[roles.a]\nclaims = [\"x\"]\n");
        assert!(e.problem.contains("gives nothing"), "{e}");

        let e = err("[roles.a]\nclaims = [\"x\"]\nscopes = [\"agents run\"]\n");
        assert_eq!(e.line, 3, "{e}");

        let e = err("[roles.a]\nclaims = \"x\"\n");
        assert_eq!(e.line, 2, "{e}");
        assert!(err("roles = 3").line >= 1);
    }
}

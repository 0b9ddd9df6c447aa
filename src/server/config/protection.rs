//! Abuse protection settings: per-user rate limits, caps on concurrent streams, blocked
//! prompt patterns, the client's minimum interval between sends, and the public origin.

use std::time::Duration;

use clap::Args;
use url::Url;

use super::Reader;

#[derive(Args, Debug, Default)]
pub struct ProtectionFlags {
    /// Messages a user may send per minute, 0 = no limit [env: AGNO_CHAT_SEND_RATE_PER_MIN]
    #[arg(long)]
    pub send_rate_per_min: Option<String>,
    /// Messages a user may send in a quick burst [env: AGNO_CHAT_SEND_BURST]
    #[arg(long)]
    pub send_burst: Option<String>,
    /// Other calls (history, sessions, ...) a user may make per minute, 0 = no limit
    /// [env: AGNO_CHAT_CALL_RATE_PER_MIN]
    #[arg(long)]
    pub call_rate_per_min: Option<String>,
    /// Other calls a user may make in a quick burst [env: AGNO_CHAT_CALL_BURST]
    #[arg(long)]
    pub call_burst: Option<String>,
    /// Answers one user may stream at once [env: AGNO_CHAT_MAX_STREAMS_PER_USER]
    #[arg(long)]
    pub max_streams_per_user: Option<String>,
    /// Answers streaming at once, all users together [env: AGNO_CHAT_MAX_STREAMS]
    #[arg(long)]
    pub max_streams: Option<String>,
    /// Shortest time between two sends in the browser, ms [env: AGNO_CHAT_MIN_SEND_INTERVAL_MS]
    #[arg(long)]
    pub min_send_interval_ms: Option<String>,
    /// File of regular expressions (one per line, `#` comments); messages matching any are
    /// refused [env: AGNO_CHAT_BLOCKED_PATTERNS_FILE]
    #[arg(long)]
    pub blocked_patterns_file: Option<String>,
    /// Where the client's address is read for limits on requests without an identity:
    /// `ConnectInfo` (the connection's peer), or, only behind a proxy that sets it, the
    /// header that proxy writes: `RightmostXForwardedFor`, `XRealIp`, `RightmostForwarded`,
    /// `CfConnectingIp`, `TrueClientIp`, `FlyClientIp`, `CloudFrontViewerAddress`,
    /// `XEnvoyExternalAddress` [env: AGNO_CHAT_CLIENT_IP_SOURCE]
    #[arg(long)]
    pub client_ip_source: Option<String>,
    /// New identities (cookies) one client address may be given per minute
    /// [env: AGNO_CHAT_NEW_IDENTITY_RATE_PER_MIN]
    #[arg(long)]
    pub new_identity_rate_per_min: Option<String>,
    /// New identities one client address may be given in a quick burst
    /// [env: AGNO_CHAT_NEW_IDENTITY_BURST]
    #[arg(long)]
    pub new_identity_burst: Option<String>,
    /// The URL people open the chat at, e.g. https://chat.example.com; server functions
    /// accept requests from this origin (and the request's own host), and cookies are
    /// Secure when it is https [env: AGNO_CHAT_PUBLIC_URL]
    #[arg(long)]
    pub public_url: Option<String>,
}

/// A rate: `per_minute` sustained, `burst` at once. `per_minute == 0` means unlimited.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Rate {
    pub per_minute: u32,
    pub burst: u32,
}

/// Validated abuse-protection settings.
#[derive(Debug, Clone)]
pub struct Protection {
    pub send_rate: Rate,
    pub call_rate: Rate,
    pub max_streams_per_user: usize,
    pub max_streams: usize,
    pub min_send_interval: Duration,
    /// Compiled blocked-message patterns (case-insensitive), if configured.
    pub blocked_patterns: Option<regex::RegexSet>,
    pub public_origin: Option<Url>,
    /// Where a client's address comes from (the connection unless a proxy is trusted).
    pub client_ip_source: axum_client_ip::ClientIpSource,
    /// New identities one client address may be given.
    pub new_identity_rate: Rate,
}

impl Default for Protection {
    fn default() -> Self {
        Self {
            send_rate: Rate {
                per_minute: 20,
                burst: 5,
            },
            call_rate: Rate {
                per_minute: 600,
                burst: 120,
            },
            max_streams_per_user: 4,
            max_streams: 512,
            min_send_interval: Duration::from_millis(800),
            blocked_patterns: None,
            public_origin: None,
            client_ip_source: axum_client_ip::ClientIpSource::ConnectInfo,
            new_identity_rate: Rate {
                per_minute: 30,
                burst: 20,
            },
        }
    }
}

pub(super) fn read(r: &mut Reader<'_>, f: ProtectionFlags) -> Protection {
    let d = Protection::default();
    let send_rate = rate(
        r,
        (f.send_rate_per_min, f.send_burst),
        [
            "AGNO_CHAT_SEND_RATE_PER_MIN",
            "send-rate-per-min",
            "AGNO_CHAT_SEND_BURST",
            "send-burst",
        ],
        d.send_rate,
        (100_000, 10_000),
    );
    let call_rate = rate(
        r,
        (f.call_rate_per_min, f.call_burst),
        [
            "AGNO_CHAT_CALL_RATE_PER_MIN",
            "call-rate-per-min",
            "AGNO_CHAT_CALL_BURST",
            "call-burst",
        ],
        d.call_rate,
        (1_000_000, 100_000),
    );
    let max_streams_per_user = r.number(
        f.max_streams_per_user,
        "AGNO_CHAT_MAX_STREAMS_PER_USER",
        "max-streams-per-user",
        d.max_streams_per_user as u64,
        (1, 1_000),
    ) as usize;
    let max_streams = r.number(
        f.max_streams,
        "AGNO_CHAT_MAX_STREAMS",
        "max-streams",
        d.max_streams as u64,
        (1, 1_000_000),
    ) as usize;
    let min_send_interval = Duration::from_millis(r.number(
        f.min_send_interval_ms,
        "AGNO_CHAT_MIN_SEND_INTERVAL_MS",
        "min-send-interval-ms",
        d.min_send_interval.as_millis() as u64,
        (0, 60_000),
    ));
    let blocked_patterns = r
        .raw(f.blocked_patterns_file, "AGNO_CHAT_BLOCKED_PATTERNS_FILE")
        .and_then(|path| blocked_patterns(r, &path));
    let public_origin = r.url(f.public_url, "AGNO_CHAT_PUBLIC_URL", "public-url");
    let client_ip_source = match r.raw(f.client_ip_source, "AGNO_CHAT_CLIENT_IP_SOURCE") {
        None => d.client_ip_source,
        Some(v) => v.trim().parse().unwrap_or_else(|_| {
            r.fail(
                "AGNO_CHAT_CLIENT_IP_SOURCE",
                "client-ip-source",
                format!(
                    "{v:?} is not a known source: use ConnectInfo, or behind a trusted proxy \
                     RightmostXForwardedFor, XRealIp, RightmostForwarded, CfConnectingIp, \
                     TrueClientIp, FlyClientIp, CloudFrontViewerAddress or XEnvoyExternalAddress"
                ),
            );
            d.client_ip_source.clone()
        }),
    };
    let new_identity_rate = rate(
        r,
        (f.new_identity_rate_per_min, f.new_identity_burst),
        [
            "AGNO_CHAT_NEW_IDENTITY_RATE_PER_MIN",
            "new-identity-rate-per-min",
            "AGNO_CHAT_NEW_IDENTITY_BURST",
            "new-identity-burst",
        ],
        d.new_identity_rate,
        (1_000_000, 100_000),
    );
    Protection {
        client_ip_source,
        new_identity_rate,
        send_rate,
        call_rate,
        max_streams_per_user,
        max_streams,
        min_send_interval,
        blocked_patterns,
        public_origin,
    }
}

/// A rate from its two settings (per minute, burst), given as flags `given`, named by
/// `[per-minute variable, flag, burst variable, flag]`, each up to its `most`.
fn rate(
    r: &mut Reader<'_>,
    given: (Option<String>, Option<String>),
    names: [&'static str; 4],
    default: Rate,
    most: (u64, u64),
) -> Rate {
    let [per_minute_var, per_minute_flag, burst_var, burst_flag] = names;
    Rate {
        per_minute: r.number(
            given.0,
            per_minute_var,
            per_minute_flag,
            default.per_minute.into(),
            (0, most.0),
        ) as u32,
        burst: r.number(
            given.1,
            burst_var,
            burst_flag,
            default.burst.into(),
            (1, most.1),
        ) as u32,
    }
}

fn blocked_patterns(r: &mut Reader<'_>, path: &str) -> Option<regex::RegexSet> {
    const VAR: &str = "AGNO_CHAT_BLOCKED_PATTERNS_FILE";
    const FLAG: &str = "blocked-patterns-file";
    let text = match std::fs::read_to_string(path) {
        Ok(t) => t,
        Err(e) => {
            r.fail(VAR, FLAG, format!("cannot read the file {path:?}: {e}"));
            return None;
        }
    };
    let patterns = parse_patterns(&text);
    if patterns.is_empty() {
        r.fail(VAR, FLAG, format!("the file {path:?} has no patterns"));
        return None;
    }
    for (line, p) in &patterns {
        if let Err(e) = regex::Regex::new(p) {
            r.fail(
                VAR,
                FLAG,
                format!("line {line} of {path:?} is not a valid regular expression: {e}"),
            );
            return None;
        }
    }
    regex::RegexSetBuilder::new(patterns.iter().map(|(_, p)| p))
        .case_insensitive(true)
        .size_limit(10 << 20)
        .build()
        .map_err(|e| r.fail(VAR, FLAG, format!("the patterns are too large: {e}")))
        .ok()
}

/// Non-empty, non-comment lines with their line numbers.
fn parse_patterns(text: &str) -> Vec<(usize, String)> {
    text.lines()
        .enumerate()
        .map(|(i, l)| (i + 1, l.trim()))
        .filter(|(_, l)| !l.is_empty() && !l.starts_with('#'))
        .map(|(i, l)| (i, l.to_owned()))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::super::tests::{load, vars};
    use super::*;

    const URL: (&str, &str) = ("AGNO_CHAT_AGENTOS_URL", "http://127.0.0.1:7777");

    #[test]
    fn defaults_and_overrides() {
        let c = load(&[URL]).unwrap();
        assert_eq!(c.protection.send_rate, Protection::default().send_rate);
        let c = load(&[
            URL,
            ("AGNO_CHAT_SEND_RATE_PER_MIN", "0"),
            ("AGNO_CHAT_MAX_STREAMS_PER_USER", "1"),
        ])
        .unwrap();
        assert_eq!(c.protection.send_rate.per_minute, 0);
        assert_eq!(c.protection.max_streams_per_user, 1);
        let err = load(&[URL, ("AGNO_CHAT_SEND_BURST", "0")]).unwrap_err();
        assert_eq!(vars(err), vec!["AGNO_CHAT_SEND_BURST"]);
    }

    #[test]
    fn the_client_address_comes_from_the_connection_unless_a_proxy_is_named() {
        let c = load(&[URL]).unwrap();
        assert_eq!(
            c.protection.client_ip_source,
            axum_client_ip::ClientIpSource::ConnectInfo
        );
        let c = load(&[
            URL,
            ("AGNO_CHAT_CLIENT_IP_SOURCE", "RightmostXForwardedFor"),
        ])
        .unwrap();
        assert_eq!(
            c.protection.client_ip_source,
            axum_client_ip::ClientIpSource::RightmostXForwardedFor
        );
        let err = load(&[URL, ("AGNO_CHAT_CLIENT_IP_SOURCE", "x-forwarded-for")]).unwrap_err();
        assert_eq!(vars(err), vec!["AGNO_CHAT_CLIENT_IP_SOURCE"]);
    }

    #[test]
    fn pattern_files_are_checked() {
        let dir = std::env::temp_dir().join(format!("agno-chat-pat-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let good = dir.join("good");
        std::fs::write(
            &good,
            "# comment\nignore (all|previous) instructions\n\nreveal .*system prompt\n",
        )
        .unwrap();
        let c = load(&[
            URL,
            ("AGNO_CHAT_BLOCKED_PATTERNS_FILE", good.to_str().unwrap()),
        ])
        .unwrap();
        let set = c.protection.blocked_patterns.unwrap();
        assert!(set.is_match("Please IGNORE ALL instructions"));
        assert!(!set.is_match("what is the weather"));
        let bad = dir.join("bad");
        std::fs::write(&bad, "ok\n(unclosed\n").unwrap();
        let err = load(&[
            URL,
            ("AGNO_CHAT_BLOCKED_PATTERNS_FILE", bad.to_str().unwrap()),
        ])
        .unwrap_err();
        assert!(err.to_string().contains("line 2"), "{err}");
        std::fs::remove_dir_all(dir).ok();
    }
}

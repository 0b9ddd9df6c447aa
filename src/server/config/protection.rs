//! Abuse protection settings: per-user rate limits, caps on concurrent streams, blocked
//! prompt patterns, the client's minimum interval between sends, and the public origin.

use std::time::Duration;

use clap::Args;
use url::Url;

use super::parse;

#[derive(Args, Debug)]
pub struct ProtectionFlags {
    /// Messages a user may send per minute, 0 = no limit
    #[arg(long, env = "AGNO_CHAT_SEND_RATE_PER_MIN", value_parser = parse::whole(0, 100_000), default_value_t = 20)]
    pub send_rate_per_min: u64,
    /// Messages a user may send in a quick burst
    #[arg(long, env = "AGNO_CHAT_SEND_BURST", value_parser = parse::whole(1, 10_000), default_value_t = 5)]
    pub send_burst: u64,
    /// Other calls (history, sessions, ...) a user may make per minute, 0 = no limit
    #[arg(long, env = "AGNO_CHAT_CALL_RATE_PER_MIN", value_parser = parse::whole(0, 1_000_000), default_value_t = 600)]
    pub call_rate_per_min: u64,
    /// Other calls a user may make in a quick burst
    #[arg(long, env = "AGNO_CHAT_CALL_BURST", value_parser = parse::whole(1, 100_000), default_value_t = 120)]
    pub call_burst: u64,
    /// Answers one user may stream at once
    #[arg(long, env = "AGNO_CHAT_MAX_STREAMS_PER_USER", value_parser = parse::whole(1, 1_000), default_value_t = 4)]
    pub max_streams_per_user: u64,
    /// Answers streaming at once, all users together
    #[arg(long, env = "AGNO_CHAT_MAX_STREAMS", value_parser = parse::whole(1, 1_000_000), default_value_t = 512)]
    pub max_streams: u64,
    /// Shortest time between two sends in the browser, ms
    #[arg(long, env = "AGNO_CHAT_MIN_SEND_INTERVAL_MS", value_parser = parse::whole(0, 60_000), default_value_t = 800)]
    pub min_send_interval_ms: u64,
    /// File of regular expressions (one per line, `#` comments); messages matching any are
    /// refused
    #[arg(long, env = "AGNO_CHAT_BLOCKED_PATTERNS_FILE", value_parser = patterns_file)]
    pub blocked_patterns_file: Option<regex::RegexSet>,
    /// Where the client's address is read for limits on requests without an identity:
    /// `ConnectInfo` (the connection's peer), or, only behind a proxy that sets it, the
    /// header that proxy writes: `RightmostXForwardedFor`, `XRealIp`, `RightmostForwarded`,
    /// `CfConnectingIp`, `TrueClientIp`, `FlyClientIp`, `CloudFrontViewerAddress`,
    /// `XEnvoyExternalAddress`
    #[arg(long, env = "AGNO_CHAT_CLIENT_IP_SOURCE", value_parser = client_ip_source, default_value = "ConnectInfo")]
    pub client_ip_source: axum_client_ip::ClientIpSource,
    /// New identities (cookies) one client address may be given per minute
    #[arg(long, env = "AGNO_CHAT_NEW_IDENTITY_RATE_PER_MIN", value_parser = parse::whole(0, 1_000_000), default_value_t = 30)]
    pub new_identity_rate_per_min: u64,
    /// New identities one client address may be given in a quick burst
    #[arg(long, env = "AGNO_CHAT_NEW_IDENTITY_BURST", value_parser = parse::whole(1, 100_000), default_value_t = 20)]
    pub new_identity_burst: u64,
    /// The URL people open the chat at, e.g. https://chat.example.com; server functions
    /// accept requests from this origin (and the request's own host), and cookies are
    /// Secure when it is https
    #[arg(long, env = "AGNO_CHAT_PUBLIC_URL", value_parser = parse::http_url)]
    pub public_url: Option<Url>,
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

pub(super) fn read(f: ProtectionFlags) -> Protection {
    let rate = |per_minute: u64, burst: u64| Rate {
        per_minute: per_minute as u32,
        burst: burst as u32,
    };
    Protection {
        send_rate: rate(f.send_rate_per_min, f.send_burst),
        call_rate: rate(f.call_rate_per_min, f.call_burst),
        max_streams_per_user: f.max_streams_per_user as usize,
        max_streams: f.max_streams as usize,
        min_send_interval: Duration::from_millis(f.min_send_interval_ms),
        blocked_patterns: f.blocked_patterns_file,
        public_origin: f.public_url,
        client_ip_source: f.client_ip_source,
        new_identity_rate: rate(f.new_identity_rate_per_min, f.new_identity_burst),
    }
}

fn client_ip_source(raw: &str) -> Result<axum_client_ip::ClientIpSource, String> {
    raw.trim().parse().map_err(|_| {
        format!(
            "{raw:?} is not a known source: use ConnectInfo, or behind a trusted proxy \
             RightmostXForwardedFor, XRealIp, RightmostForwarded, CfConnectingIp, \
             TrueClientIp, FlyClientIp, CloudFrontViewerAddress or XEnvoyExternalAddress"
        )
    })
}

/// The file's patterns, each checked, as one case-insensitive set.
fn patterns_file(path: &str) -> Result<regex::RegexSet, String> {
    let text =
        std::fs::read_to_string(path).map_err(|e| format!("cannot read the file {path:?}: {e}"))?;
    let patterns = parse_patterns(&text);
    if patterns.is_empty() {
        return Err(format!("the file {path:?} has no patterns"));
    }
    for (line, p) in &patterns {
        regex::Regex::new(p).map_err(|e| {
            format!("line {line} of {path:?} is not a valid regular expression: {e}")
        })?;
    }
    regex::RegexSetBuilder::new(patterns.iter().map(|(_, p)| p))
        .case_insensitive(true)
        .size_limit(10 << 20)
        .build()
        .map_err(|e| format!("the patterns are too large: {e}"))
}

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

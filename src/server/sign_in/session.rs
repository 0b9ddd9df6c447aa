//! A signed-in person's session, kept by the browser in an encrypted, authenticated
//! (private) HttpOnly cookie: who they are, their roles claim, when the session ends and
//! when it was last used. Nothing in it can be read or changed outside the server.

use cookie::{Cookie, CookieJar, Key, SameSite};
use serde::{Deserialize, Serialize};

/// The session cookie's name over http, and over https (`__Host-`: Secure, whole site,
/// set by this host only).
const NAME: &str = "agno_chat_session";
const HOST_NAME: &str = "__Host-agno_chat_session";

/// A session is written again (its idle clock restarted) at most this often.
pub const TOUCH_EVERY_S: u64 = 60;

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Session {
    /// agno-chat's (and AgentOS's) user id, derived from the issuer and subject.
    pub user: String,
    /// What the page calls the person.
    pub name: String,
    /// The values of the configured roles claim when they signed in.
    pub claims: Vec<String>,
    /// Seconds since the epoch: when the session (or its last refresh) ends.
    pub expires: u64,
    /// Seconds since the epoch: when it was last used.
    pub seen: u64,
    /// The provider's refresh token, where it gave one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub refresh: Option<String>,
}

/// What to do with a session on a request at `now`.
#[derive(Debug, PartialEq, Eq)]
pub enum Standing {
    /// Valid; `touch`: write it again with `seen = now`.
    Valid { touch: bool },
    /// Its lifetime is over but the provider may renew it.
    Renewable,
    /// Over (idle too long, or lifetime over with nothing to renew it): sign in again.
    Ended,
}

impl Session {
    pub fn standing(&self, now: u64, idle_s: u64) -> Standing {
        if now.saturating_sub(self.seen) > idle_s {
            Standing::Ended
        } else if now >= self.expires {
            if self.refresh.is_some() {
                Standing::Renewable
            } else {
                Standing::Ended
            }
        } else {
            Standing::Valid {
                touch: now.saturating_sub(self.seen) >= TOUCH_EVERY_S,
            }
        }
    }
}

pub fn now() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs())
}

/// Reads and writes encrypted cookies with one key.
#[derive(Clone)]
pub struct Jar {
    key: Key,
}

impl Jar {
    pub fn new(key: Key) -> Self {
        Self { key }
    }

    /// The decrypted value of the private cookie `name` in a `Cookie` header, if it is
    /// there and was written by this server (with this key, under this name).
    pub fn read(&self, cookie_header: &str, name: &str) -> Option<String> {
        let mut jar = CookieJar::new();
        for c in Cookie::split_parse_encoded(cookie_header.to_owned()).flatten() {
            jar.add_original(c.into_owned());
        }
        jar.private(&self.key)
            .get(name)
            .map(|c| c.value().to_owned())
    }

    /// A `Set-Cookie` value holding `value` encrypted.
    pub fn write(
        &self,
        name: &str,
        value: &str,
        path: &str,
        max_age_s: i64,
        secure: bool,
    ) -> String {
        let mut jar = CookieJar::new();
        let mut c = Cookie::new(name.to_owned(), value.to_owned());
        c.set_http_only(true);
        c.set_same_site(SameSite::Lax);
        c.set_path(path.to_owned());
        c.set_secure(secure);
        c.set_max_age(cookie::time::Duration::seconds(max_age_s));
        jar.private_mut(&self.key).add(c);
        jar.get(name)
            .map(|c| c.encoded().to_string())
            .unwrap_or_default()
    }

    /// A `Set-Cookie` value that removes cookie `name`.
    pub fn remove(name: &str, path: &str, secure: bool) -> String {
        let mut c = Cookie::new(name.to_owned(), "");
        c.set_http_only(true);
        c.set_same_site(SameSite::Lax);
        c.set_path(path.to_owned());
        c.set_secure(secure);
        c.make_removal();
        c.encoded().to_string()
    }

    pub fn session_name(secure: bool) -> &'static str {
        if secure {
            HOST_NAME
        } else {
            NAME
        }
    }

    /// The session in a `Cookie` header (the `__Host-` one first).
    pub fn session(&self, cookie_header: &str) -> Option<Session> {
        [HOST_NAME, NAME]
            .iter()
            .find_map(|n| self.read(cookie_header, n))
            .and_then(|v| serde_json::from_str(&v).ok())
    }

    /// A `Set-Cookie` value holding `session`. Its browser lifetime covers a refresh where
    /// the provider can renew it; the server decides from the content either way.
    pub fn write_session(&self, session: &Session, idle_s: u64, secure: bool) -> String {
        let until = if session.refresh.is_some() {
            session.expires.max(now()) + idle_s
        } else {
            session.expires
        };
        let max_age = until.saturating_sub(now()).max(1) as i64;
        let value = serde_json::to_string(session).unwrap_or_default();
        self.write(Self::session_name(secure), &value, "/", max_age, secure)
    }

    /// `Set-Cookie` values that end the session under both names.
    pub fn end_session() -> [String; 2] {
        [
            Self::remove(NAME, "/", false),
            Self::remove(HOST_NAME, "/", true),
        ]
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn session(expires: u64, seen: u64, refresh: bool) -> Session {
        Session {
            user: "oidc-abc".into(),
            name: "Bob Demo".into(),
            claims: vec!["research".into()],
            expires,
            seen,
            refresh: refresh.then(|| "rt".into()),
        }
    }

    #[test]
    fn standing_follows_lifetime_idle_time_and_refresh() {
        let idle = 600;
        assert_eq!(
            session(2000, 1000, false).standing(1010, idle),
            Standing::Valid { touch: false }
        );
        assert_eq!(
            session(2000, 1000, false).standing(1000 + TOUCH_EVERY_S, idle),
            Standing::Valid { touch: true }
        );
        assert_eq!(
            session(2000, 1000, false).standing(1601, idle),
            Standing::Ended
        );
        assert_eq!(
            session(1500, 1400, false).standing(1500, idle),
            Standing::Ended
        );
        assert_eq!(
            session(1500, 1400, true).standing(1500, idle),
            Standing::Renewable
        );
        // Idle too long: even a refresh token does not bring it back.
        assert_eq!(
            session(1500, 100, true).standing(1500, idle),
            Standing::Ended
        );
    }

    #[test]
    fn the_cookie_is_encrypted_and_tampering_is_refused() {
        let jar = Jar::new(Key::derive_from(&[7u8; 64]));
        let s = session(now() + 3600, now(), false);
        let set = jar.write_session(&s, 600, false);
        assert!(
            set.contains("HttpOnly") && set.contains("SameSite=Lax"),
            "{set}"
        );
        // Neither can be a chance run of base64 (a space and a dash are not in it).
        assert!(
            !set.contains("Bob Demo") && !set.contains("oidc-abc"),
            "{set}"
        );
        let pair = set.split(';').next().unwrap();
        assert_eq!(jar.session(pair), Some(s.clone()));

        // One changed character, another key, or another cookie's name: nothing.
        let (name, value) = pair.split_once('=').unwrap();
        let mut bytes = value.as_bytes().to_vec();
        bytes[10] = if bytes[10] == b'A' { b'B' } else { b'A' };
        let tampered = format!("{name}={}", String::from_utf8(bytes).unwrap());
        assert_eq!(jar.session(&tampered), None);
        let other = Jar::new(Key::derive_from(&[8u8; 64]));
        assert_eq!(other.session(pair), None);
        assert_eq!(
            jar.read(&format!("agno_chat_login_x={value}"), "agno_chat_login_x"),
            None
        );

        let secure = jar.write_session(&s, 600, true);
        assert!(secure.starts_with("__Host-agno_chat_session=") && secure.contains("Secure"));
        assert_eq!(jar.session(secure.split(';').next().unwrap()), Some(s));
    }
}

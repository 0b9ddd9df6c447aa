//! Read-only links to a conversation. A link carries its share sealed (encrypted and
//! authenticated with a key derived from `AGNO_CHAT_COOKIE_KEY`): whose conversation,
//! which one, and the share's random id. The server can open it without a store of its
//! own, nobody can make or alter one, and it names no one in the clear. The share itself
//! (its id and the answers shown) is kept in the conversation's annotations, so a link
//! stops working once its share is revoked or replaced (see `chat::annotations`).

pub mod page;

use aes_gcm::aead::{Aead, KeyInit, Payload};
use aes_gcm::{Aes256Gcm, Nonce};
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine as _;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use crate::model::{AssistantId, AssistantKind, SessionId};

/// Where the shared pages are.
pub const SHARE_PREFIX: &str = "/share/";
/// Bound into every sealed link, so that nothing else sealed with the same key opens.
const PURPOSE: &[u8] = b"agno-chat share link v1";
const NONCE_LEN: usize = 12;
/// Longer links are not even tried.
const MAX_TOKEN_CHARS: usize = 1_024;

/// What a link opens.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Sealed {
    #[serde(rename = "u")]
    pub owner: String,
    #[serde(rename = "k")]
    pub kind: AssistantKind,
    #[serde(rename = "a")]
    pub assistant_id: AssistantId,
    #[serde(rename = "s")]
    pub session_id: SessionId,
    /// The share's id (see `chat::annotations::Share`).
    #[serde(rename = "i")]
    pub share_id: String,
}

/// Seals and opens links. Cheap to clone.
#[derive(Clone)]
pub struct ShareKeys {
    cipher: Aes256Gcm,
    /// Keys the nonce of a share's link to the share: one share has one link, and two
    /// shares (each with its own random id) never share a nonce.
    nonce_key: [u8; 32],
}

impl ShareKeys {
    /// From the identity cookies' key (its own key is derived from it, for this purpose
    /// only): links made on one replica open on every other with the same key.
    pub fn new(master: &[u8]) -> Self {
        let derive = |label: &[u8]| {
            let mut hash = Sha256::new();
            hash.update(PURPOSE);
            hash.update(label);
            hash.update(master);
            hash.finalize()
        };
        Self {
            cipher: Aes256Gcm::new(&derive(b"cipher")),
            nonce_key: derive(b"nonce").into(),
        }
    }

    /// The link's token (URL-safe).
    pub fn seal(&self, share: &Sealed) -> String {
        let plain = serde_json::to_vec(share).unwrap_or_default();
        let mut hash = Sha256::new();
        hash.update(self.nonce_key);
        hash.update(&plain);
        let digest = hash.finalize();
        let nonce = Nonce::from_slice(&digest[..NONCE_LEN]);
        let sealed = self
            .cipher
            .encrypt(
                nonce,
                Payload {
                    msg: &plain,
                    aad: PURPOSE,
                },
            )
            .unwrap_or_default();
        let mut out = nonce.to_vec();
        out.extend(sealed);
        URL_SAFE_NO_PAD.encode(out)
    }

    /// What `token` names, if this server sealed it.
    pub fn open(&self, token: &str) -> Option<Sealed> {
        if token.len() > MAX_TOKEN_CHARS {
            return None;
        }
        let bytes = URL_SAFE_NO_PAD.decode(token).ok()?;
        if bytes.len() <= NONCE_LEN {
            return None;
        }
        let (nonce, sealed) = bytes.split_at(NONCE_LEN);
        let plain = self
            .cipher
            .decrypt(
                Nonce::from_slice(nonce),
                Payload {
                    msg: sealed,
                    aad: PURPOSE,
                },
            )
            .ok()?;
        serde_json::from_slice(&plain).ok()
    }
}

/// A new share's id: 128 random bits.
pub fn new_share_id() -> String {
    URL_SAFE_NO_PAD.encode(uuid::Uuid::new_v4().as_bytes())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn share() -> Sealed {
        Sealed {
            owner: "anon:5cc36f7c".into(),
            kind: AssistantKind::Agent,
            assistant_id: "echo-agent".into(),
            session_id: "s-1".into(),
            share_id: new_share_id(),
        }
    }

    #[test]
    fn a_sealed_link_opens_with_the_same_key_only() {
        let keys = ShareKeys::new(b"one key of at least thirty-two bytes long");
        let token = keys.seal(&share());
        assert!(token
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_'));
        assert!(!token.contains("anon"), "the owner is not in the clear");
        let opened = keys.open(&token).unwrap();
        assert_eq!(opened.session_id.as_str(), "s-1");
        assert_eq!(opened.owner, "anon:5cc36f7c");
        let other = ShareKeys::new(b"another key of at least thirty-two bytes");
        assert_eq!(other.open(&token), None);
    }

    #[test]
    fn one_share_has_one_link_and_an_altered_one_does_not_open() {
        let keys = ShareKeys::new(b"one key of at least thirty-two bytes long");
        let s = share();
        let a = keys.seal(&s);
        assert_eq!(a, keys.seal(&s), "the link shown stays the same");
        assert_ne!(a, keys.seal(&share()), "another share, another link");
        let mut bytes = URL_SAFE_NO_PAD.decode(&a).unwrap();
        let last = bytes.len() - 1;
        bytes[last] ^= 1;
        assert_eq!(keys.open(&URL_SAFE_NO_PAD.encode(bytes)), None);
        for junk in ["", "x", "%%%", &"A".repeat(5_000)] {
            assert_eq!(keys.open(junk), None, "{junk}");
        }
    }

    #[test]
    fn share_ids_are_random_and_url_safe() {
        let (a, b) = (new_share_id(), new_share_id());
        assert_ne!(a, b);
        assert_eq!(a.len(), 22);
    }
}

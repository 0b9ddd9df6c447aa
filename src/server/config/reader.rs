//! Reading one setting: from its flag or else its variable, checked, with every problem
//! recorded against the variable's name (see `Config::from_sources`).

use std::time::Duration;

use secrecy::SecretString;
use url::Url;

use super::SettingError;

/// Reads one setting: the flag when given, else the variable; blank counts as unset.
pub(super) struct Reader<'a> {
    pub(super) env: &'a dyn Fn(&str) -> Option<String>,
    pub(super) errors: Vec<SettingError>,
}

impl Reader<'_> {
    pub(super) fn raw(&self, flag_value: Option<String>, var: &str) -> Option<String> {
        flag_value
            .or_else(|| (self.env)(var))
            .map(|v| v.trim().to_owned())
            .filter(|v| !v.is_empty())
    }

    pub(super) fn fail(
        &mut self,
        var: &'static str,
        flag: &'static str,
        problem: impl Into<String>,
    ) {
        self.errors.push(SettingError {
            var,
            flag,
            problem: problem.into(),
        });
    }

    pub(super) fn url(
        &mut self,
        value: Option<String>,
        var: &'static str,
        flag: &'static str,
    ) -> Option<Url> {
        let raw = self.raw(value, var)?;
        match Url::parse(&raw) {
            Ok(u) if (u.scheme() == "http" || u.scheme() == "https") && u.host().is_some() => {
                Some(u)
            }
            Ok(_) | Err(_) => {
                self.fail(
                    var,
                    flag,
                    format!(
                        "expected an http:// or https:// URL, got {:?}",
                        redact_url(&raw)
                    ),
                );
                None
            }
        }
    }

    pub(super) fn bool(
        &mut self,
        value: Option<String>,
        var: &'static str,
        flag: &'static str,
        default: bool,
    ) -> bool {
        match self.raw(value, var).map(|v| v.to_ascii_lowercase()) {
            None => default,
            Some(v) => match v.as_str() {
                "1" | "true" | "yes" | "on" => true,
                "0" | "false" | "no" | "off" => false,
                _ => {
                    self.fail(var, flag, format!("expected true or false, got {v:?}"));
                    default
                }
            },
        }
    }

    pub(super) fn millis(
        &mut self,
        value: Option<String>,
        var: &'static str,
        flag: &'static str,
        default_ms: u64,
    ) -> Duration {
        Duration::from_millis(self.bounded(
            value,
            (var, flag),
            default_ms,
            (1, 3_600_000),
            "a whole number of milliseconds",
        ))
    }
}

impl Reader<'_> {
    /// A secret given inline (`var`) or in a file (`file_var`), not both.
    pub(super) fn secret(
        &mut self,
        inline: (Option<String>, &'static str, &'static str),
        file: (Option<String>, &'static str, &'static str),
    ) -> Option<SecretString> {
        let (inline, var, _flag) = inline;
        let (file, file_var, file_flag) = file;
        match (self.raw(inline, var), self.raw(file, file_var)) {
            (Some(_), Some(_)) => {
                self.fail(
                    file_var,
                    file_flag,
                    format!("set either {var} or {file_var}, not both"),
                );
                None
            }
            (Some(k), None) => Some(SecretString::from(k)),
            (None, Some(path)) => self.file_secret(&path, file_var, file_flag),
            (None, None) => None,
        }
    }

    /// The trimmed contents of a file holding a secret.
    pub(super) fn file_secret(
        &mut self,
        path: &str,
        var: &'static str,
        flag: &'static str,
    ) -> Option<SecretString> {
        match std::fs::read_to_string(path) {
            Ok(s) if !s.trim().is_empty() => Some(SecretString::from(s.trim().to_owned())),
            Ok(_) => {
                self.fail(var, flag, format!("the file {path:?} is empty"));
                None
            }
            Err(e) => {
                self.fail(var, flag, format!("cannot read the file {path:?}: {e}"));
                None
            }
        }
    }

    /// A whole number in `min..=max`.
    pub(super) fn number(
        &mut self,
        value: Option<String>,
        var: &'static str,
        flag: &'static str,
        default: u64,
        range: (u64, u64),
    ) -> u64 {
        self.bounded(value, (var, flag), default, range, "a whole number")
    }

    /// A whole number in `min..=max`; `what` names it in the error.
    fn bounded(
        &mut self,
        value: Option<String>,
        (var, flag): (&'static str, &'static str),
        default: u64,
        (min, max): (u64, u64),
        what: &str,
    ) -> u64 {
        match self.raw(value, var) {
            None => default,
            Some(v) => match v.parse::<u64>() {
                Ok(n) if (min..=max).contains(&n) => n,
                _ => {
                    self.fail(
                        var,
                        flag,
                        format!("expected {what} from {min} to {max}, got {v:?}"),
                    );
                    default
                }
            },
        }
    }
}

/// Shows a URL without its user-info (which may hold a password), for error messages.
/// Works on text, so it also covers values that do not parse as URLs.
fn redact_url(raw: &str) -> String {
    let authority_start = raw.find("://").map(|i| i + 3).unwrap_or(0);
    let rest = &raw[authority_start..];
    let authority_len = rest.find(['/', '?', '#']).unwrap_or(rest.len());
    match rest[..authority_len].rfind('@') {
        Some(at) => format!("{}REDACTED@{}", &raw[..authority_start], &rest[at + 1..]),
        None => raw.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn redact_url_hides_user_info_only() {
        assert_eq!(redact_url("http://u:p@h:1/x@y"), "http://REDACTED@h:1/x@y");
        assert_eq!(
            redact_url("nonsense://user:hunter2@"),
            "nonsense://REDACTED@"
        );
        assert_eq!(redact_url("a:b@c"), "REDACTED@c");
        assert_eq!(redact_url("http://h/p"), "http://h/p");
    }
}

//! Turning flags and variables into typed settings. clap reads each setting from its flag,
//! else its variable, and runs the typed value parsers below; this module turns clap's
//! errors into [`SettingError`]s that name the variable, and reports every invalid
//! setting at once rather than the first.

use std::collections::HashMap;
use std::ffi::OsString;
use std::time::Duration;

use clap::builder::ValueParser;
use clap::error::{ContextKind, ContextValue, ErrorKind};
use clap::{Arg, Command};
use secrecy::SecretString;
use url::Url;

use super::SettingError;

/// Why a command line could not be read: invalid settings (each named), or something
/// clap itself answers (help, version, an unknown flag).
#[derive(Debug)]
pub(super) enum Failure {
    Settings(Vec<SettingError>),
    Cli(clap::Error),
}

/// Parses `args` with the command `make` builds. A value that does not parse is recorded
/// and its setting then read as plain text, so that the next parse finds the next invalid
/// value. `vars` names each flag's variable (see [`variables`]).
pub(super) fn matches(
    make: impl Fn() -> Command,
    args: &[OsString],
    vars: &HashMap<String, String>,
) -> Result<clap::ArgMatches, Failure> {
    let mut errors = Vec::new();
    let mut invalid: Vec<String> = Vec::new();
    loop {
        let mut cmd = invalid.iter().fold(make(), |cmd, id| {
            cmd.mut_arg(id, |a| a.value_parser(ValueParser::os_string()))
        });
        match cmd.try_get_matches_from_mut(args) {
            Ok(m) if errors.is_empty() => return Ok(m),
            Ok(_) => return Err(Failure::Settings(errors)),
            Err(e) => match setting_error(&cmd, &e, vars) {
                Some((error, id)) if !invalid.contains(&id) => {
                    errors.push(error);
                    invalid.push(id);
                }
                _ => return Err(Failure::Cli(e)),
            },
        }
    }
}

/// Each flag's variable, by the flag's long name.
pub(super) fn variables(cmd: &Command) -> HashMap<String, String> {
    cmd.get_arguments()
        .filter_map(|a| {
            let var = a.get_env()?.to_string_lossy().into_owned();
            Some((a.get_long()?.to_owned(), var))
        })
        .collect()
}

/// An environment variable set to blank counts as unset (as a `KEY=` line in an env
/// file means), where clap would read an empty value.
pub(super) fn blank_is_unset(cmd: Command) -> Command {
    cmd.mut_args(|a| {
        let blank = a
            .get_env()
            .and_then(std::env::var_os)
            .is_some_and(|v| v.to_string_lossy().trim().is_empty());
        if blank {
            a.env(None::<&str>)
        } else {
            a
        }
    })
}

/// The variable and flag of an invalid value, and what was wrong with it.
fn setting_error(
    cmd: &Command,
    e: &clap::Error,
    vars: &HashMap<String, String>,
) -> Option<(SettingError, String)> {
    if !matches!(
        e.kind(),
        ErrorKind::ValueValidation | ErrorKind::InvalidValue
    ) {
        return None;
    }
    let shown = match e.get(ContextKind::InvalidArg)? {
        ContextValue::String(s) => s.clone(),
        ContextValue::StyledStr(s) => s.to_string(),
        _ => return None,
    };
    let long = shown
        .trim_start_matches('-')
        .split([' ', '='])
        .next()
        .unwrap_or_default();
    let arg: &Arg = cmd.get_arguments().find(|a| a.get_long() == Some(long))?;
    let problem = match e.kind() {
        // A choice (`--mode`): clap knows the choices.
        ErrorKind::InvalidValue => {
            let valid = match e.get(ContextKind::ValidValue) {
                Some(ContextValue::Strings(v)) => v.join(" or "),
                _ => String::new(),
            };
            let got = match e.get(ContextKind::InvalidValue) {
                Some(ContextValue::String(v)) => v.clone(),
                _ => String::new(),
            };
            format!("expected {valid}, got {got:?}")
        }
        // A typed value: the parser's own message (never the value when it is secret).
        _ => std::error::Error::source(e)
            .map(ToString::to_string)
            .unwrap_or_else(|| e.kind().to_string()),
    };
    let var = vars.get(long).cloned().unwrap_or_default();
    Some((
        SettingError {
            var,
            flag: long.to_owned(),
            problem,
        },
        arg.get_id().to_string(),
    ))
}

/// Problems found across settings once each has parsed (a missing setting, two that
/// conflict).
#[derive(Default)]
pub(super) struct Problems(pub(super) Vec<SettingError>);

impl Problems {
    pub(super) fn fail(&mut self, var: &str, flag: &str, problem: impl Into<String>) {
        self.0.push(SettingError {
            var: var.to_owned(),
            flag: flag.to_owned(),
            problem: problem.into(),
        });
    }

    /// A secret given inline (`var`) or in a file (`file_var`), not both.
    pub(super) fn one_of(
        &mut self,
        (inline, var): (Option<SecretString>, &str),
        (file, file_var, file_flag): (Option<SecretString>, &str, &str),
    ) -> Option<SecretString> {
        match (inline, file) {
            (Some(_), Some(_)) => {
                self.fail(
                    file_var,
                    file_flag,
                    format!("set either {var} or {file_var}, not both"),
                );
                None
            }
            (inline, file) => inline.or(file),
        }
    }

    pub(super) fn names(&self, var: &str) -> bool {
        self.0.iter().any(|e| e.var.starts_with(var))
    }
}

// The value parsers. Each says what it expected and what it got (a secret never).

/// An `http://` or `https://` URL with a host.
pub(super) fn http_url(raw: &str) -> Result<Url, String> {
    match Url::parse(raw.trim()) {
        Ok(u) if matches!(u.scheme(), "http" | "https") && u.host().is_some() => Ok(u),
        _ => Err(format!(
            "expected an http:// or https:// URL, got {:?}",
            redact_url(raw)
        )),
    }
}

/// `true`/`false`, `yes`/`no`, `on`/`off` or `1`/`0`.
pub(super) fn boolean(raw: &str) -> Result<bool, String> {
    match raw.trim().to_ascii_lowercase().as_str() {
        "1" | "true" | "yes" | "on" => Ok(true),
        "0" | "false" | "no" | "off" => Ok(false),
        _ => Err(format!("expected true or false, got {raw:?}")),
    }
}

/// A whole number in `min..=max`.
pub(super) fn whole(
    min: u64,
    max: u64,
) -> impl Fn(&str) -> Result<u64, String> + Clone + Send + Sync + 'static {
    move |raw| bounded(raw, min, max, "a whole number")
}

/// A whole number of milliseconds, from 1 ms to an hour.
pub(super) fn millis(raw: &str) -> Result<Duration, String> {
    bounded(raw, 1, 3_600_000, "a whole number of milliseconds").map(Duration::from_millis)
}

fn bounded(raw: &str, min: u64, max: u64, what: &str) -> Result<u64, String> {
    match raw.trim().parse::<u64>() {
        Ok(n) if (min..=max).contains(&n) => Ok(n),
        _ => Err(format!("expected {what} from {min} to {max}, got {raw:?}")),
    }
}

/// Text, without the blanks around it.
pub(super) fn text(raw: &str) -> Result<String, String> {
    Ok(raw.trim().to_owned())
}

/// A secret given inline.
pub(super) fn secret(raw: &str) -> Result<SecretString, String> {
    Ok(SecretString::from(raw.trim().to_owned()))
}

/// The trimmed contents of a file holding a secret.
pub(super) fn secret_file(path: &str) -> Result<SecretString, String> {
    match std::fs::read_to_string(path) {
        Ok(s) if !s.trim().is_empty() => Ok(SecretString::from(s.trim().to_owned())),
        Ok(_) => Err(format!("the file {path:?} is empty")),
        Err(e) => Err(format!("cannot read the file {path:?}: {e}")),
    }
}

/// Shows a URL without its user-info (which may hold a password), for error messages.
/// Works on text, so it also covers values that do not parse as URLs.
pub(super) fn redact_url(raw: &str) -> String {
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

    #[test]
    fn values_say_what_was_expected() {
        assert_eq!(boolean(" Yes "), Ok(true));
        assert_eq!(
            boolean("maybe"),
            Err("expected true or false, got \"maybe\"".into())
        );
        assert_eq!(whole(0, 10)("10"), Ok(10));
        assert_eq!(
            whole(1, 10)("0"),
            Err("expected a whole number from 1 to 10, got \"0\"".into())
        );
        assert_eq!(millis("250"), Ok(Duration::from_millis(250)));
        assert!(http_url("ftp://h").is_err());
        assert_eq!(http_url("http://h:1").unwrap().as_str(), "http://h:1/");
    }
}

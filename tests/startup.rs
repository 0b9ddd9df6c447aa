//! Start-up validation, through the real binary: a missing or malformed setting stops the
//! server with a message naming the variable, and secrets are never echoed.

use std::process::Command;

fn run_with(env: &[(&str, &str)]) -> (i32, String) {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_agno-chat"));
    cmd.env_clear();
    for (k, v) in env {
        cmd.env(k, v);
    }
    let out = cmd.output().expect("run agno-chat");
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

#[test]
fn missing_agentos_url_stops_startup_and_names_the_variable() {
    let (code, stderr) = run_with(&[]);
    assert_eq!(code, 2, "{stderr}");
    assert!(stderr.contains("AGNO_CHAT_AGENTOS_URL"), "{stderr}");
    assert!(stderr.contains("missing"), "{stderr}");
}

#[test]
fn malformed_settings_are_named_and_secrets_not_echoed() {
    let (code, stderr) = run_with(&[
        ("AGNO_CHAT_AGENTOS_URL", "http://127.0.0.1:7777"),
        ("AGNO_CHAT_AGENTOS_KEY", "never-print-this-key"),
        ("AGNO_CHAT_MODE", "squad"),
        ("AGNO_CHAT_REQUEST_TIMEOUT_MS", "soon"),
        // Blank counts as unset, as a `KEY=` line in an env file means.
        ("AGNO_CHAT_FAQ_URL", " "),
    ]);
    assert_eq!(code, 2, "{stderr}");
    assert!(
        stderr.contains("AGNO_CHAT_MODE") && stderr.contains("agent or team"),
        "{stderr}"
    );
    assert!(stderr.contains("AGNO_CHAT_REQUEST_TIMEOUT_MS"), "{stderr}");
    assert!(!stderr.contains("AGNO_CHAT_FAQ_URL"), "{stderr}");
    assert!(!stderr.contains("never-print-this-key"), "{stderr}");
}

#[test]
fn flags_are_validated_like_variables() {
    let out = Command::new(env!("CARGO_BIN_EXE_agno-chat"))
        .env_clear()
        .args(["--agentos-url", "not-a-url"])
        .output()
        .expect("run agno-chat");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    assert!(
        stderr.contains("AGNO_CHAT_AGENTOS_URL (flag --agentos-url)"),
        "{stderr}"
    );
}

#[test]
fn a_half_configured_sign_in_stops_startup_naming_what_is_missing() {
    let (code, stderr) = run_with(&[
        ("AGNO_CHAT_AGENTOS_URL", "http://127.0.0.1:7777"),
        ("AGNO_CHAT_AUTH_MODE", "oidc"),
        ("AGNO_CHAT_OIDC_ISSUER", "https://idp.example"),
        ("AGNO_CHAT_OIDC_CLIENT_SECRET", "never-print-this-secret"),
    ]);
    assert_ne!(code, 0);
    for var in ["AGNO_CHAT_OIDC_CLIENT_ID", "AGNO_CHAT_PUBLIC_URL"] {
        assert!(stderr.contains(var), "{var} not named: {stderr}");
    }
    assert!(!stderr.contains("never-print-this-secret"), "{stderr}");

    // A broken policy file names its line.
    let dir = std::env::temp_dir().join(format!("agno-chat-policy-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let file = dir.join("policy.toml");
    std::fs::write(
        &file,
        "[roles.staff]\nclaims = [\"staff\"]\nagnets = [\"*\"]\n",
    )
    .unwrap();
    let (code, stderr) = run_with(&[
        ("AGNO_CHAT_AGENTOS_URL", "http://127.0.0.1:7777"),
        ("AGNO_CHAT_POLICY_FILE", file.to_str().unwrap()),
    ]);
    let _ = std::fs::remove_dir_all(&dir);
    assert_ne!(code, 0);
    assert!(
        stderr.contains("AGNO_CHAT_POLICY_FILE") && stderr.contains("line 3"),
        "{stderr}"
    );
}

#!/usr/bin/env bash
# Runs agno-chat on http://127.0.0.1:3000.
# Without AGNO_CHAT_AGENTOS_URL it first starts the demo AgentOS on 127.0.0.1:7777 and
# uses it; with it, it uses that AgentOS and starts no demo. Extra arguments go to
# `cargo leptos serve` (for example --release).
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/env.sh"
cd "$ROOT"
"$ROOT/scripts/setup.sh"

DEMO_PID=""
OIDC_PID=""
cleanup() {
  for pid in $DEMO_PID $OIDC_PID; do
    kill "$pid" 2>/dev/null || true
    wait "$pid" 2>/dev/null || true
  done
}
trap cleanup EXIT
trap 'exit 130' INT TERM

if [ -z "${AGNO_CHAT_AGENTOS_URL:-}" ]; then
  DEMO_PORT="${DEMO_PORT:-7777}"
  # The demo runs in JWT mode, as a production AgentOS would: agno-chat mints a token per
  # user with a secret made up for this run (DEMO_AUTH=none runs it without auth).
  DEMO_AUTH="${DEMO_AUTH:-jwt}"
  if [ "$DEMO_AUTH" = "jwt" ] && [ -z "${AGNO_CHAT_JWT_SECRET:-}" ]; then
    AGNO_CHAT_JWT_SECRET="$(.venv/bin/python -c 'import secrets; print(secrets.token_hex(32))')"
    export AGNO_CHAT_JWT_SECRET
  fi
  export DEMO_AUTH DEMO_JWT_SECRET="${AGNO_CHAT_JWT_SECRET:-}"
  echo "[run] starting the demo AgentOS on 127.0.0.1:${DEMO_PORT} (auth: ${DEMO_AUTH})"
  .venv/bin/python demo/app.py --host 127.0.0.1 --port "$DEMO_PORT" &
  DEMO_PID=$!
  for _ in $(seq 1 120); do
    if curl -fsS "http://127.0.0.1:${DEMO_PORT}/health" >/dev/null 2>&1; then break; fi
    if ! kill -0 "$DEMO_PID" 2>/dev/null; then echo "[run] the demo AgentOS failed to start" >&2; exit 1; fi
    sleep 0.5
  done
  export AGNO_CHAT_AGENTOS_URL="http://127.0.0.1:${DEMO_PORT}"
else
  echo "[run] using the AgentOS at AGNO_CHAT_AGENTOS_URL (no demo started)"
fi

# DEMO_LOGIN=oidc: sign-in through a real OpenID provider (npm oidc-provider) with two demo
# users in different groups, and the demo's roles policy (demo/policy.toml).
if [ "${DEMO_LOGIN:-}" = "oidc" ]; then
  OIDC_PORT="${OIDC_PORT:-7781}"
  OIDC_CLIENT_SECRET="$(.venv/bin/python -c 'import secrets; print(secrets.token_hex(24))')"
  echo "[run] starting the demo OpenID provider on 127.0.0.1:${OIDC_PORT}"
  OIDC_PORT="$OIDC_PORT" OIDC_CLIENT_SECRET="$OIDC_CLIENT_SECRET" \
    OIDC_REDIRECT_URIS="http://127.0.0.1:3000/auth/callback" \
    OIDC_POST_LOGOUT_REDIRECT_URIS="http://127.0.0.1:3000/auth/signed-out" \
    node demo/oidc/provider.mjs &
  OIDC_PID=$!
  for _ in $(seq 1 60); do
    if curl -fsS "http://127.0.0.1:${OIDC_PORT}/.well-known/openid-configuration" >/dev/null 2>&1; then break; fi
    if ! kill -0 "$OIDC_PID" 2>/dev/null; then echo "[run] the demo OpenID provider failed to start" >&2; exit 1; fi
    sleep 0.5
  done
  export AGNO_CHAT_AUTH_MODE=oidc
  export AGNO_CHAT_OIDC_ISSUER="http://127.0.0.1:${OIDC_PORT}"
  export AGNO_CHAT_OIDC_CLIENT_ID=agno-chat
  export AGNO_CHAT_OIDC_CLIENT_SECRET="$OIDC_CLIENT_SECRET"
  export AGNO_CHAT_OIDC_SCOPES="openid profile email groups"
  export AGNO_CHAT_PUBLIC_URL="http://127.0.0.1:3000"
  export AGNO_CHAT_POLICY_FILE="${AGNO_CHAT_POLICY_FILE:-$ROOT/demo/policy.toml}"
fi

echo "[run] agno-chat will serve http://127.0.0.1:3000"
cargo leptos serve --split "$@"

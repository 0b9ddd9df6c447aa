#!/usr/bin/env bash
# Installs everything agno-chat needs to build, run and test, skipping what is present.
# Safe to run again and again; scripts/run.sh and scripts/test.sh call it first.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/env.sh"
cd "$ROOT"

CARGO_LEPTOS_VERSION=0.3.10
log() { printf '\033[1m[setup]\033[0m %s\n' "$*"; }
have() { command -v "$1" >/dev/null 2>&1; }
as_root() { if [ "$(id -u)" = 0 ]; then "$@"; elif have sudo; then sudo "$@"; else return 1; fi; }

# 1. The wasm target for the browser half.
if ! rustup target list --installed | grep -qx wasm32-unknown-unknown; then
  log "adding the wasm32-unknown-unknown target"
  rustup target add wasm32-unknown-unknown
fi

# 1b. For release builds (scripts/build-release.sh): the standard library's sources for
# a nightly toolchain that is already installed, so that the wasm's standard library can
# be rebuilt for size. Optional: without it release builds use the stable toolchain.
if rustup run nightly rustc --version >/dev/null 2>&1 &&
  ! rustup component list --toolchain nightly --installed 2>/dev/null | grep -q '^rust-src'; then
  log "adding rust-src to the nightly toolchain (smaller release wasm)"
  rustup component add rust-src --toolchain nightly ||
    log "could not add rust-src to nightly: release builds will use the stable toolchain"
fi

# 2. cargo-leptos, built to use tools on PATH and never download any (about 12 min once).
if ! cargo leptos --version 2>/dev/null | grep -q " ${CARGO_LEPTOS_VERSION}\$"; then
  log "installing cargo-leptos ${CARGO_LEPTOS_VERSION} (takes about 12 minutes, once)"
  cargo install cargo-leptos --version "$CARGO_LEPTOS_VERSION" --locked --features no_downloads
fi

# 3. The wasm-bindgen CLI, exactly the version Cargo.lock pins.
WASM_BINDGEN_VERSION="$(awk '/^name = "wasm-bindgen"$/ { getline; gsub(/"/, "", $3); print $3; exit }' Cargo.lock)"
if [ -z "$WASM_BINDGEN_VERSION" ]; then
  echo "[setup] cannot find wasm-bindgen in Cargo.lock" >&2
  exit 1
fi
if ! wasm-bindgen --version 2>/dev/null | grep -q " ${WASM_BINDGEN_VERSION}\$"; then
  log "installing wasm-bindgen-cli ${WASM_BINDGEN_VERSION} (about 2 minutes, once)"
  cargo install wasm-bindgen-cli --version "$WASM_BINDGEN_VERSION"
fi

# 4. Chromium for the end-to-end tests (Debian's build; Playwright never downloads one).
if [ ! -x "$CHROMIUM_PATH" ]; then
  log "installing Debian's chromium"
  as_root apt-get update -qq
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null
fi

# 4b. Redis and nginx for the tests of several replicas (each test starts its own on a
# loopback port; the packages' own services are not used).
if ! command -v redis-server >/dev/null || [ ! -x /usr/sbin/nginx ]; then
  log "installing Debian's redis-server and nginx-light"
  as_root apt-get update -qq
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq redis-server nginx-light >/dev/null
fi

# 5. Node packages: Playwright's test runner and wasm-opt (npm binaryen), from the lockfile.
if [ ! -f end2end/node_modules/.package-lock.json ] \
  || ! cmp -s <(sha256sum end2end/package-lock.json | cut -d' ' -f1) end2end/node_modules/.agno-chat-lock.sha; then
  log "installing node packages (end2end/)"
  (cd end2end && npm ci --no-audit --no-fund --loglevel=error)
  sha256sum end2end/package-lock.json | cut -d' ' -f1 > end2end/node_modules/.agno-chat-lock.sha
fi

# 5b. The demo's OpenID provider (npm oidc-provider), from its lockfile.
if [ ! -f demo/oidc/node_modules/.package-lock.json ] \
  || ! cmp -s <(sha256sum demo/oidc/package-lock.json | cut -d' ' -f1) demo/oidc/node_modules/.agno-chat-lock.sha; then
  log "installing node packages (demo/oidc/)"
  (cd demo/oidc && npm ci --no-audit --no-fund --loglevel=error)
  sha256sum demo/oidc/package-lock.json | cut -d' ' -f1 > demo/oidc/node_modules/.agno-chat-lock.sha
fi

# 6. The demo AgentOS: a Python venv with agno from PyPI.
if [ ! -x .venv/bin/python ]; then
  log "creating the Python venv (.venv)"
  python3 -m venv .venv
fi
if ! cmp -s <(sha256sum demo/requirements.txt | cut -d' ' -f1) .venv/.agno-chat-requirements.sha; then
  log "installing the demo AgentOS requirements (about 25 s, once)"
  .venv/bin/pip install --quiet --disable-pip-version-check -r demo/requirements.txt
  sha256sum demo/requirements.txt | cut -d' ' -f1 > .venv/.agno-chat-requirements.sha
fi

# 7. locust for the full-stack load test (scripts/load-test.sh), in a venv of its own.
if [ ! -x .venv-load/bin/python ]; then
  log "creating the load test's Python venv (.venv-load)"
  python3 -m venv .venv-load
fi
if ! cmp -s <(sha256sum end2end/load/requirements.txt | cut -d' ' -f1) .venv-load/.agno-chat-requirements.sha; then
  log "installing locust (about 30 s, once)"
  .venv-load/bin/pip install --quiet --disable-pip-version-check -r end2end/load/requirements.txt
  sha256sum end2end/load/requirements.txt | cut -d' ' -f1 > .venv-load/.agno-chat-requirements.sha
fi

log "ready"

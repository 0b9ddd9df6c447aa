#!/usr/bin/env bash
# Runs every check: format, clippy (ssr and hydrate), unit and integration tests, then the
# Playwright suite in real Chromium against the real app and the demo AgentOS.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/env.sh"
cd "$ROOT"
# A CI run builds once from a fresh clone: incremental caches would only take disk (about
# 2.6 GB), so they are off there. Local runs keep them.
if [[ -n "${CI:-}" ]]; then
  export CARGO_INCREMENTAL=0
fi
"$ROOT/scripts/setup.sh"

step() { printf '\n\033[1m==> %s\033[0m\n' "$*"; }

step "cargo fmt --check"
cargo fmt --all -- --check

step "clippy (ssr)"
cargo clippy --features ssr --all-targets -- -D warnings

step "clippy (hydrate, wasm32)"
cargo clippy --lib --features hydrate --target wasm32-unknown-unknown -- -D warnings

step "unit and integration tests"
cargo test --features ssr

step "chunk loader rewrite (scripts/rewrite-chunk-loader.mjs) on recorded loaders"
node "$ROOT/scripts/rewrite-chunk-loader.mjs" --test

step "build the app (cargo leptos build --split: lazily loaded parts in their own wasm chunks)"
cargo leptos build --split
node "$ROOT/scripts/rewrite-chunk-loader.mjs" target/site/pkg
"$ROOT/scripts/bundle-sizes.sh"

step "end-to-end tests (Playwright, Chromium, demo AgentOS)"
(cd end2end && npx playwright test)

#!/usr/bin/env bash
# Benchmarks: prints figures (medians over BENCH_RUNS runs, default 5); they are not tests
# and never fail on a missed target. Builds the release app (scripts/build-release.sh:
# lazily loaded chunks split, assets precompressed) into target/site-release, so the
# debug build the tests use stays as it is, then runs:
#   1. bundle sizes (raw, gzip, brotli as served);
#   2. the browser benchmark (Playwright, Chromium, the release app and the demo AgentOS):
#      first load, first token, streaming 2,000 tokens, opening a 500-run session,
#      scrolling it from the newest turn to the first and jumping across it;
#   3. the proxy benchmark (Rust, a local fake AgentOS, the server on one core): added
#      latency per event, events per second, memory per stream with 500 open streams.
# Figures are also written as JSON under target/bench/.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/env.sh"
cd "$ROOT"
"$ROOT/scripts/setup.sh"

step() { printf '\n\033[1m==> %s\033[0m\n' "$*"; }
export BENCH_RUNS="${BENCH_RUNS:-5}"
export BENCH_SITE_ROOT="$ROOT/target/site-release"
export AGNO_CHAT_BIN="$ROOT/target/release/agno-chat"

step "release build (scripts/build-release.sh)"
"$ROOT/scripts/build-release.sh" "$BENCH_SITE_ROOT"
cargo build --release --no-default-features --features ssr --bin proxy-bench

step "bundle sizes"
PKG_DIR="$BENCH_SITE_ROOT/pkg" "$ROOT/scripts/bundle-sizes.sh"

step "browser benchmark (medians of $BENCH_RUNS runs)"
(cd end2end && npx playwright test -c bench.config.ts)

step "proxy benchmark (medians of $BENCH_RUNS runs)"
if command -v taskset >/dev/null 2>&1; then PIN=(taskset -c 1); else PIN=(); fi
"${PIN[@]}" "$ROOT/target/release/proxy-bench" --server "$AGNO_CHAT_BIN" \
  --site-root "$BENCH_SITE_ROOT" --runs "$BENCH_RUNS" --json "$ROOT/target/bench/proxy.json"

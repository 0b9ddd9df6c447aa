#!/usr/bin/env bash
# Builds the release app: the server, and the browser's wasm split into lazily loaded
# chunks, with every asset content-hashed and precompressed (brotli and gzip).
#
#   scripts/build-release.sh [SITE_ROOT]      (default: $LEPTOS_SITE_ROOT, else target/site)
#
# Then run target/release/agno-chat with LEPTOS_SITE_ROOT=SITE_ROOT (hash.txt, beside the
# binary, names the files).
#
# When a nightly toolchain with its rust-src is installed (scripts/setup.sh adds rust-src
# to a nightly that is present), the wasm is built with it and its standard library is
# rebuilt for size (-Zbuild-std, the `optimize_for_size` feature, no panic locations),
# and `Debug` formats as nothing (-Zfmt-debug=none: the browser's code never shows a
# value with `{:?}`, a unit test checks it): the first load's wasm is about 17 KB
# (brotli) smaller. Panics still reach the panic hook and are reported, with their
# messages (less any value a message shows with `Debug`). Without nightly, or with
# AGNO_CHAT_STABLE_WASM=1, the stable toolchain builds both halves as usual. The server
# is always built with the stable toolchain.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/env.sh"
cd "$ROOT"

SITE_ROOT="${1:-${LEPTOS_SITE_ROOT:-target/site}}"
export LEPTOS_SITE_ROOT="$SITE_ROOT"
FLAGS=(--release --split --precompress)

nightly_with_src() {
  [ "${AGNO_CHAT_STABLE_WASM:-}" != 1 ] &&
    rustup run nightly rustc --version >/dev/null 2>&1 &&
    rustup component list --toolchain nightly --installed 2>/dev/null | grep -q '^rust-src'
}

if nightly_with_src; then
  echo "[build-release] wasm: $(rustup run nightly rustc --version), standard library rebuilt for size"
  RUSTUP_TOOLCHAIN=nightly \
    CARGO_UNSTABLE_BUILD_STD=std,panic_abort \
    CARGO_UNSTABLE_BUILD_STD_FEATURES=optimize_for_size \
    RUSTFLAGS="-Zlocation-detail=none -Zfmt-debug=none" \
    cargo leptos build "${FLAGS[@]}" --frontend-only
  cargo leptos build "${FLAGS[@]}" --server-only
else
  echo "[build-release] wasm: stable toolchain (no nightly with rust-src; see this script's header)"
  cargo leptos build "${FLAGS[@]}"
fi
# Every lazily loaded chunk compiles as it downloads (see the script's header).
node "$ROOT/scripts/rewrite-chunk-loader.mjs" "$SITE_ROOT/pkg"
# One more wasm-opt pass over the first load's module (see the script's header).
"$ROOT/scripts/optimize-main-wasm.sh" "$SITE_ROOT/pkg"

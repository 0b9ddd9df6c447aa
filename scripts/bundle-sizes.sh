#!/usr/bin/env bash
# Prints the size of what the browser downloads: the first load (HTML shell aside: the main
# wasm, its JS glue and the CSS) and each lazily loaded wasm chunk, raw and compressed.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/env.sh"
PKG="$ROOT/target/site/pkg"
[ -d "$PKG" ] || { echo "no build in $PKG; run cargo leptos build --split first" >&2; exit 1; }
row() {
  local f="$1" kind="$2"
  local raw gz br
  raw=$(stat -c %s "$f")
  gz=$(gzip -9 -c "$f" | wc -c)
  if command -v brotli >/dev/null 2>&1; then br=$(brotli -c -q 11 "$f" | wc -c); else br="-"; fi
  printf '  %-8s %-46s %10s %10s %10s\n' "$kind" "$(basename "$f")" "$raw" "$gz" "$br"
}
echo "bundle sizes in bytes (raw, gzip -9, brotli -q 11):"
for f in "$PKG"/agno-chat.wasm "$PKG"/agno-chat.js "$PKG"/agno-chat.css "$PKG"/__wasm_split*.js; do
  [ -f "$f" ] && row "$f" initial
done
for f in "$PKG"/split_*.wasm; do
  [ -f "$f" ] && row "$f" lazy
done
echo "(a debug build is far larger than a release one: cargo leptos build --release --split)"

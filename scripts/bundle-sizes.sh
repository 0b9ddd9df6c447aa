#!/usr/bin/env bash
# Prints the size of what the browser downloads: the first load (HTML shell aside: the main
# wasm, its JS glue and the CSS) and each lazily loaded wasm chunk (and the chunks they
# share), raw and compressed.
# Brotli figures are the precompressed .br files of a release build (--precompress).
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/env.sh"
PKG="${PKG_DIR:-$ROOT/target/site/pkg}"
[ -d "$PKG" ] || { echo "no build in $PKG; run cargo leptos build --split first" >&2; exit 1; }
total_raw=0 total_gz=0 total_br=0
row() {
  local f="$1" kind="$2"
  local raw gz br
  raw=$(stat -c %s "$f")
  gz=$(gzip -9 -c "$f" | wc -c)
  if [ -f "$f.br" ]; then br=$(stat -c %s "$f.br"); else br="-"; fi
  printf '  %-8s %-46s %10s %10s %10s\n' "$kind" "$(basename "$f")" "$raw" "$gz" "$br"
  if [ "$kind" = initial ]; then
    total_raw=$((total_raw + raw)); total_gz=$((total_gz + gz))
    if [ "$br" != "-" ]; then total_br=$((total_br + br)); fi
  fi
}
echo "bundle sizes in bytes (raw, gzip -9, brotli as served):"
shopt -s nullglob
for f in "$PKG"/agno-chat*.wasm "$PKG"/agno-chat*.js "$PKG"/agno-chat*.css "$PKG"/__wasm_split*.js; do
  row "$f" initial
done
for f in "$PKG"/split_*.wasm; do
  row "$f" lazy
done
# Code that several lazily loaded parts share, loaded with the first of them.
for f in "$PKG"/chunk_*.wasm; do
  row "$f" shared
done
printf '  %-8s %-46s %10s %10s %10s\n' total "first load (wasm, JS, CSS)" "$total_raw" "$total_gz" "$([ "$total_br" -gt 0 ] && echo "$total_br" || echo -)"
# Each lazily loaded part with every shared chunk the loader's manifest lists for it
# (brotli as served): what it costs when nothing else was loaded before it. The chat
# path is the first load and the conversation.
for manifest in "$PKG"/__wasm_split_manifest*.json; do
  node -e '
    const fs = require("fs"), path = require("path");
    const [file, pkg] = process.argv.slice(1);
    const size = (name) => { try { return fs.statSync(path.join(pkg, name + ".wasm.br")).size; } catch { return 0; } };
    for (const [part, files] of Object.entries(JSON.parse(fs.readFileSync(file, "utf8")))) {
      const br = files.reduce((sum, f) => sum + size(f), 0);
      console.log(`  part     ${(part.replace(/_\d+$/, "") + ` (${files.length} files)`).padEnd(46)} ${"".padStart(10)} ${"".padStart(10)} ${String(br || "-").padStart(10)}`);
    }' "$manifest" "$PKG"
done
echo "(a debug build is far larger than a release one: cargo leptos build --release --split --precompress)"

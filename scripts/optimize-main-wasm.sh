#!/usr/bin/env bash
# Runs wasm-opt once more over the app's main wasm module (the first load's), after
# `cargo leptos build --release --split`, and precompresses it again.
#
# cargo-leptos optimises each module once, before it splits the code into lazily loaded
# chunks; after the split, the main module has code that another pass removes or folds
# (about 1.5 KB with brotli). Only the main module is done: the chunks load lazily, and a
# second pass gains little there. Its exports, which the chunks import, are kept.
#
#   scripts/optimize-main-wasm.sh PKG_DIR
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
PKG="$1"
WASM_OPT="$ROOT/end2end/node_modules/binaryen/bin/wasm-opt"
if [ ! -x "$WASM_OPT" ]; then
  echo "[optimize-main-wasm] no wasm-opt at $WASM_OPT (scripts/setup.sh installs it); left as built"
  exit 0
fi
shopt -s nullglob
for wasm in "$PKG"/agno-chat*.wasm; do
  before=$(stat -c%s "$wasm")
  node "$WASM_OPT" "$wasm" -Oz --detect-features -o "$wasm.tmp"
  mv "$wasm.tmp" "$wasm"
  node -e '
    const fs = require("fs"), zlib = require("zlib");
    const f = process.argv[1], b = fs.readFileSync(f);
    fs.writeFileSync(f + ".br", zlib.brotliCompressSync(b, { params: {
      [zlib.constants.BROTLI_PARAM_QUALITY]: 11, [zlib.constants.BROTLI_PARAM_LGWIN]: 24 } }));
    fs.writeFileSync(f + ".gz", zlib.gzipSync(b, { level: 9 }));' "$wasm"
  echo "[optimize-main-wasm] $(basename "$wasm"): $before -> $(stat -c%s "$wasm") bytes"
done

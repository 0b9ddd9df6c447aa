# Sourced by the other scripts: paths of the tools scripts/setup.sh installs.
# shellcheck shell=bash
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
export ROOT
export PATH="$HOME/.cargo/bin:$ROOT/end2end/node_modules/.bin:$PATH"
export PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1
export AGNO_TELEMETRY=false
# Chromium as installed by Debian's package; override to use another build.
export CHROMIUM_PATH="${CHROMIUM_PATH:-/usr/bin/chromium}"

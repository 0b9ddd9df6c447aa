#!/usr/bin/env bash
# The full-stack load test (locust): simulated people load the page, send messages, read
# every streamed answer to its end (each token once, in order), list and open their
# conversations; against the demo AgentOS alone, one replica, and two replicas sharing
# Redis behind nginx. Prints figures and never fails on a number (see
# end2end/load/run.py). LOAD_USERS, LOAD_SPAWN_RATE and LOAD_SECONDS set the load.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/env.sh"
cd "$ROOT"
"$ROOT/scripts/setup.sh"
if [ -z "${AGNO_CHAT_BIN:-}" ]; then
  "$ROOT/scripts/build-release.sh" "$ROOT/target/site-release"
fi
.venv-load/bin/python end2end/load/run.py

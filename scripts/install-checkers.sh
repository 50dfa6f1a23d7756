#!/usr/bin/env bash
# Installs cfn-lint (PyPI, pinned) into target/cfn-lint-venv for the test that lints the CloudFormation output
# of every scenario and of the example trail (tests/it/cfn_lint.rs), and prints the path of its executable.
# cfn-lint is AWS's own template linter: it checks a policy document against its schema and every action
# against the IAM catalogue it bundles, which this project did not write. Needs python3 with venv; without it
# this says so on stderr and exits 3, and the test reports itself skipped.
set -euo pipefail

CFN_LINT_VERSION=1.58.0
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
venv="${CARGO_TARGET_DIR:-$root/target}/cfn-lint-venv"

if ! "$venv/bin/python" -c "import importlib.metadata as m, sys; sys.exit(m.version('cfn-lint') != '$CFN_LINT_VERSION')" 2>/dev/null; then
    if ! python3 -m venv --help >/dev/null 2>&1; then
        echo "install-cfn-lint: python3 with venv is needed for cfn-lint (apt-get install python3-venv)" >&2
        exit 3
    fi
    echo "install-cfn-lint: installing cfn-lint==$CFN_LINT_VERSION into $venv" >&2
    python3 -m venv "$venv" >&2
    "$venv/bin/pip" install -q --disable-pip-version-check "cfn-lint==$CFN_LINT_VERSION" >&2
fi
echo "$venv/bin/cfn-lint"

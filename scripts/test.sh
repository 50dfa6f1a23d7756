#!/usr/bin/env bash
# The whole test suite: unit, integration, scenario, CLI tests. Needs cargo and python3 (the map generator
# check runs it). This is the command README.md gives and .ci/run runs.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/with-moto.sh cargo test --locked --all-targets -- --include-ignored

#!/usr/bin/env bash
# benches/forward/simulate.sh — cross-check the forward-validity bench with an independent IAM simulator.
#
# Usage: benches/forward/simulate.sh [train|holdout|all]
#   Runs `cargo bench --bench forward -- --set SET` (which writes each policy next to its workload under
#   target/tmp/forward-SET/), installs the pinned @cloud-copilot/iam-simulate (AGPL-3.0-or-later, dev only:
#   never shipped, linked or needed by the product or its tests) into target/iam-simulate with `npm ci`, and
#   scores the same next-week calls and siblings with it. Needs node >= 18 and npm (registry access once).
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
SET=${1:-train}
SIM=$ROOT/target/iam-simulate
cd "$ROOT"
cargo bench --bench forward ${CARGO_BENCH_FLAGS:-} -- --set "$SET"
mkdir -p "$SIM"
cp benches/forward/simulate/package.json benches/forward/simulate/package-lock.json benches/forward/simulate/simulate.mjs "$SIM/"
(cd "$SIM" && npm ci --no-audit --no-fund --silent)
node "$SIM/simulate.mjs" "$ROOT/target/tmp/forward-$SET"

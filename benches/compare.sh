#!/usr/bin/env bash
# benches/compare.sh — two policygen binaries on the same single-principal run, their runs interleaved, so
# that a host whose speed drifts (seen here: the same binary 0.80 s in one hour, 1.04 s in another) slows
# both alike. Checks first that both write the same policy, stderr and --summary-json.
#
# Prints figures only; nothing here asserts a timing. See docs/performance.md.
#
# Usage: benches/compare.sh [--runs N] [--size 1m] [--from DATE --to DATE] OLD_BINARY NEW_BINARY
#   --runs N      timed runs of each binary (default 10), alternating
#   --size N      the trail under target/bench-data/N/ (default 1m; `benches/run.sh --sizes N` makes it)
#   --from/--to   the window (default the whole 90-day trail: 2024-01-01 to 2024-03-31)
#
# Dev requirements: bash, python3 (standard library), GNU time at /usr/bin/time.
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
runs=10 size=1m from=2024-01-01 to=2024-03-31
while [[ $# -gt 0 ]]; do
  case $1 in
    --runs) runs=${2:?--runs needs a value}; shift 2 ;;
    --size) size=${2:?--size needs a value}; shift 2 ;;
    --from) from=${2:?--from needs a value}; shift 2 ;;
    --to) to=${2:?--to needs a value}; shift 2 ;;
    -h|--help) sed -n '2,/^set -euo/{/^set -euo/d;s/^# \{0,1\}//;p}' "$0"; exit 0 ;;
    -*) echo "compare.sh: unknown option: $1 (try --help)" >&2; exit 2 ;;
    *) break ;;
  esac
done
[[ $# -eq 2 ]] || { echo "compare.sh: give two binaries (try --help)" >&2; exit 2; }
old=$1 new=$2
data=$ROOT/target/bench-data/$size
[[ -f $data/manifest.json ]] || { echo "compare.sh: no trail at $data: run benches/run.sh --sizes $size first" >&2; exit 2; }
role_arn=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["target_role_arn"])' "$data/manifest.json")
args=(--role "${role_arn##*/}" --from "$from" --to "$to" --logs "$data/AWSLogs")

out=$(mktemp -d "${TMPDIR:-/tmp}/pg-compare.XXXXXX")
trap 'rm -rf "$out"' EXIT
for which in old new; do
  bin=${!which}
  "$bin" "${args[@]}" --summary-json "$out/$which.summary" >"$out/$which.policy" 2>"$out/$which.stderr" || true
done
for part in policy stderr summary; do
  if ! cmp -s "$out/old.$part" "$out/new.$part"; then
    echo "compare.sh: the two binaries write a different $part (diff $out/old.$part $out/new.$part)" >&2
    trap - EXIT
  fi
done
records=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["stats"]["records_read"])' "$out/new.summary")

for _ in $(seq "$runs"); do
  for which in old new; do
    /usr/bin/time -f "%e %U %S %M" -a -o "$out/$which.times" "${!which}" "${args[@]}" >/dev/null 2>&1 || true
  done
done
python3 - "$out" "$records" "$old" "$new" "$runs" <<'EOF'
import statistics, sys
out, records = sys.argv[1], int(sys.argv[2])
print(f"{records:,} records read per run; {sys.argv[5]} runs of each binary, interleaved")
print(f"{'binary':<8} {'wall median':>11} {'wall min':>9} {'CPU median':>11} {'peak MiB':>9} {'records/s (median)':>19}")
for which, path in (("old", sys.argv[3]), ("new", sys.argv[4])):
    rows = [list(map(float, line.split())) for line in open(f"{out}/{which}.times") if line.strip()]
    wall = statistics.median(r[0] for r in rows)
    cpu = statistics.median(r[1] + r[2] for r in rows)
    rss = max(r[3] for r in rows) / 1024
    print(f"{which:<8} {wall:>10.3f}s {min(r[0] for r in rows):>8.3f}s {cpu:>10.3f}s {rss:>9.1f} {records / wall:>19,.0f}   {path}")
EOF

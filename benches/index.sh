#!/usr/bin/env bash
# benches/index.sh — the usage index on the 1M-record benchmark trail (issue 16): size and what it is made
# of, a 90-day single-principal query from the index against one from the logs (outputs compared byte for
# byte), a window of whole days that is not a quarter, a sub-day window, 89 days to the minute (what
# `--since 90d` asks), and an update after one more day of logs (objects read).
#
# Prints figures only; nothing here asserts a timing. See docs/scale.md for the results.
#
# Usage: benches/index.sh [--no-build] [--trail DIR]
#   --trail DIR   the AWSLogs directory (default target/bench-data/1m/AWSLogs, made by benches/run.sh --sizes 1m)
#   --no-build    use the existing target/release/policygen
#
# Dev requirements: bash, python3 (standard library), GNU date.
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
TARGET_DIR=${CARGO_TARGET_DIR:-$ROOT/target}
PG=$TARGET_DIR/release/policygen
TRAIL=$ROOT/target/bench-data/1m/AWSLogs
PRINCIPAL=orders-api-prod-task
WINDOW=(--from 2024-01-01 --to 2024-03-31)
# Whole days, but not whole months but one: February's span, and the other days' states.
UNALIGNED=(--from 2024-01-10 --to 2024-03-25)
CUT=(--from 2024-01-31T09:30:00Z --to 2024-03-01T17:45:00Z)
# 89 days to the minute, as `--since 90d` asks at 17:45 on the trail's last day: both end days cut.
SINCE=(--from 2024-01-01T09:30:00Z --to 2024-03-30T17:45:00Z)
# One whole day in the middle of a segment: only the segments holding it are opened.
DAY=(--from 2024-02-14 --to 2024-02-15)
LAST_DAY=2024/03/30
build=1
while [[ $# -gt 0 ]]; do
  case $1 in
    --no-build) build=0; shift ;;
    --trail) TRAIL=${2:?--trail needs a value}; shift 2 ;;
    -h|--help) sed -n '2,/^set -euo/{/^set -euo/d;s/^# \{0,1\}//;p}' "$0"; exit 0 ;;
    *) echo "index.sh: unknown option: $1 (try --help)" >&2; exit 2 ;;
  esac
done
[[ -d $TRAIL ]] || { echo "index.sh: no trail at $TRAIL: run benches/run.sh --sizes 1m first" >&2; exit 2; }
(( build )) && (cd "$ROOT" && cargo build --release --quiet)

OUT=$(mktemp -d "${TMPDIR:-/tmp}/pg-index-bench.XXXXXX")
trap 'rm -rf "$OUT"' EXIT
# The trail without its last day, as links (an update sees the same names when the day arrives).
STAGE=$OUT/trail
( cd "$TRAIL" && find . -type f ) | sort > "$OUT/all"
grep -v "/$LAST_DAY/" "$OUT/all" > "$OUT/first" || true
link() { while read -r f; do mkdir -p "$STAGE/$(dirname "$f")"; ln -s "$TRAIL/$f" "$STAGE/$f"; done; }
link < "$OUT/first"

# Wall seconds to the millisecond (a query from the index takes a few hundredths).
seconds() {
  local start end
  start=$(date +%s%N)
  "$@" > "$OUT/stdout" 2> "$OUT/stderr" || true
  end=$(date +%s%N)
  python3 -c "print(f'{($end - $start) / 1e9:.3f}')"
}
median3() { local a b c; a=$(seconds "$@"); b=$(seconds "$@"); c=$(seconds "$@"); printf '%s\n%s\n%s\n' "$a" "$b" "$c" | sort -n | sed -n 2p; }

echo "trail: $TRAIL ($(wc -l < "$OUT/all") objects, $(du -sbL "$TRAIL" | cut -f1) bytes)"
t=$(seconds "$PG" index --logs "$STAGE" --index "$OUT/idx")
echo "index, days 1-89:   $t s   $(cat "$OUT/stdout")"
link < <(grep "/$LAST_DAY/" "$OUT/all")
t=$(seconds "$PG" index --logs "$STAGE" --index "$OUT/idx")
echo "update, day 90:     $t s   $(cat "$OUT/stdout")   ($(grep -c "/$LAST_DAY/" "$OUT/all") objects under $LAST_DAY)"
t=$(seconds "$PG" index --logs "$STAGE" --index "$OUT/idx")
echo "update, nothing new: $t s   $(cat "$OUT/stdout")"

trail_bytes=$(du -sbL "$TRAIL" | cut -f1)
index_bytes=$(du -sb "$OUT/idx" | cut -f1)
python3 - "$OUT/idx" "$trail_bytes" "$index_bytes" <<'PY'
import gzip, json, struct, sys, glob, collections
idx, trail, total = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
part = collections.Counter()
raw = collections.Counter()
for f in sorted(glob.glob(idx + "/segments/*.seg")):
    b = open(f, "rb").read()
    n = struct.unpack("<Q", b[20:28])[0]
    part["segment tables (objects read, their counters and days)"] += n
    table = json.loads(gzip.decompress(b[28:28 + n]))
    for (_, _, _, off, length) in table["principals"]:
        part["principal-day states (gzip)"] += length
        blob = json.loads(gzip.decompress(b[28 + n + off:28 + n + off + length]))
        for name in ("used", "denied", "failed", "waiting", "links"):
            raw[name] += len(json.dumps(blob[name]))
        raw["per-day counters, diagnostics, crowds"] += len(json.dumps(blob["days"]))
    part["headers"] += 28
for f in sorted(glob.glob(idx + "/spans/*.span")):
    part["spans: the states of whole months and quarters, merged"] += len(open(f, "rb").read())
print(f"index size: {total} bytes = {100 * total / trail:.2f}% of the gzip trail ({trail} bytes)")
for k, v in part.most_common():
    print(f"  {k}: {v} bytes")
print("  the states before gzip (JSON), by part:")
for k, v in raw.most_common():
    print(f"    {k}: {v} bytes")
PY

log=$(median3 "$PG" --role $PRINCIPAL "${WINDOW[@]}" --logs "$STAGE" -q -o "$OUT/from-logs.json" --summary-json "$OUT/from-logs.summary.json")
idx=$(median3 "$PG" --role $PRINCIPAL "${WINDOW[@]}" --index "$OUT/idx" -q -o "$OUT/from-index.json" --summary-json "$OUT/from-index.summary.json")
same=$(cmp -s "$OUT/from-logs.json" "$OUT/from-index.json" && cmp -s "$OUT/from-logs.summary.json" "$OUT/from-index.summary.json" && echo "identical" || echo "DIFFERENT")
echo "90-day query, $PRINCIPAL: logs ${log} s, index ${idx} s: $(python3 -c "print(f'{$log / $idx:.1f}')")x faster; policy and summary $same"
log=$(median3 "$PG" --role $PRINCIPAL "${UNALIGNED[@]}" --logs "$STAGE" -q -o "$OUT/unaligned-logs.json")
idx=$(median3 "$PG" --role $PRINCIPAL "${UNALIGNED[@]}" --index "$OUT/idx" -q -o "$OUT/unaligned-index.json")
same=$(cmp -s "$OUT/unaligned-logs.json" "$OUT/unaligned-index.json" && echo "identical" || echo "DIFFERENT")
echo "whole days, not a quarter ${UNALIGNED[*]}: logs ${log} s, index ${idx} s: $(python3 -c "print(f'{$log / $idx:.1f}')")x; policy $same"
log=$(median3 "$PG" --role $PRINCIPAL "${CUT[@]}" --logs "$STAGE" -q -o "$OUT/cut-logs.json")
idx=$(median3 "$PG" --role $PRINCIPAL "${CUT[@]}" --index "$OUT/idx" -q -o "$OUT/cut-index.json")
same=$(cmp -s "$OUT/cut-logs.json" "$OUT/cut-index.json" && echo "identical" || echo "DIFFERENT")
echo "sub-day window ${CUT[*]}: logs ${log} s, index ${idx} s (two cut days read again): $(python3 -c "print(f'{$log / $idx:.1f}')")x; policy $same"
log=$(median3 "$PG" --role $PRINCIPAL "${SINCE[@]}" --logs "$STAGE" -q -o "$OUT/since-logs.json")
idx=$(median3 "$PG" --role $PRINCIPAL "${SINCE[@]}" --index "$OUT/idx" -q -o "$OUT/since-index.json")
same=$(cmp -s "$OUT/since-logs.json" "$OUT/since-index.json" && echo "identical" || echo "DIFFERENT")
echo "89 days to the minute ${SINCE[*]}: logs ${log} s, index ${idx} s (two cut days read again): $(python3 -c "print(f'{$log / $idx:.1f}')")x; policy $same"
log=$(median3 "$PG" --role $PRINCIPAL "${DAY[@]}" --logs "$STAGE" -q -o "$OUT/day-logs.json")
idx=$(median3 "$PG" --role $PRINCIPAL "${DAY[@]}" --index "$OUT/idx" -q -o "$OUT/day-index.json")
same=$(cmp -s "$OUT/day-logs.json" "$OUT/day-index.json" && echo "identical" || echo "DIFFERENT")
echo "one day ${DAY[*]}: logs ${log} s, index ${idx} s: $(python3 -c "print(f'{$log / $idx:.1f}')")x; policy $same"
fleet=$(median3 "$PG" fleet "${SINCE[@]}" --index "$OUT/idx" -q --out-dir "$OUT/fleet")
echo "fleet --index, 89 days to the minute (every principal): ${fleet} s"

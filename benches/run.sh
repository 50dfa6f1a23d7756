#!/usr/bin/env bash
# benches/run.sh — policygen throughput and peak memory on generated CloudTrail trails (issue 6).
#
# Prints figures only; nothing here asserts a timing. See docs/performance.md for the method and results.
#
# Usage: benches/run.sh [--sizes 100k,1m,3m] [--no-build] [--peer | --no-peer] [--peer-all]
#   --sizes LIST   trail sizes in records, N, Nk or Nm (default 100k,1m,3m)
#   --no-build     use the existing target/release/policygen instead of `cargo build --release`
#   --peer         require the trailscraper comparison (fail if it cannot be installed)
#   --no-peer      skip trailscraper
#                  (default: run trailscraper if it installs, skip with a note if it does not)
#   --peer-all     run trailscraper on every size (default: only on 100k; it is slow)
#
# Dev requirements (Debian/Ubuntu):
#   - bash, python3 >= 3.8 (generator and trail_stats.py use only the standard library)
#   - GNU time at /usr/bin/time for wall time and peak RSS:  sudo apt-get install time
#   - cargo (stable) unless --no-build
#   - for the peer: python3.11 (or python3) with venv + network access to PyPI the first time; trailscraper
#     0.10.0 is installed into target/bench-venv with benches/trailscraper-requirements.txt as constraints
#
# Data: trails are generated once and cached under target/bench-data/<size>/ (S3 layout under AWSLogs/,
# plus manifest.json, truth.json and files.tsv); ~1.4 KB of JSON per record, gzip ratio ~7
# (3m = ~4.2 GB JSON, ~0.6 GB on disk). Run outputs and full `time -v` reports go to target/bench-out/.
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$ROOT"
TARGET_DIR=${CARGO_TARGET_DIR:-$ROOT/target}
DATA=$ROOT/target/bench-data
OUT=$ROOT/target/bench-out
VENV=$ROOT/target/bench-venv
GEN=$ROOT/benches/gen_cloudtrail.py
STATS=$ROOT/benches/trail_stats.py
PG=$TARGET_DIR/release/policygen
TIME=/usr/bin/time

# Generator world (fixed: the trails are a pure function of these) and the benchmark windows.
SEED=42 PRINCIPALS=200 START=2024-01-01 DAYS=90 ACCOUNT=123456789012
# Windows are [from, to) in UTC days. The generator's 90 days are 2024-01-01 .. 2024-03-30.
#  30d: days 30..59, the window the generator's target-role profile is built around
#  90d: the whole trail
WINDOWS=("30d 2024-01-31 2024-03-01" "90d 2024-01-01 2024-03-31")
# policygen is given --from FROM --to TO with TO = last day of the window when PG_TO_INCLUSIVE=1
# (set from policygen's --help once known; see pg_to below). Extra flags: PG_ARGS="...".
PG_ARGS=${PG_ARGS:-}

sizes=100k,1m,3m build=1 peer=auto peer_all=0
while [[ $# -gt 0 ]]; do
  case $1 in
    --sizes) sizes=${2:?--sizes needs a value}; shift 2 ;;
    --sizes=*) sizes=${1#*=}; shift ;;
    --no-build) build=0; shift ;;
    --peer) peer=yes; shift ;;
    --no-peer) peer=no; shift ;;
    --peer-all) peer_all=1; shift ;;
    -h|--help) sed -n '2,/^set -euo/{/^set -euo/d;s/^# \{0,1\}//;p}' "$0"; exit 0 ;;
    *) echo "run.sh: unknown option: $1 (try --help)" >&2; exit 2 ;;
  esac
done

die() { echo "run.sh: $*" >&2; exit 1; }
note() { echo "== $*" >&2; }

[[ -x $TIME ]] && $TIME -v true >/dev/null 2>&1 \
  || die "GNU time not found at $TIME (Debian/Ubuntu: sudo apt-get install time)"
command -v python3 >/dev/null || die "python3 not found"

records_of() { # 100k -> 100000
  local s=${1,,}
  case $s in
    *k) [[ ${s%k} =~ ^[0-9]+$ ]] && echo $(( ${s%k} * 1000 )) ;;
    *m) [[ ${s%m} =~ ^[0-9]+$ ]] && echo $(( ${s%m} * 1000000 )) ;;
    *) [[ $s =~ ^[0-9]+$ ]] && echo "$s" ;;
  esac
}

IFS=, read -r -a SIZES <<<"$sizes"
[[ ${#SIZES[@]} -gt 0 ]] || die "--sizes is empty"
for s in "${SIZES[@]}"; do [[ -n $(records_of "$s") ]] || die "bad size: $s (use N, Nk or Nm)"; done
mkdir -p "$DATA" "$OUT"

# ---- data ------------------------------------------------------------------------------------------
manifest_records() { python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["records_requested"])' "$1"; }

ensure_trail() { # size -> cached trail dir
  local size=$1 n dir tmp
  n=$(records_of "$size"); dir=$DATA/$size; tmp=$DATA/$size.tmp
  if [[ -f $dir/manifest.json && $(manifest_records "$dir/manifest.json") == "$n" ]]; then
    return 0
  fi
  note "generating $size trail ($n records) into $dir"
  rm -rf "$tmp" "$dir"
  local t0=$SECONDS
  python3 "$GEN" generate --out "$tmp" --records "$n" --principals $PRINCIPALS --seed $SEED \
    --start $START --days $DAYS --account $ACCOUNT >"$OUT/gen-$size.log" \
    || die "generator failed for $size (see $OUT/gen-$size.log)"
  mv "$tmp" "$dir"
  note "generated $size in $(( SECONDS - t0 )) s"
}

# ---- build -----------------------------------------------------------------------------------------
if [[ $build == 1 ]]; then
  note "cargo build --release"
  cargo build --release --quiet || die "cargo build --release failed"
fi
[[ -x $PG ]] || die "$PG not found (build it, or drop --no-build)"

# policygen's --to: exclusive unless PG_TO_INCLUSIVE=1, in which case pass the window's last day.
pg_to() {
  if [[ ${PG_TO_INCLUSIVE:-0} == 1 ]]; then date -u -d "$1 - 1 day" +%F; else echo "$1"; fi
}

# ---- peer ------------------------------------------------------------------------------------------
TS=
setup_peer() {
  [[ $peer == no ]] && return 0
  if [[ ! -x $VENV/bin/trailscraper ]]; then
    local py; py=$(command -v python3.11 || command -v python3)
    note "installing trailscraper 0.10.0 into $VENV ($($py --version))"
    if ! { "$py" -m venv "$VENV" && "$VENV/bin/pip" install --quiet --disable-pip-version-check \
            trailscraper==0.10.0 -c "$ROOT/benches/trailscraper-requirements.txt"; } >"$OUT/peer-install.log" 2>&1; then
      rm -rf "$VENV"
      [[ $peer == yes ]] && die "could not install trailscraper (see $OUT/peer-install.log)"
      note "trailscraper not installable, skipping the peer (see $OUT/peer-install.log)"; return 0
    fi
  fi
  if "$VENV/bin/trailscraper" --version >/dev/null 2>&1; then
    TS=$VENV/bin/trailscraper
  else
    [[ $peer == yes ]] && die "$VENV/bin/trailscraper does not run"
    note "trailscraper does not run, skipping the peer"
  fi
}
setup_peer

# ---- measuring -------------------------------------------------------------------------------------
# measure NAME CMD... : runs CMD under `time -v` (stdout -> NAME.out, stderr -> NAME.err, report -> NAME.time)
# and sets WALL (s) and RSS_KB (peak RSS of the largest process in the tree, as wait4 reports it).
measure() {
  local name=$1; shift
  local rc=0
  "$TIME" -v -o "$OUT/$name.time" "$@" >"$OUT/$name.out" 2>"$OUT/$name.err" || rc=$?
  if [[ $rc != 0 ]]; then
    echo "run.sh: $name exited with status $rc; last lines of $OUT/$name.err:" >&2
    tail -n 20 "$OUT/$name.err" >&2
    exit 1
  fi
  WALL=$(awk -F': ' '/Elapsed \(wall clock\)/ { n = split($2, p, ":"); s = 0;
                       for (i = 1; i <= n; i++) s = s * 60 + p[i]; print s }' "$OUT/$name.time")
  RSS_KB=$(awk -F': ' '/Maximum resident set size/ { print $2 }' "$OUT/$name.time")
  [[ -n $WALL && -n $RSS_KB ]] || die "could not read $OUT/$name.time"
}

# Both commands are run by `time` directly (no shell function in between), so the report is theirs.
run_pg() { # NAME from to dir
  measure "$1" "$PG" --role "$ROLE" --from "$2" --to "$(pg_to "$3")" --logs "$4/AWSLogs" $PG_ARGS
}
run_ts() { # NAME from to dir  (select | generate, one pipeline, as trailscraper documents it)
  measure "$1" bash -o pipefail -c \
    '"$0" select --log-dir "$1" --filter-assumed-role-arn "$2" --from "$3" --to "$4" | "$0" generate' \
    "$TS" "$4/AWSLogs" "$ROLE_ARN" "${2}T00:00:00Z" "${3}T00:00:00Z"
}

RESULTS=$OUT/results.tsv
printf 'tool\tsize\twindow\tfrom\tto\tfiles\trecords\tjson_bytes\tgz_bytes\trole_records\twall_s\trss_kib\n' >"$RESULTS"
declare -A PGWALL=() TSWALL=()
rows=() notes=()
row() { # tool size win records bytes wall rss_kb
  rows+=("$(awk -v t="$1" -v s="$2" -v w="$3" -v r="$4" -v b="$5" -v wall="$6" -v k="$7" 'BEGIN {
    d = (wall > 0) ? wall : 0.001
    printf "%-12s %5s %4s %10d %9.1f %8.2f %11.0f %8.1f %9.1f", t, s, w, r, b / 1e6, wall, r / d, b / 1e6 / d, k / 1024 }')")
}

for size in "${SIZES[@]}"; do
  ensure_trail "$size"
  dir=$DATA/$size
  python3 "$STATS" index "$dir"
  ROLE_ARN=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["target_role_arn"])' "$dir/manifest.json")
  ROLE=${ROLE_ARN##*/}
  notes+=("load average before $size: $(cut -d' ' -f1-3 /proc/loadavg)")
  note "$size: warming the page cache and policygen (one untimed run)"
  find "$dir/AWSLogs" -name '*.json.gz' -exec cat {} + >/dev/null
  set -- ${WINDOWS[-1]}
  run_pg "warmup-policygen-$size" "$2" "$3" "$dir"
  ts_here=0
  if [[ -n $TS && ( $peer_all == 1 || $size == 100k ) ]]; then ts_here=1; fi
  if [[ $ts_here == 1 ]]; then
    set -- ${WINDOWS[0]}
    note "$size: warming trailscraper (one untimed run)"
    run_ts "warmup-trailscraper-$size" "$2" "$3" "$dir"
  fi
  for w in "${WINDOWS[@]}"; do
    set -- $w; win=$1 from=$2 to=$3
    read -r files recs bytes gzb role_recs < <(python3 "$STATS" window "$dir" "$from" "$to")
    note "$size $win [$from, $to): $files files, $recs records, $role_recs of them $ROLE's"
    run_pg "policygen-$size-$win" "$from" "$to" "$dir"
    PGWALL[$size/$win]=$WALL
    # what policygen says it read (best effort: its stderr summary line `read N files (...), M records, ...`)
    pg_read=$(sed -n 's/^ *read  *\([0-9]*\) files\(.*\), \([0-9]*\) records.*/\1 files\2, \3 records/p' \
      "$OUT/policygen-$size-$win.err" | head -n 1)
    [[ -n $pg_read ]] && notes+=("policygen $size $win read ${pg_read}")
    row policygen "$size" "$win" "$recs" "$bytes" "$WALL" "$RSS_KB"
    printf 'policygen\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$size" "$win" "$from" "$to" "$files" "$recs" \
      "$bytes" "$gzb" "$role_recs" "$WALL" "$RSS_KB" >>"$RESULTS"
    if [[ $ts_here == 1 ]]; then
      run_ts "trailscraper-$size-$win" "$from" "$to" "$dir"
      TSWALL[$size/$win]=$WALL
      row trailscraper "$size" "$win" "$recs" "$bytes" "$WALL" "$RSS_KB"
      printf 'trailscraper\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$size" "$win" "$from" "$to" "$files" "$recs" \
        "$bytes" "$gzb" "$role_recs" "$WALL" "$RSS_KB" >>"$RESULTS"
    fi
  done
done

echo
echo "$("$PG" --version 2>/dev/null || echo "policygen (version unknown)"); $(nproc) CPUs; $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ //')"
echo "records / JSON MB: the log files the window covers by delivery time (90d = whole trail); MB = 10^6 bytes of uncompressed JSON"
printf '%-12s %5s %4s %10s %9s %8s %11s %8s %9s\n' tool size win records "JSON MB" "wall s" "records/s" "MB/s" "RSS MiB"
printf '%s\n' "${rows[@]}"
printf '%s\n' "${notes[@]}"
if [[ ${#TSWALL[@]} -gt 0 ]]; then
  echo
  echo "policygen throughput as a multiple of trailscraper's (same data, role and window):"
  for k in "${!TSWALL[@]}"; do
    awk -v k="$k" -v p="${PGWALL[$k]}" -v t="${TSWALL[$k]}" 'BEGIN { printf "  %-10s x%.1f\n", k, t / (p > 0 ? p : 0.001) }'
  done | sort
fi
echo
echo "raw figures: $RESULTS; outputs and time -v reports: $OUT/"

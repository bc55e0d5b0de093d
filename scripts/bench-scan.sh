#!/usr/bin/env bash
# Archive-scan benchmark: the release CLI over the whole corpus, over a
# 253 MB Spring-Boot-style fat jar (built by shared/tools/make_fatjar.py),
# and over the 400 MiB nested-jar corpus case, with `unzip -l` and
# `unzip -t` on the fat jar timed in the same run for scale.
#
# Prints wall time, MB/s, entries/s and peak memory, then checks the targets:
# fat jar under 2x `unzip -l`, at least 5x faster than `unzip -t`, peak
# memory under 64 MiB (also for the 400 MiB case). BENCH_STRICT=1 makes a
# missed target fail the script; by default it only reports.
#
# Times are the best of BENCH_RUNS (default 3) runs with a warm page cache:
# this measures the scanner, not the disk.
set -euo pipefail
source "$(dirname "$0")/lib.sh"
cd "$ROOT"

TARGET="${CARGO_TARGET_DIR:-$ROOT/target}"
BIN="$TARGET/release/log4j-scan"
CORPUS="$ROOT/../shared/corpus"
WORK="$TARGET/bench"
FAT="$WORK/fat.jar"
RUNS="${BENCH_RUNS:-3}"
[ -d "$CORPUS" ] || die "corpus not found at $CORPUS"
mkdir -p "$WORK"

log "building the release CLI"
cargo build --release --locked -p scanner-cli >&2

if [ ! -s "$FAT" ]; then
  log "writing the fat jar to $FAT"
  python3 "$ROOT/../shared/tools/make_fatjar.py" "$FAT" >&2
fi

# now_ns: monotonic-enough wall clock in nanoseconds.
now_ns() { date +%s%N; }

# best_of CMD...: run CMD $RUNS times (output discarded), print the best
# wall time in seconds.
best_of() {
  local best="" t0 t1 dt
  for _ in $(seq "$RUNS"); do
    t0=$(now_ns); "$@" >/dev/null 2>&1 || true; t1=$(now_ns)
    dt=$((t1 - t0))
    if [ -z "$best" ] || [ "$dt" -lt "$best" ]; then best=$dt; fi
  done
  awk -v ns="$best" 'BEGIN { printf "%.3f", ns / 1e9 }'
}

# scan_stats PATH: best-of-$RUNS `--stats` line of the CLI (its own timing
# and its peak RSS from /proc/self/status).
scan_stats() {
  local best="" line secs
  for _ in $(seq "$RUNS"); do
    line=$("$BIN" --stats --quiet "$1" 2>&1 >/dev/null | grep '^stats:' || true)
    [ -n "$line" ] || die "no --stats line for $1"
    secs=$(awk '{ print $2 }' <<<"$line")
    if [ -z "$best" ] || awk -v a="$secs" -v b="$(awk '{ print $2 }' <<<"$best")" 'BEGIN { exit !(a < b) }'; then
      best=$line
    fi
  done
  echo "$best"
}

# field LINE NAME: the number before NAME in a --stats line.
field() { grep -oE "[0-9.]+ $2" <<<"$1" | head -1 | awk '{ print $1 }'; }

report() {
  local name="$1" line="$2"
  printf '%-22s %8ss %10s MB/s %10s entries/s %8s MiB peak  (%s entries, %s archives)\n' "$name" \
    "$(awk '{ print $2 }' <<<"$line")" "$(field "$line" MB/s)" "$(field "$line" entries/s)" \
    "$(grep -oE 'peak RSS [0-9.]+' <<<"$line" | awk '{ print $3 }')" \
    "$(field "$line" entries,)" "$(field "$line" archives)"
}

corpus_line=$(scan_stats "$CORPUS")
fat_line=$(scan_stats "$FAT")
big_line=$(scan_stats "$CORPUS/archives/google-400mb_jar_in_jar.jar")
# Whole-process wall time of the CLI on the fat jar, start-up included, so
# it compares like for like with the unzip runs.
fat_wall=$(best_of "$BIN" --quiet "$FAT")
unzip_l=$(best_of unzip -l "$FAT")
unzip_t=$(best_of unzip -tq "$FAT")

echo "archive scan benchmark (best of $RUNS, warm cache; $(nproc) cores)"
report "corpus" "$corpus_line"
report "fat jar (253 MB)" "$fat_line"
report "400mb_jar_in_jar.jar" "$big_line"
printf '%-22s %8ss\n' "log4j-scan fat jar" "$fat_wall" "unzip -l fat jar" "$unzip_l" "unzip -t fat jar" "$unzip_t"

fat_s=$fat_wall
fat_peak=$(grep -oE 'peak RSS [0-9.]+' <<<"$fat_line" | awk '{ print $3 }')
big_peak=$(grep -oE 'peak RSS [0-9.]+' <<<"$big_line" | awk '{ print $3 }')
missed=0
check() { # check DESCRIPTION AWK-CONDITION
  if awk "BEGIN { exit !($2) }"; then echo "target met:    $1"; else echo "target MISSED: $1"; missed=1; fi
}
check "fat jar ${fat_s}s (process wall time) < 2 x unzip -l (${unzip_l}s)" "$fat_s < 2 * $unzip_l"
check "fat jar ${fat_s}s at least 5x faster than unzip -t (${unzip_t}s)" "$fat_s * 5 <= $unzip_t"
check "fat jar peak ${fat_peak} MiB < 64 MiB" "$fat_peak < 64"
check "400 MiB nested case peak ${big_peak} MiB < 64 MiB" "$big_peak < 64"
if [ "$missed" = 1 ] && [ "${BENCH_STRICT:-0}" = 1 ]; then exit 1; fi

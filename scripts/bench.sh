#!/usr/bin/env bash
# All benchmarks, each printing its own numbers. Run with `make bench`.
set -euo pipefail
source "$(dirname "$0")/lib.sh"
cd "$ROOT"
for b in scripts/bench-scan.sh scripts/bench-lookup.sh scripts/bench-page.sh scripts/bench-worker.sh; do
  if [ -f "$b" ]; then phase "$(basename "$b" .sh)" bash "$b"; else log "skip $b (not present)"; fi
done

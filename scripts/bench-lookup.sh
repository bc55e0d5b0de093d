#!/usr/bin/env bash
# Lookup-payload detector benchmark: MB/s on clean traffic, on
# placeholder-heavy benign text and on the labelled malicious set, plus the
# per-call latency of a 2 KB header block. Times are CPU time of the
# benchmark thread where Linux provides it (the machines are shared, so wall
# time mostly measures the neighbours). Extra arguments filter the sets by
# label, e.g. `scripts/bench-lookup.sh placeholder`.
set -euo pipefail
cd "$(dirname "$0")/.."
exec cargo bench --locked -p scanner-core --bench lookup -- "$@"

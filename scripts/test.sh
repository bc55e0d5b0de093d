#!/usr/bin/env bash
# Everything `make test` runs, phase by phase, each timed.
set -euo pipefail
source "$(dirname "$0")/lib.sh"
cd "$ROOT"
t0=$SECONDS

phase setup bash scripts/setup.sh all
phase cargo-test cargo test --workspace --locked
phase no-std bash scripts/check-no-std.sh
phase wasm-build bash scripts/build-wasm.sh
phase e2e node --test --test-concurrency=1 tests/

log "all phases passed in $((SECONDS - t0))s"

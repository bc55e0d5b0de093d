# Shared helpers for the project's scripts. Source it; do not run it.
# Every script prints one line per phase with its duration, so a slow phase
# in CI is visible at a glance.

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
# Host tools (wasm-bindgen, wasm-pack) are built once per machine and reused
# by every clone: CI runs in a fresh clone, and rebuilding them costs minutes.
TOOLS="${LOG4J_SCANNER_TOOLS:-$HOME/.cache/log4j-scanner/tools}"
# The wasm build gets its own target dir: it runs with another compiler and
# environment, and sharing one dir would make each side rebuild the other.
WASM_TARGET_DIR="$ROOT/target/wasm"
ROUTE_FILE="$TOOLS/wasm-route.env"

log() { printf '[%s] %s\n' "$(basename "$0")" "$*" >&2; }
die() { log "error: $*"; exit 1; }

# phase NAME CMD...: run CMD, then print "phase NAME: ok in Ns" (or failed).
phase() {
  local name="$1"; shift
  local t0=$SECONDS
  log "phase $name: start"
  if "$@"; then
    log "phase $name: ok in $((SECONDS - t0))s"
  else
    local rc=$?
    log "phase $name: FAILED (exit $rc) after $((SECONDS - t0))s"
    return $rc
  fi
}

as_root() {
  if [ "$(id -u)" = 0 ]; then "$@"
  elif command -v sudo >/dev/null 2>&1; then sudo "$@"
  else die "need root for: $*"; fi
}

# The wasm-bindgen version Cargo.lock pins; the CLI must match it exactly.
locked_wasm_bindgen_version() {
  awk '/^name = "wasm-bindgen"$/ { getline; gsub(/"/, "", $3); print $3; exit }' "$ROOT/Cargo.lock"
}

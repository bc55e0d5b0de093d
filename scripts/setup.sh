#!/usr/bin/env bash
# Install what the build and the tests need; idempotent and quick when done.
# Usage: scripts/setup.sh [wasm] [node] [browser] [all]
set -euo pipefail
source "$(dirname "$0")/lib.sh"

setup_node() {
  command -v node >/dev/null 2>&1 || die "Node.js is required (Debian: apt-get install nodejs npm)"
  # npm ci wipes node_modules; skip it when the lockfile has not changed.
  local stamp="$ROOT/node_modules/.lock-sha256" want
  want=$(sha256sum "$ROOT/package-lock.json" | cut -d' ' -f1)
  if [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$want" ]; then
    log "node_modules matches package-lock.json"
    return 0
  fi
  (cd "$ROOT" && npm ci --no-audit --no-fund --loglevel=error)
  echo "$want" >"$stamp"
}

apt_ensure() { # command package: install package when command is missing
  command -v "$1" >/dev/null 2>&1 && return 0
  command -v apt-get >/dev/null 2>&1 || die "please install $2 (needed for the tests)"
  log "installing Debian's $2"
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "$2" ||
    { as_root apt-get update -qq && as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "$2"; }
}

setup_browser() {
  # Browser tests drive Debian's Chromium; playwright's own browser download
  # is not possible (and not wanted) here. unzip is the independent reference
  # the tests compare entry listings with, and the benchmark's yardstick.
  apt_ensure /usr/bin/chromium chromium
  apt_ensure unzip unzip
  log "chromium: $(/usr/bin/chromium --version 2>/dev/null | head -1)"
}

[ $# -gt 0 ] || set -- all
for what in "$@"; do
  case "$what" in
    wasm) phase toolchain bash "$ROOT/scripts/toolchain.sh" all ;;
    node) phase npm-ci setup_node ;;
    browser) phase chromium setup_browser ;;
    all) phase toolchain bash "$ROOT/scripts/toolchain.sh" all
         phase npm-ci setup_node
         phase chromium setup_browser ;;
    *) die "unknown setup step '$what'" ;;
  esac
done

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

setup_browser() {
  # Browser tests drive Debian's Chromium; playwright's own browser download
  # is not possible (and not wanted) here.
  if [ -x /usr/bin/chromium ]; then
    log "chromium: $(/usr/bin/chromium --version 2>/dev/null | head -1)"
    return 0
  fi
  command -v apt-get >/dev/null 2>&1 || die "install Chromium at /usr/bin/chromium for the browser tests"
  log "installing Debian's chromium"
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends chromium ||
    { as_root apt-get update -qq && as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends chromium; }
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

#!/usr/bin/env bash
# Make the wasm build work on this machine, and say how.
#
# Routes, tried in this order unless LOG4J_WASM_ROUTE forces one:
#   rustup      the active rustup toolchain already has wasm32-unknown-unknown
#   debian      Debian's rustc-web/cargo-web (1.96) build std from source with
#               -Zbuild-std (RUSTC_BOOTSTRAP=1); installed with apt-get
#   rustup-add  `rustup target add wasm32-unknown-unknown`, under a time limit
#               so that a network that does not answer fails fast
# The chosen route is written to $TOOLS/wasm-route.env for build-wasm.sh.
#
# Also: wasm-bindgen-cli at exactly Cargo.lock's wasm-bindgen version and
# wasm-pack, both built from crates.io into $TOOLS (reused when present);
# nothing downloads prebuilt binaries.
#
# Usage: scripts/toolchain.sh [wasm|host-tools|all]   (default: all)
set -euo pipefail
source "$(dirname "$0")/lib.sh"

DEBIAN_PKGS=(rustc-web cargo-web rust-web-src rust-web-llvm lld-22)
RUSTUP_ADD_TIMEOUT="${LOG4J_RUSTUP_TIMEOUT:-120}"

have_rustup_wasm() {
  command -v rustup >/dev/null 2>&1 &&
    rustup target list --installed 2>/dev/null | grep -qx 'wasm32-unknown-unknown'
}

debian_pkgs_installed() {
  local p
  for p in "${DEBIAN_PKGS[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || return 1
  done
  [ -x /usr/bin/cargo ] && [ -x /usr/bin/rustc ]
}

apt_install() {
  # One `apt-get update` per machine is enough; a stale list only costs a
  # retry, so try without it first.
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "$@" ||
    { as_root apt-get update -qq && as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "$@"; }
}

write_route() {
  mkdir -p "$TOOLS"
  # Everything build-wasm.sh needs to know; sourced by bash.
  {
    echo "WASM_ROUTE=$1"
    echo "WASM_CARGO=$2"
    echo "WASM_PATH_PREFIX=$3"
    echo "WASM_BOOTSTRAP=$4"
    echo "WASM_BUILD_STD=$5"
  } >"$ROUTE_FILE"
}

route_rustup() {
  have_rustup_wasm || return 1
  write_route rustup "cargo" "" "" ""
}

route_debian() {
  command -v apt-get >/dev/null 2>&1 || return 1
  if ! debian_pkgs_installed; then
    log "installing Debian's wasm-capable Rust: ${DEBIAN_PKGS[*]}"
    apt_install "${DEBIAN_PKGS[@]}" || return 1
  fi
  local v
  v=$(/usr/bin/rustc --version 2>/dev/null) || return 1
  log "Debian compiler: $v"
  # Debian's cargo/rustc first on PATH; std for wasm is built from
  # rust-web-src. Kept off .cargo/config.toml: RUSTC_BOOTSTRAP must never
  # reach a rustup build.
  write_route debian "/usr/bin/cargo" "/usr/bin" 1 "std,panic_abort"
}

route_rustup_add() {
  command -v rustup >/dev/null 2>&1 || return 1
  log "running rustup target add wasm32-unknown-unknown (limit ${RUSTUP_ADD_TIMEOUT}s)"
  if ! timeout "$RUSTUP_ADD_TIMEOUT" rustup target add wasm32-unknown-unknown; then
    log "rustup target add failed or timed out after ${RUSTUP_ADD_TIMEOUT}s (no network to the rustup server?)"
    return 1
  fi
  write_route rustup-add "cargo" "" "" ""
}

setup_wasm_route() {
  local forced="${LOG4J_WASM_ROUTE:-auto}" r
  rm -f "$ROUTE_FILE"
  case "$forced" in
    auto) for r in rustup debian rustup-add; do
            if "route_${r//-/_}"; then break; fi
          done ;;
    rustup|debian|rustup-add) "route_${forced//-/_}" || die "forced route '$forced' is not usable here" ;;
    *) die "LOG4J_WASM_ROUTE must be auto, rustup, debian or rustup-add (got '$forced')" ;;
  esac
  [ -f "$ROUTE_FILE" ] || die "no route to wasm32-unknown-unknown: no rustup target, no apt-get, and rustup target add failed"
  # shellcheck disable=SC1090
  source "$ROUTE_FILE"
  log "wasm route: $WASM_ROUTE (cargo: $WASM_CARGO${WASM_BUILD_STD:+, -Zbuild-std=$WASM_BUILD_STD})"
}

cargo_install_exact() { # crate version binary
  local crate="$1" version="$2" bin="$3" have=""
  if [ -x "$TOOLS/bin/$bin" ]; then
    have=$("$TOOLS/bin/$bin" --version 2>/dev/null | awk '{print $2}')
  fi
  if [ -n "$have" ] && { [ -z "$version" ] || [ "$have" = "$version" ]; }; then
    log "$bin $have already in $TOOLS/bin"
    return 0
  fi
  log "building $crate ${version:-latest} from crates.io into $TOOLS (a few minutes, once per machine)"
  # Not --locked: wasm-bindgen-cli's lockfile pins a crate version that the
  # registry no longer serves (see TOOLCHAIN.md).
  cargo +stable install "$crate" ${version:+--version "$version"} --root "$TOOLS" --quiet
}

setup_host_tools() {
  local wb
  wb=$(locked_wasm_bindgen_version)
  [ -n "$wb" ] || die "no wasm-bindgen in Cargo.lock"
  cargo_install_exact wasm-bindgen-cli "$wb" wasm-bindgen
  cargo_install_exact wasm-pack "" wasm-pack
}

case "${1:-all}" in
  wasm) setup_wasm_route ;;
  host-tools) setup_host_tools ;;
  all) setup_wasm_route; setup_host_tools ;;
  *) die "usage: $0 [wasm|host-tools|all]" ;;
esac

#!/usr/bin/env bash
# Build scanner-wasm into web/pkg (wasm-pack, --target web): one module that
# the page, its Web Worker, Node and the edge worker all import.
# Run scripts/toolchain.sh first (the Makefile does).
#
# Env: LOG4J_WASM_PROFILE=release|dev (default release)
#      LOG4J_WASM_OPT=1|0 (default 1: optimise with the npm binaryen wasm-opt
#      when node_modules has it; never downloaded by wasm-pack)
set -euo pipefail
source "$(dirname "$0")/lib.sh"

[ -f "$ROUTE_FILE" ] || die "no wasm route recorded; run scripts/toolchain.sh"
# shellcheck disable=SC1090
source "$ROUTE_FILE"

profile="${LOG4J_WASM_PROFILE:-release}"
out="$ROOT/web/pkg"
mode_flag=(--release); [ "$profile" = dev ] && mode_flag=(--dev)

cargo_args=(--locked)
[ -n "$WASM_BUILD_STD" ] && cargo_args+=("-Zbuild-std=$WASM_BUILD_STD")

envs=(CARGO_TARGET_DIR="$WASM_TARGET_DIR" PATH="$TOOLS/bin${WASM_PATH_PREFIX:+:$WASM_PATH_PREFIX}:$PATH")
[ -n "$WASM_BOOTSTRAP" ] && envs+=(RUSTC_BOOTSTRAP=1)
# rustup's cargo proxy would pick the rustup toolchain; the Debian route
# wants Debian's cargo, and rustc from the same place.
[ "$WASM_ROUTE" = debian ] && envs+=(CARGO=/usr/bin/cargo RUSTC=/usr/bin/rustc RUSTDOC=/usr/bin/rustdoc)

log "building scanner-wasm ($profile, route $WASM_ROUTE) into web/pkg"
# --mode force: wasm-pack's sysroot check does not understand -Zbuild-std.
# --no-opt: wasm-pack must not download wasm-opt; we run our own below.
(cd "$ROOT/scanner-wasm" && env "${envs[@]}" \
  wasm-pack build . --mode force --no-opt "${mode_flag[@]}" --target web --out-dir "$out" --out-name scanner_wasm \
  -- "${cargo_args[@]}")

wasm="$out/scanner_wasm_bg.wasm"
raw=$(stat -c %s "$wasm")
opt="$ROOT/node_modules/.bin/wasm-opt"
if [ "${LOG4J_WASM_OPT:-1}" = 1 ] && [ "$profile" = release ] && [ -x "$opt" ]; then
  "$opt" -O3 --enable-bulk-memory --enable-nontrapping-float-to-int --enable-sign-ext \
    --enable-mutable-globals --enable-reference-types --enable-multivalue \
    "$wasm" -o "$wasm.opt" && mv "$wasm.opt" "$wasm"
  log "wasm-opt: $raw -> $(stat -c %s "$wasm") bytes"
else
  log "wasm size: $raw bytes (not optimised)"
fi
# wasm-pack writes a .gitignore into the package; web/pkg is ignored at the
# root already, and a nested one would hide the package from `make dist`.
rm -f "$out/.gitignore"

#!/usr/bin/env bash
# Prove that scanner-core builds as #![no_std] + alloc: compile it without
# default features for wasm32v1-none, a target that has no std at all, so
# any accidental use of std fails to link rather than passing on the host.
set -euo pipefail
source "$(dirname "$0")/lib.sh"

target=wasm32v1-none
dir="$ROOT/target/no-std"
args=(build --locked -p scanner-core --no-default-features --target "$target")

if [ -x /usr/bin/cargo ] && [ -d /usr/lib/rustlib/src/rust/library ]; then
  log "no_std build with Debian's cargo (-Zbuild-std=core,alloc)"
  (cd "$ROOT" && env RUSTC_BOOTSTRAP=1 CARGO_TARGET_DIR="$dir" PATH="/usr/bin:$PATH" \
    CARGO=/usr/bin/cargo RUSTC=/usr/bin/rustc /usr/bin/cargo "${args[@]}" -Zbuild-std=core,alloc)
elif command -v rustup >/dev/null 2>&1; then
  if ! rustup target list --installed | grep -qx "$target"; then
    timeout "${LOG4J_RUSTUP_TIMEOUT:-120}" rustup target add "$target" ||
      die "no $target target: install Debian's rust-web-src (scripts/toolchain.sh) or allow rustup target add"
  fi
  log "no_std build with rustup's $target target"
  (cd "$ROOT" && CARGO_TARGET_DIR="$dir" cargo "${args[@]}")
else
  die "neither Debian's cargo-web nor rustup is available"
fi
log "scanner-core builds for $target without std"

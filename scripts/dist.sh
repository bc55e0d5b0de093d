#!/usr/bin/env bash
# Write dist/: the page as a folder that any static host can serve as is.
# Expects web/pkg to be built (make dist builds it first).
set -euo pipefail
source "$(dirname "$0")/lib.sh"
[ -f "$ROOT/web/pkg/scanner_wasm_bg.wasm" ] || die "web/pkg is not built; run make dist"
rm -rf "$ROOT/dist"
mkdir -p "$ROOT/dist"
# Only what the page loads at run time: no TypeScript declarations, no
# package.json of the wasm package.
(cd "$ROOT/web" && find . -type f ! -name '*.d.ts' ! -name 'package.json' ! -name 'README.md' -print0 |
  xargs -0 -I{} install -D -m 0644 {} "$ROOT/dist/{}")
log "dist/: $(find "$ROOT/dist" -type f | wc -l) files, $(du -sh "$ROOT/dist" | cut -f1)"

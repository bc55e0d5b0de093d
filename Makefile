# The project's interface. `make serve` and `make test` work on a fresh
# machine: each installs what it needs first (scripts/setup.sh), and set-up
# is quick when already done.
SHELL := /bin/bash
.DEFAULT_GOAL := help
PORT ?= 8080

.PHONY: help setup wasm serve test bench dist clean

help:
	@echo "make serve   set up, build the wasm package and the page, serve web/ at http://127.0.0.1:$(PORT)"
	@echo "make test    set up, then cargo tests, the no_std build, the wasm build and the end-to-end tests"
	@echo "make bench   benchmarks (archive scan, payload evaluator, page, worker)"
	@echo "make dist    a self-contained static site in dist/"

setup:
	@bash scripts/setup.sh all

wasm:
	@bash scripts/setup.sh wasm node
	@bash scripts/build-wasm.sh

serve: wasm
	@node scripts/serve.mjs web $(PORT)

test:
	@bash scripts/test.sh

bench:
	@bash scripts/bench.sh

dist: wasm
	@bash scripts/dist.sh

clean:
	rm -rf target web/pkg dist tests/out

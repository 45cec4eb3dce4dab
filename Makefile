# The README's two commands: `make serve` and `make test`. Both install
# what is missing first (scripts/ensure-tools.sh) and are quick when
# everything is already there.
SHELL := /bin/bash
.SHELLFLAGS := -euo pipefail -c
export PATH := $(CURDIR)/node_modules/.bin:$(or $(CARGO_HOME),$(HOME)/.cargo)/bin:$(PATH)

PORT ?= 8080
WASM_TEST_ENV := CHROMEDRIVER=/usr/bin/chromedriver \
	CARGO_TARGET_WASM32_UNKNOWN_UNKNOWN_RUNNER=wasm-bindgen-test-runner \
	WASM_BINDGEN_TEST_WEBDRIVER_JSON=$(CURDIR)/tests/webdriver.json

.PHONY: serve test build bench fuzz

## Build the release app and serve it on http://127.0.0.1:$(PORT)/
serve: build
	node scripts/serve-dist.mjs dist $(PORT)

## The optimised release build in dist/, with its wasm size reported.
build:
	bash scripts/ensure-tools.sh build
	trunk build --release --offline --locked

## Every test layer: native core, browser components, end-to-end.
test:
	bash scripts/ensure-tools.sh test
	@echo '==> native tests (pure core)'
	cargo test --locked
	@echo '==> the benchmarks still build; earlier engine findings through the fuzz checks'
	cargo check --locked --benches
	cargo test --locked --test fuzz -- --replay tests/fixtures/fuzz/engine
	@echo '==> component tests in headless Chromium'
	$(WASM_TEST_ENV) cargo test --locked --target wasm32-unknown-unknown --lib --test browser
	@echo '==> release build'
	trunk build --release --offline --locked
	@echo '==> end-to-end tests against the release build'
	node --test tests/e2e/

## Speed and memory figures (not part of `make test`): native ingest and
## replay benchmarks, then a 1,000,000-row file in Chromium: loading it
## (beside PapaParse) and editing criteria on it; then 10,000,000 leads in
## DuckDB, their pattern table loaded in Chromium.
bench: build
	bash scripts/ensure-tools.sh test
	cargo bench --locked --bench ingest
	cargo bench --locked --bench replay
	node tests/bench/browser-load.mjs
	node tests/bench/browser-replay.mjs
	node tests/bench/browser-warehouse.mjs

## The fuzzer (not part of `make test`): every target at its default
## counts; findings go to target/fuzz-findings/. Narrow or scale it with
## FUZZ_ARGS, e.g. make fuzz FUZZ_ARGS="--target csv --inputs 200000".
FUZZ_ARGS ?=
fuzz:
	cargo test --locked --profile fuzz --test fuzz -- $(FUZZ_ARGS)

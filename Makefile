# osp — the two commands a newcomer needs are `make run` and `make test`.
CARGO ?= cargo
# Where cargo puts binaries (honours CARGO_TARGET_DIR and .cargo/config).
TARGET_DIR = $(shell $(CARGO) metadata --format-version 1 --no-deps 2>/dev/null | python3 -c 'import json,sys; print(json.load(sys.stdin)["target_directory"])' 2>/dev/null || echo target)
OSP_BIN = $(TARGET_DIR)/debug/osp

.PHONY: deps run test build bench model fmt clippy

deps:
	@scripts/deps.sh

## Runs the emulator on embedded defaults (sled in ./data, dev certificates in ./certs-dev).
run: deps
	$(CARGO) run --release -p osp-cli -- serve

## Runs the whole test suite (unit, end-to-end over TLS, fixture replays).
test: deps
	$(CARGO) clippy --workspace --all-targets -- -D warnings
	$(CARGO) test --workspace
	$(CARGO) build -p osp-cli
	OSP=$(OSP_BIN) tests/interop/run.sh
	@if ls fixtures/scenarios/*/scenario.toml >/dev/null 2>&1; then \
	  $(OSP_BIN) replay fixtures/scenarios --junit $(TARGET_DIR)/replay-junit.xml; fi

build: deps
	$(CARGO) build --workspace --release

## Regenerates crates/osp-model/src/generated from xsd/.
model: deps
	$(CARGO) run -p osp-model-gen --release

fmt:
	$(CARGO) fmt --all

clippy: deps
	$(CARGO) clippy --workspace --all-targets -- -D warnings

## Benchmarks osp vs. echo vs. peer mock, replay, scale; writes bench/RESULTS.md (~15 min).
bench: deps
	CARGO=$(CARGO) bench/run.sh

# osp — the two commands a newcomer needs are `make run` and `make test`.
CARGO ?= cargo

.PHONY: deps run test build bench model fmt clippy

deps:
	@scripts/deps.sh

## Runs the emulator on embedded defaults (sled in ./data, dev certificates in ./certs-dev).
run: deps
	$(CARGO) run --release -p osp-cli -- serve

## Runs the whole test suite (unit, end-to-end over TLS, fixture replays).
test: deps
	$(CARGO) test --workspace
	$(CARGO) build -p osp-cli
	tests/interop/run.sh
	@if ls fixtures/scenarios/*/scenario.toml >/dev/null 2>&1; then \
	  target/debug/osp replay fixtures/scenarios --junit target/replay-junit.xml; fi

build: deps
	$(CARGO) build --workspace --release

## Regenerates crates/osp-model/src/generated from xsd/.
model: deps
	$(CARGO) run -p osp-model-gen --release

fmt:
	$(CARGO) fmt --all

clippy: deps
	$(CARGO) clippy --workspace --all-targets

## Benchmarks (osp issue 7): osp vs. echo vs. peer mock, replay, scale; writes bench/RESULTS.md (~15 min).
bench: deps
	CARGO=$(CARGO) bench/run.sh

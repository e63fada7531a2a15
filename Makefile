# Quarry: `make run` starts the server, `make test` runs every test. Both install what they need.
SHELL := /bin/bash
.DEFAULT_GOAL := build

DEB_PACKAGES := libsqlite3-dev libcurl4-openssl-dev zlib1g-dev libjpeg62-turbo-dev libpng-dev libssl-dev libopenblas-dev pkg-config
BENCH_PACKAGES := wrk nginx
# Release builds target this CPU: without it SIMD code falls back to scalar (see docs/building.md).
RELEASE_FLAGS := -c release -Xcc -march=native -Xswiftc -target-cpu -Xswiftc native
QUARRY_DATA_DIR ?= ./data
ONLY ?=

define ensure_debs
	@missing=""; for p in $(1); do dpkg-query -W -f='$${Status}' $$p 2>/dev/null | grep -q "install ok installed" || missing="$$missing $$p"; done; \
	if [ -n "$$missing" ]; then \
		echo "installing:$$missing"; \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing >/dev/null; \
	fi
endef

.PHONY: deps test-deps bench-deps build debug run test unit-test e2e-test bench fuzz lint clean

deps:
	$(call ensure_debs,$(DEB_PACKAGES))

PYTHON_TEST_PACKAGES := requests pytest pillow jtheta pycocotools numpy scikit-learn onnx onnxruntime selenium prometheus_client schemathesis
# The workbench's tests drive a real browser; the unit file's tests use systemd-analyze and strace.
TEST_DEB_PACKAGES := chromium chromium-driver strace systemd

test-deps: deps
	$(call ensure_debs,$(TEST_DEB_PACKAGES))
	@python3 -c 'import requests, pytest, PIL, jtheta, pycocotools, numpy, sklearn, onnx, onnxruntime, selenium, prometheus_client, schemathesis' 2>/dev/null || python3 -m pip install -q $(PYTHON_TEST_PACKAGES)

bench-deps: deps
	$(call ensure_debs,$(BENCH_PACKAGES))

build: deps
	swift build $(RELEASE_FLAGS) --product quarry

debug: deps
	swift build --product quarry

run: build
	QUARRY_DATA_DIR=$(QUARRY_DATA_DIR) .build/release/quarry serve

test: test-deps lint
	swift build --build-tests
	swift test --skip-build
	python3 -m pytest -q Tests/python

bench: bench-deps build
	swift build $(RELEASE_FLAGS) --product quarry-bench
	@python3 -c 'import requests, PIL, numpy, onnxruntime' 2>/dev/null || python3 -m pip install -q requests pillow numpy onnxruntime
	@python3 -c 'import torch' 2>/dev/null || python3 -m pip install -q torch==2.13.0+cpu
	python3 bench/run.py $(ONLY)

# libFuzzer on each parser and decoder (docs/fuzzing.md), FUZZ_SECONDS each; the corpus it grows stays
# under .build/fuzz/corpus, and what it finds is saved under .build/fuzz/crashes. Swift's backtracer is
# off: it reads the crashed stack in a way AddressSanitizer reports as a second error.
FUZZ_TARGETS ?= http multipart zip image json onnx
FUZZ_SECONDS ?= 60
FUZZ_BUILD := --product quarry-fuzz --build-path .build/fuzz -Xswiftc -sanitize=fuzzer,address -Xswiftc -DFUZZING

fuzz: deps
	swift build $(FUZZ_BUILD)
	@mkdir -p .build/fuzz/crashes
	@for target in $(FUZZ_TARGETS); do \
		mkdir -p .build/fuzz/corpus/$$target; \
		echo "fuzzing $$target for $(FUZZ_SECONDS) s (log: .build/fuzz/$$target.log)"; \
		QUARRY_FUZZ_TARGET=$$target SWIFT_BACKTRACE=enable=no .build/fuzz/debug/quarry-fuzz .build/fuzz/corpus/$$target Tests/Fuzz/Corpus/$$target \
			-max_total_time=$(FUZZ_SECONDS) -max_len=16384 -timeout=10 -rss_limit_mb=4096 \
			-artifact_prefix=.build/fuzz/crashes/$$target- -print_final_stats=1 > .build/fuzz/$$target.log 2>&1; \
		status=$$?; grep -E "^(Done|stat::number_of_executed_units|stat::peak_rss_mb)" .build/fuzz/$$target.log; \
		if [ $$status -ne 0 ]; then tail -n 40 .build/fuzz/$$target.log; exit 1; fi; \
	done

# Files over 400 lines must be split by concern (docs/style.md).
lint:
	@over=$$(find Sources Tests -name '*.swift' -exec wc -l {} + | awk '$$2 != "total" && $$1 > 400 {print $$2 " (" $$1 " lines)"}'); \
	if [ -n "$$over" ]; then echo "files over 400 lines:"; echo "$$over"; exit 1; fi

clean:
	rm -rf .build bench/results.json

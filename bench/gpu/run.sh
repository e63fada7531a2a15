#!/usr/bin/env bash
# The GPU check and figures on a machine with an NVIDIA GPU and no Swift toolchain, from the bundle
# `make gpu-bundle` builds (bin/, lib/, Resources/ and this folder's scripts): quarry-bench runs against
# the real driver with the bundle's libraries, then bench/gpu/compare.py sets its figures beside
# PyTorch's. Results go to $OUT (the device tool's output folder) or the current folder.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
export LD_LIBRARY_PATH="$here/lib${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}"
export QUARRY_RESOURCES="$here/Resources" QUARRY_BENCH="$here/bin/quarry-bench"
nvidia-smi --query-gpu=name,driver_version,memory.total --format=csv,noheader 2>/dev/null || echo "no nvidia-smi"
python3 "$here/compare.py"

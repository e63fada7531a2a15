"""`GET /api/system/devices`: CPU only on a machine without CUDA (CI), and, with stand-in driver and NVML
libraries compiled here, the GPUs the driver reports with NVML's free memory, as the spec shapes them."""
import os
import subprocess
import tempfile

import requests

from conftest import Server
from test_studio_runs import auth

DRIVER = """
#include <string.h>
#include <stddef.h>
int cuInit(unsigned flags) { return 0; }
int cuDriverGetVersion(int *version) { *version = 12010; return 0; }
int cuDeviceGetCount(int *count) { *count = 2; return 0; }
int cuDeviceGet(int *device, int ordinal) { *device = ordinal; return 0; }
int cuDeviceGetName(char *name, int length, int device) { strncpy(name, "NVIDIA RTX 4090", (size_t)length); return 0; }
int cuDeviceTotalMem_v2(size_t *bytes, int device) { *bytes = (size_t)24564 << 20; return 0; }
"""

NVML = """
typedef struct { unsigned long long total, free, used; } memory;
int nvmlInit_v2(void) { return 0; }
int nvmlDeviceGetHandleByIndex_v2(unsigned index, void **handle) { *handle = (void *)(long)(index + 1); return 0; }
int nvmlDeviceGetMemoryInfo(void *handle, memory *m) {
    m->total = 24564ULL << 20; m->free = (22100ULL + 1900ULL * ((long)handle - 1)) << 20; m->used = m->total - m->free; return 0;
}
"""


def compiled(directory, name, source):
    path = os.path.join(directory, f"{name}.c")
    with open(path, "w") as file:
        file.write(source)
    output = os.path.join(directory, f"lib{name}.so")
    subprocess.run(["gcc", "-shared", "-fPIC", "-o", output, path], check=True)
    return output


def test_without_cuda_the_cpu_is_the_only_device(make_server):
    # A driver library that does not exist, so the answer is the same on a machine with a real GPU.
    server = make_server(QUARRY_CUDA_LIBRARY="libcuda-not-installed.so.1")
    key = server.create_account("devices")
    data = requests.get(server.url + "/api/system/devices", headers=auth(key)).json()["data"]
    assert not data["cuda_available"]
    assert data["devices"] == [{"id": "cpu", "name": "CPU", "type": "cpu", "cores": os.cpu_count()}]
    assert data["default_selected"] == ["cpu"] and "cuda_version" not in data and data["reason"]


def test_gpus_are_listed_as_the_spec_shows():
    with tempfile.TemporaryDirectory() as directory:
        server = Server(QUARRY_CUDA_LIBRARY=compiled(directory, "cuda", DRIVER), QUARRY_NVML_LIBRARY=compiled(directory, "nvml", NVML))
        try:
            key = server.create_account("gpus")
            data = requests.get(server.url + "/api/system/devices", headers=auth(key)).json()["data"]
            assert data["devices"][1:] == [
                {"id": "gpu:0", "name": "NVIDIA RTX 4090", "type": "gpu", "memory_total_mb": 24564, "memory_free_mb": 22100, "busy": False},
                {"id": "gpu:1", "name": "NVIDIA RTX 4090", "type": "gpu", "memory_total_mb": 24564, "memory_free_mb": 24000, "busy": False},
            ]
            assert data["cuda_available"] is True and data["cuda_version"] == "12.1" and data["default_selected"] == ["gpu:0"]
            assert requests.get(server.url + "/api/system/devices").status_code == 401
        finally:
            server.stop()

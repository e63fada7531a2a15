"""The emulated GPU (`make emulated-gpu`: Tests/EmulatedGPU) as a server's settings."""
import os

from conftest import ROOT

EMULATED = os.path.join(ROOT, ".build", "emulated-gpu")


def emulated_gpu(**settings):
    """Settings that give a server the emulated device: one GPU of 256 MiB unless told otherwise."""
    return {"QUARRY_CUDA_LIBRARY": os.path.join(EMULATED, "libcuda.so.1"),
            "QUARRY_NVML_LIBRARY": os.path.join(EMULATED, "libnvidia-ml.so.1"),
            "QUARRY_EMULATED_GPUS": "1", "QUARRY_EMULATED_GPU_MEMORY_MB": "256", **settings}

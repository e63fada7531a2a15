"""Learn: single-precision matrix multiply through GEMM.multiply (our blocked kernel or OpenBLAS, as its dispatch
rule picks) beside numpy's matmul at 1024 and 2048 square, and ResNet-18's convolution products through our kernel
beside Debian OpenBLAS's cblas_sgemm in the same process, all with the machine's OPENBLAS_CORETYPE setting as tests
and CI keep it; and ResNet-18 training throughput at 3x64x64, batch 32, SGD with momentum, beside PyTorch (CPU build)
on the same number of threads."""
import os
import subprocess
import sys
import tempfile
import time

import numpy

from figure import Figure

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
BENCH = os.path.join(ROOT, ".build", "release", "quarry-bench")


def numpy_gflops(n, repeats):
    a = numpy.random.default_rng(0).standard_normal((n, n), dtype=numpy.float32)
    b = numpy.random.default_rng(1).standard_normal((n, n), dtype=numpy.float32)
    a @ b
    started = time.perf_counter()
    for _ in range(repeats):
        a @ b
    return 2 * n ** 3 * repeats / (time.perf_counter() - started) / 1e9


def quarry_gflops(n, repeats):
    out = subprocess.run([BENCH, "gemm", str(n), str(repeats)], capture_output=True, text=True, check=True).stdout
    return float(out.strip().split()[-1])


def alternating(ours, theirs, rounds):
    """(ours, theirs): the best of `rounds` runs of each command, alternating, since a run on two shared cores can lose
    a third to whatever else wakes up (PyTorch's spinning OpenMP threads suffer most). Each prints its figure last."""
    def run(command):
        return float(subprocess.run(command, capture_output=True, text=True, check=True).stdout.strip().split()[-1])
    results = [(run(ours), run(theirs)) for _ in range(rounds)]
    return max(r[0] for r in results), max(r[1] for r in results)


def training_images_per_second(side=64, batch=32, steps=8, rounds=3):
    """ResNet-18 training beside the same model and step in PyTorch (bench/torch_resnet.py)."""
    threads = os.cpu_count()
    ours, theirs = alternating([BENCH, "train", "resnet18", str(side), str(batch), str(steps)],
                               [sys.executable, os.path.join(ROOT, "bench", "torch_resnet.py"), str(side), str(batch), str(steps),
                                str(threads)], rounds)
    return Figure(f"resnet18_train_{side}px_batch{batch}_images_per_second", ours, "images/s", f"PyTorch CPU, {threads} threads",
                  theirs, True)


ORT_TIMING = """
import sys, time, numpy as np, onnxruntime as ort
path, batch, side, steps, threads = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4]), int(sys.argv[5])
options = ort.SessionOptions()
options.intra_op_num_threads, options.inter_op_num_threads = threads, 1
session = ort.InferenceSession(path, options, providers=["CPUExecutionProvider"])
x = np.random.default_rng(0).standard_normal((batch, 3, side, side), dtype=np.float32)
session.run(None, {"input": x})
started = time.perf_counter()
for _ in range(steps):
    session.run(None, {"input": x})
print(batch * steps / (time.perf_counter() - started))
"""


def beside_onnxruntime(command, name, side, batch, steps, rounds):
    """`quarry-bench COMMAND SIDE BATCH STEPS FILE` (which writes its model's ONNX export to FILE) beside onnxruntime
    running that file on as many threads, alternating; the figure `name`."""
    threads = os.cpu_count()
    with tempfile.TemporaryDirectory() as directory:
        path = os.path.join(directory, "model.onnx")
        ours, theirs = alternating([BENCH, command, str(side), str(batch), str(steps), path],
                                   [sys.executable, "-c", ORT_TIMING, path, str(batch), str(side), str(steps), str(threads)], rounds)
    return Figure(name, ours, "images/s", f"onnxruntime on our ONNX export, {threads} threads", theirs, True)


def inference_images_per_second(side=224, batch=16, steps=4, rounds=3):
    """ResNet-18 (ImageNet's, 1,000 classes) inference in our engine beside onnxruntime running the ONNX file we export
    of the same model."""
    return beside_onnxruntime("infer", f"resnet18_inference_{side}px_batch{batch}_images_per_second", side, batch, steps, rounds)


def detection_training_images_per_second(side=128, batch=8, steps=4, rounds=3):
    """fcos_resnet18 (width 1) training beside the same detector written in PyTorch (bench/torch_fcos.py), same size,
    batch and optimizer."""
    threads = os.cpu_count()
    ours, theirs = alternating([BENCH, "detect-train", str(side), str(batch), str(steps)],
                               [sys.executable, os.path.join(ROOT, "bench", "torch_fcos.py"), str(side), str(batch), str(steps),
                                str(threads)], rounds)
    return Figure(f"fcos_resnet18_train_{side}px_batch{batch}_images_per_second", ours, "images/s",
                  f"the same detector in PyTorch CPU, {threads} threads", theirs, True)


def detection_inference_images_per_second(side=320, batch=4, steps=3, rounds=3):
    """fcos_resnet18 inference with decoding beside onnxruntime on its ONNX export (decoding and NMS in the graph)."""
    return beside_onnxruntime("detect-infer", f"fcos_resnet18_inference_{side}px_batch{batch}_images_per_second", side, batch, steps,
                              rounds)


def conv_mix_gflops(rounds=3):
    """(ours, OpenBLAS): GFLOPS over all of ResNet-18's convolution products, forward and both gradients."""
    out = subprocess.run([BENCH, "gemm-shapes", str(rounds)], capture_output=True, text=True, check=True).stdout
    words = out.strip().splitlines()[-1].split()
    return float(words[words.index("ours") + 1]), float(words[words.index("openblas") + 1])


def run():
    figures = []
    for n, repeats in [(1024, 20), (2048, 5)]:
        figures.append(Figure(f"sgemm_{n}_gflops", quarry_gflops(n, repeats), "GFLOPS", "numpy matmul", numpy_gflops(n, repeats), True))
    ours, openblas = conv_mix_gflops()
    figures.append(Figure("sgemm_resnet18_conv_mix_gflops", ours, "GFLOPS", "OpenBLAS cblas_sgemm", openblas, True))
    figures.append(training_images_per_second())
    figures.append(inference_images_per_second())
    figures.append(detection_training_images_per_second())
    figures.append(detection_inference_images_per_second())
    return figures

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


def training_images_per_second(side=64, batch=32, steps=8, rounds=3):
    """Best of `rounds` runs of each side, alternating, since a run on two shared cores can lose a third to
    whatever else wakes up (PyTorch's spinning OpenMP threads suffer most)."""
    threads = os.cpu_count()
    quarry_runs, torch_runs = [], []
    for _ in range(rounds):
        out = subprocess.run([BENCH, "train", "resnet18", str(side), str(batch), str(steps)],
                             capture_output=True, text=True, check=True).stdout
        quarry_runs.append(float(out.strip().split()[-1]))
        torch_runs.append(float(subprocess.run([sys.executable, os.path.join(ROOT, "bench", "torch_resnet.py"), str(side), str(batch),
                                                str(steps), str(threads)], capture_output=True, text=True, check=True).stdout.strip()))
    return Figure(f"resnet18_train_{side}px_batch{batch}_images_per_second", max(quarry_runs), "images/s",
                  f"PyTorch CPU, {threads} threads", max(torch_runs), True)


ORT_TIMING = """
import sys, time, numpy as np, onnxruntime as ort
path, batch, side, steps, threads = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4]), int(sys.argv[5])
options = ort.SessionOptions()
options.intra_op_num_threads, options.inter_op_num_threads = threads, 1
session = ort.InferenceSession(path, options, providers=["CPUExecutionProvider"])
x = np.random.default_rng(0).standard_normal((batch, 3, side, side), dtype=np.float32)
session.run(["output"], {"input": x})
started = time.perf_counter()
for _ in range(steps):
    session.run(["output"], {"input": x})
print(batch * steps / (time.perf_counter() - started))
"""


def inference_images_per_second(side=224, batch=16, steps=4, rounds=3):
    """ResNet-18 (ImageNet's, 1,000 classes) inference in our engine beside onnxruntime running the ONNX file
    we export of the same model, on as many threads; best of `rounds` alternating runs each."""
    threads = os.cpu_count()
    ours, theirs = [], []
    with tempfile.TemporaryDirectory() as directory:
        path = os.path.join(directory, "resnet18.onnx")
        for _ in range(rounds):
            out = subprocess.run([BENCH, "infer", str(side), str(batch), str(steps), path], capture_output=True, text=True, check=True).stdout
            ours.append(float(out.strip().split()[-1]))
            theirs.append(float(subprocess.run([sys.executable, "-c", ORT_TIMING, path, str(batch), str(side), str(steps), str(threads)],
                                               capture_output=True, text=True, check=True).stdout.strip()))
    return Figure(f"resnet18_inference_{side}px_batch{batch}_images_per_second", max(ours), "images/s",
                  f"onnxruntime on our ONNX export, {threads} threads", max(theirs), True)


ORT_DETECTOR = """
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


def detection_training_images_per_second(side=128, batch=8, steps=4, rounds=3):
    """fcos_resnet18 (width 1) training beside the same detector written in PyTorch (bench/torch_fcos.py), same size,
    batch and optimizer; best of `rounds` alternating runs."""
    threads = os.cpu_count()
    ours, theirs = [], []
    for _ in range(rounds):
        out = subprocess.run([BENCH, "detect-train", str(side), str(batch), str(steps)], capture_output=True, text=True, check=True).stdout
        ours.append(float(out.strip().split()[-1]))
        theirs.append(float(subprocess.run([sys.executable, os.path.join(ROOT, "bench", "torch_fcos.py"), str(side), str(batch), str(steps),
                                            str(threads)], capture_output=True, text=True, check=True).stdout.strip()))
    return Figure(f"fcos_resnet18_train_{side}px_batch{batch}_images_per_second", max(ours), "images/s",
                  f"the same detector in PyTorch CPU, {threads} threads", max(theirs), True)


def detection_inference_images_per_second(side=320, batch=4, steps=3, rounds=3):
    """fcos_resnet18 inference with decoding beside onnxruntime on its ONNX export (decoding and NMS in the graph)."""
    threads = os.cpu_count()
    ours, theirs = [], []
    with tempfile.TemporaryDirectory() as directory:
        path = os.path.join(directory, "fcos.onnx")
        for _ in range(rounds):
            out = subprocess.run([BENCH, "detect-infer", str(side), str(batch), str(steps), path], capture_output=True, text=True,
                                 check=True).stdout
            ours.append(float(out.strip().split()[-1]))
            theirs.append(float(subprocess.run([sys.executable, "-c", ORT_DETECTOR, path, str(batch), str(side), str(steps), str(threads)],
                                               capture_output=True, text=True, check=True).stdout.strip()))
    return Figure(f"fcos_resnet18_inference_{side}px_batch{batch}_images_per_second", max(ours), "images/s",
                  f"onnxruntime on our ONNX export, {threads} threads", max(theirs), True)


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

"""Quarry's GPU figures beside PyTorch's on the same card, the goals of issue 17 (docs/gpu.md):

- SGEMM at 4096²: our kernel's TFLOPS against cuBLAS's (through torch.matmul), FP32 and TF32;
- ResNet-18 and MobileNetV2 training images/s at 3×224×224, batch 64, the step Quarry's trainer takes
  (zero, forward, cross-entropy, backward, SGD with momentum), FP32 and TF32, with our kernels and with
  cuBLAS doing the products;
- the peak device memory of a step;
- ours against cuBLAS on the zoo's shape classes of product (`quarry-bench gpu-gemm-shapes`): what the
  rule choosing between them per class is to be made from.

`quarry-bench gpu-check` runs first (each zoo model's step against the CPU's) and a mismatch stops the run.
Prints one line per figure with its reference and ratio, and writes them to $OUT/gpu-results.json (or
./gpu-results.json). QUARRY_GPU_BENCH_QUICK=1 uses tiny sizes, to try the script on the emulated device.

    QUARRY_BENCH=path/to/quarry-bench python3 bench/gpu/compare.py
"""
import json
import os
import subprocess
import sys
import time

QUICK = os.environ.get("QUARRY_GPU_BENCH_QUICK") == "1"
BENCH = os.environ.get("QUARRY_BENCH", "quarry-bench")
SIDE, BATCH, STEPS, N, REPEATS = (16, 4, 2, 128, 2) if QUICK else (224, 64, 20, 4096, 20)
MODELS = ["small_cnn"] if QUICK else ["resnet18", "mobilenet_v2"]


def quarry(*args):
    """The last line quarry-bench prints, split into words."""
    output = subprocess.run([BENCH, *map(str, args)], check=True, capture_output=True, text=True).stdout
    return output.strip().splitlines()[-1].split()


def torch_figures():
    """PyTorch's side, or None where there is no PyTorch with CUDA."""
    try:
        import torch
    except ImportError:
        return None
    if not torch.cuda.is_available():
        return None
    sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
    from torch_models import model as torch_model
    figures = {"device": torch.cuda.get_device_name(0), "torch": torch.__version__}
    for tf32 in (False, True):
        torch.backends.cuda.matmul.allow_tf32 = tf32
        torch.backends.cudnn.allow_tf32 = tf32
        a, b = torch.randn(N, N, device="cuda"), torch.randn(N, N, device="cuda")
        torch.matmul(a, b)
        torch.cuda.synchronize()
        started = time.perf_counter()
        for _ in range(REPEATS):
            torch.matmul(a, b)
        torch.cuda.synchronize()
        figures[f"sgemm_tflops_{'tf32' if tf32 else 'fp32'}"] = 2 * N ** 3 * REPEATS / (time.perf_counter() - started) / 1e12
        for name in MODELS:
            net = torch_model(name, 10).cuda()
            optimizer = torch.optim.SGD(net.parameters(), lr=0.01, momentum=0.9)
            images = torch.randn(BATCH, 3, SIDE, SIDE, device="cuda")
            labels = torch.arange(BATCH, device="cuda") % 10

            def step():
                optimizer.zero_grad(set_to_none=False)
                loss = torch.nn.functional.cross_entropy(net(images), labels)
                loss.item()  # as Quarry's trainer, which reads every step's loss
                loss.backward()
                optimizer.step()
            for _ in range(3):
                step()
            torch.cuda.synchronize()
            torch.cuda.reset_peak_memory_stats()
            started = time.perf_counter()
            for _ in range(STEPS):
                step()
            torch.cuda.synchronize()
            key = f"{name}_{'tf32' if tf32 else 'fp32'}"
            figures[f"{key}_images_per_second"] = BATCH * STEPS / (time.perf_counter() - started)
            figures[f"{key}_peak_mb"] = torch.cuda.max_memory_allocated() / 2 ** 20
    return figures


def main():
    check = subprocess.run([BENCH, "gpu-check"], capture_output=True, text=True)
    print(check.stdout, end="")
    if check.returncode != 0:
        print(check.stderr, file=sys.stderr)
        sys.exit("gpu-check failed: no figures")
    # Figures keyed as PyTorch's; "_cublas" marks Quarry with cuBLAS doing the products, beside the same reference.
    ours = {}
    shapes = []
    for precision in ("fp32", "tf32"):
        flags = ["tf32"] if precision == "tf32" else []
        ours[f"sgemm_tflops_{precision}"] = float(quarry("gpu-sgemm", N, REPEATS, *flags)[-1])
        for name in MODELS:
            for products in ("ours", "cublas"):
                words = quarry("gpu-train", name, SIDE, BATCH, STEPS, *flags, *(["cublas"] if products == "cublas" else []))
                suffix = "_cublas" if products == "cublas" else ""
                ours[f"{name}_{precision}_images_per_second{suffix}"] = float(words[words.index("images/s") + 1])
                ours[f"{name}_{precision}_peak_mb{suffix}"] = float(words[words.index("peak_mb") + 1])
        if not QUICK:
            output = subprocess.run([BENCH, "gpu-gemm-shapes", REPEATS, *flags], check=True, capture_output=True, text=True).stdout
            shapes += output.strip().splitlines()
    # Quick sizes are for trying the script on the emulated device; there is nothing to compare then.
    theirs = None if QUICK else torch_figures()
    rows = []
    for key, value in ours.items():
        reference = theirs.get(key.removesuffix("_cublas")) if theirs else None
        ratio = value / reference if reference else None
        rows.append({"figure": key, "quarry": value, "pytorch": reference, "ratio": ratio})
        print(f"{key:48} quarry {value:12.3f}   pytorch {reference if reference is not None else float('nan'):12.3f}"
              f"   ratio {ratio if ratio is not None else float('nan'):.2f}")
    for line in shapes:
        print(line)
    result = {"quick": QUICK, "check": check.stdout.splitlines(), "figures": rows, "shapes": shapes, "pytorch": theirs}
    path = os.path.join(os.environ.get("OUT", "."), "gpu-results.json")
    with open(path, "w") as file:
        json.dump(result, file, indent=2)
    print(f"written to {path}")


if __name__ == "__main__":
    main()

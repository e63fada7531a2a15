#!/usr/bin/env python3
"""Compiles Resources/cuda/kernels.ptx with ptxas for each target architecture (make check-ptx) and writes
each kernel's registers, shared memory, stack frame and spills to a report.

Fails when ptxas fails or warns, or when any kernel has a stack frame or spills: a kernel that spills
is slower than its source suggests, and one with a stack frame keeps arrays in local memory.

ptxas comes from the PyPI wheel nvidia-cuda-nvcc-cu12 (no GPU needed), installed here when missing.

Usage: ptxas_report.py KERNELS.ptx REPORT.txt [--markdown]
"""
import os
import re
import subprocess
import sys
import tempfile

ARCHITECTURES = ["sm_80", "sm_90"]
PACKAGE = "nvidia-cuda-nvcc-cu12==12.9.86"


def ptxas_path():
    def find():
        try:
            import nvidia
        except ImportError:
            return None
        for root in nvidia.__path__:
            candidate = os.path.join(root, "cuda_nvcc", "bin", "ptxas")
            if os.access(candidate, os.X_OK):
                return candidate
        return None

    path = find()
    if path is None:
        print(f"installing {PACKAGE} for ptxas", file=sys.stderr)
        subprocess.run([sys.executable, "-m", "pip", "install", "-q", PACKAGE], check=True)
        import importlib
        import nvidia
        importlib.reload(nvidia)
        path = find()
    if path is None:
        sys.exit("ptxas_report: no ptxas in the nvidia-cuda-nvcc-cu12 wheel")
    return path


def compile_report(ptxas, ptx, architecture):
    """Per kernel: registers, shared memory bytes, stack frame bytes, spill store and load bytes."""
    with tempfile.TemporaryDirectory() as folder:
        result = subprocess.run([ptxas, f"-arch={architecture}", "-v", ptx, "-o", os.path.join(folder, "kernels.cubin")],
                                capture_output=True, text=True)
    output = result.stdout + result.stderr
    problems = [line for line in output.splitlines() if re.search(r"\b(error|warning)\b", line, re.I)]
    if result.returncode != 0 or problems:
        sys.exit(f"ptxas_report: ptxas -arch={architecture} failed (exit {result.returncode}):\n" + output)
    kernels, current = {}, None
    for line in output.splitlines():
        if match := re.search(r"Compiling entry function '(\w+)'", line):
            current = kernels.setdefault(match.group(1), {"registers": 0, "shared": 0, "stack": 0, "spill stores": 0, "spill loads": 0})
        elif current is None:
            continue
        elif match := re.search(r"(\d+) bytes stack frame, (\d+) bytes spill stores, (\d+) bytes spill loads", line):
            current["stack"], current["spill stores"], current["spill loads"] = map(int, match.groups())
        elif match := re.search(r"Used (\d+) registers", line):
            current["registers"] = int(match.group(1))
            if shared := re.search(r"(\d+) bytes smem", line):
                current["shared"] = int(shared.group(1))
    return kernels


def main():
    arguments = [a for a in sys.argv[1:] if not a.startswith("--")]
    if len(arguments) != 2:
        sys.exit(__doc__)
    ptx, report = arguments
    entries = re.findall(r"\.entry\s+(\w+)\s*\(", open(ptx).read())
    ptxas = ptxas_path()
    version = subprocess.run([ptxas, "--version"], capture_output=True, text=True).stdout.strip().splitlines()[-1]
    lines, failures = [f"# ptxas -v of {ptx} ({version})"], []
    markdown = "--markdown" in sys.argv
    for architecture in ARCHITECTURES:
        kernels = compile_report(ptxas, ptx, architecture)
        missing = [name for name in entries if name not in kernels]
        if missing:
            failures.append(f"{architecture}: no ptxas report for {', '.join(missing)}")
        lines.append("")
        if markdown:
            lines += [f"### {architecture}", "", "| kernel | registers | shared memory (bytes) | spills |", "|---|---:|---:|---:|"]
        else:
            lines.append(f"{architecture}: {'kernel':<36} {'registers':>9} {'smem':>6} {'stack':>5} {'spill st':>8} {'spill ld':>8}")
        for name in entries:
            k = kernels.get(name)
            if k is None:
                continue
            if k["stack"] or k["spill stores"] or k["spill loads"]:
                failures.append(f"{architecture}: {name} has a {k['stack']}-byte stack frame, "
                                f"{k['spill stores']} bytes of spill stores and {k['spill loads']} of spill loads")
            if markdown:
                lines.append(f"| {name} | {k['registers']} | {k['shared']} | {k['spill stores'] + k['spill loads']} |")
            else:
                lines.append(f"{architecture}: {name:<36} {k['registers']:>9} {k['shared']:>6} {k['stack']:>5} "
                             f"{k['spill stores']:>8} {k['spill loads']:>8}")
    os.makedirs(os.path.dirname(report) or ".", exist_ok=True)
    with open(report, "w") as file:
        file.write("\n".join(lines) + "\n")
    if failures:
        sys.exit("ptxas_report: " + "\n".join(failures))
    print(f"ptxas: {len(entries)} kernels for {' and '.join(ARCHITECTURES)}, no spills, no stack frames (report: {report})")


if __name__ == "__main__":
    main()

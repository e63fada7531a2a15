#!/usr/bin/env python3
"""Quarry's benchmarks. Each figure is printed beside a reference measured in the same run on the
same machine, as `NAME: VALUE UNIT (REFERENCE: VALUE UNIT, ratio R)`, and all of them are written to
bench/results.json so runs can be compared across commits.

    python3 bench/run.py          # every group
    python3 bench/run.py http     # one group (make bench ONLY=http)
"""
import json
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import http_bench  # noqa: E402
import imaging_bench  # noqa: E402
import learn_bench  # noqa: E402
import load_bench  # noqa: E402
import scale_bench  # noqa: E402

GROUPS = {
    "http": http_bench.run,
    "imaging": imaging_bench.run,
    "learn": learn_bench.run,
    "load": load_bench.run,
    "scale": scale_bench.run,
}


def main(argv):
    selected = argv[1:] or list(GROUPS)
    unknown = [name for name in selected if name not in GROUPS]
    if unknown:
        sys.exit(f"unknown benchmark group {', '.join(unknown)}; groups: {', '.join(GROUPS)}")
    results = []
    for name in selected:
        for figure in GROUPS[name]():
            print(figure.line(), flush=True)
            results.append(figure.as_json())
    path = os.path.join(os.path.dirname(os.path.abspath(__file__)), "results.json")
    with open(path + ".tmp", "w") as out:
        json.dump(results, out, indent=2)
        out.write("\n")
    os.replace(path + ".tmp", path)
    print(f"wrote {len(results)} figures to bench/results.json")


if __name__ == "__main__":
    main(sys.argv)

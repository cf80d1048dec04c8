"""Run every benchmark in bench/ (each ``bench_*.py``, in name order) with its defaults.

Each script prints its figures and writes bench/results/<name>.json itself; this runner
shows their output as it comes, times each, and writes a summary to
bench/results/run_all.json. It exits non-zero when any benchmark failed (a script exits
non-zero when a figure misses its limit or a check fails).

    .venv/bin/python bench/run_all.py                 # all of them (make bench)
    .venv/bin/python bench/run_all.py demo billing    # only bench_demo.py and bench_billing.py
    .venv/bin/python bench/run_all.py --list

Benchmarks are heavy: run them on a quiet machine, one at a time (this runner never runs
two at once).
"""

from __future__ import annotations

import argparse
import datetime
import json
import os
import platform
import subprocess
import sys
import time
from pathlib import Path

BENCH = Path(__file__).resolve().parent
RESULTS = BENCH / "results" / "run_all.json"


def benchmarks() -> dict[str, Path]:
    return {path.stem.removeprefix("bench_"): path for path in sorted(BENCH.glob("bench_*.py"))}


def main() -> int:
    available = benchmarks()
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "names", nargs="*", help=f"which to run (default all: {', '.join(available)})"
    )
    parser.add_argument("--list", action="store_true", help="list the benchmarks and stop")
    args = parser.parse_args()
    if args.list:
        for name, path in available.items():
            print(f"{name:<12} {path.relative_to(BENCH.parent)}")
        return 0
    unknown = sorted(set(args.names) - set(available))
    if unknown:
        parser.error(f"no benchmark named {', '.join(unknown)}; there are {', '.join(available)}")
    chosen = {name: available[name] for name in (args.names or available)}

    summary = {
        "date": datetime.datetime.now().isoformat(timespec="seconds"),
        "python": platform.python_version(),
        "platform": platform.platform(),
        "cpus": os.cpu_count(),
        "benchmarks": {},
    }
    failed = []
    for name, path in chosen.items():
        print(f"\n=== {path.name} ===", flush=True)
        started = time.perf_counter()
        # The child inherits stdout/stderr, so its figures appear as they are measured.
        result = subprocess.run([sys.executable, str(path)], cwd=BENCH.parent, check=False)
        elapsed = time.perf_counter() - started
        summary["benchmarks"][name] = {
            "script": str(path.relative_to(BENCH.parent)),
            "exit_code": result.returncode,
            "seconds": round(elapsed, 1),
            "results": f"bench/results/{name}.json",
        }
        if result.returncode != 0:
            failed.append(name)
        print(f"=== {path.name}: exit {result.returncode} after {elapsed:.0f} s ===", flush=True)

    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(summary, indent=2) + "\n")
    print(f"\n{len(chosen) - len(failed)} of {len(chosen)} benchmarks passed", end="")
    print(f"; failed: {', '.join(failed)}" if failed else "")
    print(f"Summary in {RESULTS.relative_to(BENCH.parent)}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())

"""Benchmark: how fast, and in how little memory, a 50 MB junk file is refused (issue #11).

Issue #11 saw a 50 MB junk file take 6 min 42 s and 2.7 GB to be rejected; the target is
under 5 s and under 300 MB. Each file is checked with ``samdrift import assets FILE
--municipality 4601 --dry-run`` in a subprocess against a fresh SQLite database (set up
as ``bench_import.py`` does), timed around the subprocess, its peak memory from
``getrusage(RUSAGE_CHILDREN)``. The kinds of junk:

- ``random-bytes``: 50 MB from a seeded random generator, renamed .csv;
- ``random-text``: 50 MB of printable lines with semicolons, no header Samdrift knows;
- ``good-header-junk-rows`` (with ``--all``): the Snipe-IT header of ``bench_import.py``
  over 50 MB of junk rows — every row is read and checked; reported, with no target.

    .venv/bin/python bench/bench_import_junk.py           # the first two kinds
    .venv/bin/python bench/bench_import_junk.py --all     # and the third

Figures are printed and written to bench/results/import_junk.json.
"""

from __future__ import annotations

import argparse
import datetime
import json
import os
import platform
import random
import string
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_import import (  # the bench folder is no package: found on sys.path
    HEADERS,
    MEASURE,
    PYTHON,
    ROOT,
    SAMDRIFT,
    fresh_database,
    run,
)

RESULTS = ROOT / "bench" / "results" / "import_junk.json"
SIZE = 50 * 1024 * 1024


def random_bytes(size: int) -> bytes:
    return random.Random(11).randbytes(size)


def random_text(size: int, header: str = "") -> bytes:
    generator = random.Random(12)
    alphabet = string.ascii_letters + string.digits + " ;,.-"
    line_pool = [
        "".join(generator.choices(alphabet, k=generator.randint(20, 200))) + "\n"
        for _ in range(5000)
    ]
    parts, total = [header], len(header)
    while total < size:
        line = line_pool[generator.randrange(len(line_pool))]
        parts.append(line)
        total += len(line)
    return "".join(parts).encode("ascii")[:size]


def timed_check(path: Path, env: dict[str, str]) -> dict:
    command = [SAMDRIFT, "import", "assets", str(path), "--municipality", "4601", "--dry-run"]
    started = time.perf_counter()
    done = run([PYTHON, "-c", MEASURE, *command, "--progress", "none"], env)
    seconds = time.perf_counter() - started
    usage_line = next(
        line for line in reversed(done.stderr.splitlines()) if line.startswith("RUSAGE ")
    )
    usage = json.loads(usage_line.removeprefix("RUSAGE "))
    lines = done.stdout.strip().splitlines()
    return {
        "seconds": round(seconds, 2),
        "cpu_seconds": round(usage["cpu"], 2),
        "peak_rss_mb": round(usage["maxrss_kb"] / 1024, 1),
        "exit_status": usage["returncode"],
        "message": next((line.strip() for line in lines if "errors:" in line), ""),
        "first_error": next((line.strip() for line in lines if line.startswith("  ")), ""),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--all", action="store_true", help="also a good header over junk rows")
    parser.add_argument("--mb", type=int, default=50, help="size of each junk file in MB")
    options = parser.parse_args()
    size = options.mb * 1024 * 1024
    kinds = {
        "random-bytes": lambda: random_bytes(size),
        "random-text": lambda: random_text(size),
    }
    if options.all:
        kinds["good-header-junk-rows"] = lambda: random_text(size, ";".join(HEADERS) + "\n")
    results = {
        "benchmark": "refusing a junk file (samdrift import assets --dry-run, SQLite)",
        "date": datetime.datetime.now().isoformat(timespec="seconds"),
        "machine": (
            f"{platform.machine()}, {os.cpu_count()} CPUs, Python {platform.python_version()}"
        ),
        "targets": {"seconds": 5, "peak_rss_mb": 300},
        "file_mb": options.mb,
        "kinds": {},
    }
    with tempfile.TemporaryDirectory(prefix="samdrift-bench-junk-") as tmp:
        folder = Path(tmp)
        env = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}
        env["SAMDRIFT_DATA_DIR"] = str(folder / "var")
        fresh_database(env)
        for kind, make in kinds.items():
            path = folder / f"{kind}.csv"
            path.write_bytes(make())
            figures = timed_check(path, env)
            results["kinds"][kind] = figures
            print(
                f"{kind:22} {figures['seconds']:6.2f} s (cpu {figures['cpu_seconds']:.2f} s), "
                f"peak {figures['peak_rss_mb']} MB, exit {figures['exit_status']}: "
                f"{figures['first_error'][:100]}",
                flush=True,
            )
            path.unlink()
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(results, indent=2, ensure_ascii=False) + "\n")
    print(f"written to {RESULTS.relative_to(ROOT)}")


if __name__ == "__main__":
    main()

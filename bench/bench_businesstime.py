"""Benchmark: business time for a year of incidents (issue #13: the SLA report computes it for
~25,000 incidents a year).

For ``--incidents`` incidents opened at random instants through 2026 (seeded), in the
calendar Monday–Friday 07:30–16:00 Europe/Oslo with Norwegian public holidays closed and
Christmas Eve as an operator's exception, and in a 24/7 calendar, times separately:

- **business_seconds** — the business time of each incident from opening to resolution
  (spans of up to ``--max-days`` days);
- **due_at** — the resolution due time of each (targets of 1–40 business hours);
- **excluding** — ``business_seconds_excluding`` with two pauses each;
- **month** — ``overlap_seconds`` of 40 outages inside one month, per incident count / 100
  (the availability side of a report).

Each is timed on a fresh calendar (its per-year day tables built inside the timing) and
again warm. The round trip ``business_seconds(start, due_at(start, s)) == s`` is checked on
every incident; the script exits non-zero on a mismatch or when business_seconds or due_at
for all incidents takes ``TARGET_SECONDS`` or more.

    .venv/bin/python bench/bench_businesstime.py
    .venv/bin/python bench/bench_businesstime.py --incidents 100000 --no-write

Figures are printed and written to bench/results/businesstime.json.
"""

from __future__ import annotations

import argparse
import datetime
import json
import os
import platform
import random
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "bench" / "results" / "businesstime.json"
TARGET_SECONDS = 1.0
sys.path.insert(0, str(ROOT / "src"))

from samdrift.businesstime import (  # noqa: E402  (after the path)
    Calendar,
    business_seconds,
    business_seconds_excluding,
    due_at,
    overlap_seconds,
)

UTC = datetime.UTC


def office() -> Calendar:
    return Calendar(
        weekly={weekday: (450, 960) for weekday in range(5)},
        exceptions={datetime.date(2026, 12, 24): None},
    )


def incidents(count: int, max_days: int, seed: int = 13):
    rng = random.Random(seed)
    year = int(datetime.timedelta(days=365).total_seconds())
    first = datetime.datetime(2026, 1, 1, tzinfo=UTC)
    rows = []
    for _ in range(count):
        opened = first + datetime.timedelta(seconds=rng.randrange(year))
        resolved = opened + datetime.timedelta(seconds=rng.randrange(max_days * 86400))
        target = rng.randrange(1, 41) * 3600
        pause_at = opened + (resolved - opened) * rng.random()
        pauses = [
            (pause_at, pause_at + datetime.timedelta(hours=rng.randrange(1, 30))),
            (opened, opened + datetime.timedelta(minutes=rng.randrange(1, 600))),
        ]
        rows.append((opened, resolved, target, pauses))
    return rows


def timed(fn) -> tuple[float, object]:
    started = time.perf_counter()
    result = fn()
    return round(time.perf_counter() - started, 3), result


def measure(name: str, make_calendar, rows) -> dict:
    figures: dict = {"seconds": {}, "seconds_warm": {}}
    month_start = datetime.datetime(2026, 3, 1, tzinfo=UTC)
    month_end = datetime.datetime(2026, 4, 1, tzinfo=UTC)
    outages = [(opened, resolved) for opened, resolved, _, _ in rows[:40]]
    runs = {
        "business_seconds": lambda cal: [business_seconds(cal, o, r) for o, r, _, _ in rows],
        "due_at": lambda cal: [due_at(cal, o, t) for o, _, t, _ in rows],
        "excluding": lambda cal: [business_seconds_excluding(cal, o, r, p) for o, r, _, p in rows],
        "month": lambda cal: [
            overlap_seconds(cal, month_start, month_end, outages) for _ in range(len(rows) // 100)
        ],
    }
    results = {}
    for run, fn in runs.items():
        figures["seconds"][run], results[run] = timed(lambda fn=fn: fn(make_calendar()))
        warm = make_calendar()
        fn(warm)
        figures["seconds_warm"][run], _ = timed(lambda fn=fn, warm=warm: fn(warm))
    calendar = make_calendar()
    mismatches = sum(
        business_seconds(calendar, o, due) != t
        for (o, _, t, _), due in zip(rows, results["due_at"], strict=True)
    )
    figures["round_trip_mismatches"] = mismatches
    figures["within_target"] = (
        figures["seconds"]["business_seconds"] < TARGET_SECONDS
        and figures["seconds"]["due_at"] < TARGET_SECONDS
    )
    print(f"{name:<10}", end="")
    for run, seconds in figures["seconds"].items():
        print(f"  {run} {seconds:.3f} s (warm {figures['seconds_warm'][run]:.3f})", end="")
    print(f"  round-trip mismatches {mismatches}")
    return figures


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--incidents", type=int, default=25_000)
    parser.add_argument("--max-days", type=int, default=5)
    parser.add_argument("--no-write", action="store_true", help="print only")
    args = parser.parse_args()
    rows = incidents(args.incidents, args.max_days)
    result = {
        "benchmark": "businesstime",
        "incidents": args.incidents,
        "max_days": args.max_days,
        "target_seconds": {"business_seconds": TARGET_SECONDS, "due_at": TARGET_SECONDS},
        "calendars": {
            "office": measure("office", office, rows),
            "24/7": measure("24/7", Calendar.around_the_clock, rows),
        },
        "python": platform.python_version(),
        "machine": platform.machine(),
        "cpus": os.cpu_count(),
        "run_at": datetime.datetime.now().isoformat(timespec="seconds"),
        "command": " ".join(["bench/bench_businesstime.py", *sys.argv[1:]]),
    }
    ok = all(
        c["within_target"] and c["round_trip_mismatches"] == 0 for c in result["calendars"].values()
    )
    result["ok"] = ok
    if not args.no_write:
        RESULTS.parent.mkdir(parents=True, exist_ok=True)
        RESULTS.write_text(json.dumps(result, indent=2) + "\n")
        print(f"Written to {RESULTS.relative_to(ROOT)}")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())

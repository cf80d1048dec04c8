"""Benchmark: the SLA report at the design size (issue #13).

50 municipalities × 4 services with service levels (office hours with the operator's own
days, P1 around the clock), a year of 25,000 incidents (a fifth with a pause, some not
measured) and 240 outages (planned and not, for all or some members). Times
``servicedesk.sla.compute_month`` for all 50 members (target under 2 s) and
``compute_range`` over the year (under 10 s), with the number of queries of each —
the same as for a tiny database.

    .venv/bin/python bench/bench_sla_report.py                  # SQLite
    .venv/bin/python bench/bench_sla_report.py --postgres postgres://postgres@127.0.0.1:5432/samdrift_bench

The database is a scratch one (a temporary SQLite file, or the PostgreSQL database
given, created when missing and flushed). Figures are printed and merged into
bench/results/sla_report.json.
"""

from __future__ import annotations

import argparse
import datetime
import json
import platform
import random
import sys
import tempfile
import time
from decimal import Decimal
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_solutions import timed
from benchenv import ensure_postgres_database, prepare_database, setup_django

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "bench" / "results" / "sla_report.json"
YEAR = 2025
MUNICIPALITIES, SERVICES, INCIDENTS, OUTAGES = 50, 4, 25_000, 240
MONTH_TARGET, YEAR_TARGET = 2.0, 10.0


def build() -> dict:
    from zoneinfo import ZoneInfo

    from samdrift.agreements.models import ServiceAgreement
    from samdrift.agreements.service_levels import (
        CalendarDay,
        CalendarHours,
        CreditRule,
        PriorityTarget,
        ServiceCalendar,
        ServiceLevel,
    )
    from samdrift.catalogue.models import Service
    from samdrift.core.validators import organisation_number_with_check_digit
    from samdrift.organisations.models import Municipality
    from samdrift.servicedesk.models import Incident, Outage

    rng = random.Random(13)
    oslo = ZoneInfo("Europe/Oslo")
    municipalities = []
    seed = 940_000_000 // 10
    for n in range(MUNICIPALITIES):
        seed += 37
        while (number := organisation_number_with_check_digit(str(seed))) is None:
            seed += 1
        municipalities.append(
            Municipality(
                name=f"Kommune {n:02d}",
                number=f"{5000 + n}",
                organisation_number=number,
                population=2_000 + n * 1_500,
                joined_on=datetime.date(2024, 1, 1),
            )
        )
    municipalities = Municipality.objects.bulk_create(municipalities)
    services = Service.objects.bulk_create(
        Service(name=f"Tjeneste {s}", code=f"tjeneste-{s}", unit="per_user")
        for s in range(SERVICES)
    )
    office = ServiceCalendar.objects.create(name="Kontortid")
    CalendarHours.objects.bulk_create(
        CalendarHours(
            calendar=office, weekday=d, opens=datetime.time(7, 30), closes=datetime.time(16)
        )
        for d in range(5)
    )
    CalendarDay.objects.bulk_create(
        [
            CalendarDay(calendar=office, date=datetime.date(YEAR, 12, 24)),
            CalendarDay(
                calendar=office,
                date=datetime.date(YEAR, 12, 23),
                opens=datetime.time(7, 30),
                closes=datetime.time(12),
            ),
        ]
    )
    clock = ServiceCalendar.objects.create(
        name="24/7", always_open=True, public_holidays_closed=False
    )
    agreements = ServiceAgreement.objects.bulk_create(
        ServiceAgreement(
            municipality=m, name=f"Avtale {m.name}", valid_from=datetime.date(YEAR - 1, 1, 1)
        )
        for m in municipalities
    )
    levels = ServiceLevel.objects.bulk_create(
        ServiceLevel(
            agreement=a,
            service=s,
            availability_target=Decimal("99.500"),
            calendar=clock if s.pk == services[0].pk else office,
        )
        for a in agreements
        for s in services
    )
    targets, rules = [], []
    for level in levels:
        for priority, (response, resolution) in {
            1: (30, 240),
            2: (60, 480),
            3: (240, 1440),
            4: (480, 2400),
        }.items():
            targets.append(
                PriorityTarget(
                    service_level=level,
                    priority=priority,
                    response_minutes=response,
                    resolution_minutes=resolution,
                    calendar=clock if priority == 1 else None,
                )
            )
        rules.append(CreditRule(service_level=level, shortfall_up_to=Decimal("0.5"), percent=5))
        rules.append(CreditRule(service_level=level, shortfall_up_to=None, percent=10))
    PriorityTarget.objects.bulk_create(targets)
    CreditRule.objects.bulk_create(rules)

    start = datetime.datetime(YEAR, 1, 1, tzinfo=oslo)
    year_minutes = 365 * 1440
    incidents = []
    for n in range(INCIDENTS):
        opened = start + datetime.timedelta(minutes=rng.randrange(year_minutes - 3 * 1440))
        responded = opened + datetime.timedelta(minutes=rng.randrange(0, 600))
        resolved = (
            responded + datetime.timedelta(minutes=rng.randrange(0, 4 * 1440))
            if rng.random() < 0.95
            else None
        )
        pauses = []
        if rng.random() < 0.2:
            p_start = opened + datetime.timedelta(minutes=rng.randrange(0, 1440))
            p_end = p_start + datetime.timedelta(minutes=rng.randrange(10, 1440))
            pauses.append(
                [
                    rng.choice(["awaiting_user", "awaiting_vendor"]),
                    p_start.isoformat(),
                    p_end.isoformat(),
                ]
            )
        incidents.append(
            Incident(
                source="servicenow",
                number=f"INC{n:07d}",
                municipality=rng.choice(municipalities),
                service=rng.choice(services) if rng.random() < 0.92 else None,
                priority=rng.choice([1, 2, 2, 3, 3, 3, 4]),
                state="resolved" if resolved else "in_progress",
                opened_at=opened,
                responded_at=responded,
                resolved_at=resolved,
                pauses=pauses,
            )
        )
    Incident.objects.bulk_create(incidents, batch_size=2000)
    outages = []
    for n in range(OUTAGES):
        started = start + datetime.timedelta(minutes=rng.randrange(year_minutes - 1440))
        planned = rng.random() < 0.3
        outages.append(
            Outage(
                service=rng.choice(services),
                all_municipalities=rng.random() < 0.5,
                started_at=started,
                ended_at=started + datetime.timedelta(minutes=rng.randrange(5, 600)),
                planned=planned,
                announced_at=started - datetime.timedelta(days=rng.randrange(0, 10))
                if planned
                else None,
                description=f"Utfall {n}",
            )
        )
    outages = Outage.objects.bulk_create(outages)
    through = Outage.municipalities.through
    through.objects.bulk_create(
        through(outage_id=o.pk, municipality_id=m.pk)
        for o in outages
        if not o.all_municipalities
        for m in rng.sample(municipalities, 5)
    )
    return {"incidents": len(incidents), "outages": len(outages), "levels": len(levels)}


def run(args) -> dict:
    from samdrift.servicedesk import sla

    prepare_database()
    started = time.perf_counter()
    sizes = build()
    build_s = time.perf_counter() - started
    now = datetime.datetime(YEAR + 1, 2, 1, tzinfo=datetime.UTC)
    june = datetime.date(YEAR, 6, 1)
    month = timed(lambda: sla.compute_month(month=june, now=now), args.repeat)
    year = timed(
        lambda: sla.compute_range(
            datetime.date(YEAR, 1, 1), datetime.date(YEAR, 12, 1), now=now, detail=False
        ),
        max(1, args.repeat // 2),
    )
    reports = sla.compute_month(month=june, now=now)
    measured = sum(p.incidents for r in reports.values() for p in r.priorities.values())
    return {
        "engine": "postgresql" if args.postgres else "sqlite",
        "municipalities": MUNICIPALITIES,
        "services": SERVICES,
        **sizes,
        "build_s": round(build_s, 3),
        "june_measured_incidents": measured,
        "compute_month_all": {**month, "target_s": MONTH_TARGET},
        "compute_year_all": {**year, "target_s": YEAR_TARGET},
        "python": platform.python_version(),
        "measured": datetime.datetime.now().isoformat(timespec="seconds"),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--postgres", help="URL of a scratch PostgreSQL database")
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as data_dir:
        if args.postgres:
            ensure_postgres_database(args.postgres)
        setup_django(args.postgres, data_dir)
        figures = run(args)
    print(json.dumps(figures, indent=2))
    results = json.loads(RESULTS.read_text()) if RESULTS.exists() else {}
    results[figures["engine"]] = figures
    RESULTS.write_text(json.dumps(results, indent=2) + "\n")
    slow = [
        name
        for name, target in (("compute_month_all", MONTH_TARGET), ("compute_year_all", YEAR_TARGET))
        if figures[name]["wall_s"] > target
    ]
    if slow:
        print(f"over target: {', '.join(slow)}", file=sys.stderr)


if __name__ == "__main__":
    main()

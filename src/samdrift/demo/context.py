"""What the demo steps share: the size, the seed, the dates, and what earlier steps made.

A step reads what it needs from the context (``ctx.municipalities``, ``ctx.products`` …)
and adds what later steps may need. Big tables are not kept as model instances: persons
are compact ``PersonRow`` tuples, and the inventory keeps only the printers (for usage).
"""

from __future__ import annotations

import datetime
import random
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, NamedTuple

from django.db import models

from samdrift.core.changelog import record_summary
from samdrift.core.choices import ChangeAction
from samdrift.demo.bulk import IdAllocator, db_timestamp
from samdrift.finance.depreciation import add_months

# Summary change rows of generated data start with this, so ``samdrift demo`` can tell a
# demo database (safe to wipe) from real data.
DEMO_MARKER = "Demo data"


@dataclass(frozen=True)
class DemoSize:
    """How much to generate. Persons and assets are targets; the generator lands near
    them (within a few per cent), since it builds people and devices by realistic rules."""

    name: str
    municipalities: int
    persons: int
    assets: int
    # Share of replacements within the history window that kept the replaced device on
    # record (retired or disposed); tunes the assets-per-person ratio.
    replaced_kept: float
    description: str


SIZES: dict[str, DemoSize] = {
    size.name: size
    for size in (
        DemoSize("small", 6, 650, 1_000, 0.35, "a sample of each municipality; for tests"),
        DemoSize("medium", 6, 20_000, 30_000, 0.35, "the whole region, people and devices"),
        DemoSize("large", 50, 500_000, 1_000_000, 1.0, "50 municipalities: the design target"),
    )
}


class PersonRow(NamedTuple):
    """A generated person, as later steps need it."""

    id: int
    kind: str
    service_area_id: int | None
    location_id: int | None
    active_from: datetime.date
    active_to: datetime.date | None


class PrinterRow(NamedTuple):
    """A printer or copier with its holder since ``since`` (for usage records)."""

    id: int
    asset_tag: str
    category: str
    service_area_id: int | None
    location_id: int | None
    since: datetime.date
    until: datetime.date | None


@dataclass
class DemoContext:
    size: DemoSize
    seed: int
    today: datetime.date
    password: str
    progress: Callable[[str], None] = lambda message: None

    ids: IdAllocator = field(default_factory=IdAllocator)
    counts: Counter = field(default_factory=Counter)
    stamp: Any = None

    # Filled by the steps, in order.
    collaboration: Any = None
    municipalities: list[Any] = field(default_factory=list)
    plans: dict[int, Any] = field(default_factory=dict)  # by municipality: MunicipalityPlan
    service_areas: dict[int, dict[str, Any]] = field(default_factory=dict)  # by municipality
    locations: dict[int, list[Any]] = field(default_factory=dict)  # by municipality
    lease_models: dict[str, Any] = field(default_factory=dict)  # by name
    categories: dict[str, Any] = field(default_factory=dict)  # by code
    products: dict[str, Any] = field(default_factory=dict)  # by key
    services: dict[str, Any] = field(default_factory=dict)  # by code
    persons: dict[int, list[PersonRow]] = field(default_factory=dict)  # by municipality
    printers: dict[int, list[PrinterRow]] = field(default_factory=dict)  # by municipality
    logins: list[dict[str, str]] = field(default_factory=list)
    api_token: str = ""

    def __post_init__(self) -> None:
        if self.stamp is None:
            self.stamp = db_timestamp()

    @property
    def history_start(self) -> datetime.date:
        """Three years back: the window of assignment history and usage."""
        return add_months(self.today, -36)

    @property
    def this_year(self) -> datetime.date:
        return datetime.date(self.today.year, 1, 1)

    def rng(self, *parts: object) -> random.Random:
        """A random generator for one part of one step. Seeding per part keeps a step's
        output the same when another step (or another municipality) changes."""
        return random.Random(":".join(str(part) for part in (self.seed, *parts)))

    def summary(
        self,
        model: type[models.Model],
        count: int,
        what: str,
        municipality: Any | None = None,
    ) -> None:
        """Count a generated batch and log one change row standing for it."""
        self.counts[model._meta.label] += count
        if count == 0:
            return
        where = f" for {municipality.name}" if municipality is not None else ""
        record_summary(
            model=model,
            action=ChangeAction.CREATE,
            message=f"{DEMO_MARKER} (seed {self.seed}): {count:,} {what}{where}",
            municipality_id=municipality.pk if municipality is not None else None,
        )


def month_starts(first: datetime.date, end: datetime.date) -> list[datetime.date]:
    """First days of the months from ``first``'s month up to (not including) ``end``'s."""
    current = first.replace(day=1)
    result = []
    while current < end.replace(day=1):
        result.append(current)
        current = add_months(current, 1)
    return result


def random_day(rng: random.Random, start: datetime.date, end: datetime.date) -> datetime.date:
    """A day in ``[start, end]`` (``start`` when the range is empty)."""
    span = (end - start).days
    if span <= 0:
        return start
    return start + datetime.timedelta(days=rng.randrange(span + 1))

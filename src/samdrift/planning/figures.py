"""The fleet's figures, kept in a summary table so that the overview and the home page
sum a few thousand rows instead of scanning a million assets per request.

``FleetFigure`` counts assets per holder (municipality, service area — or the pool),
product and status; for those in service also per age bucket, due bucket (by the
replacement rules, ``planning.rules``) and whether their lease ends within 90 days —
all as of one day, ``FleetFigureStamp.as_of``, with the rules' fingerprint. From it the
overview's category × status, fleet age, devices due per month, the due and overdue
cards, and the home page's "due soon" and "leases ending" are sums for any user's scope
(``restrict`` on the table: the same municipality and service-area paths as assets).

Kept correct three ways (docs/performance.md says why this and not triggers):

- every writer of assets calls ``inventory.figures.assets_changed`` with the
  municipalities it touched, inside its transaction; ``refresh`` (registered as its
  listener) recounts those municipalities with one grouped ``INSERT … SELECT`` each call;
- the buckets are relative to a day, and the due buckets to the rules: ``current`` sees
  a stamp of another day or other rules and counts everything again (``rebuild``: one
  ``INSERT … SELECT`` over all assets — a few seconds at a million, once a day; the
  ``samdrift fleet_figures`` command run by a timer after midnight does it before anyone
  asks, as ``samdrift holders`` does for the holders);
- tests compare every figure with the direct queries after each kind of change
  (tests/planning/test_figures.py).

Every count draws a new ``FleetFigureStamp.version`` (``new_version``), which ``current``
returns; ``fleet_figures`` remembers its sums per scope by it (``core.remembered``).
"""

from __future__ import annotations

import contextlib
import datetime
import hashlib
import secrets
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

from django.db import connection, transaction
from django.db.models import (
    BooleanField,
    Case,
    Count,
    IntegerField,
    Q,
    QuerySet,
    SmallIntegerField,
    Sum,
    Value,
    When,
)
from django.utils import timezone

from samdrift.catalogue.models import Product
from samdrift.core.permissions import restrict, scope_key
from samdrift.core.remembered import Remembered
from samdrift.finance.depreciation import add_months
from samdrift.inventory.choices import IN_SERVICE
from samdrift.inventory.models import Asset
from samdrift.leasing.notifications import SOON_DAYS as LEASE_SOON_DAYS
from samdrift.planning.models import FleetFigure, FleetFigureStamp
from samdrift.planning.rules import RuleBook

AGE_BUCKETS = 6  # 0–1, 1–2, 2–3, 3–4, 4–5 and 5+ years
DUE_SOON_DAYS = 90  # the home page's "due in the next 90 days"
DUE_MONTHS = 12  # the overview shows a year ahead
OVERDUE = -1

# The columns written, in the order of the grouped SELECT (``_grouped``).
COLUMNS = (
    "municipality_id",
    "service_area_id",
    "product_id",
    "status",
    "age",
    "due",
    "lease_ending",
    "count",
)


def due_until(as_of: datetime.date) -> datetime.date:
    return add_months(as_of, DUE_MONTHS)


def due_boundaries(as_of: datetime.date) -> list[datetime.date]:
    """The days the due buckets start on: bucket ``k`` holds devices due in
    ``[b[k], b[k+1])``; before ``b[0]`` (``as_of``) they are overdue, from the last on
    (a year ahead) not counted. Each month's first day is one, so the overview's due per
    month is a sum of buckets; so is ``as_of`` + 90 days, for the home page."""
    until = due_until(as_of)
    bounds = {as_of, until, as_of + datetime.timedelta(days=DUE_SOON_DAYS)}
    month = add_months(as_of.replace(day=1), 1)
    while month < until:
        bounds.add(month)
        month = add_months(month, 1)
    return sorted(bounds)


def rules_key(rules: RuleBook) -> str:
    """A fingerprint of what the rules say about every product: another one (a rule,
    a lease term or an end of support changed) and the due buckets are counted again."""
    text = repr((rules.lease_term_override, sorted(rules.products.items())))
    return hashlib.sha256(text.encode()).hexdigest()


# Counting ---------------------------------------------------------------------------------


def _grouped(assets: QuerySet[Asset], as_of: datetime.date, rules: RuleBook) -> QuerySet:
    """``assets`` counted per ``COLUMNS`` as of ``as_of``: one grouped query. The age
    is the overview's (whole years since acquisition, ``AGE_BUCKETS - 1`` or more); the
    due bucket the first boundary the device is due before (``RuleBook.due_before``,
    the filter of planning's list of due devices), so a sum of buckets is that list's
    count."""
    out = ~Q(status__in=IN_SERVICE)
    none = Value(None, output_field=SmallIntegerField())
    age = Case(
        When(out, then=none),
        When(acquisition_date__isnull=True, then=Value(-1)),
        *(
            When(acquisition_date__gt=add_months(as_of, -12 * (years + 1)), then=Value(years))
            for years in range(AGE_BUCKETS - 1)
        ),
        default=Value(AGE_BUCKETS - 1),
        output_field=SmallIntegerField(),
    )
    bounds = due_boundaries(as_of)
    due = Case(
        When(out, then=none),
        When(rules.due_before(bounds[0]), then=Value(OVERDUE)),
        *(When(rules.due_before(bound), then=Value(k)) for k, bound in enumerate(bounds[1:])),
        default=none,
        output_field=SmallIntegerField(),
    )
    soon = as_of + datetime.timedelta(days=LEASE_SOON_DAYS)
    lease_ending = Case(
        When(Q(status__in=IN_SERVICE, lease_end__lt=soon), then=Value(True)),
        default=Value(False),
        output_field=BooleanField(),
    )
    return (
        assets.order_by()
        .annotate(age=age, due=due, lease_ending=lease_ending)
        .values_list(*COLUMNS[:-1])
        .annotate(n=Count("pk"))
    )


def _insert(grouped: QuerySet) -> None:
    """``INSERT INTO fleet figures SELECT …``: the counting stays in the database."""
    sql, params = grouped.query.sql_with_params()
    quote = connection.ops.quote_name
    columns = ", ".join(quote(column) for column in COLUMNS)
    with connection.cursor() as cursor:
        cursor.execute(f"INSERT INTO {quote(FleetFigure._meta.db_table)} ({columns}) {sql}", params)


def _delete(rows: QuerySet[FleetFigure]) -> None:
    """One DELETE statement: ``QuerySet.delete()`` would first read the rows' ids (a
    receiver of every model's delete signals rules out its fast path), and the summary
    has no signals, relations to it or change log to collect for."""
    rows._raw_delete(rows.db)


def _stamp(*, lock: bool) -> FleetFigureStamp:
    stamps = FleetFigureStamp.objects.order_by("pk")
    stamp = (stamps.select_for_update() if lock else stamps).first()
    return stamp or FleetFigureStamp.objects.create()


def new_version() -> int:
    """A kept summary's version after a count: random, not a counter, so that a count
    rolled back leaves its number behind instead of handing it to other figures."""
    return secrets.randbits(62)


def rebuild(*, day: datetime.date | None = None, rules: RuleBook | None = None) -> int:
    """Count every asset again, as of ``day`` (today) by ``rules`` (those in force);
    the figures' new version."""
    day = day or timezone.localdate()
    rules = rules or RuleBook()
    with transaction.atomic():
        stamp = _stamp(lock=True)
        _delete(FleetFigure.objects.all())
        _insert(_grouped(Asset.objects.all(), day, rules))
        stamp.as_of, stamp.rules, stamp.version = day, rules_key(rules), new_version()
        stamp.save()
    return stamp.version


def current(*, day: datetime.date, rules: RuleBook) -> int:
    """Make the figures those of ``day`` and ``rules`` (one query when they are) and
    return their version (``FleetFigureStamp.version``): equal versions, equal rows."""
    stamp = _stamp(lock=False)
    if stamp.as_of == day and stamp.rules == rules_key(rules):
        return stamp.version
    with transaction.atomic():
        stamp = _stamp(lock=True)  # another request may have counted meanwhile
        if stamp.as_of == day and stamp.rules == rules_key(rules):
            return stamp.version
        return rebuild(day=day, rules=rules)


def refresh(*, municipality_ids: Iterable[int | None]) -> None:
    """Count the assets of these municipalities (``None``: the pool) again, as of the
    stamp's day: the listener of ``inventory.figures.assets_changed``, inside the
    writer's transaction. Five queries (the last draws the figures' new version). The
    stamp's row lock keeps two writers of one municipality from each deleting the
    other's rows unseen (PostgreSQL)."""
    ids = set(municipality_ids)
    with in_transaction():
        stamp = _stamp(lock=True)
        if stamp.as_of is None:
            return  # never counted: the first read counts everything
        rules = RuleBook()
        if stamp.rules != rules_key(rules):
            return  # the rules changed: the next read counts everything again
        numbers = sorted(i for i in ids if i is not None)
        scope = Q(municipality_id__in=numbers)
        if None in ids:
            scope |= Q(municipality_id__isnull=True)
        _delete(FleetFigure.objects.filter(scope))
        _insert(_grouped(Asset.objects.filter(scope), stamp.as_of, rules))
        FleetFigureStamp.objects.filter(pk=stamp.pk).update(version=new_version())


@contextlib.contextmanager
def in_transaction():
    """The writer's transaction when there is one (no savepoint: a refresh costs no more
    queries); a transaction of its own for a write made outside one (an ORM save caught by
    a signal), which the stamp's row lock needs."""
    if transaction.get_connection().in_atomic_block:
        yield
    else:
        with transaction.atomic():
            yield


# Reading ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class FleetFigures:
    """The summary rows a user may see, summed over holders: ``rows`` are
    (product id, status, age, due, lease ending, count)."""

    as_of: datetime.date
    rows: list[tuple]

    @property
    def boundaries(self) -> list[datetime.date]:
        return due_boundaries(self.as_of)

    @property
    def total(self) -> int:
        return sum(row[-1] for row in self.rows)

    @property
    def in_service(self) -> int:
        return sum(row[-1] for row in self.rows if row[1] in IN_SERVICE)

    def by_category_status(self, category_of: dict[int, str]) -> dict[str, dict[str, int]]:
        table: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
        for product_id, status, *_rest, n in self.rows:
            table[category_of[product_id]][status] += n
        return {name: dict(counts) for name, counts in sorted(table.items())}

    def by_category(self, category_of: dict[int, str]) -> dict[str, int]:
        """Every asset (any status) per category name, by name."""
        table: dict[str, int] = defaultdict(int)
        for product_id, *_rest, n in self.rows:
            table[category_of[product_id]] += n
        return dict(sorted(table.items()))

    def ages(self) -> dict[int, int]:
        """In service, per age bucket (-1: acquisition date unknown)."""
        ages: dict[int, int] = defaultdict(int)
        for _product, status, age, _due, _lease, n in self.rows:
            if status in IN_SERVICE:
                ages[age] += n
        return dict(ages)

    def _due_buckets(self) -> dict[int, int]:
        buckets: dict[int, int] = defaultdict(int)
        for _product, _status, _age, due, _lease, n in self.rows:
            if due is not None:
                buckets[due] += n
        return buckets

    @property
    def overdue(self) -> int:
        """In service and due before ``as_of``."""
        return self._due_buckets().get(OVERDUE, 0)

    def due_between(self, after: datetime.date, before: datetime.date) -> int:
        """In service and due in ``[after, before)``; both must be bucket boundaries."""
        bounds = self.boundaries
        if after not in bounds or before not in bounds:
            raise ValueError(f"{after}–{before} is not a span of due buckets from {self.as_of}.")
        first, last = bounds.index(after), bounds.index(before)
        buckets = self._due_buckets()
        return sum(buckets.get(k, 0) for k in range(first, last))

    def due_per_month(self) -> dict[datetime.date, int]:
        """In service and due in the year from ``as_of``, per month (its first day): the
        same answer as ``planning.plan.due_per_month``."""
        bounds = self.boundaries
        buckets = self._due_buckets()
        months: dict[datetime.date, int] = defaultdict(int)
        for k, start in enumerate(bounds[:-1]):
            months[start.replace(day=1)] += buckets.get(k, 0)
        return dict(months)

    @property
    def leases_ending(self) -> int:
        """In service with a lease that ends within 90 days of ``as_of`` (or ended)."""
        return sum(row[-1] for row in self.rows if row[4])


# The sums per scope: the operator's are 8,000 kept rows summed by the database, 15–25 ms
# of the overview's CPU on SQLite.
_remembered: Remembered[FleetFigures] = Remembered(64)


def fleet_figures(
    *, user, day: datetime.date, rules: RuleBook, municipality_id: int | None = None
) -> FleetFigures:
    """The figures of the assets ``user`` may see (of one municipality, or all), as of
    ``day``. Two queries when the summary is current (its stamp, the sum); it is counted
    again first when not. Remembered (``core.remembered``) by the scope, the
    municipality, the day and the figures' version: then only the stamp is read."""
    version = current(day=day, rules=rules)

    def compute() -> FleetFigures:
        rows = restrict(FleetFigure.objects.all(), user)
        if municipality_id is not None:
            rows = rows.filter(municipality_id=municipality_id)
        rows = (
            rows.values_list("product_id", "status", "age", "due", "lease_ending")
            .annotate(n=Sum("count", output_field=IntegerField()))
            .order_by()
        )
        return FleetFigures(as_of=day, rows=[tuple(row) for row in rows])

    return _remembered.get((scope_key(user), municipality_id, day), version, compute)


def category_names() -> dict[int, str]:
    """Each product's category name (one query: the catalogue is small)."""
    return dict(Product.objects.values_list("pk", "category__name"))

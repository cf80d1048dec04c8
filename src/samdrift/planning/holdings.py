"""What is held in force today, kept in a summary table so that the monthly cost (the
overview, the municipality page, the agreement document) sums a few thousand rows
instead of grouping every assignment and subscription per request.

``HoldingFigure`` counts, per holder (municipality, service area), the devices held of
one product at one own price (``AssetPrice`` of bought-out assets), charged or not, and
the charged monthly subscriptions of one service and quantity — the rows
``leasing.prices.devices_grouped`` and ``subscriptions_grouped`` give — as of one day,
``HoldingFigureStamp.as_of``. They are priced when read, with billing's ``PriceBook``
(``leasing.prices.price_grouped``), so a price published later is right at once.

Kept correct as the fleet figures are (``planning.figures``, docs/performance.md):

- every writer of assignments calls ``inventory.figures.assets_changed``, and writers of
  subscriptions, own prices and persons' leaving ``holdings_changed`` (subscriptions and
  persons through their models' signals, connected in ``PlanningConfig``); ``refresh``,
  their listener, recounts those municipalities with two grouped ``INSERT … SELECT``;
- an assignment or subscription ending, a person leaving or an own price starting on a
  later day changes the figures without a write: ``current`` sees a stamp of another day
  and counts everything again (``rebuild``); ``samdrift fleet_figures`` does it daily;
- every count (``rebuild``, ``refresh``) draws a new ``HoldingFigureStamp.version``,
  which ``current`` returns: the monthly cost is remembered by it (with the prices and
  the scope, ``dashboard.selectors._kept_cost``);
- tests compare the monthly cost from the summary with ``priced_holdings`` after each
  kind of change (tests/dashboard/test_holding_figures.py).

The persons active on the stamp's day are counted here too, per holder
(``PersonFigure``, the overview's "active persons" card: ``active_persons``): they roll
over with the same day, so one stamp and one rebuild keep both; persons saved, deleted
or imported recount their municipalities (``refresh_persons``, from ``PlanningConfig``),
a change of assets does not; tests compare the card with
the person list's own count after each kind of change
(tests/dashboard/test_person_figures.py).
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable

from django.db import connection, transaction
from django.db.models import Count, IntegerField, Q, QuerySet, Sum
from django.utils import timezone

from samdrift.core.permissions import restrict
from samdrift.inventory.models import Assignment, Subscription
from samdrift.leasing.prices import devices_grouped, subscriptions_grouped
from samdrift.organisations.models import Person
from samdrift.organisations.selectors import active_persons_on
from samdrift.planning.figures import in_transaction, new_version
from samdrift.planning.models import HoldingFigure, HoldingFigureStamp, PersonFigure

# The columns written, in the order of each grouped SELECT (fields, then annotations).
DEVICE_COLUMNS = (
    "municipality_id",
    "service_area_id",
    "product_id",
    "own_price",
    "charged",
    "count",
)
SUBSCRIPTION_COLUMNS = ("municipality_id", "service_area_id", "service_id", "quantity", "count")
PERSON_COLUMNS = ("municipality_id", "service_area_id", "count")


def _insert(grouped: QuerySet, columns: tuple[str, ...], model=HoldingFigure) -> None:
    """``INSERT INTO figures SELECT …``: the grouping stays in the database."""
    sql, params = grouped.query.sql_with_params()
    quote = connection.ops.quote_name
    names = ", ".join(quote(column) for column in columns)
    with connection.cursor() as cursor:
        cursor.execute(f"INSERT INTO {quote(model._meta.db_table)} ({names}) {sql}", params)


def persons_grouped(persons: QuerySet, day: datetime.date) -> QuerySet:
    """The persons active on ``day`` counted per holder, in ``PERSON_COLUMNS``' order."""
    return (
        persons.filter(active_persons_on(day))
        .values("municipality_id", "service_area_id")
        .annotate(n=Count("pk"))
        .order_by()
    )


def _count(scope: Q, day: datetime.date) -> None:
    rows = HoldingFigure.objects.filter(scope)
    rows._raw_delete(rows.db)  # one DELETE: see planning.figures._delete
    _insert(devices_grouped(Assignment.objects.filter(scope), day), DEVICE_COLUMNS)
    _insert(subscriptions_grouped(Subscription.objects.filter(scope), day), SUBSCRIPTION_COLUMNS)


def _count_persons(scope: Q, day: datetime.date) -> None:
    rows = PersonFigure.objects.filter(scope)
    rows._raw_delete(rows.db)
    _insert(persons_grouped(Person.objects.filter(scope), day), PERSON_COLUMNS, PersonFigure)


def _stamp(*, lock: bool) -> HoldingFigureStamp:
    stamps = HoldingFigureStamp.objects.order_by("pk")
    stamp = (stamps.select_for_update() if lock else stamps).first()
    return stamp or HoldingFigureStamp.objects.create()


def rebuild(*, day: datetime.date | None = None) -> int:
    """Count everything held on ``day`` (today) again; the figures' new version."""
    day = day or timezone.localdate()
    with transaction.atomic():
        stamp = _stamp(lock=True)
        _count(Q(), day)
        _count_persons(Q(), day)
        stamp.as_of = day
        stamp.version = new_version()
        stamp.save()
    return stamp.version


def current(*, day: datetime.date) -> int:
    """Make the figures those of ``day`` (one query when they are) and return their
    version (``HoldingFigureStamp.version``): equal versions, equal holding rows."""
    stamp = _stamp(lock=False)
    if stamp.as_of == day:
        return stamp.version
    with transaction.atomic():
        stamp = _stamp(lock=True)
        if stamp.as_of == day:  # another request counted meanwhile
            return stamp.version
        return rebuild(day=day)


def refresh(*, municipality_ids: Iterable[int | None]) -> None:
    """Count what these municipalities hold again, as of the stamp's day: the listener of
    ``assets_changed`` and ``holdings_changed``, inside the writer's transaction. The
    stamp's row lock keeps two writers of one municipality apart (PostgreSQL)."""
    numbers = sorted(i for i in set(municipality_ids) if i is not None)
    if not numbers:
        return  # the pool holds nothing that is charged, and has no persons
    with in_transaction():
        stamp = _stamp(lock=True)
        if stamp.as_of is None:
            return  # never counted: the first read counts everything
        _count(Q(municipality_id__in=numbers), stamp.as_of)
        HoldingFigureStamp.objects.filter(pk=stamp.pk).update(version=new_version())


def refresh_persons(*, municipality_ids: Iterable[int | None]) -> None:
    """Count these municipalities' active persons again, as of the stamp's day: called
    when persons are saved, deleted or imported (``PlanningConfig``) — not on every
    change of assets, which moves no person."""
    numbers = sorted(i for i in set(municipality_ids) if i is not None)
    if not numbers:
        return
    with in_transaction():
        stamp = _stamp(lock=True)
        if stamp.as_of is None:
            return  # never counted: the first read counts everything
        _count_persons(Q(municipality_id__in=numbers), stamp.as_of)


def active_persons(*, user, day: datetime.date) -> int | None:
    """How many persons ``user`` may see are active on ``day`` — the person list's count
    with ``active_on=day`` — from the summary (two queries when it is current). None for
    another day than today: the summary is of one day, and a page asking about another
    day must not make every request count everything again."""
    if day != timezone.localdate():
        return None
    return kept_persons(user=user, day=day)


def active_persons_by_area(
    *, user, municipality_id: int, day: datetime.date
) -> dict[int | None, int] | None:
    """{service area id (None: none): persons active on ``day``} of one municipality that
    ``user`` may see, from the summary; None for another day than today (as
    ``active_persons``). The municipality page's reader
    (``organisations.figures.register_person_counts``)."""
    if day != timezone.localdate():
        return None
    current(day=day)
    rows = restrict(PersonFigure.objects.filter(municipality_id=municipality_id), user)
    counts: dict[int | None, int] = {}
    for area_id, count in rows.values_list("service_area_id", "count"):
        counts[area_id] = counts.get(area_id, 0) + count
    return counts


def kept_persons(*, user, day: datetime.date) -> int:
    """The persons ``user`` may see active on ``day``, summed over the summary (counted
    for ``day`` first if it is of another day)."""
    current(day=day)
    total = restrict(PersonFigure.objects.all(), user).aggregate(
        n=Sum("count", output_field=IntegerField())
    )["n"]
    return total or 0


def holding_rows(*, user, day: datetime.date, municipality_id: int | None = None):
    """(device rows, subscription rows) ``user`` may see held on ``day``, summed over the
    summary, in the shape ``leasing.prices.price_grouped`` takes. Two queries when the
    summary is current."""
    current(day=day)
    return counted_rows(user=user, municipality_id=municipality_id)


def counted_rows(*, user, municipality_id: int | None = None):
    """``holding_rows`` as counted now, for a caller that made them current (one query)."""
    rows = restrict(HoldingFigure.objects.all(), user)
    if municipality_id is not None:
        rows = rows.filter(municipality_id=municipality_id)
    grouped = (
        rows.values_list(
            "municipality_id",
            "service_area_id",
            "product_id",
            "service_id",
            "own_price",
            "charged",
            "quantity",
        )
        .annotate(n=Sum("count", output_field=IntegerField()))
        .order_by()
    )
    devices, subscriptions = [], []
    # Tuples, not ``values()``: one dict per row (the shape price_grouped takes), not two.
    for municipality, area, product, service, own_price, charged, quantity, n in grouped:
        if product is not None:
            devices.append(
                {
                    "municipality_id": municipality,
                    "service_area_id": area,
                    "asset__product_id": product,
                    "own_price": own_price,
                    "charged": charged,
                    "n": n,
                }
            )
        else:
            subscriptions.append(
                {
                    "municipality_id": municipality,
                    "service_area_id": area,
                    "service_id": service,
                    "quantity": quantity,
                    "n": n,
                }
            )
    return devices, subscriptions

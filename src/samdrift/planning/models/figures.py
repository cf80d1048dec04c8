"""The kept overview figures: counts per holder that the overview, the home page and the
municipality page sum for a user's scope instead of scanning assets, assignments and
persons on every request.

Why a module of its own: these rows are derived data — recounted by their writers
(``planning.figures``, ``planning.holdings``), never edited, not change-logged — and
share one shape: a holder (a service area of a municipality, the municipality itself,
or for fleet figures nobody: the pool) and a count, read through the tenancy paths of
``HolderFigure``.
"""

from __future__ import annotations

from decimal import Decimal
from typing import ClassVar

from django.db import models


class HolderFigure(models.Model):
    """A count kept for one holder: a service area of a municipality, or the
    municipality itself (``service_area`` NULL). Restricted to a user's scope by the
    same paths as the rows it counts.

    The (municipality, service area) index serves the scope filter and the
    municipality's foreign key. Each figure adds what it counts by, then its ``count``
    (declared last, as in its table).
    """

    municipality = models.ForeignKey(
        "organisations.Municipality",
        on_delete=models.CASCADE,
        null=True,
        related_name="+",
        db_index=False,  # the (municipality, service area) index serves it
    )
    service_area = models.ForeignKey(
        "organisations.ServiceArea",
        on_delete=models.CASCADE,
        null=True,
        related_name="+",
        db_index=False,
    )

    municipality_path: ClassVar[str | None] = "municipality"
    service_area_path: ClassVar[str | None] = "service_area"

    class Meta:
        abstract = True
        indexes = [models.Index(fields=["municipality", "service_area"])]

    def __str__(self) -> str:
        return f"{self.holder()}: {self.count}"

    def holder(self) -> str:
        return f"{self.municipality_id}/{self.service_area_id}"


class FleetFigure(HolderFigure):
    """How many assets one holder (a service area of a municipality, the municipality
    itself, or nobody: the pool) has of one product in one status — with, for those in
    service, their age bucket, their due bucket by the replacement rules and whether
    their lease ends soon — as of ``FleetFigureStamp.as_of``.

    The overview and the home page sum these rows for the user's scope instead of
    scanning the assets (``planning.figures``). Kept by the writers of assets
    (``inventory.figures.assets_changed``), rebuilt whole when the day or the rules
    change. Derived data: not change-logged.
    """

    # Indexed on its own too (as since the first migration): the holder's index does
    # not serve a look-up by service area alone.
    service_area = models.ForeignKey(
        "organisations.ServiceArea",
        on_delete=models.CASCADE,
        null=True,
        related_name="+",
    )
    product = models.ForeignKey(
        "catalogue.Product", on_delete=models.CASCADE, related_name="+", db_index=False
    )
    status = models.CharField(max_length=20)
    # In service only (else NULL): whole years since acquisition (-1 unknown), and the
    # due bucket of ``planning.figures.due_boundaries`` (-1 overdue, NULL later or never).
    age = models.SmallIntegerField(null=True)
    due = models.SmallIntegerField(null=True)
    lease_ending = models.BooleanField(default=False)
    count = models.PositiveIntegerField()

    def __str__(self) -> str:
        return f"{self.holder()}/{self.product_id}: {self.count}"


class FleetFigureStamp(models.Model):
    """The day and the replacement rules (a fingerprint) the fleet figures were counted
    for: one row. Another day or other rules and they are counted again."""

    as_of = models.DateField(null=True)
    rules = models.CharField(max_length=64, blank=True)
    # Drawn anew at every count, as ``HoldingFigureStamp.version``: what the figures
    # read are remembered by (``planning.figures.fleet_figures``).
    version = models.BigIntegerField(default=0)

    def __str__(self) -> str:
        return f"{self.as_of} {self.rules}"


class HoldingFigure(HolderFigure):
    """How many identical things one holder (a service area of a municipality, or the
    municipality itself) holds in force on ``HoldingFigureStamp.as_of``: devices of one
    product at one own price (bought-out assets), charged or not — or charged monthly
    subscriptions of one service and quantity. The monthly cost prices these rows at
    read time (``planning.holdings``, ``leasing.prices.price_grouped``); prices are not
    kept, so a price published later needs no recount. Derived data: not change-logged.
    """

    # A device row has the product, a subscription row the service.
    product = models.ForeignKey(
        "catalogue.Product", on_delete=models.CASCADE, null=True, related_name="+", db_index=False
    )
    service = models.ForeignKey(
        "catalogue.Service", on_delete=models.CASCADE, null=True, related_name="+", db_index=False
    )
    own_price = models.DecimalField(max_digits=14, decimal_places=2, null=True)
    # Defaults in the database: the grouped INSERT … SELECT of subscriptions leaves them out.
    charged = models.BooleanField(db_default=True)
    quantity = models.DecimalField(max_digits=12, decimal_places=3, db_default=Decimal("1"))
    count = models.PositiveIntegerField()

    def __str__(self) -> str:
        item = f"p{self.product_id}" if self.product_id else f"s{self.service_id}"
        return f"{self.holder()}/{item}: {self.count}"


class HoldingFigureStamp(models.Model):
    """The day the holding figures were counted for: one row. Another day and they are
    counted again."""

    as_of = models.DateField(null=True)
    # A random number drawn anew whenever the figures are counted (all, or some
    # municipalities'): what a reader remembers them by (the monthly cost,
    # ``dashboard.selectors``; ``planning.figures.new_version`` says why random).
    version = models.BigIntegerField(default=0)

    def __str__(self) -> str:
        return str(self.as_of)


class PersonFigure(HolderFigure):
    """How many persons of one holder (a service area of a municipality, or the
    municipality itself) are active on ``HoldingFigureStamp.as_of`` — the overview's
    "active persons" card sums these instead of counting 500,000 persons per request.
    Kept with the holding figures, by the same calls (``planning.holdings``): persons
    saved, deleted or imported. Derived data: not change-logged."""

    # Every person has a municipality: never the pool.
    municipality = models.ForeignKey(
        "organisations.Municipality",
        on_delete=models.CASCADE,
        related_name="+",
        db_index=False,  # the (municipality, service area) index serves it
    )
    count = models.PositiveIntegerField()

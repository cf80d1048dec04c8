"""The yearly indexation of service prices by an index (e.g. the municipal deflator):
shown old vs new first, then published as new versions."""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import QuerySet
from django.utils.translation import gettext as _

from samdrift.catalogue.models import Service
from samdrift.core.money import UNIT_PRICE_QUANTUM
from samdrift.finance.indexation import index_adjust
from samdrift.finance.money import ORE
from samdrift.leasing.choices import PublicationKind
from samdrift.leasing.models import PriceListPublication
from samdrift.leasing.pricing.versions import (
    PriceChange,
    already_published,
    check_year,
    later_versions,
    publish_versions,
    versions_in_force,
)


@dataclass
class IndexationRow(PriceChange):
    service_id: int
    service: str
    code: str
    unit: str
    old_amount: Decimal | None
    new_amount: Decimal | None
    problem: str = ""


@dataclass
class IndexationCalculation:
    year: int
    valid_from: datetime.date
    old_index: Decimal
    new_index: Decimal
    rows: list[IndexationRow] = field(default_factory=list)

    @property
    def factor(self) -> Decimal:
        return self.new_index / self.old_index

    @property
    def publishable_rows(self) -> list[IndexationRow]:
        return [row for row in self.rows if row.publishable]

    @property
    def blocked_rows(self) -> list[IndexationRow]:
        """Rows that make publishing refuse: a new price, but a later one exists."""
        return [row for row in self.rows if row.problem and row.new_amount is not None]


def index_quantum(price: Decimal) -> Decimal:
    """A price in whole øre is indexed to whole øre (DESIGN.md); a finer unit price such
    as 0.0850 kr per page keeps its four decimals rather than jumping to 0.09."""
    return ORE if price == price.quantize(ORE) else UNIT_PRICE_QUANTUM


def _check_indexes(old_index: Decimal | None, new_index: Decimal | None) -> None:
    errors = {}
    for name, value in (("old_index", old_index), ("new_index", new_index)):
        if value is None or value <= 0:
            errors[name] = _("An index value must be greater than zero (got %(value)s).") % {
                "value": value
            }
    if errors:
        raise ValidationError(errors)


def calculate_indexation(
    *,
    year: int,
    old_index: Decimal,
    new_index: Decimal,
    valid_from: datetime.date | None = None,
    services: QuerySet[Service] | None = None,
) -> IndexationCalculation:
    """Every active service's price in force the day before ``valid_from``, moved by
    ``new_index / old_index`` (``finance.indexation.index_adjust``). Two queries."""
    _check_indexes(old_index, new_index)
    valid_from = check_year(year, valid_from)
    day_before = valid_from - datetime.timedelta(days=1)
    services = (services if services is not None else Service.objects.all()).filter(active=True)
    services = list(services.order_by("name"))
    old_versions = versions_in_force(day=day_before, field_name="service")
    later = later_versions(day=valid_from, field_name="service")
    calculation = IndexationCalculation(
        year=year, valid_from=valid_from, old_index=old_index, new_index=new_index
    )
    for service in services:
        old = old_versions.get(service.pk)
        row = IndexationRow(
            service_id=service.pk,
            service=service.name,
            code=service.code,
            unit=service.get_unit_display(),
            old_amount=old.amount if old else None,
            new_amount=None,
        )
        if old is None:
            row.problem = _("No price in force on %(date)s to index.") % {
                "date": day_before.isoformat()
            }
        else:
            row.new_amount = index_adjust(
                price=old.amount,
                old_index=old_index,
                new_index=new_index,
                quantum=index_quantum(old.amount),
            )
            if service.pk in later:
                row.problem = already_published(later[service.pk])
        calculation.rows.append(row)
    return calculation


def publish_indexation(
    *,
    year: int,
    old_index: Decimal,
    new_index: Decimal,
    valid_from: datetime.date | None = None,
    index_name: str = "",
    services: QuerySet[Service] | None = None,
    note: str = "",
) -> PriceListPublication:
    """Publish indexed service prices as new versions from ``valid_from``; refused as a
    whole when a service to be indexed already has a later version."""
    with transaction.atomic():
        calculation = calculate_indexation(
            year=year,
            old_index=old_index,
            new_index=new_index,
            valid_from=valid_from,
            services=services,
        )
        return publish_versions(
            calculation=calculation,
            refusals=[
                _("%(service)s: %(problem)s") % {"service": r.service, "problem": r.problem}
                for r in calculation.blocked_rows
            ],
            field_name="service",
            note_of=lambda publication: (
                _("Indexed %(name)s %(old)s → %(new)s (publication %(id)s)")
                % {
                    "name": index_name or _("index"),
                    "old": old_index,
                    "new": new_index,
                    "id": publication.pk,
                }
            ),
            kind=PublicationKind.INDEXATION,
            index_name=index_name,
            old_index=old_index,
            new_index=new_index,
            note=note,
        )

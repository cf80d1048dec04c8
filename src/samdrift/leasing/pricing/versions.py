"""What the price list and the indexation share: checking the year, reading the versions in
force, the old/new row, and writing the new versions (the old one closed, never edited)."""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from samdrift.catalogue.models import PriceVersion
from samdrift.core.actor import current_actor
from samdrift.core.bulk import insert_objects
from samdrift.core.changelog import record_bulk_changes
from samdrift.core.choices import ChangeAction
from samdrift.core.dating import active_on
from samdrift.finance.money import ORE
from samdrift.leasing.models import PriceListPublication
from samdrift.leasing.pricing.lease_price import HUNDRED


def change_percent(old: Decimal | None, new: Decimal | None) -> Decimal | None:
    """The change from ``old`` to ``new`` in per cent (two decimals); None without a base."""
    if old is None or new is None or old == 0:
        return None
    return ((new - old) * HUNDRED / old).quantize(ORE)


def check_year(year: int, valid_from: datetime.date | None) -> datetime.date:
    if not 2000 <= year <= 2100:
        raise ValidationError({"year": _("Give a year between 2000 and 2100 (got %s).") % year})
    valid_from = valid_from or datetime.date(year, 1, 1)
    if valid_from.year != year:
        raise ValidationError(
            {
                "valid_from": _("The prices for %(year)s must start in %(year)s, not %(date)s.")
                % {"year": year, "date": valid_from.isoformat()}
            }
        )
    return valid_from


def versions_in_force(*, day: datetime.date, field_name: str, ids: Iterable[int] | None = None):
    """item id → the version of that item in force on ``day`` (one query)."""
    queryset = PriceVersion.objects.filter(active_on(day), **{f"{field_name}__isnull": False})
    if ids is not None:
        queryset = queryset.filter(**{f"{field_name}__in": list(ids)})
    return {getattr(v, f"{field_name}_id"): v for v in queryset}


def later_versions(*, day: datetime.date, field_name: str) -> dict[int, datetime.date]:
    """item id → the latest start of a version starting on or after ``day`` (one query)."""
    later: dict[int, datetime.date] = {}
    queryset = PriceVersion.objects.filter(
        valid_from__gte=day, **{f"{field_name}__isnull": False}
    ).values_list(f"{field_name}_id", "valid_from")
    for item_id, start in queryset:
        if item_id not in later or start > later[item_id]:
            later[item_id] = start
    return later


class PriceChange:
    """An old and a new price of one item, and whether the new one can be published;
    the rows of the price list and of the indexation share it."""

    old_amount: Decimal | None
    new_amount: Decimal | None
    problem: str

    @property
    def change(self) -> Decimal | None:
        if self.old_amount is None or self.new_amount is None:
            return None
        return self.new_amount - self.old_amount

    @property
    def change_percent(self) -> Decimal | None:
        return change_percent(self.old_amount, self.new_amount)

    @property
    def publishable(self) -> bool:
        """Has a new price that differs from the one in force (and nothing blocks it)."""
        return not self.problem and self.new_amount is not None and self.change != 0


def close_and_create(
    *,
    field_name: str,
    new_amounts: dict[int, Decimal],
    valid_from: datetime.date,
    note: str,
) -> list[PriceVersion]:
    """Close each item's version in force on ``valid_from`` and add the new versions, with
    their change-log rows. The caller holds the transaction.

    A fixed number of queries, whatever the number of items: the open versions are read
    (and locked) with their items, which ``PriceVersion.__str__`` names in the change log
    (read one by one, that was a query per version); closing them is one UPDATE (every
    row gets the same ``valid_to``); the new versions are one INSERT statement (ids
    taken up front, ``core.bulk``).
    """
    if not new_amounts:
        return []
    item_model = PriceVersion._meta.get_field(field_name).related_model
    items = item_model.objects.in_bulk(list(new_amounts))
    open_versions = list(
        PriceVersion.objects.select_for_update(of=("self",))
        .select_related(field_name)
        .filter(**{f"{field_name}_id__in": list(new_amounts)})
        .filter(Q(valid_to__isnull=True) | Q(valid_to__gt=valid_from), valid_from__lt=valid_from)
    )
    if open_versions:
        before = [v.changelog_data() for v in open_versions]
        now = timezone.now()
        PriceVersion.objects.filter(pk__in=[v.pk for v in open_versions]).update(
            valid_to=valid_from, last_updated=now
        )
        for version in open_versions:
            version.valid_to, version.last_updated = valid_from, now
        record_bulk_changes(open_versions, action=ChangeAction.UPDATE, before=before)
    created = [
        PriceVersion(
            amount=amount, valid_from=valid_from, note=note, **{field_name: items[item_id]}
        )
        for item_id, amount in new_amounts.items()
    ]
    insert_objects(created)
    return created


def already_published(later_start: datetime.date) -> str:
    """The problem of an item that has a version starting on or after the new one."""
    return _("A price from %(date)s is already published; prices in force are never rewritten.") % {
        "date": later_start.isoformat()
    }


def publish_versions(
    *,
    calculation,
    refusals: list[str],
    field_name: str,
    note_of,
    **publication_fields,
) -> PriceListPublication:
    """Publish ``calculation``'s publishable rows as new versions of the items named by
    ``field_name`` (``product`` or ``service``), recorded as one ``PriceListPublication``
    published by the current actor's user.

    Refused as a whole with ``refusals`` (one message a blocked row) when there are any;
    ``note_of(publication)`` is the note on every new version. The caller holds the
    transaction.
    """
    if refusals:
        raise ValidationError({"valid_from": refusals})
    rows = calculation.publishable_rows
    publication = PriceListPublication(
        year=calculation.year,
        valid_from=calculation.valid_from,
        versions_created=len(rows),
        published_by=current_actor().resolved_user(),
        **publication_fields,
    )
    publication.full_clean()
    publication.save()
    close_and_create(
        field_name=field_name,
        new_amounts={getattr(row, f"{field_name}_id"): row.new_amount for row in rows},
        valid_from=calculation.valid_from,
        note=note_of(publication),
    )
    return publication

"""What the global search (``ui.search``) finds of the inventory: devices by asset tag,
serial number or name, by their holder's name, and by the name of their service area.

At the design fleet (a million devices) the search must not scan the table once per
column, so it asks two questions:

1. the exact match, on indexes: the tag through ``asset_tag_upper_idx`` (the expression
   ``UPPER(asset_tag)``), the serial number through the partial unique index
   ``asset_unique_serial_number`` (whose condition the query repeats, so that SQLite uses
   it too). A scanned label finds its device here, and the page goes straight to it;
   when this finds a device, the second question is not asked;
2. otherwise the rest, in one pass: tag, serial number or name beginning with the query
   (``istartswith``: a prefix, never anywhere in the text), or the holder among the
   persons whose names the words begin, or the service area among those whose name
   contains the query (both small tables, as ``IN`` subqueries), in asset-tag order,
   stopping at the first ``limit``.
"""

from __future__ import annotations

from django.db.models import Q
from django.db.models.functions import Upper
from django.urls import reverse

from samdrift.core.permissions import restrict
from samdrift.inventory.models import Asset
from samdrift.organisations.models import ServiceArea
from samdrift.organisations.search import list_url, persons_matching
from samdrift.ui.search import SearchHit

_FIELDS = (
    "pk",
    "asset_tag",
    "serial_number",
    "name",
    "model_name",
    "person__first_name",
    "person__last_name",
    "service_area__name",
    "status",
)


def _hit(row: dict, *, exact: bool) -> SearchHit:
    holder = " ".join(filter(None, (row["person__first_name"], row["person__last_name"])))
    detail = " · ".join(
        part
        for part in (
            row["name"] or row["model_name"],
            row["serial_number"],
            holder,
            row["service_area__name"],
        )
        if part
    )
    return SearchHit(
        title=row["asset_tag"],
        detail=detail,
        url=reverse("inventory:asset_detail", args=[row["pk"]]),
        exact=exact,
    )


def find_devices(user, query: str, limit: int) -> list[SearchHit]:
    assets = restrict(Asset.objects.all(), user)
    serials = {query, query.upper()}
    exact = list(
        assets.annotate(tag_upper=Upper("asset_tag"))
        .filter(Q(tag_upper=query.upper()) | (Q(serial_number__in=serials) & ~Q(serial_number="")))
        .order_by("asset_tag")
        .values(*_FIELDS)[:limit]
    )
    hits = [_hit(row, exact=True) for row in exact]
    if hits:
        # A scanned label or typed serial: its device, without scanning for the rest.
        return hits
    areas = restrict(ServiceArea.objects.all(), user).filter(name__icontains=query)
    rest = (
        assets.filter(
            Q(asset_tag__istartswith=query)
            | Q(serial_number__istartswith=query)
            | Q(name__istartswith=query)
            | Q(person__in=persons_matching(user, query).values("pk"))
            | Q(service_area__in=areas.values("pk"))
        )
        .order_by("asset_tag")
        .values(*_FIELDS)[:limit]
    )
    return [_hit(row, exact=False) for row in rest]


def register() -> None:
    from django.utils.translation import gettext_lazy as _

    from samdrift.ui.search import register

    register(
        "devices",
        _("Devices"),
        find_devices,
        more_url=list_url("inventory:asset_list"),
        order=10,
    )

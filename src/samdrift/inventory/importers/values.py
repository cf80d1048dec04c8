"""What asset rows say, as other systems write it: status, origin and checkout
words (Snipe-IT, Ralph, Norwegian), the asset fields read and compared, and how a
holder is written."""

from __future__ import annotations

import re
from typing import Any

from django.db import models
from django.db.models.functions import Upper
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy

from samdrift.core.importing.parsing import CellError, Choice, Integer, as_text
from samdrift.inventory.choices import (
    AssetOrigin,
    AssetStatus,
)
from samdrift.inventory.models import Asset

IN_USE = frozenset({AssetStatus.DEPLOYED, AssetStatus.IN_REPAIR})

# Status names of other systems and Norwegian words. Snipe-IT's default labels ("Ready to
# Deploy" is deployable: in stock until checked out); Ralph's back-office statuses, by
# name and by the number its export writes (ralph/back_office/models.py and migration
# 0028: 1 new, 2 in progress, … 34). A label with Snipe-IT's status type after it,
# "Ready to Deploy (deployed)", is read by its label (see ``status_text``).
RALPH_STATUSES = {
    AssetStatus.IN_STOCK: (1, 2, 3, 10, 11, 13, 14, 16, 20, 21, 23, 24),
    AssetStatus.DEPLOYED: (4, 5, 9, 18, 19, 25, 27, 29, 30, 31, 32, 33, 34),
    AssetStatus.IN_REPAIR: (6, 8, 22, 26),
    AssetStatus.RETIRED: (12, 15, 17, 28),
    AssetStatus.DISPOSED: (7,),
}
STATUS_ALIASES = {
    AssetStatus.ORDERED: ("Pending", "Bestilt", "Venter", "On order"),
    AssetStatus.IN_STOCK: (
        "Ready to Deploy",
        "Deployable",
        "Available",
        "På lager",
        "Lager",
        "Ledig",
        "Stock",
        "new",
        "in progress",
        "waiting for release",
        "free",
        "reserved",
        "return in progress",
        "refurbished",
    ),
    AssetStatus.DEPLOYED: (
        "In use",
        "Deployed",
        "Checked out",
        "Utplassert",
        "I bruk",
        "Utlevert",
        "loan",
        "installed",
        "in use team",
        "in use test",
    ),
    AssetStatus.IN_REPAIR: (
        "Broken",
        "Out for Repair",
        "Out for Diagnostics",
        "Repair",
        "Til reparasjon",
        "Reparasjon",
        "Service",
        "damaged",
        "in service",
        "in maintenance",
        "quarantine",
    ),
    AssetStatus.RETIRED: (
        "Archived",
        "Broken - Not Fixable",
        "Undeployable",
        "Lost/Stolen",
        "Lost",
        "Stolen",
        "Utrangert",
        "Tapt",
        "sale",
        "to find",
        "taken for disposal",
    ),
    AssetStatus.DISPOSED: ("Kassert", "Avhendet", "Destroyed", "Scrapped", "liquidated"),
}
for _status, _numbers in RALPH_STATUSES.items():
    STATUS_ALIASES[_status] += tuple(str(n) for n in _numbers)
SNIPE_STATUS_TYPE = re.compile(
    r"^(.*\S)\s*\((?:deployed|deployable|pending|archived|undeployable)\)$", re.IGNORECASE
)


class AssetStatusChoice(Choice):
    """An asset status; Snipe-IT's report form "Ready to Deploy (deployed)" is read by
    its label: whether it is checked out the row's holder columns say."""

    def __call__(self, value: Any) -> str:
        if isinstance(value, str):
            match = SNIPE_STATUS_TYPE.match(value.strip())
            if match:
                value = match.group(1)
        return super().__call__(value)


# "36", "36 months" (Snipe-IT's asset list writes the unit after the number), "36 måneder".
MONTHS_TEXT = re.compile(
    r"^\s*(\d+)\s*(?:months?|mths?|mo|måneder|måned|mnd\.?|md\.?)?\s*$", re.IGNORECASE
)
MAX_WARRANTY_MONTHS = 1200


class WarrantyMonths:
    """A warranty in whole months, as Snipe-IT keeps it (``warranty_months``): its custom
    report writes the number, its list export "36 months"."""

    cacheable = True

    def __call__(self, value: Any) -> int:
        if isinstance(value, str):
            match = MONTHS_TEXT.match(value)
            if match is None:
                raise CellError(
                    _("a number of months was expected, not %(value)s") % {"value": value}
                )
            value = match.group(1)
        try:
            return Integer(minimum=0, maximum=MAX_WARRANTY_MONTHS)(value)
        except CellError:
            raise CellError(
                _("a number of months from 0 to %(maximum)d was expected, not %(value)s")
                % {"maximum": MAX_WARRANTY_MONTHS, "value": as_text(value)}
            ) from None


class CheckoutType(models.TextChoices):
    """What Snipe-IT checked an asset out to (its "Checkout Type" / report "Type")."""

    USER = "user", _lazy("Person")
    LOCATION = "location", _lazy("Location")
    ASSET = "asset", _lazy("Asset")


CHECKOUT_TYPE_ALIASES = {
    CheckoutType.USER: ("Bruker", "Person", "Ansatt"),
    CheckoutType.LOCATION: ("Lokasjon", "Sted"),
    CheckoutType.ASSET: ("Eiendel", "Hardware"),
}
ORIGIN_ALIASES = {
    AssetOrigin.PURCHASED: ("Kjøpt", "Innkjøpt", "Bought", "Owned"),
    AssetOrigin.BOUGHT_OUT: ("Innløst", "Kjøpt ut", "Buyout", "Bought out"),
    AssetOrigin.LEASED: ("Leaset", "Leasing", "Leid", "Lease"),
    AssetOrigin.MUNICIPALITY_OWNED: ("Kommunens", "Kommuneeid", "Municipality"),
}

ASSET_FIELDS = (
    "asset_tag",
    "serial_number",
    "name",
    "model_name",
    "status",
    "origin",
    "acquisition_date",
    "acquisition_cost",
    "lessor",
    "lease_start",
    "lease_end",
    "planned_replacement",
    "warranty_end",
    "notes",
)
# What is read of stored assets to compare them with the file.
STORED = (
    "id",
    *ASSET_FIELDS,
    "product_id",
    "municipality_id",
    "service_area_id",
    "person_id",
    "location_id",
)


def assets_by_upper_tag() -> models.QuerySet[Asset]:
    """Assets with their tag upper-cased as ``tag_upper``, to filter on: the expression
    of the index ``asset_tag_upper_idx``, so the look-up uses it (tested with EXPLAIN)."""
    return Asset.objects.annotate(tag_upper=Upper("asset_tag"))


def same(obj: Any, stored: Any) -> bool:
    """Is the (maybe new, unsaved) object ``obj`` the stored object ``stored``?"""
    if obj is None or stored is None:
        return obj is None and stored is None
    return obj.pk is not None and obj.pk == stored.pk


def holder_ids(holder: tuple | None) -> dict[str, int | None]:
    """The holder's ids by the asset's (and assignment's) attribute names."""
    if holder is None:
        return dict.fromkeys(("municipality_id", "service_area_id", "person_id", "location_id"))
    municipality, area, person, location = holder
    # ``.id`` rather than ``.pk``: read straight from the instance (100,000s of times).
    return {
        "municipality_id": municipality.id,
        "service_area_id": area.id if area is not None else None,
        "person_id": person.id if person is not None else None,
        "location_id": location.id if location is not None else None,
    }

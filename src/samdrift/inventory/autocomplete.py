"""Assets as an autocomplete source (``ui.autocomplete``): found by asset tag, serial
number or product, pinned to a municipality's holdings when a form asks."""

from __future__ import annotations

from samdrift.inventory.models import Asset
from samdrift.ui import autocomplete


def asset_label(asset: Asset) -> str:
    return f"{asset.asset_tag} – {asset.product} ({asset.serial_number or '–'})"


def register() -> None:
    autocomplete.register(
        "asset",
        queryset=Asset.objects.select_related("product").order_by("asset_tag"),
        search_fields=("asset_tag", "serial_number", "product__name"),
        label=asset_label,
        filters={"municipality": "municipality_id"},
    )

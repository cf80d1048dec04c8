"""What leasing shows on the asset page (``ui.panels``): what the invoice charges for the
asset this month by the one price resolution (``leasing.prices``), and its list prices.
Registered from ``LeasingConfig.ready()``."""

from __future__ import annotations

from django.utils import timezone

from samdrift.catalogue.models import PriceVersion
from samdrift.catalogue.selectors import price_on
from samdrift.core.permissions import restrict
from samdrift.inventory.choices import OUT_OF_SERVICE
from samdrift.inventory.models import Assignment, Subscription
from samdrift.leasing.prices import priced_holdings
from samdrift.ui import panels


def asset_price(request, asset, shared: dict) -> dict:
    today = timezone.localdate()
    # A retired or disposed asset is not priced.
    in_service = asset.status not in OUT_OF_SERVICE
    # What the invoice charges for this asset today, by billing's own price resolution
    # (its own price, else its holder's agreed price, else the list price).
    held = (
        priced_holdings(
            day=today,
            assignments=restrict(Assignment.objects.filter(asset=asset), request.user),
            subscriptions=Subscription.objects.none(),
        )
        if in_service
        else []
    )
    price = price_on(day=today, product=asset.product) if in_service else None
    prices = list(PriceVersion.objects.filter(product=asset.product).order_by("-valid_from")[:10])
    return {
        "asset": asset,
        "charge": held[0] if held else None,
        "price": price,
        "prices": prices if in_service else [],
        "in_service": in_service,
    }


def register() -> None:
    panels.register_panel(
        "inventory:asset_detail",
        slots={"price": "leasing/panels/asset_price.html"},
        context=asset_price,
    )

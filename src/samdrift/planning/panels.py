"""What planning shows on other apps' pages (``ui.panels``), registered from
``PlanningConfig.ready()``: on the asset page, when the device falls due for replacement,
why, and by what it is replaced (and the campaigns that took it in); on the municipality
page, the links to its forecast and its devices due."""

from __future__ import annotations

from django.utils import timezone
from django.utils.translation import gettext as _

from samdrift.catalogue.models import Product
from samdrift.core.permissions import restrict
from samdrift.finance.depreciation import add_months
from samdrift.inventory import markers
from samdrift.inventory.choices import IN_SERVICE
from samdrift.planning.filtersets import DueDeviceFilterSet
from samdrift.planning.models import CampaignDevice
from samdrift.planning.rules import RuleBook
from samdrift.ui import panels
from samdrift.ui.cards import card


def asset_replacement(request, asset, shared: dict) -> dict:
    today = timezone.localdate()
    in_service = asset.status in IN_SERVICE
    due = replacement = None
    if in_service:
        rules = RuleBook()
        due = rules.due_of(asset)
        replacement = (
            Product.objects.filter(pk=rules.rule_for(asset.product_id).replacement_id)
            .only("pk", "name", "standard_cost")
            .first()
        )
    campaigns = list(
        restrict(CampaignDevice.objects.filter(asset=asset), request.user)
        .select_related("campaign")
        .order_by("-campaign__starts_on")
    )
    return {
        "asset": asset,
        "in_service": in_service,
        "due": due,
        "overdue": due is not None and due.on < today,
        "replacement": replacement,
        "campaign_devices": campaigns,
        "today": today,
    }


def municipality_links(request, municipality, shared: dict) -> dict:
    today = timezone.localdate()
    rules = RuleBook()
    own = {"municipality": municipality.pk}

    def due_card(params: dict):
        return card(
            user=request.user,
            url_name="planning:due_devices",
            filterset_class=DueDeviceFilterSet,
            params={**own, **params},
            filterset_kwargs={"rules": rules},
        )

    return {
        "municipality": municipality,
        "today": today,
        "cards": {
            "due": due_card({"after": today, "before": add_months(today, 12)}),
            "overdue": due_card({"before": today}),
        },
    }


def register() -> None:
    markers.register(overdue_markers)
    panels.register_panel(
        "inventory:asset_detail",
        slots={"price": "planning/panels/asset_replacement.html"},
        context=asset_replacement,
        order=110,  # after the price
    )
    panels.register_panel(
        "organisations:municipality_detail",
        slots={"cards": "planning/panels/municipality_links.html"},
        context=municipality_links,
        order=30,  # after the inventory's and the dashboard's cards
    )


def overdue_markers(user, assets, today) -> dict:
    """The asset list's and page's indicator (``inventory.markers``): a device in
    service whose replacement fell due before today, by the rule book (one query)."""
    in_service = [asset for asset in assets if asset.status in IN_SERVICE]
    if not in_service:
        return {}
    rules = RuleBook()
    found = {}
    for asset in in_service:
        due = rules.due_of(asset)
        if due is not None and due.on < today:
            found[asset.pk] = [
                markers.Marker(
                    "replacement-overdue",
                    _("Replacement overdue since %(date)s") % {"date": due.on.strftime("%d.%m.%Y")},
                    "danger",
                )
            ]
    return found

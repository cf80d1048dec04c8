"""What planning shows on other apps' pages (``ui.panels``), registered from
``PlanningConfig.ready()``: on the asset page, when the device falls due for replacement,
why, and by what it is replaced (and the campaigns that took it in); on the municipality
page, the links to its forecast and its devices due."""

from __future__ import annotations

from django.db.models import IntegerField, OuterRef, Subquery, Sum
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext as _

from samdrift.catalogue.models import Product
from samdrift.core.permissions import restrict
from samdrift.inventory import figures as inventory_figures
from samdrift.inventory import markers
from samdrift.inventory.choices import IN_SERVICE
from samdrift.planning import figures
from samdrift.planning.models import CampaignDevice, FleetFigure
from samdrift.planning.rules import RuleBook
from samdrift.ui import panels
from samdrift.ui.cards import counted_card


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
    """The municipality's devices due within a year and overdue: sums of the kept fleet
    figures (``planning.figures``) of that municipality, linking to the list they count
    (tests/planning/test_figures.py compares them), not two counts over its assets."""
    today = timezone.localdate()
    fleet = figures.fleet_figures(
        user=request.user, day=today, rules=RuleBook(), municipality_id=municipality.pk
    )
    own = {"municipality": municipality.pk}
    until = figures.due_until(today)

    def due_card(count: int, params: dict):
        return counted_card(count=count, url_name="planning:due_devices", params={**own, **params})

    return {
        "municipality": municipality,
        "today": today,
        "cards": {
            "due": due_card(fleet.due_between(today, until), {"after": today, "before": until}),
            "overdue": due_card(fleet.overdue, {"before": today}),
        },
    }


def municipality_categories(*, user, municipality_id: int) -> list[dict]:
    """The inventory's municipality panel's assets per category
    (``inventory.figures.register_category_counts``), from the kept fleet figures."""
    fleet = figures.fleet_figures(
        user=user, day=timezone.localdate(), rules=RuleBook(), municipality_id=municipality_id
    )
    return [
        {"product__category__name": name, "n": n}
        for name, n in fleet.by_category(figures.category_names()).items()
    ]


def kept_asset_count(holder: str):
    """The ``assets_count`` column of the municipality and service-area lists and of the
    municipality page's service areas (``ui.panels.register_count``), as the sum of the
    kept fleet figures of each row's ``holder`` (``"municipality"``, ``"service_area"``)
    that the user may see — the same assets the inventory's ``count_of`` counts, without
    counting them: the operator's municipality list counted all 1.1 million assets of the
    design scale per request (144 ms), the largest municipality's page each of its
    service areas' (54 ms on PostgreSQL). The figures are made current first, as every
    reader of them does; tests/planning/test_figures.py compares both counts."""

    def expression(user):
        figures.current(day=timezone.localdate(), rules=RuleBook())
        kept = (
            restrict(FleetFigure.objects.filter(**{f"{holder}_id": OuterRef("pk")}), user)
            .order_by()
            .values(f"{holder}_id")
            .annotate(n=Sum("count"))
            .values("n")
        )
        return Coalesce(Subquery(kept, output_field=IntegerField()), 0)

    return expression


def register() -> None:
    markers.register(overdue_markers)
    inventory_figures.register_category_counts(municipality_categories)
    # After the inventory's own (InventoryConfig is ready first): these replace its counts.
    for page, holder in (
        ("organisations:municipality_list", "municipality"),
        ("organisations:service_area_list", "service_area"),
        ("organisations:municipality_detail", "service_area"),
    ):
        panels.register_count(page, "assets_count", kept_asset_count(holder))
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

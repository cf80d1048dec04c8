"""What the inventory shows on the organisations and catalogue pages (``ui.panels``):
the assets a municipality, service area or person holds and the subscriptions a person
has. Registered from ``InventoryConfig.ready()``."""

from __future__ import annotations

from django.db.models import Count
from django.utils import timezone

from samdrift.core.dating import active_on
from samdrift.core.permissions import restrict
from samdrift.inventory import figures
from samdrift.inventory.filtersets import AssetFilterSet
from samdrift.inventory.models import Asset, Assignment, Subscription
from samdrift.inventory.selectors import mark_in_force
from samdrift.ui import panels
from samdrift.ui.cards import card
from samdrift.ui.lists import count_of


def _asset_card(user, params: dict):
    return card(
        user=user, url_name="inventory:asset_list", filterset_class=AssetFilterSet, params=params
    )


def municipality_assets(request, municipality, shared: dict) -> dict:
    user = request.user
    # Each card counts the list it links to (ui.cards), for this municipality.
    own = {"municipality": municipality.pk}
    # Per category from the kept fleet figures (inventory.figures), else grouped here.
    by_category = figures.category_counts(user=user, municipality_id=municipality.pk)
    if by_category is None:
        assets = restrict(Asset.objects.filter(municipality=municipality), user)
        by_category = list(
            assets.values("product__category__name")
            .annotate(n=Count("pk"))
            .order_by("product__category__name")
        )
    return {
        "municipality": municipality,
        "cards": {
            "assets": _asset_card(user, own),
        },
        "assets_by_category": by_category,
    }


def person_holdings(request, person, shared: dict) -> dict:
    user = request.user
    today = timezone.localdate()
    assignments = mark_in_force(
        restrict(Assignment.objects.filter(person=person), user)
        .select_related("asset__product__category", "service_area", "location")
        .order_by("-valid_from", "-pk"),
        day=today,
    )
    subscriptions = list(
        restrict(Subscription.objects.filter(person=person), user)
        .select_related("service", "service_area")
        .order_by("-valid_from", "-pk")
    )
    current_filter = active_on(today)
    current_ids = set(
        restrict(Subscription.objects.filter(person=person), user)
        .filter(current_filter)
        .values_list("pk", flat=True)
    )
    return {
        "assets_now": [a for a in assignments if a.in_force],
        "assignment_history": assignments,
        "subscriptions_now": [s for s in subscriptions if s.pk in current_ids],
        "subscription_history": [s for s in subscriptions if s.pk not in current_ids],
    }


def register() -> None:
    for page, field in (
        ("organisations:municipality_list", "municipality"),
        ("organisations:service_area_list", "service_area"),
        ("organisations:municipality_detail", "service_area"),  # its service-area rows
        ("catalogue:product_list", "product"),
    ):
        panels.register_count(
            page, "assets_count", lambda user, field=field: count_of(Asset, field, user)
        )
    panels.register_panel(
        "organisations:municipality_detail",
        slots={
            "cards": "inventory/panels/municipality_cards.html",
            "beside_persons": "inventory/panels/municipality_assets.html",
        },
        context=municipality_assets,
        order=10,
    )
    panels.register_panel(
        "organisations:person_detail",
        slots={
            "beside_facts": "inventory/panels/person_now.html",
            "below": "inventory/panels/person_history.html",
        },
        context=person_holdings,
    )

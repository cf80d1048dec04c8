"""What the dashboard shows on the municipality page (``ui.panels``): its monthly cost,
per service area and per item. Registered from ``DashboardConfig.ready()``."""

from __future__ import annotations

from django.utils import timezone
from django.utils.translation import gettext as _

from samdrift.dashboard.selectors import monthly_cost, service_area_names
from samdrift.ui import panels


def municipality_cost(request, municipality, shared: dict) -> dict:
    user = request.user
    today = timezone.localdate()
    cost = monthly_cost(user=user, day=today, municipality_id=municipality.pk)
    # The page offers the service areas it lists (those the user may see).
    areas = shared.get("service_areas")
    if areas is None:
        areas = service_area_names(user, municipality.pk).values()
    area_names = {area.pk: area.name for area in areas}
    cost_by_area = sorted(
        (
            (area_names.get(area_id, _("No service area")), amount)
            for (_m, area_id), amount in cost.by_service_area().items()
        ),
        key=lambda row: (-row[1], row[0]),
    )
    return {"cost": cost, "cost_by_area": cost_by_area, "today": today}


def register() -> None:
    panels.register_panel(
        "organisations:municipality_detail",
        slots={
            "cards": "dashboard/panels/municipality_cost_card.html",
            "beside_facts": "dashboard/panels/municipality_cost.html",
        },
        context=municipality_cost,
        order=20,  # after the inventory's cards
    )

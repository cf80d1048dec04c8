"""Leasing's notification on the home page (``ui.notifications``): leased devices in
service whose lease ends in the next 90 days — or has already ended, since a device
still in service after its lease is as much in need of a decision.

Counted through the asset list's own filters (``in_service`` and ``lease_end_before``,
``ui.cards.card``), so the link opens exactly these devices."""

from __future__ import annotations

import datetime

from django.utils.translation import ngettext

from samdrift.inventory.filtersets import AssetFilterSet, in_service
from samdrift.ui.cards import card
from samdrift.ui.notifications import Notification
from samdrift.ui.notifications import register as register_provider

SOON_DAYS = 90


def leases_ending(user, today: datetime.date, shared: dict) -> Notification:
    """The home page offers the count summed from the fleet figures (``shared``'s
    ``"leases_ending"``, ``planning.figures``); otherwise one count query."""
    found = shared.get("leases_ending") or card(
        user=user,
        url_name="inventory:asset_list",
        filterset_class=AssetFilterSet,
        params={
            **in_service(),
            "lease_end_before": today + datetime.timedelta(days=SOON_DAYS),
        },
    )
    label = ngettext(
        "device in service whose lease ends within 90 days (or has ended)",
        "devices in service whose lease ends within 90 days (or has ended)",
        found.count,
    )
    return Notification(label=label, count=found.count, url=found.url)


def register() -> None:
    register_provider("leasing.ending", leases_ending, order=40)

"""Planning's notifications on the home page (``ui.notifications``): devices overdue
for replacement, and devices due in the next 90 days, by the replacement rules in force.

Both are counts of planning's own list of due devices (``DueDeviceFilterSet``, through
``ui.cards.card``), so the number is the rows the link opens. The home page already
sums both counts from the fleet figures (``planning.figures``) and reads the rules once:
it offers them in ``shared`` (``"overdue"`` and ``"due_soon"``: ``ui.cards.Card``,
``"rules"``: a ``RuleBook``), and they are reused here rather than counted or read
again."""

from __future__ import annotations

import datetime

from django.utils.translation import ngettext

from samdrift.planning.filtersets import DueDeviceFilterSet
from samdrift.planning.rules import RuleBook
from samdrift.ui.cards import Card, card
from samdrift.ui.notifications import WARNING, Notification
from samdrift.ui.notifications import register as register_provider

SOON_DAYS = 90


def _due_card(user, params: dict, shared: dict) -> Card:
    rules = shared.get("rules")
    if rules is None:
        rules = shared["rules"] = RuleBook()  # read once for both notifications
    return card(
        user=user,
        url_name="planning:due_devices",
        filterset_class=DueDeviceFilterSet,
        params=params,
        filterset_kwargs={"rules": rules},
    )


def overdue_devices(user, today: datetime.date, shared: dict) -> Notification:
    found = shared.get("overdue") or _due_card(user, {"before": today}, shared)
    label = ngettext(
        "device in service past its planned replacement",
        "devices in service past their planned replacement",
        found.count,
    )
    return Notification(label=label, count=found.count, url=found.url, severity=WARNING)


def devices_due_soon(user, today: datetime.date, shared: dict) -> Notification:
    """Due on or after today and before today + 90 days (offered by the home page as
    ``"due_soon"``, summed from the fleet figures; counted here otherwise)."""
    found = shared.get("due_soon") or _due_card(
        user, {"after": today, "before": today + datetime.timedelta(days=SOON_DAYS)}, shared
    )
    label = ngettext(
        "device due for replacement in the next 90 days",
        "devices due for replacement in the next 90 days",
        found.count,
    )
    return Notification(label=label, count=found.count, url=found.url)


def register() -> None:
    register_provider("planning.overdue", overdue_devices, order=30)
    register_provider("planning.due", devices_due_soon, order=31)

"""Indicators on the asset list and page: small labels next to a device that needs
attention. The inventory gives the lease's (ended, or ending within 90 days); an app
above adds its own from its ``AppConfig.ready()`` with ``register`` (planning: the
replacement is overdue), since the inventory may not import it.

A provider is ``provider(user, assets, today)`` → ``{asset id: [Marker, …]}`` for the
assets of one page: it must cost a constant number of queries, whatever their number.
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from django.utils.translation import gettext as _

from samdrift.inventory.choices import OUT_OF_SERVICE

LEASE_WARNING_DAYS = 90


@dataclass(frozen=True)
class Marker:
    key: str  # stable, for styling and tests: "lease-ended", "replacement-overdue"
    label: str
    severity: str = "warning"  # "warning" or "danger"


Provider = Callable[[object, Sequence, datetime.date], dict[int, list[Marker]]]
_providers: list[Provider] = []


def register(provider: Provider) -> None:
    if provider not in _providers:
        _providers.append(provider)


def lease_markers(user, assets: Sequence, today: datetime.date) -> dict[int, list[Marker]]:
    """A lease that has ended, or ends within ``LEASE_WARNING_DAYS``, of a device still
    in use (retired and disposed ones are past caring)."""
    found: dict[int, list[Marker]] = {}
    soon = today + datetime.timedelta(days=LEASE_WARNING_DAYS)
    for asset in assets:
        end = asset.lease_end
        if end is None or asset.status in OUT_OF_SERVICE:
            continue
        if end <= today:
            found[asset.pk] = [Marker("lease-ended", _("Lease ended"), "danger")]
        elif end <= soon:
            found[asset.pk] = [
                Marker(
                    "lease-ending",
                    _("Lease ends %(date)s") % {"date": end.strftime("%d.%m.%Y")},
                )
            ]
    return found


def markers_for(user, assets: Sequence, today: datetime.date) -> dict[int, list[Marker]]:
    """Every indicator of ``assets``, by asset id."""
    assets = list(assets)
    combined: dict[int, list[Marker]] = defaultdict(list)
    if not assets:
        return {}
    for provider in (lease_markers, *_providers):
        for pk, markers in provider(user, assets, today).items():
            combined[pk].extend(markers)
    return dict(combined)

"""The number cards of the overview and the municipality page.

A card's number is the row count of the list it links to: each card is defined by the
list's own filter parameters, counted through the list's FilterSet on the same restricted
queryset the list starts from. So "1 204 due for replacement" opens a list of 1 204.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from types import SimpleNamespace

from django.http import QueryDict
from django.urls import reverse

from samdrift.core.permissions import restrict
from samdrift.finance.depreciation import add_months
from samdrift.inventory.filtersets import AssetFilterSet
from samdrift.inventory.models import Asset
from samdrift.organisations.filtersets import PersonFilterSet
from samdrift.organisations.models import Person

# The list each kind of card counts and opens: (URL name, model, FilterSet).
LISTS = {
    "assets": ("inventory:asset_list", Asset, AssetFilterSet),
    "persons": ("organisations:person_list", Person, PersonFilterSet),
}


@dataclass(frozen=True)
class Card:
    """A card's number and the link to its rows."""

    count: int
    url: str


def card(*, user, rows: str, params: dict) -> Card:
    """Count the ``rows`` list filtered by ``params`` (what the list shows at that URL)."""
    url_name, model, filterset_class = LISTS[rows]
    data = QueryDict(mutable=True)
    for name, value in params.items():
        values = value if isinstance(value, list | tuple) else [value]
        data.setlist(name, [v.isoformat() if hasattr(v, "isoformat") else str(v) for v in values])
    filterset = filterset_class(
        data,
        queryset=restrict(model._default_manager.all(), user),
        request=SimpleNamespace(user=user),
    )
    query = data.urlencode()
    url = f"{reverse(url_name)}?{query}" if query else reverse(url_name)
    return Card(count=filterset.filter_or_raise().count(), url=url)


def in_service() -> dict:
    return {"in_service": "true"}


def due_for_replacement(day: datetime.date) -> dict:
    """In service, with a planned replacement in the twelve months from ``day``."""
    return {**in_service(), "replacement_after": day, "replacement_before": add_months(day, 12)}


def past_replacement(day: datetime.date) -> dict:
    """In service, with a planned replacement before ``day``."""
    return {**in_service(), "replacement_before": day}


def active_persons(day: datetime.date) -> dict:
    return {"active_on": day}

"""Write operations on lease models and on the lease terms of product categories
(buyouts have ``leasing.buyouts``, price lists ``leasing.pricing``).

Each validates the whole object and writes it, with its change-log row, in one
transaction; the actor is whoever the entry point set (docs/services.md)."""

from __future__ import annotations

from typing import Any

from samdrift.catalogue.models import ProductCategory
from samdrift.catalogue.services import save_category
from samdrift.core.services import save_object
from samdrift.leasing.models import LeaseModel


def save_lease_model(
    *, lease_model: LeaseModel, changes: dict[str, Any] | None = None
) -> LeaseModel:
    """Create or edit a lease model (``changes`` applied to ``lease_model`` first)."""
    return save_object(instance=lease_model, changes=changes)


def set_category_lease_terms(
    *, category: ProductCategory, lease_model: LeaseModel | None, useful_life_months: int
) -> ProductCategory:
    """How a category is financed and depreciated: its lease model (None: not leased) and
    useful life (which straight-line depreciation and buyout valuations read)."""
    return save_category(
        category=category,
        changes={"lease_model": lease_model, "useful_life_months": useful_life_months},
    )

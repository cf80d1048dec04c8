"""Write operations on lease models (buyouts have ``leasing.buyouts``, price lists
``leasing.pricing``).

Each validates the whole object and writes it, with its change-log row, in one
transaction; the actor is whoever the entry point set (docs/services.md)."""

from __future__ import annotations

from typing import Any

from samdrift.core.services import save_object
from samdrift.leasing.models import LeaseModel


def save_lease_model(
    *, lease_model: LeaseModel, changes: dict[str, Any] | None = None
) -> LeaseModel:
    """Create or edit a lease model (``changes`` applied to ``lease_model`` first)."""
    return save_object(instance=lease_model, changes=changes)

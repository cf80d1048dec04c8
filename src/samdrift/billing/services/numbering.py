"""The seller on invoices and credit notes, and their gapless document numbers."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from samdrift.billing.models import (
    DocumentCounter,
)
from samdrift.organisations.models import Collaboration


def require_collaboration() -> Collaboration:
    collaboration = Collaboration.get()
    if collaboration is None:
        raise ValidationError(
            _("The collaboration (the seller on invoices) is not set up; run 'samdrift init'.")
        )
    return collaboration


def next_number(*, series: str, year: int) -> int:
    """The next number of ``series`` in ``year``, taken under a row lock on its counter
    (see ``DocumentCounter``): gapless, because it rolls back with the transaction."""
    counter, _created = DocumentCounter.objects.select_for_update().get_or_create(
        series=series, year=year
    )
    counter.last_number += 1
    counter.save(update_fields=["last_number"])
    return counter.last_number

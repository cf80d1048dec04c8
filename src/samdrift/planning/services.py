"""Writes of the replacement rules and the ends of support, one transaction each.

Campaigns are written by ``planning.campaigns``, scenarios by ``planning.scenarios``;
this module holds the plain reference data the pages and the API edit. Validation first
(the model's own rules, naming the field); the change log is written in the same
transaction.
"""

from __future__ import annotations

from typing import Any

from django.db import transaction

from samdrift.core.services import save_object
from samdrift.planning.choices import RuleBasis
from samdrift.planning.models import ProductSupport, ReplacementRule

RULE_FIELDS = ("category", "basis", "max_age_months", "replacement_product", "note")
SUPPORT_FIELDS = ("product", "what", "released_on", "end_of_support")


def save_rule(*, rule: ReplacementRule, changes: dict[str, Any] | None = None) -> ReplacementRule:
    """Create or change a category's replacement rule (``changes`` applied first).

    A rule replaced after the lease term keeps no maximum age: the age would be
    shown on the page though it decides nothing."""
    changes = dict(changes or {})
    basis = changes.get("basis", rule.basis)
    if basis != RuleBasis.MAX_AGE:
        changes["max_age_months"] = None
    return save_object(instance=rule, changes=changes)


@transaction.atomic
def delete_rule(*, rule: ReplacementRule) -> None:
    """Forget a category's rule: its devices fall due by the other dates only."""
    rule.delete()


def save_support(
    *, support: ProductSupport, changes: dict[str, Any] | None = None
) -> ProductSupport:
    """Create or change a product's end of support (``changes`` applied first)."""
    return save_object(instance=support, changes=changes)


@transaction.atomic
def delete_support(*, support: ProductSupport) -> None:
    support.delete()

"""When a device falls due for replacement, and why — the rule written once.

A device in service (deployed or in repair) is due on the earliest of:

- its own **planned replacement** date, where set;
- its product's **end of support** (``ProductSupport``);
- its category's rule (``ReplacementRule``): the **lease term** — the device's lease end
  where set, else its acquisition date plus the term of the category's lease model — or a
  **maximum age** in months from its acquisition date;
- its **warranty end**, where set.

Ties are broken in the order of ``DueReason`` (planned first). A device none of these
applies to has no due date.

``RuleBook.due`` gives one device's due date from its columns (the plan streams a million
of them through it); ``RuleBook.due_before`` gives the same rule as a database filter, so a
list of overdue devices is a query, not a scan: ``due < day`` holds exactly when one of
the dates above is before ``day`` (tests/planning/test_rules.py checks the two agree).
Ages are counted with ``finance.depreciation.add_months`` (31 January + 1 month is the
last day of February), as everywhere else.
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from dataclasses import dataclass

from django.db.models import Q

from samdrift.catalogue.models import Product
from samdrift.finance.depreciation import add_months
from samdrift.inventory.choices import IN_SERVICE
from samdrift.planning.choices import DueReason, RuleBasis

ONE_DAY = datetime.timedelta(days=1)

# The columns of ``inventory.Asset`` that ``RuleBook.due`` reads, in its argument order.
DUE_COLUMNS = (
    "product_id",
    "acquisition_date",
    "lease_end",
    "warranty_end",
    "planned_replacement",
)


@dataclass(frozen=True)
class Due:
    on: datetime.date
    reason: str  # a DueReason value

    @property
    def reason_label(self) -> str:
        return DueReason(self.reason).label


@dataclass(frozen=True)
class ProductRule:
    """What the rules say about the devices of one product."""

    end_of_support: datetime.date | None
    basis: str | None  # a RuleBasis value, or None: the category has no rule
    months: int | None  # the maximum age or the lease term, in months
    replacement_id: int  # the product that replaces it


def in_service() -> Q:
    """Devices that age and fall due: deployed or in repair."""
    return Q(status__in=IN_SERVICE)


def months_threshold(day: datetime.date, months: int) -> datetime.date:
    """The first acquisition date ``x`` with ``add_months(x, months) >= day``: a device
    acquired before it is older than ``months`` on ``day``. ``add_months`` clamps to the
    month end, so the answer is found next to ``day`` moved back, not computed."""
    candidate = add_months(day, -months)
    while add_months(candidate, months) < day:
        candidate += ONE_DAY
    while add_months(candidate - ONE_DAY, months) >= day:
        candidate -= ONE_DAY
    return candidate


class RuleBook:
    """The rules in force, read once (one query); then pure look-ups.

    ``lease_term_months`` replaces every lease model's term (a scenario's assumption).
    """

    def __init__(self, *, lease_term_months: int | None = None):
        # A term of 0 is no term (a scenario cannot hold one): read it as "no override",
        # or ``due`` and ``due_before`` would disagree for categories without a lease model.
        lease_term_months = lease_term_months or None
        self.lease_term_override = lease_term_months
        self.products: dict[int, ProductRule] = {}
        # One query: a product, its category's rule and lease term, its end of support
        # (both one-to-one, so one row per product).
        for product_id, term, basis, max_age, replacement_id, eos in Product.objects.values_list(
            "pk",
            "category__lease_model__term_months",
            "category__replacement_rule__basis",
            "category__replacement_rule__max_age_months",
            "category__replacement_rule__replacement_product_id",
            "support__end_of_support",
        ):
            months = None
            if basis == RuleBasis.MAX_AGE:
                months = max_age
            elif basis is not None:
                months = lease_term_months or term
            self.products[product_id] = ProductRule(
                end_of_support=eos,
                basis=basis,
                months=months,
                replacement_id=replacement_id or product_id,
            )

    def rule_for(self, product_id: int) -> ProductRule:
        return self.products[product_id]

    def due(
        self,
        product_id: int,
        acquisition_date: datetime.date | None,
        lease_end: datetime.date | None,
        warranty_end: datetime.date | None,
        planned_replacement: datetime.date | None,
    ) -> Due | None:
        """The device's due date and reason (arguments: ``DUE_COLUMNS``), or None."""
        rule = self.products[product_id]
        best: Due | None = None
        if planned_replacement is not None:
            best = Due(planned_replacement, DueReason.PLANNED.value)
        eos = rule.end_of_support
        if eos is not None and (best is None or eos < best.on):
            best = Due(eos, DueReason.END_OF_SUPPORT.value)
        if rule.basis == RuleBasis.LEASE_TERM:
            if lease_end is not None and self.lease_term_override is None:
                ends = lease_end
            elif acquisition_date is not None and rule.months:
                ends = add_months(acquisition_date, rule.months)
            else:
                ends = lease_end
            if ends is not None and (best is None or ends < best.on):
                best = Due(ends, DueReason.LEASE_TERM.value)
        elif rule.basis == RuleBasis.MAX_AGE and acquisition_date is not None and rule.months:
            aged = add_months(acquisition_date, rule.months)
            if best is None or aged < best.on:
                best = Due(aged, DueReason.MAX_AGE.value)
        if warranty_end is not None and (best is None or warranty_end < best.on):
            best = Due(warranty_end, DueReason.WARRANTY.value)
        return best

    def due_of(self, asset) -> Due | None:
        """``due`` for one ``inventory.Asset`` instance."""
        return self.due(*(getattr(asset, column) for column in DUE_COLUMNS))

    def due_before(self, day: datetime.date) -> Q:
        """A filter on ``inventory.Asset``: the device's due date is before ``day``
        (``due`` would give a date < ``day``). Combine with ``in_service()``."""
        condition = Q(planned_replacement__lt=day) | Q(warranty_end__lt=day)
        unsupported = [
            pk
            for pk, rule in self.products.items()
            if rule.end_of_support and rule.end_of_support < day
        ]
        if unsupported:
            condition |= Q(product_id__in=unsupported)
        by_rule: dict[tuple[str, int | None], list[int]] = defaultdict(list)
        for pk, rule in self.products.items():
            if rule.basis is not None:
                by_rule[(rule.basis, rule.months)].append(pk)
        for (basis, months), product_ids in sorted(by_rule.items(), key=str):
            of_products = Q(product_id__in=product_ids)
            aged = Q(acquisition_date__lt=months_threshold(day, months)) if months else Q(pk__in=[])
            if basis == RuleBasis.MAX_AGE:
                condition |= of_products & aged
            elif self.lease_term_override is None:
                condition |= of_products & (
                    Q(lease_end__lt=day) | (Q(lease_end__isnull=True) & aged)
                )
            else:
                condition |= of_products & (
                    aged | (Q(acquisition_date__isnull=True) & Q(lease_end__lt=day))
                )
        return condition

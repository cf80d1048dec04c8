"""Demo step "planning": replacement rules, ends of support, a campaign in progress and
scenarios, so that the plan shows overdue devices and the forecast has something to
compare.

- A replacement rule for every category: laptops after four years, desktops, pupil
  devices and tablets at the end of their lease term, phones after three years, printers
  and copiers after five, network gear after five to seven — each with its standard
  replacement product (tablets and phones by their own model: pupils and staff, basic
  and full smartphones, are not replaced by each other).
- Ends of support: the Windows 10 laptop (14 October 2025), the switches' firmware (2027),
  the copier's spare parts (2028).
- The campaign "Windows 10", created through ``planning.campaigns.create_campaign`` as it
  started, in progress: a share of its laptops replaced on past days by a new standard
  laptop handed to the same person (``inventory.services``: the new ones registered and
  held in one bulk write, the old ones taken out of service one by one), then
  ``refresh_progress``.
- The baseline scenario and two computed ones (``planning.scenarios``): a new member
  joining next year, and a 48-month lease term with the shared operations pool growing.

Warranty ends and planned replacements on the devices are ``demo/inventory.py``'s. Runs
last: the campaign's replacements come after billing (they are this autumn's), and the
scenarios forecast from everything the earlier steps made.
"""

from __future__ import annotations

import datetime
from decimal import Decimal

from samdrift.core.changelog import record_bulk_changes
from samdrift.core.choices import ChangeAction
from samdrift.demo.context import DemoContext
from samdrift.demo.inventory import WINDOWS_10
from samdrift.planning.choices import RuleBasis
from samdrift.planning.models import ProductSupport, ReplacementRule

D = Decimal

# category code: (basis, maximum age in months or None, replacement product key or None,
# note). None as replacement: each device by one of its own product.
RULES = {
    "laptop": (RuleBasis.MAX_AGE, 48, "laptop", "Byttes etter fire år."),
    "desktop": (RuleBasis.LEASE_TERM, None, "desktop", "Byttes når leieperioden er ute."),
    "pupil-device": (
        RuleBasis.LEASE_TERM, None, "pupil-laptop", "Elev-PC byttes når leieperioden er ute.",
    ),
    "tablet": (RuleBasis.LEASE_TERM, None, None, "Hvert nettbrett byttes med sin egen modell."),
    "phone": (RuleBasis.MAX_AGE, 36, None, "Byttes etter tre år, med samme modell."),
    "printer-a4": (RuleBasis.MAX_AGE, 60, "printer-a4", ""),
    "printer-a3": (RuleBasis.MAX_AGE, 60, "printer-a3", ""),
    "copier": (RuleBasis.MAX_AGE, 60, "copier", ""),
    "switch": (RuleBasis.MAX_AGE, 84, "switch", "Nettverk byttes etter sju år."),
    "access-point": (RuleBasis.MAX_AGE, 72, "access-point", ""),
    "firewall": (RuleBasis.MAX_AGE, 60, "firewall", ""),
}  # fmt: skip

# product key: (what ends, released on, end of support)
SUPPORT = {
    WINDOWS_10: ("Windows 10", datetime.date(2015, 7, 29), datetime.date(2025, 10, 14)),
    "switch": ("Fastvare AOS-CX 10.x", datetime.date(2019, 6, 3), datetime.date(2027, 6, 30)),
    "copier": ("Reservedeler og service", datetime.date(2019, 2, 1), datetime.date(2028, 3, 31)),
}


def generate(ctx: DemoContext) -> None:
    rules(ctx)
    ends_of_support(ctx)


def rules(ctx: DemoContext) -> None:
    created = []
    for code, (basis, months, replacement, note) in RULES.items():
        rule = ReplacementRule(
            category=ctx.categories[code],
            basis=basis,
            max_age_months=months,
            replacement_product=ctx.products[replacement] if replacement else None,
            note=note,
        )
        rule.full_clean()
        created.append(rule)
    ReplacementRule.objects.bulk_create(created)
    record_bulk_changes(created, action=ChangeAction.CREATE)
    ctx.counts[ReplacementRule._meta.label] += len(created)


def ends_of_support(ctx: DemoContext) -> None:
    created = []
    for key, (what, released, ends) in SUPPORT.items():
        support = ProductSupport(
            product=ctx.products[key], what=what, released_on=released, end_of_support=ends
        )
        support.full_clean()
        created.append(support)
    ProductSupport.objects.bulk_create(created)
    record_bulk_changes(created, action=ChangeAction.CREATE)
    ctx.counts[ProductSupport._meta.label] += len(created)


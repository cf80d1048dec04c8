"""Rating service credits: an approved SLA report's credits (``servicedesk.ServiceCredit``)
become credit lines on the municipality's next invoice.

The rules (docs/service-levels.md, "Service credits on the invoice"):

- A credit of month M is billed in the first open period after M that billing rates
  while the credit is unbilled: normally M + 1, later when M + 1 was closed before the
  report was approved. Unbilled means: no charge of source ``sla_credit`` naming the
  credit lies on an issued invoice. A draft's credit charges are replaced by each rerun
  like every draft charge, so a rerun bills the credit once, with its amount as it is now
  (a re-approval before the invoice is issued gives the new amount); once issued it is
  never billed again.
- The base is what the municipality was invoiced for the service for M: the charges of
  M's period with that service on issued invoices, plus the adjustments of M billed on
  issued invoices since (earlier service credits are left out; credit notes are not
  subtracted). The credit is −round(percent / 100 × base), rounded once to the øre by
  finance's rule; no line when the base or the credit is zero or less.
- The credit is split across the service areas of the base in proportion to each area's
  part of it (``finance.allocation.allocate``, so the parts add up exactly; charges
  without a service area are one part), so each service area carries its part.
- VAT is the service's rate (its exemption reason when none).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator
from decimal import ROUND_HALF_UP, Decimal

from django.utils import dateformat
from django.utils.formats import number_format
from django.utils.translation import gettext as _

from samdrift.billing.choices import InvoiceStatus
from samdrift.billing.models import BillingPeriod, Charge, Invoice
from samdrift.billing.rating.facts import QUANTITY_ONE, SOURCE_SLA_CREDIT, Fact
from samdrift.core.invoice_language import in_invoice_language
from samdrift.finance.allocation import allocate
from samdrift.finance.money import ORE, ZERO, round_to_ore
from samdrift.servicedesk.selectors import CreditToBill, credits_for_billing

HUNDRED = Decimal("100")


def billed_credit_ids():
    """The ids of the service credits on issued invoices (a subquery)."""
    return Charge.objects.filter(
        source=SOURCE_SLA_CREDIT, invoice__status=InvoiceStatus.ISSUED
    ).values("source_id")


def _percent_text(value: Decimal, places: int | None = None) -> str:
    """A percentage as people write it: two decimals, or none when it is whole."""
    if places is None:
        places = 0 if value == value.to_integral_value() else 2
    quantum = Decimal(1).scaleb(-places)
    return number_format(value.quantize(quantum, rounding=ROUND_HALF_UP), decimal_pos=places)


def credit_description(*, credit: CreditToBill, service_name: str) -> str:
    """The text of a credit's line: service, month, the figures and the report (in the
    invoice's language, ``core.invoice_language``)."""
    with in_invoice_language():
        return _credit_text(credit=credit, service_name=service_name)


def _credit_text(*, credit: CreditToBill, service_name: str) -> str:
    return (
        _(
            "Service credit: %(service)s, %(month)s, availability %(availability)s %% "
            "(target %(target)s %%), %(percent)s %% — SLA report %(municipality)s %(report)s"
        )
        % {
            "service": service_name,
            "month": dateformat.format(credit.month, "F Y"),
            "availability": _percent_text(credit.availability, 2),
            "target": _percent_text(credit.target, 2),
            "percent": _percent_text(credit.percent),
            "municipality": credit.municipality_name,
            "report": f"{credit.month:%Y-%m}",
        }
    )[:200]


def credited_bases(credits: list[CreditToBill]) -> dict[tuple, dict[int | None, Decimal]]:
    """(municipality, service, month) → {service area id or None: amount invoiced}: what
    each credit's municipality was invoiced for its service for its month (the rules
    above). Two queries over the issued invoices of those municipalities and months."""
    months = {credit.month for credit in credits}
    month_of = dict(BillingPeriod.objects.filter(month__in=months).values_list("pk", "month"))
    wanted = {(c.municipality_id, c.service_id, c.month) for c in credits}
    bases: dict[tuple, dict[int | None, Decimal]] = defaultdict(lambda: defaultdict(lambda: ZERO))
    if not month_of:
        return bases
    municipality_ids = sorted({c.municipality_id for c in credits})
    service_ids = sorted({c.service_id for c in credits})
    columns = ("municipality_id", "service_id", "service_area_id", "amount")
    invoices = Invoice.objects.filter(
        period_id__in=list(month_of),
        municipality_id__in=municipality_ids,
        status=InvoiceStatus.ISSUED,
    ).values_list("pk", flat=True)
    own = (
        Charge.objects.filter(
            invoice_id__in=list(invoices),
            adjusts_period__isnull=True,
            service_id__in=service_ids,
        )
        .exclude(source=SOURCE_SLA_CREDIT)
        .values_list("period_id", *columns)
    )
    adjusting = (
        Charge.objects.filter(
            adjusts_period_id__in=list(month_of),
            municipality_id__in=municipality_ids,
            service_id__in=service_ids,
            invoice__status=InvoiceStatus.ISSUED,
        )
        .exclude(source=SOURCE_SLA_CREDIT)
        .values_list("adjusts_period_id", *columns)
    )
    for rows in (own, adjusting):
        for period_id, municipality_id, service_id, area_id, amount in rows.order_by("pk"):
            key = (municipality_id, service_id, month_of[period_id])
            if key in wanted:
                bases[key][area_id] += amount
    return bases


def credit_shares(
    *, percent: Decimal, base: dict[int | None, Decimal]
) -> list[tuple[int | None, Decimal]]:
    """(service area id or None, credit amount ≤ 0) per area of ``base``: the whole credit
    −round(percent % of the base) split by each area's part of the base, exactly. Empty
    when the base or the credit is not above zero."""
    total = sum(base.values(), ZERO)
    if total <= 0:
        return []
    credit = round_to_ore(total * percent / HUNDRED)
    if credit <= 0:
        return []
    # Area ids are positive; 0 stands for "no service area" (allocate sorts its keys).
    weights = {area_id or 0: amount for area_id, amount in base.items() if amount > 0}
    shares = allocate(amount=-credit, weights=weights, quantum=ORE)
    return [(key or None, shares[key]) for key in sorted(shares) if shares[key] != 0]


class ServiceCreditRating:
    """Part of :class:`~samdrift.billing.rating.rater.Rater`."""

    def service_credit_facts(self) -> Iterator[Fact]:
        credits = credits_for_billing(before=self.start, exclude_ids=billed_credit_ids())
        made = 0
        if credits:
            bases = credited_bases(credits)
            for credit in credits:
                key = (credit.municipality_id, credit.service_id, credit.month)
                base = dict(sorted(bases.get(key, {}).items(), key=lambda item: item[0] or 0))
                self.input_hash.update(repr((credit.as_tuple(), base)).encode())
                shares = credit_shares(percent=credit.percent, base=base)
                if not shares:
                    continue
                name, vat_rate = self.services[credit.service_id][:2]
                description = credit_description(credit=credit, service_name=name)
                for area_id, amount in shares:
                    made += 1
                    yield Fact(
                        municipality=credit.municipality_id,
                        service_area=area_id,
                        person=None,
                        asset=None,
                        subscription=None,
                        source=SOURCE_SLA_CREDIT,
                        source_id=credit.pk,
                        product=None,
                        service=credit.service_id,
                        cost_pool=None,
                        description=description,
                        quantity=QUANTITY_ONE,
                        unit_price=amount,
                        days_active=None,
                        days_in_month=None,
                        valid_from=None,
                        valid_to=None,
                        amount=amount,
                        vat_rate=vat_rate,
                    )
        self._tick("sla_credit", made, done=True)

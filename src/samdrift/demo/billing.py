"""Demo data for billing (a step of ``samdrift.demo.generator``).

- A shared cost of 3,000,000.00 a month ("Felles drift og lisenser"), split 1/3 equal +
  2/3 by population (the key measured on 1 January), from last month on.
- An agreed price for the user workplace in the first municipality's agreement (the one in
  force, made by the service-desk step, or a new one from last month).
- Last month billed, issued on the 1st of this month and closed; a partial credit note
  on the last municipality's invoice.
- This month billed as drafts, open for review.
"""

from __future__ import annotations

from decimal import Decimal

from django.db.models import Q

from samdrift.agreements.models import ServiceAgreement
from samdrift.agreements.services import create_agreement, set_agreed_price
from samdrift.billing.models import Invoice
from samdrift.billing.services.credits import create_credit_note
from samdrift.billing.services.issuing import issue_period
from samdrift.billing.services.periods import close_period, previous_month
from samdrift.billing.services.pools import create_allocation_key, create_cost_pool
from samdrift.billing.services.runs import bill_period
from samdrift.catalogue.models import PriceVersion

POOL_AMOUNT = Decimal("3000000.00")


def generate(ctx) -> None:
    this_month = ctx.today.replace(day=1)
    last_month = previous_month(this_month)
    key = create_allocation_key(
        name="1/3 likt + 2/3 innbyggertall",
        description="Samarbeidets felles nøkkel: en tredjedel i like deler, to tredjedeler "
        "etter innbyggertall (SSB, 1. januar).",
        measured_on=ctx.this_year,
        parts={"equal": Decimal(1), "population": Decimal(2)},
    )
    create_cost_pool(
        name="Felles drift og lisenser",
        description="Datasenter, felles lisenser og driftspersonalet.",
        monthly_amount=POOL_AMOUNT,
        key=key,
        valid_from=last_month,
    )
    workplace = ctx.services.get("user-workplace")
    first = ctx.municipalities[0]
    if workplace is not None:
        price = (
            PriceVersion.objects.filter(service=workplace, valid_from__lte=last_month)
            .order_by("-valid_from")
            .first()
        )
        # The agreement in force (the service-desk step makes one per member), else a new one.
        agreement = (
            ServiceAgreement.objects.filter(municipality=first, valid_from__lte=last_month)
            .filter(Q(valid_to__isnull=True) | Q(valid_to__gt=last_month))
            .first()
        )
        if price is not None and agreement is None:
            agreement = create_agreement(
                municipality=first,
                name=f"Tjenesteavtale {first.name} {last_month.year}",
                reference=f"TA-{first.number}-{last_month.year}",
                valid_from=last_month,
            )
        if price is not None:
            # A volume discount of 5 % on the user workplace.
            set_agreed_price(
                agreement=agreement,
                service=workplace,
                amount=(price.amount * Decimal("0.95")).quantize(Decimal("0.01")),
                note="Volumrabatt 5 %",
            )
    ctx.progress(f"billing        rating {last_month:%Y-%m}")
    bill_period(month=last_month)
    issue_period(month=last_month, issue_date=this_month)
    close_period(month=last_month)
    invoice = (
        Invoice.objects.filter(period__month=last_month).order_by("-municipality__number").first()
    )
    if invoice is not None:
        line = invoice.lines.filter(net_amount__gt=0).order_by("-net_amount").first()
        create_credit_note(
            invoice=invoice,
            reason="Enheter levert tilbake før måneden begynte, fakturert ved en feil",
            amounts={line.pk: (line.net_amount / 10).quantize(Decimal("0.01"))},
            issue_date=this_month,
        )
    ctx.progress(f"billing        rating {this_month:%Y-%m}")
    bill_period(month=this_month)

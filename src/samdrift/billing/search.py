"""What the global search (``ui.search``) finds of billing: invoices by number or KID.

Restricted as the invoice pages are: ``restrict`` keeps the user's municipality's
invoices, and a service-area manager, who sees only their area's part of an invoice
(``selectors.sees_whole_invoices``), finds only invoices that have a line of their area
(``selectors.visible_lines``). A hit shows no amount: the whole invoice's total is not a
manager's to see, and the page it links to shows each user their part.

The number is unique (an index) and the KID is a digit string; both are matched exactly
or by prefix (``istartswith``), never anywhere in the text.
"""

from __future__ import annotations

from django.db.models import BooleanField, Case, Exists, OuterRef, Q, Value, When
from django.urls import reverse

from samdrift.billing.choices import InvoiceStatus
from samdrift.billing.models import Invoice
from samdrift.billing.selectors import sees_whole_invoices, visible_lines
from samdrift.core.permissions import restrict
from samdrift.ui.search import SearchHit


def find_invoices(user, query: str, limit: int) -> list[SearchHit]:
    invoices = restrict(Invoice.objects.all(), user).filter(
        Q(number__istartswith=query) | Q(kid__startswith=query)
    )
    if not sees_whole_invoices(user):
        invoices = invoices.filter(Exists(visible_lines(user=user, invoice=OuterRef("pk"))))
    rows = (
        invoices.annotate(
            exact=Case(
                When(Q(number__iexact=query) | Q(kid=query), then=Value(True)),
                default=Value(False),
                output_field=BooleanField(),
            )
        )
        .order_by("-exact", "-period__month", "municipality__name", "pk")
        .values("pk", "number", "kid", "status", "exact", "period__month", "municipality__name")[
            :limit
        ]
    )
    return [
        SearchHit(
            title=row["number"] or str(InvoiceStatus(row["status"]).label),
            detail=" · ".join(
                part
                for part in (
                    f"{row['period__month']:%Y-%m}",
                    row["municipality__name"],
                    f"KID {row['kid']}" if row["kid"] else "",
                    str(InvoiceStatus(row["status"]).label),
                )
                if part
            ),
            url=reverse("billing:invoice_detail", args=[row["pk"]]),
            exact=row["exact"],
        )
        for row in rows
    ]


def register() -> None:
    from django.utils.translation import gettext_lazy as _

    from samdrift.ui.search import register

    register("invoices", _("Invoices"), find_invoices, order=30)

"""Billing's notification on the home page (``ui.notifications``): draft invoices to
review, for those who run billing (operators and finance)."""

from __future__ import annotations

import datetime

from django.db.models import Count
from django.urls import reverse
from django.utils.translation import ngettext

from samdrift.billing.choices import InvoiceStatus
from samdrift.billing.models import Invoice
from samdrift.core.permissions import can_write, restrict
from samdrift.ui.notifications import Notification
from samdrift.ui.notifications import register as register_provider


def draft_invoices(user, today: datetime.date, shared: dict) -> Notification | None:
    """Draft invoices, one grouped query: the link opens the month holding them (the
    month's page lists its invoices), or the months' list when drafts are in several."""
    if not can_write(user, Invoice):  # who runs billing (billing.views.common)
        return None
    months = list(
        restrict(Invoice.objects.filter(status=InvoiceStatus.DRAFT), user)
        .values("period__month")
        .annotate(n=Count("pk"))
        .order_by("period__month")
    )
    count = sum(row["n"] for row in months)
    if len(months) == 1:
        url = reverse("billing:period_detail", args=[f"{months[0]['period__month']:%Y-%m}"])
    else:
        url = reverse("billing:period_list")
    label = ngettext("draft invoice to review", "draft invoices to review", count)
    return Notification(label=label, count=count, url=url)


def register() -> None:
    register_provider("billing.drafts", draft_invoices, order=10)

"""Purchasing: the share of non-standard requests, the joint purchase (pending units per
product), lead times and stock against open orders; also as an XLSX workbook."""

from __future__ import annotations

from decimal import Decimal

from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _

from samdrift.catalogue.models import Product
from samdrift.core.exports import XLSX_CONTENT_TYPE
from samdrift.ordering.selectors import (
    lead_times,
    non_standard_share,
    pending_quantities,
    stock_against_open_orders,
)
from samdrift.ordering.views.common import require_sees_all
from samdrift.organisations.models import Municipality


def purchasing_tables(user) -> list[tuple[str, list[str], list[list]]]:
    """(title, headings, rows) of each table, for the page and the workbook."""
    shares = non_standard_share(user)
    pending = pending_quantities(user)
    leads = lead_times(user)
    stock = stock_against_open_orders(user)
    product_ids = set(pending) | {t.product_id for t in leads} | {s.product_id for s in stock}
    products = dict(Product.objects.filter(pk__in=product_ids).values_list("pk", "name"))
    municipalities = dict(
        Municipality.objects.filter(pk__in={s.municipality_id for s in shares}).values_list(
            "pk", "name"
        )
    )
    return [
        (
            _("Non-standard requests per municipality and quarter"),
            [_("Municipality"), _("Quarter"), _("Lines"), _("Non-standard"), _("Share (%)")],
            [
                [
                    municipalities.get(s.municipality_id, ""),
                    f"{s.year} Q{s.quarter}",
                    s.lines,
                    s.non_standard,
                    (s.share * 100).quantize(Decimal("0.1")),
                ]
                for s in shares
            ],
        ),
        (
            _("Pending units per product (the joint purchase)"),
            [_("Product"), _("Units")],
            sorted(
                ([products.get(pk, pk), n] for pk, n in pending.items()), key=lambda r: str(r[0])
            ),
        ),
        (
            _("Lead time from acceptance to delivery (days)"),
            [_("Product"), _("Deliveries"), _("Median"), _("90th percentile")],
            [
                [products.get(t.product_id, ""), t.deliveries, t.median_days, t.p90_days]
                for t in leads
            ],
        ),
        (
            _("Stock against open orders"),
            [_("Product"), _("In stock"), _("Pending"), _("To buy")],
            [[products.get(s.product_id, ""), s.in_stock, s.pending, s.shortfall] for s in stock],
        ),
    ]


@login_required
def purchasing(request):
    user = request.user
    require_sees_all(user)
    tables = purchasing_tables(user)
    if request.GET.get("export") == "xlsx":
        response = HttpResponse(_workbook(tables), content_type=XLSX_CONTENT_TYPE)
        name = f"purchasing-{timezone.localdate().isoformat()}.xlsx"
        response["Content-Disposition"] = f'attachment; filename="{name}"'
        return response
    return render(request, "ordering/purchasing.html", {"tables": tables})


def _workbook(tables) -> bytes:
    from io import BytesIO

    from openpyxl import Workbook

    book = Workbook()
    book.remove(book.active)
    for index, (title, headings, rows) in enumerate(tables, start=1):
        sheet = book.create_sheet(f"{index}")
        sheet.append([str(title)])
        sheet.append([str(h) for h in headings])
        for row in rows:
            sheet.append([v if isinstance(v, int | Decimal) else str(v) for v in row])
    out = BytesIO()
    book.save(out)
    return out.getvalue()

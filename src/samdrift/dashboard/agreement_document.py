"""An agreement as a document: a print-ready page and the same HTML as a PDF (WeasyPrint).

It lives in the dashboard because it joins what only an app above inventory and leasing
may: the agreement (agreements) with the quantities a municipality holds today and their
prices (inventory through ``leasing.prices``, as the overview's monthly cost does). The
URLs are named in the agreements namespace (``agreements:agreement_document``,
``agreements:agreement_pdf``): the project's urls.py mounts ``urlpatterns`` below
together with ``agreements.urls``.

The document also shows the next three years of the municipality's cost forecast
(``planning.forecast``): per year the monthly average and the year's total.

No external assets: the stylesheet is one of our static files (no inline style: the
Content-Security-Policy), fonts are the machine's, and the PDF renderer
(``ui.pdf.render_pdf``) fetches nothing but our static files, so rendering never touches
the network.
"""

from __future__ import annotations

import datetime

from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.template.loader import render_to_string
from django.urls import path
from django.utils import timezone
from django.utils.text import slugify

from samdrift.agreements.models import AgreedPrice, ServiceAgreement
from samdrift.agreements.selectors import service_levels_of
from samdrift.core.choices import Role
from samdrift.core.models import User
from samdrift.core.permissions import limited_to_service_area, restrict
from samdrift.dashboard.selectors import monthly_cost
from samdrift.finance.depreciation import add_months
from samdrift.leasing.prices import AGREED, LIST, OWN
from samdrift.organisations.models import Collaboration
from samdrift.planning.forecast import forecast
from samdrift.ui.pdf import render_pdf
from samdrift.ui.permissions import get_restricted_or_404

TEMPLATE = "dashboard/agreement_document.html"
FORECAST_YEARS = 3


def quantities_day(agreement: ServiceAgreement, today: datetime.date) -> datetime.date:
    """The day whose holdings the document shows: today while the agreement is in force,
    else its first (not yet started) or last (ended) day."""
    if today < agreement.valid_from:
        return agreement.valid_from
    if agreement.valid_to is not None and today >= agreement.valid_to:
        return agreement.valid_to - datetime.timedelta(days=1)
    return today


def forecast_years(municipality, user, today: datetime.date) -> list:
    """The next years of the municipality's forecast from the month after ``today``
    (a service-area manager's: their area's), per year: monthly average and total."""
    start = add_months(today.replace(day=1), 1)
    found = forecast(
        start=start,
        municipality_ids=[municipality.pk],
        service_area_id=user.service_area_id if limited_to_service_area(user) else None,
        years=FORECAST_YEARS,
    )
    return found[0].years() if found else []


def document_context(agreement: ServiceAgreement, user, today: datetime.date) -> dict:
    """Everything the document shows, restricted to what ``user`` may see."""
    municipality = agreement.municipality
    day = quantities_day(agreement, today)
    cost = monthly_cost(user=user, day=day, municipality_id=municipality.pk)
    source_labels = {OWN: "own", AGREED: "agreed", LIST: "list"}
    items = [
        {
            "kind": kind,
            "name": name,
            "quantity": quantity,
            "unit_price": unit_price,
            "amount": amount,
            "charged": charged,
            "source": source_labels.get(source, ""),
        }
        for kind, name, quantity, unit_price, amount, charged, source in cost.by_item()
    ]
    items.sort(key=lambda item: (item["kind"] != "service", item["name"]))
    # The municipality's contact persons by function; before any are registered, its
    # active contact logins (as the document always named them).
    contacts = [
        (contact.name, contact.get_function_display(), contact.email or contact.phone)
        for contact in municipality.contacts.all()
    ] or [
        (login.get_full_name() or login.username, "", login.email)
        for login in User.objects.filter(
            municipality=municipality, role=Role.MUNICIPALITY, is_active=True
        ).order_by("last_name", "first_name", "username")
    ]
    prices = list(
        restrict(AgreedPrice.objects.filter(agreement=agreement), user)
        .select_related("product", "service")
        .order_by("product__name", "service__name")
    )
    return {
        "agreement": agreement,
        "municipality": municipality,
        "collaboration": Collaboration.get(),
        "contacts": contacts,
        "items": items,
        "total": cost.total,
        "unpriced": cost.unpriced_items,
        "quantities_on": day,
        "area_only": limited_to_service_area(user),
        "prices": prices,
        "levels": service_levels_of(agreement, user),
        "forecast_years": forecast_years(municipality, user, today),
        "today": today,
    }


def _agreement(request, pk: int) -> ServiceAgreement:
    return get_restricted_or_404(
        ServiceAgreement.objects.select_related("municipality"), request.user, pk=pk
    )


@login_required
def agreement_document(request, pk: int):
    """The agreement as a print-ready page."""
    agreement = _agreement(request, pk)
    context = document_context(agreement, request.user, timezone.localdate())
    return HttpResponse(render_to_string(TEMPLATE, {**context, "for_pdf": False}, request))


@login_required
def agreement_pdf(request, pk: int):
    """The same document as a PDF download."""
    agreement = _agreement(request, pk)
    context = document_context(agreement, request.user, timezone.localdate())
    html = render_to_string(TEMPLATE, {**context, "for_pdf": True}, request)
    response = HttpResponse(render_pdf(html), content_type="application/pdf")
    name = slugify(f"{agreement.municipality.name}-{agreement.name}") or f"agreement-{pk}"
    response["Content-Disposition"] = f'attachment; filename="{name}.pdf"'
    return response


urlpatterns = [
    path("<int:pk>/document/", agreement_document, name="agreement_document"),
    path("<int:pk>/document.pdf", agreement_pdf, name="agreement_pdf"),
]

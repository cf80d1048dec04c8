"""One-off charges (hours of work, installation fees): the list, and the form that enters
or corrects one through ``billing.services.one_offs`` (the same checks and change log as
the API). Finance and operators write; everyone else reads what ``restrict`` shows them:
a municipality's users their own charges, a service-area manager their area's."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db import IntegrityError
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from samdrift.billing.api.filters import OneOffChargeFilterSet
from samdrift.billing.models import OneOffCharge
from samdrift.billing.services.one_offs import add_one_off_charge, update_one_off_charge
from samdrift.billing.views.forms import OneOffChargeForm
from samdrift.core.permissions import can_write
from samdrift.ui.forms import add_service_errors
from samdrift.ui.lists import ObjectListView
from samdrift.ui.permissions import get_restricted_or_404, require_write
from samdrift.ui.tables import Column, Table


def _edit_url(charge) -> str | None:
    # Set per page by the view: only a login that may change the charge gets a link.
    return getattr(charge, "edit_url", None)


ONE_OFF_TABLE = Table(
    columns=[
        Column("date", gettext_lazy("Date"), kind="date", order_by=("date",)),
        Column("description", gettext_lazy("Description"), link=_edit_url),
        Column(
            "municipality",
            gettext_lazy("Municipality"),
            accessor="municipality.name",
            order_by=("municipality__name",),
        ),
        Column(
            "service_area",
            gettext_lazy("Service area"),
            accessor="service_area.name",
            order_by=("service_area__name",),
        ),
        Column("service", gettext_lazy("Service"), accessor="service.name"),
        Column("quantity", gettext_lazy("Quantity"), kind="number", order_by=("quantity",)),
        Column("unit_price", gettext_lazy("Unit price"), kind="money", order_by=("unit_price",)),
        Column("vat_rate", gettext_lazy("VAT rate (%)"), kind="number"),
        Column("reference", gettext_lazy("Reference")),
    ],
    default_sort="-date",
    select_related=("municipality", "service_area", "service"),
    export_name="one-off-charges",
)


class OneOffChargeListView(ObjectListView):
    model = OneOffCharge
    filterset_class = OneOffChargeFilterSet
    table = ONE_OFF_TABLE
    title = gettext_lazy("One-off charges")
    filter_fields = ["q", "municipality", "service_area", "date"]
    filter_labels = {
        "municipality": gettext_lazy("Municipality"),
        "service_area": gettext_lazy("Service area"),
        "date": gettext_lazy("Date"),
    }
    create_url_name = "billing:one_off_create"

    def prepare_rows(self, rows: list) -> None:
        if can_write(self.request.user, OneOffCharge):
            for charge in rows:
                charge.edit_url = reverse("billing:one_off_edit", args=[charge.pk])


@login_required
def one_off_edit(request, pk: int | None = None):
    """Enter (no ``pk``) or correct a one-off charge; the service's errors appear next to
    their fields and nothing is saved."""
    user = request.user
    require_write(user, OneOffCharge)
    charge = get_restricted_or_404(OneOffCharge.objects.all(), user, pk=pk) if pk else None
    form = OneOffChargeForm(request.POST or None, instance=charge, user=user)
    if request.method == "POST" and form.is_valid():
        fields = form.service_fields()
        try:
            if charge is None:
                saved = add_one_off_charge(**fields)
            else:
                # A fresh copy: the form's instance already holds the new values.
                current = OneOffCharge.objects.get(pk=charge.pk)
                changes = {name: fields[name] for name in form.changed_data if name in fields}
                saved = update_one_off_charge(charge=current, changes=changes)
        except (ValidationError, IntegrityError) as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("Saved %(object)s.") % {"object": saved})
            return redirect("billing:one_off_list")
    title = (
        _("Edit one-off charge %(charge)s") % {"charge": charge.description}
        if charge
        else _("New one-off charge")
    )
    status = 400 if form.is_bound and form.errors else 200
    return render(
        request,
        "billing/form.html",
        {
            "form": form,
            "title": title,
            "object": charge,
            "cancel": reverse("billing:one_off_list"),
        },
        status=status,
    )

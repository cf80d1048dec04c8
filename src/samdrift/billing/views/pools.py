"""Cost pools (shared costs split by an allocation key): the list, and the form that
starts or changes one through ``billing.services.pools`` (validated, change-logged).
Every login reads them (shared data, as the API); finance and operators write."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db import IntegrityError
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from samdrift.billing.api.filters import CostPoolFilterSet
from samdrift.billing.models import CostPool
from samdrift.billing.services.pools import create_cost_pool, update_cost_pool
from samdrift.billing.views.forms import CostPoolForm
from samdrift.core.permissions import can_write
from samdrift.ui.forms import add_service_errors
from samdrift.ui.lists import ObjectListView
from samdrift.ui.permissions import get_restricted_or_404, require_write
from samdrift.ui.tables import Column, Table


def _edit_url(pool) -> str | None:
    return getattr(pool, "edit_url", None)


POOL_TABLE = Table(
    columns=[
        Column("name", gettext_lazy("Name"), order_by=("name",), link=_edit_url),
        Column("key", gettext_lazy("Allocation key"), accessor="key.name"),
        Column(
            "monthly_amount",
            gettext_lazy("Monthly amount"),
            kind="money",
            order_by=("monthly_amount",),
        ),
        Column("vat_rate", gettext_lazy("VAT rate (%)"), kind="number"),
        Column("split_to_service_areas", gettext_lazy("Split on to service areas"), kind="bool"),
        Column("valid_from", gettext_lazy("Valid from"), kind="date", order_by=("valid_from",)),
        Column("valid_to", gettext_lazy("Valid to"), kind="date", order_by=("valid_to",)),
    ],
    default_sort="name",
    select_related=("key",),
    export_name="cost-pools",
)


class CostPoolListView(ObjectListView):
    model = CostPool
    filterset_class = CostPoolFilterSet
    table = POOL_TABLE
    title = gettext_lazy("Cost pools")
    filter_fields = ["q", "key"]
    filter_labels = {"key": gettext_lazy("Allocation key")}
    create_url_name = "billing:pool_create"

    def prepare_rows(self, rows: list) -> None:
        if can_write(self.request.user, CostPool):
            for pool in rows:
                pool.edit_url = reverse("billing:pool_edit", args=[pool.pk])


@login_required
def pool_edit(request, pk: int | None = None):
    """Start (no ``pk``) or change a cost pool; the service's errors appear next to their
    fields and nothing is saved."""
    user = request.user
    require_write(user, CostPool)
    pool = get_restricted_or_404(CostPool.objects.all(), user, pk=pk) if pk else None
    form = CostPoolForm(request.POST or None, instance=pool, user=user)
    if request.method == "POST" and form.is_valid():
        try:
            if pool is None:
                fields = {name: form.cleaned_data[name] for name in form.Meta.fields}
                saved = create_cost_pool(**fields)
            else:
                current = CostPool.objects.get(pk=pool.pk)
                changes = {name: form.cleaned_data[name] for name in form.changed_data}
                saved = update_cost_pool(pool=current, changes=changes)
        except (ValidationError, IntegrityError) as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("Saved %(object)s.") % {"object": saved})
            return redirect("billing:pool_list")
    title = _("Edit cost pool %(pool)s") % {"pool": pool} if pool else _("New cost pool")
    status = 400 if form.is_bound and form.errors else 200
    return render(
        request,
        "billing/form.html",
        {"form": form, "title": title, "object": pool, "cancel": reverse("billing:pool_list")},
        status=status,
    )

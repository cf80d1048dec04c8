"""Allocation keys (how a shared cost is split between municipalities): the list, a page
per key and the form that makes or changes one through ``billing.services.pools``
(validated, change-logged). Every login reads them (shared data, as the API); finance and
operators write. A municipality's users see only their own municipality's weights."""

from __future__ import annotations

from decimal import Decimal

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db import IntegrityError
from django.db.models import Count
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from samdrift.billing.api.filters import AllocationKeyFilterSet
from samdrift.billing.models import AllocationKey, AllocationWeight, CostPool
from samdrift.billing.services.pools import create_allocation_key, update_allocation_key
from samdrift.billing.views.forms import AllocationKeyForm
from samdrift.core.permissions import can_write, restrict
from samdrift.ui.forms import add_service_errors
from samdrift.ui.lists import ObjectListView
from samdrift.ui.permissions import get_restricted_or_404, require_write
from samdrift.ui.tables import Column, Table


def _key_url(key) -> str:
    return reverse("billing:key_detail", args=[key.pk])


KEY_TABLE = Table(
    columns=[
        Column("name", gettext_lazy("Name"), order_by=("name",), link=_key_url),
        Column("measured_on", gettext_lazy("Measured on"), kind="date", order_by=("measured_on",)),
        Column(
            "measured_at",
            gettext_lazy("Weights stored at"),
            kind="datetime",
            order_by=("measured_at",),
        ),
        Column("pools_count", gettext_lazy("Cost pools"), kind="number", order_by=("pools_count",)),
        Column("description", gettext_lazy("Description"), in_table=False),
    ],
    default_sort="name",
    export_name="allocation-keys",
)


class AllocationKeyListView(ObjectListView):
    model = AllocationKey
    filterset_class = AllocationKeyFilterSet
    table = KEY_TABLE
    title = gettext_lazy("Allocation keys")
    filter_fields = ["q", "measured"]
    filter_labels = {"measured": gettext_lazy("Weights stored")}
    create_url_name = "billing:key_create"

    def get_queryset(self):
        return AllocationKey.objects.annotate(pools_count=Count("pools"))


@login_required
def key_detail(request, pk: int):
    """A key's parts (with each one's share of the whole), its stored weights and the
    cost pools split by it."""
    user = request.user
    key = get_restricted_or_404(AllocationKey.objects.all(), user, pk=pk)
    parts = list(key.parts.all())
    total = sum((part.share for part in parts), Decimal(0))
    for part in parts:
        part.percent = part.share * 100 / total if total else Decimal(0)
    weights = restrict(
        AllocationWeight.objects.filter(key=key, part__isnull=False), user
    ).select_related("municipality")
    if not user.sees_all_municipalities:
        # Shared data, but a municipality's users read their own figures only.
        weights = weights.filter(municipality_id=user.municipality_id)
    by_municipality: dict[int, dict] = {}
    for weight in weights.order_by("municipality__number"):
        row = by_municipality.setdefault(
            weight.municipality_id, {"municipality": weight.municipality, "weights": {}}
        )
        row["weights"][weight.part_id] = weight.weight
    rows = [
        {"municipality": row["municipality"], "cells": [row["weights"].get(p.pk) for p in parts]}
        for row in by_municipality.values()
    ]
    pools = restrict(CostPool.objects.filter(key=key), user).order_by("name")
    return render(
        request,
        "billing/key_detail.html",
        {
            "key": key,
            "parts": parts,
            "weight_rows": rows,
            "pools": pools,
            "can_edit": can_write(user, AllocationKey),
        },
    )


def _on_fields(error: ValidationError) -> ValidationError:
    """The service's "no basis at all" belongs next to the first basis (equal shares)."""
    if not hasattr(error, "error_dict"):
        return error
    return ValidationError(
        {
            ("equal" if name == "parts" else name): errors
            for name, errors in error.error_dict.items()
        }
    )


@login_required
def key_edit(request, pk: int | None = None):
    """Make (no ``pk``) or change an allocation key; the service's errors appear next to
    their fields and nothing is saved. A measured key changes only its name and
    description."""
    user = request.user
    require_write(user, AllocationKey)
    queryset = AllocationKey.objects.prefetch_related("parts__weights")
    key = get_restricted_or_404(queryset, user, pk=pk) if pk else None
    form = AllocationKeyForm(request.POST or None, key=key)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            if key is None:
                saved = create_allocation_key(
                    name=data["name"],
                    description=data["description"],
                    measured_on=data["measured_on"],
                    parts=form.parts(),
                    weights=form.weights(),
                )
            else:
                changed = form.parts_changed()
                saved = update_allocation_key(
                    key=key,
                    changes={
                        name: data[name]
                        for name in ("name", "description", "measured_on")
                        if name in form.changed_data
                    },
                    parts=form.parts() if changed else None,
                    weights=form.weights() if changed else None,
                )
        except (ValidationError, IntegrityError) as error:
            add_service_errors(
                form, _on_fields(error) if isinstance(error, ValidationError) else error
            )
        else:
            messages.success(request, _("Saved %(object)s.") % {"object": saved})
            return redirect("billing:key_detail", pk=saved.pk)
    title = _("Edit allocation key %(key)s") % {"key": key} if key else _("New allocation key")
    cancel = reverse("billing:key_detail", args=[key.pk]) if key else reverse("billing:key_list")
    status = 400 if form.is_bound and form.errors else 200
    return render(
        request,
        "billing/key_form.html",
        {"form": form, "title": title, "object": key, "cancel": cancel},
        status=status,
    )

"""Baselines per municipality (costs per year and category, staff as FTEs × cost per
FTE; indicator baselines), and the shared reference data: indicators, the cost index
and the collaboration's unbilled costs.

A baseline is whole-municipality money: a municipality's contact (and a read-only
login of the municipality) sees their own, another municipality's is a 404, and a
service-area manager sees none (403). Operators and finance write.
"""

from __future__ import annotations

from collections import defaultdict
from decimal import Decimal

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import Count, Max, Sum
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from samdrift.core.permissions import can_write, limited_to_service_area, restrict
from samdrift.gains import services
from samdrift.gains.choices import CostCategory
from samdrift.gains.forms import (
    BaselineCostForm,
    CollaborationCostForm,
    CostIndexForm,
    IndicatorBaselineForm,
    IndicatorForm,
)
from samdrift.gains.models import (
    BaselineCost,
    CollaborationCost,
    CostIndex,
    Indicator,
    IndicatorBaseline,
)
from samdrift.gains.views import deleted, edit_page
from samdrift.organisations.models import Municipality
from samdrift.ui.permissions import get_restricted_or_404, require_write


def require_whole_municipality(user) -> None:
    """Whole-municipality money: not for a service-area manager."""
    if limited_to_service_area(user):
        raise PermissionDenied


def municipality_or_404(user, municipality_id: int) -> Municipality:
    require_whole_municipality(user)
    return get_restricted_or_404(Municipality.objects.all(), user, pk=municipality_id)


def require_sees_all(user) -> None:
    if not user.sees_all_municipalities:
        raise PermissionDenied


@login_required
def baseline_list(request):
    """Every member's baseline (latest year, its total), for those who see all; a
    municipality's users are sent to their own."""
    user = request.user
    require_whole_municipality(user)
    if not user.sees_all_municipalities:
        if user.municipality_id is None:
            raise PermissionDenied
        return redirect("gains:baseline_detail", municipality_id=user.municipality_id)
    costs = restrict(BaselineCost.objects.all(), user)
    latest = dict(
        costs.values("municipality").annotate(year=Max("year")).values_list("municipality", "year")
    )
    totals = defaultdict(Decimal)
    for municipality_id, year, amount in (
        costs.values("municipality", "year")
        .annotate(total=Sum("amount"))
        .values_list("municipality", "year", "total")
    ):
        if latest.get(municipality_id) == year:
            totals[municipality_id] = amount
    indicator_counts = dict(
        restrict(IndicatorBaseline.objects.all(), user)
        .values("municipality")
        .annotate(n=Count("pk"))
        .values_list("municipality", "n")
    )
    rows = [
        {
            "municipality": m,
            "year": latest.get(m.pk),
            "total": totals.get(m.pk),
            "indicators": indicator_counts.get(m.pk, 0),
        }
        for m in restrict(Municipality.objects.order_by("name"), user)
    ]
    return render(request, "gains/baseline_list.html", {"rows": rows})


@login_required
def baseline_detail(request, municipality_id: int):
    user = request.user
    municipality = municipality_or_404(user, municipality_id)
    costs = list(
        restrict(BaselineCost.objects.filter(municipality=municipality), user).order_by(
            "-year", "category"
        )
    )
    years = sorted({c.year for c in costs}, reverse=True)
    by_cell = {(c.year, c.category): c for c in costs}
    table = [
        {
            "category": label,
            "cells": [by_cell.get((year, value)) for year in years],
        }
        for value, label in CostCategory.choices
    ]
    year_totals = [sum((c.amount for c in costs if c.year == year), Decimal("0")) for year in years]
    indicators = list(
        restrict(IndicatorBaseline.objects.filter(municipality=municipality), user)
        .select_related("indicator")
        .order_by("indicator__name", "-measured_on")
    )
    return render(
        request,
        "gains/baseline_detail.html",
        {
            "municipality": municipality,
            "years": years,
            "table": table,
            "year_totals": year_totals,
            "costs": costs,
            "indicator_baselines": indicators,
            "can_edit": can_write(user, BaselineCost),
            "can_edit_indicators": can_write(user, IndicatorBaseline),
        },
    )


def _baseline_done(obj) -> str:
    return reverse("gains:baseline_detail", args=[obj.municipality_id])


def _municipality_child_views(*, model, form_class, save, delete, title_new, delete_name):
    """The edit view (a new one under ``municipality_id``, or row ``pk``) and the delete
    view of one kind of baseline row; both go back to the municipality's baseline."""

    @login_required
    def edit(request, pk: int | None = None, municipality_id: int | None = None):
        user = request.user
        require_write(user, model)
        if pk:
            obj = get_restricted_or_404(model.objects.select_related("municipality"), user, pk=pk)
            parent = None
            municipality = obj.municipality
            title = _("Change %(object)s") % {"object": obj}
            delete_url = reverse(delete_name, args=[pk])
        else:
            municipality = municipality_or_404(user, municipality_id)
            obj = model()
            parent = {"municipality": municipality}
            title = title_new % {"municipality": municipality}
            delete_url = None
        return edit_page(
            request,
            form_class=form_class,
            obj=obj,
            parent=parent,
            save=save,
            title=title,
            cancel=reverse("gains:baseline_detail", args=[municipality.pk]),
            done=_baseline_done,
            delete_url=delete_url,
        )

    @login_required
    def remove(request, pk: int):
        user = request.user
        require_write(user, model)
        obj = get_restricted_or_404(model.objects.select_related("municipality"), user, pk=pk)
        return deleted(request, obj, delete, _baseline_done(obj))

    return edit, remove


baseline_cost_edit, baseline_cost_delete = _municipality_child_views(
    model=BaselineCost,
    form_class=BaselineCostForm,
    save=lambda obj, changes, form: services.save_baseline_cost(cost=obj, changes=changes),
    delete=lambda c: services.delete_baseline_cost(cost=c),
    title_new=gettext_lazy("New baseline cost of %(municipality)s"),
    delete_name="gains:baseline_cost_delete",
)
indicator_baseline_edit, indicator_baseline_delete = _municipality_child_views(
    model=IndicatorBaseline,
    form_class=IndicatorBaselineForm,
    save=lambda obj, changes, form: services.save_indicator_baseline(baseline=obj, changes=changes),
    delete=lambda b: services.delete_indicator_baseline(baseline=b),
    title_new=gettext_lazy("New indicator baseline of %(municipality)s"),
    delete_name="gains:indicator_baseline_delete",
)


# Shared reference data ------------------------------------------------------------------


def _reference_page(request, *, model, template: str, rows, extra=None):
    return render(
        request,
        template,
        {"rows": rows, "can_edit": can_write(request.user, model), **(extra or {})},
    )


def _reference_views(*, model, form_class, save, delete, list_name, delete_name, title_new):
    """The edit view (new without ``pk``) and the delete view of one kind of shared
    reference data; both go back to its list."""

    @login_required
    def edit(request, pk: int | None = None):
        user = request.user
        require_write(user, model)
        obj = get_restricted_or_404(model.objects.all(), user, pk=pk) if pk else model()
        return edit_page(
            request,
            form_class=form_class,
            obj=obj,
            parent=None,
            save=save,
            title=_("Change %(object)s") % {"object": obj} if pk else str(title_new),
            cancel=reverse(list_name),
            done=lambda saved: reverse(list_name),
            delete_url=reverse(delete_name, args=[pk]) if pk else None,
        )

    @login_required
    def remove(request, pk: int):
        user = request.user
        require_write(user, model)
        obj = get_restricted_or_404(model.objects.all(), user, pk=pk)
        return deleted(request, obj, delete, reverse(list_name))

    return edit, remove


@login_required
def indicator_list(request):
    rows = restrict(Indicator.objects.annotate(gain_count=Count("gains")), request.user)
    return _reference_page(
        request, model=Indicator, template="gains/indicator_list.html", rows=list(rows)
    )


indicator_edit, indicator_delete = _reference_views(
    model=Indicator,
    form_class=IndicatorForm,
    save=lambda obj, changes, form: services.save_indicator(indicator=obj, changes=changes),
    delete=lambda i: services.delete_indicator(indicator=i),
    list_name="gains:indicator_list",
    delete_name="gains:indicator_delete",
    title_new=gettext_lazy("New indicator"),
)


@login_required
def cost_index(request):
    rows = list(restrict(CostIndex.objects.order_by("year"), request.user))
    return _reference_page(request, model=CostIndex, template="gains/cost_index.html", rows=rows)


cost_index_edit, cost_index_delete = _reference_views(
    model=CostIndex,
    form_class=CostIndexForm,
    save=lambda obj, changes, form: services.save_cost_index(index=obj, changes=changes),
    delete=lambda i: services.delete_cost_index(index=i),
    list_name="gains:cost_index",
    delete_name="gains:cost_index_delete",
    title_new=gettext_lazy("New cost index value"),
)


@login_required
def collaboration_costs(request):
    """The collaboration's own costs no invoice carries: for those who see all."""
    user = request.user
    require_sees_all(user)
    rows = list(restrict(CollaborationCost.objects.order_by("-year", "description"), user))
    totals = defaultdict(Decimal)
    for row in rows:
        totals[row.year] += row.amount
    return _reference_page(
        request,
        model=CollaborationCost,
        template="gains/collaboration_costs.html",
        rows=rows,
        extra={"totals": sorted(totals.items(), reverse=True)},
    )


collaboration_cost_edit, collaboration_cost_delete = _reference_views(
    model=CollaborationCost,
    form_class=CollaborationCostForm,
    save=lambda obj, changes, form: services.save_collaboration_cost(cost=obj, changes=changes),
    delete=lambda c: services.delete_collaboration_cost(cost=c),
    list_name="gains:collaboration_costs",
    delete_name="gains:collaboration_cost_delete",
    title_new=gettext_lazy("New unbilled collaboration cost"),
)

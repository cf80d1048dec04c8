"""Scenarios: the baseline assumptions and copies of them that change something (a
member joins or leaves, the lease term, the interest rate, the index, a cost pool
growing), computed and compared with the baseline municipality by municipality, saved,
and exported to XLSX.

Scenarios are the collaboration's: those who see every municipality read them (403 for
the others); operators and finance change and compute them.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db import IntegrityError
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from samdrift.core.exports import XLSX_CONTENT_TYPE, attachment
from samdrift.core.permissions import can_write
from samdrift.planning import scenarios as scenario_services
from samdrift.planning.exports import scenario_xlsx as scenario_workbook
from samdrift.planning.forms import AssumptionsForm, MemberForm, NewScenarioForm, PoolChangeForm
from samdrift.planning.models import Scenario, ScenarioMember, ScenarioPoolChange
from samdrift.planning.views import require_sees_all
from samdrift.ui.forms import add_service_errors
from samdrift.ui.permissions import require_write


def _scenario(user, pk: int) -> Scenario:
    require_sees_all(user)
    return get_object_or_404(Scenario, pk=pk)


def _changes(form) -> dict:
    return {name: form.cleaned_data[name] for name in form.changed_data}


def _call(request, form, call) -> bool:
    """Run a service; its errors go next to the form's fields, nothing is written."""
    try:
        call()
    except (ValidationError, IntegrityError) as error:
        add_service_errors(form, error)
        return False
    return True


@login_required
def scenario_list(request):
    """The baseline and the saved scenarios; a new one is a copy of the baseline."""
    user = request.user
    require_sees_all(user)
    may_write = can_write(user, Scenario)
    form = NewScenarioForm(request.POST or None)
    if request.method == "POST":
        require_write(user, Scenario)
        if form.is_valid():
            made = {}

            def copy():
                made["scenario"] = scenario_services.copy_baseline(**form.cleaned_data)

            if _call(request, form, copy):
                scenario = made["scenario"]
                messages.success(request, _("Saved %(object)s.") % {"object": scenario})
                return redirect("planning:scenario_detail", pk=scenario.pk)
    return render(
        request,
        "planning/scenario_list.html",
        {
            "scenarios": Scenario.objects.order_by("-is_baseline", "name"),
            "form": form,
            "can_edit": may_write,
            "has_baseline": Scenario.objects.filter(is_baseline=True).exists(),
        },
        status=400 if form.is_bound and form.errors else 200,
    )


def _form_page(request, *, form, title, cancel, intro=""):
    return render(
        request,
        "planning/form.html",
        {"form": form, "title": title, "cancel": cancel, "intro": intro},
        status=400 if form.is_bound and form.errors else 200,
    )


@login_required
def baseline_edit(request):
    """The baseline assumptions (made with their defaults when first saved)."""
    user = request.user
    require_sees_all(user)
    require_write(user, Scenario)
    existing = Scenario.objects.filter(is_baseline=True).first()
    instance = existing or Scenario(is_baseline=True, name=_("Baseline"))
    form = AssumptionsForm(request.POST or None, instance=instance)
    if request.method == "POST" and form.is_valid():
        changes = _changes(form)
        saved = {}

        def save():
            base = existing or scenario_services.baseline()
            saved["scenario"] = scenario_services.update_scenario(base, **changes) or base

        if _call(request, form, save):
            messages.success(request, _("Saved the baseline assumptions."))
            return redirect("planning:scenario_detail", pk=saved["scenario"].pk)
    return _form_page(
        request,
        form=form,
        title=_("Baseline assumptions"),
        cancel=reverse("planning:scenario_list"),
        intro=_("Every new scenario starts as a copy of these."),
    )


@login_required
def scenario_edit(request, pk: int):
    user = request.user
    scenario = _scenario(user, pk)
    require_write(user, Scenario)
    form = AssumptionsForm(request.POST or None, instance=scenario)
    if request.method == "POST" and form.is_valid():
        changes = _changes(form)
        # The form changed the instance while validating; the service starts from the
        # stored row.
        stored = Scenario.objects.get(pk=scenario.pk)
        if _call(request, form, lambda: scenario_services.update_scenario(stored, **changes)):
            messages.success(request, _("Saved %(object)s.") % {"object": stored})
            return redirect("planning:scenario_detail", pk=scenario.pk)
    return _form_page(
        request,
        form=form,
        title=_("Assumptions of %(scenario)s") % {"scenario": scenario},
        cancel=reverse("planning:scenario_detail", args=[scenario.pk]),
    )


def _detail_context(request, scenario: Scenario, *, member_form=None, pool_form=None) -> dict:
    user = request.user
    may_write = can_write(user, Scenario)
    computed = scenario.computed_at is not None
    rows = scenario_services.comparison(scenario) if computed else []
    return {
        "scenario": scenario,
        "baseline": Scenario.objects.filter(is_baseline=True).first(),
        "members": scenario.members.select_related("municipality"),
        "pool_changes": scenario.pool_changes.select_related("pool"),
        "comparison": rows,
        "comparison_total": scenario_services.comparison_total(rows) if rows else None,
        "comparison_years": [year.year for year in rows[0].years] if rows else [],
        "can_edit": may_write,
        "member_form": member_form
        or (MemberForm(user=user, scenario=scenario) if may_write else None),
        "pool_form": pool_form
        or (PoolChangeForm(user=user, scenario=scenario) if may_write else None),
        "today": timezone.localdate(),
    }


@login_required
def scenario_detail(request, pk: int):
    scenario = _scenario(request.user, pk)
    return render(request, "planning/scenario_detail.html", _detail_context(request, scenario))


@login_required
@require_POST
def scenario_compute(request, pk: int):
    user = request.user
    scenario = _scenario(user, pk)
    require_write(user, Scenario)
    try:
        scenario_services.compute_scenario(scenario)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("Computed %(object)s.") % {"object": scenario})
    return redirect("planning:scenario_detail", pk=scenario.pk)


@login_required
def scenario_xlsx(request, pk: int):
    scenario = _scenario(request.user, pk)
    name = slugify(scenario.name) or f"scenario-{scenario.pk}"
    return attachment(
        scenario_workbook(scenario),
        filename=f"{name}-{timezone.localdate().isoformat()}.xlsx",
        content_type=XLSX_CONTENT_TYPE,
    )


def _part_add(request, pk: int, *, form_class, form_key: str, save, saved_message):
    """Add a change (a member joining or leaving, a cost pool's growth) to scenario
    ``pk`` through ``save(scenario, cleaned_data)``; a bad form shows the scenario's
    page again with the errors, nothing written."""
    user = request.user
    scenario = _scenario(user, pk)
    require_write(user, Scenario)
    form = form_class(request.POST, user=user, scenario=scenario)
    if form.is_valid():
        data = dict(form.cleaned_data)
        if _call(request, form, lambda: save(scenario, data)):
            messages.success(request, saved_message)
            return redirect("planning:scenario_detail", pk=scenario.pk)
    return render(
        request,
        "planning/scenario_detail.html",
        _detail_context(request, scenario, **{form_key: form}),
        status=400,
    )


def _part_remove(request, pk: int, *, queryset, remove):
    """Take change ``pk`` out of its scenario through ``remove(change)``."""
    user = request.user
    require_sees_all(user)
    require_write(user, queryset.model)
    change = get_object_or_404(queryset, pk=pk)
    remove(change)
    messages.success(request, _("Removed %(object)s.") % {"object": change})
    return redirect("planning:scenario_detail", pk=change.scenario_id)


@login_required
@require_POST
def member_add(request, pk: int):
    return _part_add(
        request,
        pk,
        form_class=MemberForm,
        form_key="member_form",
        save=lambda scenario, data: scenario_services.add_member(
            scenario, **{**data, "name": data.get("name") or ""}
        ),
        saved_message=_("Saved the member change."),
    )


@login_required
@require_POST
def member_remove(request, pk: int):
    return _part_remove(
        request,
        pk,
        queryset=ScenarioMember.objects.select_related("scenario"),
        remove=scenario_services.remove_member,
    )


@login_required
@require_POST
def pool_change_add(request, pk: int):
    return _part_add(
        request,
        pk,
        form_class=PoolChangeForm,
        form_key="pool_form",
        save=lambda scenario, data: scenario_services.set_pool_change(
            scenario, pool=data["pool"], growth_percent=data["growth_percent"]
        ),
        saved_message=_("Saved the cost pool change."),
    )


@login_required
@require_POST
def pool_change_remove(request, pk: int):
    return _part_remove(
        request,
        pk,
        queryset=ScenarioPoolChange.objects.select_related("scenario", "pool"),
        remove=lambda change: scenario_services.set_pool_change(
            change.scenario, pool=change.pool, growth_percent=None
        ),
    )

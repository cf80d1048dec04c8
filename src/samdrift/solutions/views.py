"""Pages of the solutions portfolio: lists, a solution, a municipality's portfolio, the
gap view and the standardisation report, and the forms behind them.

Every page starts from ``restrict``: a municipality's users see their own portfolio, and
another municipality's URL is a 404. Operators change the portfolio; a municipality's
contact may change its own requirements, nothing else.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db import IntegrityError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from samdrift.core.exports import XLSX_CONTENT_TYPE
from samdrift.core.permissions import can_write, restrict
from samdrift.organisations.models import Municipality
from samdrift.solutions.choices import GapKind
from samdrift.solutions.exports import report_workbook
from samdrift.solutions.filtersets import (
    RequirementFilterSet,
    SolutionFilterSet,
    SolutionUsageFilterSet,
)
from samdrift.solutions.forms import (
    CandidateForm,
    RequirementForm,
    SolutionForm,
    SolutionFunctionForm,
    SolutionUsageForm,
)
from samdrift.solutions.models import Requirement, Solution, SolutionFunction, SolutionUsage
from samdrift.solutions.report import standardisation_report
from samdrift.solutions.selectors import gap_report, usages_in_force, visible_municipality_id
from samdrift.solutions.services import (
    choose_candidate,
    record_usage,
    save_function,
    save_solution,
    update_requirement,
    update_usage,
)
from samdrift.solutions.tables import REQUIREMENT_TABLE, SOLUTION_TABLE, USAGE_TABLE
from samdrift.ui.forms import add_service_errors
from samdrift.ui.lists import ObjectListView
from samdrift.ui.permissions import get_restricted_or_404, require_write

GAPS_PER_PAGE = 100


class SolutionListView(ObjectListView):
    model = Solution
    filterset_class = SolutionFilterSet
    table = SOLUTION_TABLE
    title = gettext_lazy("Solutions")
    filter_fields = ["q", "function", "delivery_form", "end_of_support_before"]
    filter_labels = {"end_of_support_before": gettext_lazy("End of support before")}
    create_url_name = "solutions:solution_create"


class SolutionUsageListView(ObjectListView):
    model = SolutionUsage
    filterset_class = SolutionUsageFilterSet
    table = USAGE_TABLE
    title = gettext_lazy("Solutions in use")
    filter_fields = ["q", "municipality", "function", "solution", "in_force_on"]
    filter_labels = {"in_force_on": gettext_lazy("In use on")}
    create_url_name = "solutions:usage_create"


class RequirementListView(ObjectListView):
    model = Requirement
    filterset_class = RequirementFilterSet
    table = REQUIREMENT_TABLE
    title = gettext_lazy("Requirements")
    filter_fields = ["q", "municipality", "function", "criticality", "personal_data"]


@login_required
def solution_detail(request, pk: int):
    user = request.user
    solution = get_restricted_or_404(
        Solution.objects.select_related("function", "service"), user, pk=pk
    )
    today = timezone.localdate()
    usages = list(
        restrict(SolutionUsage.objects.filter(solution=solution), user)
        .select_related("municipality", "system_owner")
        .prefetch_related("service_areas", "integrations")
        .order_by("municipality__name", "-valid_from")
    )
    for usage in usages:
        usage.in_force = usage.valid_from <= today and (
            usage.valid_to is None or usage.valid_to > today
        )
    requirements = list(
        restrict(Requirement.objects.filter(solution=solution), user)
        .select_related("municipality")
        .order_by("municipality__name")
    )
    return render(
        request,
        "solutions/solution_detail.html",
        {
            "solution": solution,
            "usages": usages,
            "requirements": requirements,
            "today": today,
            "can_edit": can_write(user, Solution),
            "can_edit_requirements": can_write(user, Requirement),
        },
    )


@login_required
def portfolio(request, pk: int):
    """A municipality's portfolio: its solutions today, each requirement against what
    is delivered, and its gaps."""
    user = request.user
    municipality = get_restricted_or_404(Municipality.objects.all(), user, pk=pk)
    today = timezone.localdate()
    report = gap_report(user=user, on=today, municipality_id=municipality.pk)
    usages = {
        u.solution_id: u
        for u in restrict(SolutionUsage.objects.filter(municipality=municipality), user)
        .filter(pk__in=_in_force_ids(user, today, municipality.pk))
        .select_related("solution__function", "system_owner")
    }
    lines = sorted(
        report.lines,
        key=lambda line: (usages[line.solution_id].solution.function.name, line.solution),
    )
    return render(
        request,
        "solutions/portfolio.html",
        {
            "municipality": municipality,
            "lines": [(line, usages[line.solution_id]) for line in lines],
            "kind_counts": _kind_counts(report.by_municipality.get(municipality.pk, {})),
            "total": report.total,
            "today": today,
            "can_edit_requirements": can_write(user, Requirement),
            "can_edit_usage": can_write(user, SolutionUsage),
        },
    )


def _kind_counts(counts) -> list[tuple[str, str, int]]:
    return [(kind, label, counts.get(kind, 0)) for kind, label in GapKind.choices]


def _in_force_ids(user, day, municipality_id):
    return usages_in_force(user, day).filter(municipality_id=municipality_id).values("pk")


@login_required
def gaps(request):
    """The gaps per municipality and in total; the list filtered by municipality and kind."""
    user = request.user
    today = timezone.localdate()
    try:
        municipality_id = visible_municipality_id(user, request.GET.get("municipality"))
    except LookupError:
        raise Http404("No municipality with that id.") from None
    kind = request.GET.get("kind") or None
    if kind not in GapKind.values:
        kind = None
    report = gap_report(user=user, on=today)
    rows = list(report.gap_lines(municipality_id=municipality_id, kind=kind))
    page = Paginator(rows, GAPS_PER_PAGE).get_page(request.GET.get("page"))
    summary = [
        (mid, report.municipalities[mid], [counts.get(k, 0) for k, _label in GapKind.choices])
        for mid, counts in sorted(
            report.by_municipality.items(), key=lambda item: report.municipalities[item[0]]
        )
    ]
    return render(
        request,
        "solutions/gaps.html",
        {
            "report": report,
            "summary": summary,
            "totals": [report.totals.get(k, 0) for k, _label in GapKind.choices],
            "kind_counts": _kind_counts(report.totals),
            "gap_kinds": GapKind.choices,
            "page": page,
            "municipality_id": municipality_id,
            "kind": kind or "",
            "municipalities": sorted(report.municipalities.items(), key=lambda item: item[1]),
            "today": today,
        },
    )


@login_required
def standardisation(request):
    user = request.user
    today = timezone.localdate()
    report = standardisation_report(user=user, on=today)
    if request.GET.get("export") == "xlsx":
        response = HttpResponse(report_workbook(report), content_type=XLSX_CONTENT_TYPE)
        name = f"standardisation-{today.isoformat()}.xlsx"
        response["Content-Disposition"] = f'attachment; filename="{name}"'
        return response
    return render(
        request,
        "solutions/standardisation.html",
        {
            "report": report,
            "today": today,
            "can_choose": can_write(user, SolutionFunction),
        },
    )


@login_required
def choose_function_candidate(request, pk: int):
    user = request.user
    require_write(user, SolutionFunction)
    function = get_restricted_or_404(SolutionFunction.objects.all(), user, pk=pk)
    if request.method == "POST":
        form = CandidateForm(request.POST, function=function)
        if form.is_valid():
            choose_candidate(function=function, solution=form.cleaned_data["solution"])
            messages.success(request, _("Saved %(object)s.") % {"object": function})
    return redirect(reverse("solutions:standardisation") + f"#function-{function.pk}")


# --- forms ------------------------------------------------------------------------------


def _form_page(request, *, form, title: str, cancel: str, obj=None):
    status = 400 if form.is_bound and form.errors else 200
    return render(
        request,
        "solutions/form.html",
        {"form": form, "title": title, "object": obj, "cancel": cancel},
        status=status,
    )


def _saved(request, call):
    try:
        instance = call()
    except (ValidationError, IntegrityError) as error:
        return None, error
    messages.success(request, _("Saved %(object)s.") % {"object": instance})
    return instance, None


@login_required
def function_create(request):
    user = request.user
    require_write(user, SolutionFunction)
    form = SolutionFunctionForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        saved, error = _saved(request, lambda: save_function(function=form.instance))
        if saved is not None:
            return redirect("solutions:standardisation")
        add_service_errors(form, error)
    return _form_page(
        request, form=form, title=_("New function"), cancel=reverse("solutions:standardisation")
    )


@login_required
def solution_edit(request, pk: int | None = None):
    user = request.user
    require_write(user, Solution)
    solution = get_restricted_or_404(Solution.objects.all(), user, pk=pk) if pk else None
    form = SolutionForm(request.POST or None, instance=solution, user=user)
    if request.method == "POST" and form.is_valid():
        saved, error = _saved(request, lambda: save_solution(solution=form.instance))
        if saved is not None:
            return redirect("solutions:solution_detail", pk=saved.pk)
        add_service_errors(form, error)
    cancel = (
        reverse("solutions:solution_detail", args=[pk])
        if pk
        else reverse("solutions:solution_list")
    )
    title = _("Edit solution") if solution else _("New solution")
    return _form_page(request, form=form, title=title, cancel=cancel, obj=solution)


@login_required
def usage_edit(request, pk: int | None = None):
    user = request.user
    require_write(user, SolutionUsage)
    usage = get_restricted_or_404(SolutionUsage.objects.all(), user, pk=pk) if pk else None
    initial = {k: request.GET[k] for k in ("municipality", "solution") if request.GET.get(k)}
    form = SolutionUsageForm(
        request.POST or None, instance=usage, user=user, initial=None if usage else initial
    )
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        areas, others = data.pop("service_areas"), data.pop("integrations")
        if usage is None:
            call = lambda: record_usage(service_areas=areas, integrations=others, **data)  # noqa: E731
        else:
            call = lambda: update_usage(  # noqa: E731
                usage=usage, changes=data, service_areas=areas, integrations=others
            )
        saved, error = _saved(request, call)
        if saved is not None:
            return redirect("solutions:portfolio", pk=saved.municipality_id)
        add_service_errors(form, error)
    title = _("Edit use of a solution") if usage else _("New use of a solution")
    return _form_page(
        request, form=form, title=title, cancel=reverse("solutions:usage_list"), obj=usage
    )


@login_required
def requirement_edit(request, pk: int):
    """A requirement, as its municipality's contact or an operator changes it."""
    user = request.user
    require_write(user, Requirement)
    requirement = get_restricted_or_404(
        Requirement.objects.select_related("municipality", "solution"), user, pk=pk
    )
    form = RequirementForm(request.POST or None, instance=requirement)
    if request.method == "POST" and form.is_valid():
        saved, error = _saved(
            request, lambda: update_requirement(requirement=form.instance, changes={})
        )
        if saved is not None:
            return redirect("solutions:portfolio", pk=saved.municipality_id)
        add_service_errors(form, error)
    title = _("Requirements of %(municipality)s for %(solution)s") % {
        "municipality": requirement.municipality,
        "solution": requirement.solution,
    }
    cancel = reverse("solutions:portfolio", args=[requirement.municipality_id])
    return _form_page(request, form=form, title=title, cancel=cancel, obj=requirement)

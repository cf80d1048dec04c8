"""The computed pages of the gains app: planned vs realised, common versus separate,
the benefit map, and the XLSX of the plan and its gains.

Each starts from what the user may see: planned vs realised and the benefit map from
the user's own actions, shares and measurements; common versus separate is
whole-municipality money — all members for those who see all, a municipality's users
their own (another's is a 404), a service-area manager none (403).
"""

from __future__ import annotations

import datetime

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _

from samdrift.core.exports import XLSX_CONTENT_TYPE, attachment
from samdrift.core.permissions import restrict
from samdrift.gains import charts
from samdrift.gains.benefit_map import benefit_map_svg
from samdrift.gains.choices import ActionStatus
from samdrift.gains.comparison import compare
from samdrift.gains.exports import plan_workbook
from samdrift.gains.filtersets import ActionFilterSet
from samdrift.gains.forms import YearForm
from samdrift.gains.models import Action, Gain
from samdrift.gains.selectors import (
    visible_measurements,
    visible_milestones,
    visible_realisation,
    visible_shares,
)
from samdrift.gains.views_baselines import municipality_or_404, require_whole_municipality
from samdrift.organisations.models import Municipality


def chosen_year(request) -> int:
    """``?year=`` (this year when not given or not a year the system handles)."""
    form = YearForm(request.GET)
    if form.is_valid() and form.cleaned_data.get("year"):
        return form.cleaned_data["year"]
    return timezone.localdate().year


def filtered_actions(request):
    """The user's actions narrowed by the plan's filters (404 for a hidden object)."""
    data = request.GET.copy()
    for name in list(data):
        values = [v for v in data.getlist(name) if v != ""]
        if values:
            data.setlist(name, values)
        else:
            del data[name]
    filterset = ActionFilterSet(
        data, queryset=restrict(Action.objects.all(), request.user), request=request
    )
    return filterset.filter_or_raise() if data else filterset.queryset


@login_required
def realisation_page(request):
    """Planned vs realised in ``?year=``, per action and municipality, with the totals
    (sums of the same cells, so they reconcile); and the years of every gain."""
    user = request.user
    year = chosen_year(request)
    figures = visible_realisation(
        user, start=datetime.date(year, 1, 1), end=datetime.date(year + 1, 1, 1)
    )
    actions = {a.pk: a for a in restrict(Action.objects.only("pk", "title", "status"), user)}
    names = dict(restrict(Municipality.objects.all(), user).values_list("pk", "name"))
    by_pair = figures.by_action_and_municipality()
    by_action = figures.by_action()
    rows = []
    for action_id, totals in sorted(
        by_action.items(), key=lambda item: actions[item[0]].title if item[0] in actions else ""
    ):
        rows.append(
            {
                "action": actions.get(action_id),
                "totals": totals,
                "municipalities": [
                    (names.get(m, ""), t)
                    for (a, m), t in sorted(by_pair.items(), key=lambda i: names.get(i[0][1], ""))
                    if a == action_id
                ],
            }
        )
    spans = list(restrict(Gain.objects.all(), user).values_list("first_year", "last_year"))
    first = min((f for f, _l in spans), default=None)
    last = max((la for _f, la in spans), default=None)
    years = []
    if first is not None:
        last = min(last, year + 10)
        overall = visible_realisation(
            user, start=datetime.date(first, 1, 1), end=datetime.date(last + 1, 1, 1)
        )
        years = sorted(overall.by_year().items())
    return render(
        request,
        "gains/realisation.html",
        {
            "year": year,
            "rows": rows,
            "by_municipality": sorted(
                ((names.get(m, ""), t) for m, t in figures.by_municipality().items()),
                key=lambda item: item[0],
            ),
            "total": figures.total,
            "years": years,
            "this_year": timezone.localdate().year,
            "previous": year - 1,
            "next": year + 1,
        },
    )


@login_required
def comparison(request):
    """All members, for those who see all; a municipality's users see their own."""
    user = request.user
    require_whole_municipality(user)
    if not user.sees_all_municipalities:
        if user.municipality_id is None:
            raise PermissionDenied
        return redirect("gains:comparison_detail", municipality_id=user.municipality_id)
    today = timezone.localdate()
    result = compare(municipalities=Municipality.objects.order_by("name"), as_of=today)
    return render(
        request,
        "gains/comparison.html",
        {
            "comparison": result,
            "today": today,
            "statements": [s for m in result.members for s in m.plain_statements()],
            "chart": charts.collaboration_chart(result.totals, chart_id="comparison-totals")
            if result.totals
            else None,
            "cumulative_chart": charts.collaboration_cumulative_chart(
                result.totals, chart_id="comparison-cumulative"
            )
            if result.totals
            else None,
        },
    )


@login_required
def comparison_detail(request, municipality_id: int):
    user = request.user
    municipality = municipality_or_404(user, municipality_id)
    today = timezone.localdate()
    result = compare(municipalities=Municipality.objects.filter(pk=municipality.pk), as_of=today)
    member = result.members[0] if result.members else None
    return render(
        request,
        "gains/comparison_detail.html",
        {
            "municipality": municipality,
            "member": member,
            "today": today,
            "statements": member.plain_statements() if member else [],
            "chart": charts.member_chart(member, chart_id="comparison-member")
            if member and member.years
            else None,
            "cumulative_chart": charts.member_cumulative_chart(
                member, chart_id="comparison-member-cumulative"
            )
            if member and member.years
            else None,
        },
    )


@login_required
def benefit_map(request):
    """Actions → effects → gains, with prerequisites; by default the open and done
    actions (``?status=`` to choose)."""
    actions = filtered_actions(request)
    if not request.GET.get("status"):
        actions = actions.exclude(status=ActionStatus.CANCELLED)
    return render(
        request,
        "gains/benefit_map.html",
        {
            "svg": benefit_map_svg(actions=actions, shares=visible_shares(request.user)),
            "statuses": ActionStatus.choices,
            "status": request.GET.get("status", ""),
        },
    )


@login_required
def plan_xlsx(request):
    """The plan and its gains as the user may see them (the plan's filters apply)."""
    user = request.user
    year = timezone.localdate().year
    actions = (
        filtered_actions(request).prefetch_related("municipalities").order_by("deadline", "pk")
    )
    action_ids = actions.values("pk")
    gains = (
        restrict(Gain.objects.filter(action__in=action_ids), user)
        .select_related("action", "indicator")
        .order_by("action__deadline", "action_id", "pk")
    )
    shares = (
        visible_shares(user)
        .filter(gain__action__in=action_ids)
        .select_related("gain__action", "municipality")
        .order_by("gain__action_id", "gain_id", "municipality__name")
    )
    measurements = (
        visible_measurements(user)
        .filter(gain__action__in=action_ids)
        .select_related("gain__action", "municipality")
        .order_by("gain__action_id", "gain_id", "municipality__name", "measured_on", "pk")
    )
    spans = list(gains.values_list("first_year", "last_year"))
    first = min((f for f, _l in spans), default=year)
    last = min(max((la for _f, la in spans), default=year), year + 10)
    figures = visible_realisation(
        user,
        start=datetime.date(first, 1, 1),
        end=datetime.date(last + 1, 1, 1),
        actions=actions,
    )
    content = plan_workbook(
        actions=list(actions),
        milestones=visible_milestones(user)
        .filter(action__in=action_ids)
        .order_by("action_id", "due", "pk"),
        gains=gains,
        shares=shares,
        measurements=measurements,
        figures=figures,
        municipality_names=dict(
            restrict(Municipality.objects.all(), user).values_list("pk", "name")
        ),
    )
    name = _("action-plan")
    return attachment(
        content,
        filename=f"{name}-{timezone.localdate().isoformat()}.xlsx",
        content_type=XLSX_CONTENT_TYPE,
    )

"""The overview dashboard."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext as _

from samdrift.dashboard.selectors import (
    monthly_cost,
    municipality_names,
    overview,
    service_area_names,
)
from samdrift.solutions.selectors import gap_count
from samdrift.ui import charts, notifications
from samdrift.ui.formatting import format_money, format_number


def _age_label(bucket: int, last: int) -> str:
    if bucket == last:
        return _("%(years)s years or more") % {"years": bucket}
    return _("%(low)s–%(high)s years") % {"low": bucket, "high": bucket + 1}


@login_required
def home(request):
    """Operators see every municipality; a municipality's users see their own."""
    user = request.user
    today = timezone.localdate()
    figures = overview(user=user, day=today)
    cost = monthly_cost(user=user, day=today)
    statuses = figures["statuses"]
    status_labels = [str(label) for _value, label in statuses]
    category_rows = [
        (category, [counts.get(value, 0) for value, _label in statuses])
        for category, counts in figures["by_category_status"].items()
    ]
    last_bucket = len(figures["ages"]) - 1
    age_bars = [
        charts.Bar(_age_label(bucket, last_bucket), count, format_number(count))
        for bucket, count in figures["ages"]
    ]
    due_bars = [
        charts.Bar(month.strftime("%m.%Y"), count, format_number(count))
        for month, count in figures["due_by_month"]
    ]
    if user.sees_all_municipalities:
        cost_rows, area_rows = _cost_per_municipality(user, cost)
        cost_title = _("Monthly cost per municipality")
    else:
        cost_rows, area_rows = _cost_per_own_service_area(user, cost), []
        cost_title = _("Monthly cost per service area")
    cost_bars = [
        charts.Bar(name, float(amount), format_money(amount), url)
        for name, amount, url in cost_rows
    ]
    context = {
        "figures": figures,
        "cost": cost,
        "cost_table": _cost_table(cost_rows),
        "area_table": _area_table(area_rows),
        "status_labels": status_labels,
        "category_rows": category_rows,
        "charts": _charts(category_rows, status_labels, age_bars, due_bars, cost_bars, cost_title),
        "age_rows": list(
            zip([b.label for b in age_bars], [c for _b, c in figures["ages"]], strict=True)
        ),
        "cost_title": cost_title,
        "today": today,
        "solution_gaps": gap_count(user=user, on=today),
        # What needs this user's attention (each app's providers, ui.notifications);
        # the cards summed from the fleet figures and the rules are offered so planning
        # and leasing do not count them again.
        "notifications": notifications.collect(
            user,
            today,
            {
                "overdue": figures["cards"]["overdue"],
                "due_soon": figures["due_soon"],
                "leases_ending": figures["leases_ending"],
                "rules": figures["rules"],
            },
        ),
    }
    return render(request, "dashboard/home.html", context)


def _cost_per_municipality(user, cost) -> tuple[list[tuple], list[tuple]]:
    """(municipality, amount, its page) by cost, highest first; and (municipality,
    service area, amount) by municipality, for the table under the chart."""
    names = municipality_names(user)
    totals = cost.by_municipality()
    cost_rows = sorted(
        (
            (
                names[mid].name if mid in names else str(mid),
                amount,
                reverse("organisations:municipality_detail", args=[mid]),
            )
            for mid, amount in totals.items()
        ),
        key=lambda row: (-row[1], row[0]),
    )
    areas = service_area_names(user)
    area_rows = sorted(
        (
            (
                names.get(mid).name if mid in names else str(mid),
                areas[aid].name if aid in areas else _("No service area"),
                amount,
            )
            for (mid, aid), amount in cost.by_service_area().items()
        ),
        key=lambda row: (row[0], -row[2]),
    )
    return cost_rows, area_rows


# The cost tables' rows written in one call each, not by the template's loop: an
# operator's area table has 300 rows, a fifth of the overview's rendering.
def _cost_table(cost_rows: list[tuple]) -> str:
    return format_html_join(
        "",
        '<tr><td>{}</td><td class="num">{}</td></tr>',
        (
            (format_html('<a href="{}">{}</a>', url, name) if url else name, format_money(amount))
            for name, amount, url in cost_rows
        ),
    )


def _area_table(area_rows: list[tuple]) -> str:
    return format_html_join(
        "",
        '<tr><td>{}</td><td>{}</td><td class="num">{}</td></tr>',
        ((municipality, area, format_money(amount)) for municipality, area, amount in area_rows),
    )


def _cost_per_own_service_area(user, cost) -> list[tuple]:
    """(service area, amount, no page) by cost, highest first."""
    areas = service_area_names(user)
    return sorted(
        (
            (areas[aid].name if aid in areas else _("No service area"), amount, None)
            for (_mid, aid), amount in cost.by_service_area().items()
        ),
        key=lambda row: (-row[1], row[0]),
    )


def _charts(category_rows, status_labels, age_bars, due_bars, cost_bars, cost_title) -> dict:
    return {
        "category": charts.stacked_bar_chart(
            category_rows,
            status_labels,
            title=_("Assets by category and status"),
            chart_id="chart-category",
            number=format_number,
        ),
        "category_legend": charts.legend(status_labels, chart_id="chart-category"),
        "age": charts.bar_chart(
            age_bars, title=_("Fleet age (assets in service)"), chart_id="chart-age"
        ),
        "due": charts.bar_chart(
            due_bars,
            title=_("Assets due for replacement per month"),
            chart_id="chart-due",
        ),
        "cost": charts.bar_chart(cost_bars, title=cost_title, chart_id="chart-cost"),
    }

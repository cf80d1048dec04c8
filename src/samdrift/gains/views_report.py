"""The board report's pages: a print-ready page and the same HTML as a PDF.

``?year=2026`` (the year) or ``?year=2026&quarter=3`` (one quarter); without a year, this
year so far. Only for those who see every municipality (operators, finance, the auditor):
the report is the collaboration's whole account, so anyone else gets a 403 (as on
planning's investment page). A year that is not offered, a quarter other than 1–4 or a
period not yet started gives the page back with the message next to its field (400),
never an error page. The language is the user's (``LocaleMiddleware``).
"""

from __future__ import annotations

from django import forms
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from samdrift.gains.board_report import (
    QUARTERS,
    PeriodError,
    board_report,
    report_period,
    report_years,
)
from samdrift.ui.pdf import render_pdf

TEMPLATE = "gains/board_report.html"


class BoardReportForm(forms.Form):
    """The period: a year that exists, and optionally one quarter of it."""

    year = forms.TypedChoiceField(label=_("Year"), coerce=int)
    quarter = forms.TypedChoiceField(
        label=_("Quarter"), coerce=int, required=False, empty_value=None
    )

    def __init__(self, *args, years: list[int], **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["year"].choices = [(year, str(year)) for year in years]
        self.fields["year"].error_messages["invalid_choice"] = _(
            "Choose one of the years offered (%(first)s–%(last)s), not “%%(value)s”."
        ) % {"first": years[-1], "last": years[0]}
        self.fields["quarter"].choices = [("", _("The whole year"))] + [
            (q, _("Quarter %(n)s") % {"n": q}) for q in QUARTERS
        ]
        self.fields["quarter"].error_messages["invalid_choice"] = _(
            "A quarter is 1, 2, 3 or 4 (or empty for the whole year), not “%(value)s”."
        )


def require_sees_all(user) -> None:
    """The collaboration's whole account: those who see every municipality only."""
    if not user.sees_all_municipalities:
        raise PermissionDenied


def _report_context(request) -> tuple[dict, int]:
    """The template context and status of the request's period (400 with the form's
    messages when the period is wrong)."""
    require_sees_all(request.user)
    today = timezone.localdate()
    years = report_years(user=request.user, today=today)
    data = request.GET.copy()
    if not data.get("year"):
        data["year"] = str(years[0])
    form = BoardReportForm(data, years=years)
    context = {"form": form, "query": "", "report": None, "today": today}
    if not form.is_valid():
        return context, 400
    try:
        period = report_period(
            year=form.cleaned_data["year"], quarter=form.cleaned_data["quarter"], today=today
        )
    except PeriodError as error:
        form.add_error(error.field, error.message)
        return context, 400
    query = f"year={period.year}" + (f"&quarter={period.quarter}" if period.quarter else "")
    context.update(
        report=board_report(user=request.user, period=period, today=today),
        query=query,
    )
    return context, 200


@login_required
def board_report_page(request):
    """The board report as a print-ready page (A4 when printed)."""
    context, status = _report_context(request)
    html = render_to_string(TEMPLATE, {**context, "for_pdf": False}, request)
    return HttpResponse(html, status=status)


@login_required
def board_report_pdf(request):
    """The same report as a PDF download (a wrong period: the page with its message)."""
    context, status = _report_context(request)
    if status != 200:
        html = render_to_string(TEMPLATE, {**context, "for_pdf": False}, request)
        return HttpResponse(html, status=status)
    html = render_to_string(TEMPLATE, {**context, "for_pdf": True}, request)
    response = HttpResponse(render_pdf(html), content_type="application/pdf")
    period = context["report"].period
    name = f"board-report-{period.year}" + (f"-q{period.quarter}" if period.quarter else "")
    response["Content-Disposition"] = f'attachment; filename="{name}.pdf"'
    return response

"""Pages for leasing and the yearly price list: lease models and which category uses
which, the price-list calculation (old vs new, effect per municipality) with its
publication, and the indexation of service prices.

Reads are open to every signed-in user (the catalogue is shared); the effect per
municipality covers only the municipalities the user may see (``restrict``). Writing —
lease models, publishing — needs the finance or operator role.
"""

from __future__ import annotations

import datetime
from decimal import Decimal

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from django.views.decorators.http import require_POST

from samdrift.core.permissions import can_write, restrict
from samdrift.leasing.models import PriceListPublication
from samdrift.leasing.pricing.indexation import calculate_indexation, publish_indexation
from samdrift.leasing.pricing.lease_price import HUNDRED
from samdrift.leasing.pricing.price_list import calculate_price_list, publish_price_list
from samdrift.organisations.models import Municipality
from samdrift.ui.confirm import (
    Confirmation,
    Done,
    Table,
    error_messages,
    fingerprint,
    perform_confirmed,
    render_confirmation,
)
from samdrift.ui.formatting import format_day, format_money, format_number
from samdrift.ui.forms import DateField, DateInput, add_service_errors
from samdrift.ui.permissions import require_write


def next_year() -> int:
    return timezone.localdate().year + 1


# --- The price list -----------------------------------------------------------------------


class PriceListForm(forms.Form):
    year = forms.IntegerField(label=gettext_lazy("Year"), min_value=2000, max_value=2100)
    valid_from = DateField(
        label=gettext_lazy("Valid from"),
        required=False,
        widget=DateInput,
        help_text=gettext_lazy("Default: 1 January of the year."),
    )


class PublishForm(PriceListForm):
    note = forms.CharField(label=gettext_lazy("Note"), max_length=200, required=False)


class IndexationForm(PriceListForm):
    old_index = forms.DecimalField(
        label=gettext_lazy("Index last year"), max_digits=12, decimal_places=4, min_value=0
    )
    new_index = forms.DecimalField(
        label=gettext_lazy("Index this year"), max_digits=12, decimal_places=4, min_value=0
    )
    index_name = forms.CharField(
        label=gettext_lazy("Index"),
        max_length=100,
        required=False,
        help_text=gettext_lazy("E.g. the municipal deflator (kommunal deflator)."),
    )


@login_required
def price_list(request):
    """Old vs new product prices for a year, the effect per municipality, and (for finance)
    the forms that publish them and index the service prices."""
    form = PriceListForm(request.GET or {"year": next_year()})
    calculation = None
    if form.is_valid():
        try:
            calculation = calculate_price_list(
                year=form.cleaned_data["year"],
                valid_from=form.cleaned_data["valid_from"],
                municipalities=restrict(Municipality.objects.all(), request.user),
            )
        except ValidationError as error:
            add_service_errors(form, error)
    indexation_form = IndexationForm(
        request.GET if "old_index" in request.GET else None,
        initial={"year": form.data.get("year") or next_year()},
    )
    indexation = None
    if indexation_form.is_bound and indexation_form.is_valid():
        try:
            indexation = calculate_indexation(
                year=indexation_form.cleaned_data["year"],
                old_index=indexation_form.cleaned_data["old_index"],
                new_index=indexation_form.cleaned_data["new_index"],
                valid_from=indexation_form.cleaned_data["valid_from"],
            )
        except ValidationError as error:
            add_service_errors(indexation_form, error)
    publications = PriceListPublication.objects.select_related("published_by")[:20]
    return render(
        request,
        "leasing/pricing/price_list.html",
        {
            "form": form,
            "calculation": calculation,
            "indexation_form": indexation_form,
            "indexation": indexation,
            "publications": publications,
            "may_publish": can_write(request.user, PriceListPublication),
        },
        status=200 if form.is_valid() and not form.errors else 400,
    )


def _percent(value: Decimal | None) -> str:
    return "–" if value is None else f"{format_number(value, 2)} %"


def _blocked(rows, name: str) -> list[str]:
    """Why publishing would be refused, as the service names it."""
    return [
        _("%(item)s: %(problem)s") % {"item": getattr(row, name), "problem": row.problem}
        for row in rows
    ]


def _price_list_fingerprint(calculation, note: str) -> str:
    return fingerprint(
        "price_list",
        calculation.year,
        calculation.valid_from,
        note,
        [(r.product_id, r.old_amount, r.new_amount, r.problem) for r in calculation.rows],
    )


def _valid_form(request, form_class, data, message: str):
    """The bound form when valid; otherwise None, with ``message`` shown."""
    form = form_class(data)
    if form.is_valid():
        return form
    messages.error(request, message)
    return None


def _publish_form(request, data) -> PublishForm | None:
    return _valid_form(
        request, PublishForm, data, _("Give the year (and a valid date) to publish.")
    )


def _calculated(request, calculate):
    """``calculate()``, or None once the reasons it refused are shown as messages."""
    try:
        return calculate()
    except ValidationError as error:
        for message in error_messages(error):
            messages.error(request, message)
        return None


def _versions_closed_note() -> str:
    return _(
        "Old versions are closed the day before, never edited: invoices already "
        "issued stay as they are."
    )


@login_required
def price_list_publish_confirm(request):
    """What publishing the price list will do: which products get which new price from
    when, and what that means a month for the municipalities' current fleets."""
    require_write(request.user, PriceListPublication)
    form = _publish_form(request, request.GET)
    if form is None:
        return redirect("pricing:price_list")
    data = form.cleaned_data
    back = f"{reverse('pricing:price_list')}?{urlencode({'year': data['year']})}"
    calculation = _calculated(
        request,
        lambda: calculate_price_list(
            year=data["year"],
            valid_from=data["valid_from"],
            municipalities=restrict(Municipality.objects.all(), request.user),
        ),
    )
    if calculation is None:
        return redirect(back)
    return render_confirmation(request, _price_list_confirmation(calculation, data, back))


def _price_list_confirmation(calculation, data, back: str) -> Confirmation:
    rows = calculation.publishable_rows
    problems = _blocked(calculation.blocked_rows, "product")
    if not rows and not problems:
        problems.append(_("No product gets a new price; there is nothing to publish."))
    day_before = calculation.valid_from - datetime.timedelta(days=1)
    return Confirmation(
        title=_("Publish the price list %(year)s") % {"year": calculation.year},
        summary=ngettext(
            "Publish %(count)d new product price from %(date)s. The municipalities' current "
            "fleets cost %(old)s a month at the old prices and %(new)s at the new (%(change)s).",
            "Publish %(count)d new product prices from %(date)s. The municipalities' current "
            "fleets cost %(old)s a month at the old prices and %(new)s at the new (%(change)s).",
            len(rows),
        )
        % {
            "count": len(rows),
            "date": format_day(calculation.valid_from),
            "old": format_money(calculation.total_old_monthly),
            "new": format_money(calculation.total_new_monthly),
            "change": _percent(calculation.total_change_percent),
        },
        button=ngettext("Publish %(count)d new price", "Publish %(count)d new prices", len(rows))
        % {"count": len(rows)},
        action_url=reverse("pricing:price_list_publish"),
        cancel_url=back,
        fingerprint=_price_list_fingerprint(calculation, data["note"]),
        facts=[
            (_("Valid from"), format_day(calculation.valid_from)),
            (_("Old versions end"), format_day(day_before)),
            (_("Note"), data["note"] or "–"),
        ],
        table=Table(
            headers=[_("Product"), _("Old price"), _("New price"), _("Change"), "%"],
            rows=[
                [
                    row.product,
                    format_money(row.old_amount) or "–",
                    format_money(row.new_amount),
                    format_money(row.change) or "–",
                    _percent(row.change_percent),
                ]
                for row in rows
            ],
            numeric=frozenset({1, 2, 3, 4}),
        ),
        notes=[_versions_closed_note()],
        problems=problems,
        hidden={
            "year": str(calculation.year),
            "valid_from": calculation.valid_from.isoformat(),
            "note": data["note"],
        },
    )


@login_required
@require_POST
def price_list_publish(request):
    require_write(request.user, PriceListPublication)
    form = _publish_form(request, request.POST)
    if form is None:
        return redirect("pricing:price_list")
    data = form.cleaned_data
    params = {"year": data["year"]}
    if data["valid_from"]:
        params["valid_from"] = data["valid_from"].isoformat()

    def current() -> str:
        calculation = calculate_price_list(
            year=data["year"], valid_from=data["valid_from"], effects=False
        )
        return _price_list_fingerprint(calculation, data["note"])

    def act() -> Done:
        publication = publish_price_list(
            year=data["year"],
            valid_from=data["valid_from"],
            note=data["note"],
        )
        return Done(
            _("Published %(count)s new product prices from %(date)s.")
            % {
                "count": format_number(publication.versions_created),
                "date": format_day(publication.valid_from),
            },
            f"{reverse('pricing:price_list')}?{urlencode(params)}",
        )

    return perform_confirmed(
        request,
        kind="pricing.price_list",
        current_fingerprint=current,
        act=act,
        confirm_url=f"{reverse('pricing:price_list_publish_confirm')}?"
        f"{urlencode({**params, 'note': data['note']})}",
    )


def _indexation_fingerprint(calculation, index_name: str) -> str:
    return fingerprint(
        "indexation",
        calculation.year,
        calculation.valid_from,
        calculation.old_index,
        calculation.new_index,
        index_name,
        [(r.service_id, r.old_amount, r.new_amount, r.problem) for r in calculation.rows],
    )


def _indexation_form(request, data) -> IndexationForm | None:
    return _valid_form(
        request,
        IndexationForm,
        data,
        _("Give the year and both index values to index the prices."),
    )


def _indexation_params(data) -> dict[str, str]:
    params = {
        "year": str(data["year"]),
        "old_index": str(data["old_index"]),
        "new_index": str(data["new_index"]),
        "index_name": data["index_name"],
    }
    if data["valid_from"]:
        params["valid_from"] = data["valid_from"].isoformat()
    return params


@login_required
def indexation_publish_confirm(request):
    """What indexing the service prices will do: each service's old and new price."""
    require_write(request.user, PriceListPublication)
    form = _indexation_form(request, request.GET)
    if form is None:
        return redirect("pricing:price_list")
    data = form.cleaned_data
    back = f"{reverse('pricing:price_list')}?{urlencode(_indexation_params(data))}"
    calculation = _calculated(
        request,
        lambda: calculate_indexation(
            year=data["year"],
            old_index=data["old_index"],
            new_index=data["new_index"],
            valid_from=data["valid_from"],
        ),
    )
    if calculation is None:
        return redirect(back)
    return render_confirmation(request, _indexation_confirmation(calculation, data, back))


def _indexation_confirmation(calculation, data, back: str) -> Confirmation:
    rows = calculation.publishable_rows
    problems = _blocked(calculation.blocked_rows, "service")
    if not rows and not problems:
        problems.append(_("No service gets a new price; there is nothing to publish."))
    return Confirmation(
        title=_("Index the service prices %(year)s") % {"year": calculation.year},
        summary=ngettext(
            "Publish %(count)d indexed service price from %(date)s: %(name)s %(old)s → "
            "%(new)s (%(change)s).",
            "Publish %(count)d indexed service prices from %(date)s: %(name)s %(old)s → "
            "%(new)s (%(change)s).",
            len(rows),
        )
        % {
            "count": len(rows),
            "date": format_day(calculation.valid_from),
            "name": data["index_name"] or _("index"),
            "old": format_number(calculation.old_index),
            "new": format_number(calculation.new_index),
            "change": _percent((calculation.factor - 1) * HUNDRED),
        },
        button=ngettext(
            "Publish %(count)d indexed price", "Publish %(count)d indexed prices", len(rows)
        )
        % {"count": len(rows)},
        action_url=reverse("pricing:indexation_publish"),
        cancel_url=back,
        fingerprint=_indexation_fingerprint(calculation, data["index_name"]),
        facts=[(_("Valid from"), format_day(calculation.valid_from))],
        table=Table(
            headers=[_("Service"), _("Old price"), _("New price"), "%"],
            rows=[
                [
                    row.service,
                    format_money(row.old_amount),
                    format_money(row.new_amount),
                    _percent(row.change_percent),
                ]
                for row in rows
            ],
            numeric=frozenset({1, 2, 3}),
        ),
        notes=[_versions_closed_note()],
        problems=problems,
        hidden={**_indexation_params(data), "valid_from": calculation.valid_from.isoformat()},
    )


@login_required
@require_POST
def indexation_publish(request):
    require_write(request.user, PriceListPublication)
    form = _indexation_form(request, request.POST)
    if form is None:
        return redirect("pricing:price_list")
    data = form.cleaned_data

    def current() -> str:
        calculation = calculate_indexation(
            year=data["year"],
            old_index=data["old_index"],
            new_index=data["new_index"],
            valid_from=data["valid_from"],
        )
        return _indexation_fingerprint(calculation, data["index_name"])

    def act() -> Done:
        publication = publish_indexation(
            year=data["year"],
            old_index=data["old_index"],
            new_index=data["new_index"],
            valid_from=data["valid_from"],
            index_name=data["index_name"],
        )
        return Done(
            _("Published %(count)s indexed service prices from %(date)s.")
            % {
                "count": format_number(publication.versions_created),
                "date": format_day(publication.valid_from),
            },
            f"{reverse('pricing:price_list')}?{urlencode({'year': data['year']})}",
        )

    return perform_confirmed(
        request,
        kind="pricing.indexation",
        current_fingerprint=current,
        act=act,
        confirm_url=f"{reverse('pricing:indexation_publish_confirm')}?"
        f"{urlencode(_indexation_params(data))}",
    )

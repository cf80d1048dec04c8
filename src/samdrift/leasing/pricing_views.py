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
from django.db.models import Count
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from django.views.decorators.http import require_POST

from samdrift.catalogue.models import ProductCategory
from samdrift.core.permissions import can_write, restrict
from samdrift.core.services import save_object
from samdrift.leasing.choices import PaymentTiming
from samdrift.leasing.models import LeaseModel, PriceListPublication
from samdrift.leasing.pricing import (
    calculate_indexation,
    calculate_price_list,
    lease_price,
    publish_indexation,
    publish_price_list,
)
from samdrift.organisations.models import Municipality
from samdrift.ui.confirm import (
    Confirmation,
    Done,
    Table,
    fingerprint,
    perform_confirmed,
    render_confirmation,
)
from samdrift.ui.formatting import format_day, format_money, format_number
from samdrift.ui.forms import DateField, DateInput, MoneyField, add_service_errors
from samdrift.ui.permissions import get_restricted_or_404, require_write

HUNDRED = Decimal(100)
EXAMPLE_COST = Decimal("10000")


def next_year() -> int:
    return timezone.localdate().year + 1


# --- Lease models -------------------------------------------------------------------------


class LeaseModelForm(forms.Form):
    name = forms.CharField(label=gettext_lazy("Name"), max_length=100)
    term_months = forms.IntegerField(
        label=gettext_lazy("Term (months)"), min_value=1, max_value=120
    )
    annual_rate = forms.DecimalField(
        label=gettext_lazy("Annual interest rate (%)"),
        min_value=Decimal("0"),
        max_value=HUNDRED,
        max_digits=7,
        decimal_places=4,
        help_text=gettext_lazy("In per cent: 4.5 for 4.5 % a year."),
    )
    residual_percent = forms.DecimalField(
        label=gettext_lazy("Residual value (%)"),
        min_value=Decimal("0"),
        max_value=HUNDRED,
        max_digits=5,
        decimal_places=2,
    )
    monthly_service_fee = MoneyField(label=gettext_lazy("Monthly service fee"))
    payment_timing = forms.ChoiceField(
        label=gettext_lazy("Payments"), choices=PaymentTiming.choices
    )

    def changes(self) -> dict:
        data = dict(self.cleaned_data)
        data["annual_rate"] = data["annual_rate"] / HUNDRED  # stored as a fraction
        return data


class CategoryLeaseForm(forms.Form):
    lease_model = forms.ModelChoiceField(
        label=gettext_lazy("Lease model"), queryset=LeaseModel.objects.all(), required=False
    )
    useful_life_months = forms.IntegerField(
        label=gettext_lazy("Useful life (months)"),
        min_value=1,
        max_value=60,
        help_text=gettext_lazy("Straight-line depreciation over at most 60 months."),
    )


@login_required
def lease_model_list(request):
    models_ = list(LeaseModel.objects.annotate(category_count=Count("categories")))
    for model in models_:
        model.example = lease_price(cost=EXAMPLE_COST, lease_model=model)
        model.rate_percent = model.annual_rate * HUNDRED
    categories = ProductCategory.objects.select_related("lease_model").annotate(
        product_count=Count("products")
    )
    return render(
        request,
        "leasing/pricing/lease_models.html",
        {
            "lease_models": models_,
            "categories": categories,
            "example_cost": EXAMPLE_COST,
            "may_write": can_write(request.user, LeaseModel),
        },
    )


def _lease_model_form_page(request, instance: LeaseModel | None):
    require_write(request.user, LeaseModel)
    initial = {}
    if instance is not None:
        initial = {
            "name": instance.name,
            "term_months": instance.term_months,
            "annual_rate": (instance.annual_rate * HUNDRED).normalize(),
            "residual_percent": instance.residual_percent,
            "monthly_service_fee": instance.monthly_service_fee,
            "payment_timing": instance.payment_timing,
        }
    form = LeaseModelForm(request.POST or None, initial=initial)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                saved = save_object(instance=instance or LeaseModel(), changes=form.changes())
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                messages.success(request, _("Lease model %(name)s saved.") % {"name": saved})
                return redirect("pricing:lease_model_list")
        status = 400
    title = _("Edit lease model") if instance else _("New lease model")
    return render(
        request,
        "leasing/pricing/lease_model_form.html",
        {"form": form, "title": title, "lease_model": instance},
        status=status,
    )


@login_required
def lease_model_create(request):
    return _lease_model_form_page(request, None)


@login_required
def lease_model_edit(request, pk: int):
    instance = get_restricted_or_404(LeaseModel.objects.all(), request.user, pk=pk)
    return _lease_model_form_page(request, instance)


@login_required
def category_lease_edit(request, pk: int):
    require_write(request.user, ProductCategory)
    category = get_restricted_or_404(ProductCategory.objects.all(), request.user, pk=pk)
    form = CategoryLeaseForm(
        request.POST or None,
        initial={
            "lease_model": category.lease_model_id,
            "useful_life_months": category.useful_life_months,
        },
    )
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                save_object(instance=category, changes=form.cleaned_data)
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                messages.success(request, _("%(category)s saved.") % {"category": category})
                return redirect("pricing:lease_model_list")
        status = 400
    return render(
        request,
        "leasing/pricing/category_form.html",
        {"form": form, "category": category, "title": category.name},
        status=status,
    )


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


def _form_error_text(error: ValidationError) -> list[str]:
    if hasattr(error, "error_dict"):
        return [m for messages_ in error.message_dict.values() for m in messages_]
    return list(error.messages)


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


def _publish_form(request, data) -> PublishForm | None:
    form = PublishForm(data)
    if form.is_valid():
        return form
    messages.error(request, _("Give the year (and a valid date) to publish."))
    return None


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
    try:
        calculation = calculate_price_list(
            year=data["year"],
            valid_from=data["valid_from"],
            municipalities=restrict(Municipality.objects.all(), request.user),
        )
    except ValidationError as error:
        for message in _form_error_text(error):
            messages.error(request, message)
        return redirect(back)
    rows = calculation.publishable_rows
    problems = _blocked(calculation.blocked_rows, "product")
    if not rows and not problems:
        problems.append(_("No product gets a new price; there is nothing to publish."))
    day_before = calculation.valid_from - datetime.timedelta(days=1)
    confirmation = Confirmation(
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
        notes=[
            _(
                "Old versions are closed the day before, never edited: invoices already "
                "issued stay as they are."
            )
        ],
        problems=problems,
        hidden={
            "year": str(calculation.year),
            "valid_from": calculation.valid_from.isoformat(),
            "note": data["note"],
        },
    )
    return render_confirmation(request, confirmation)


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
            published_by=request.user,
            note=data["note"],
        )
        return Done(
            _("Published %(count)s new product prices from %(date)s.")
            % {
                "count": publication.versions_created,
                "date": publication.valid_from.isoformat(),
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
    form = IndexationForm(data)
    if form.is_valid():
        return form
    messages.error(request, _("Give the year and both index values to index the prices."))
    return None


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
    try:
        calculation = calculate_indexation(
            year=data["year"],
            old_index=data["old_index"],
            new_index=data["new_index"],
            valid_from=data["valid_from"],
        )
    except ValidationError as error:
        for message in _form_error_text(error):
            messages.error(request, message)
        return redirect(back)
    rows = calculation.publishable_rows
    problems = _blocked(calculation.blocked_rows, "service")
    if not rows and not problems:
        problems.append(_("No service gets a new price; there is nothing to publish."))
    confirmation = Confirmation(
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
        notes=[
            _(
                "Old versions are closed the day before, never edited: invoices already "
                "issued stay as they are."
            )
        ],
        problems=problems,
        hidden={**_indexation_params(data), "valid_from": calculation.valid_from.isoformat()},
    )
    return render_confirmation(request, confirmation)


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
            published_by=request.user,
        )
        return Done(
            _("Published %(count)s indexed service prices from %(date)s.")
            % {
                "count": publication.versions_created,
                "date": publication.valid_from.isoformat(),
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

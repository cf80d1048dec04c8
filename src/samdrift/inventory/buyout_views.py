"""Pages for buyouts (list, new, the valuation with its items, register equipment from a
CSV file, agree, complete, XLSX download) and the board's financing view.

Every page starts from ``restrict``: a municipality's users see their own buyouts only
(another municipality's buyout is a 404); operations need the finance or operator role.
Writes go through ``inventory.buyouts``; a refused operation (an agreed buyout cannot be
changed) shows the service's reason and changes nothing.
"""

from __future__ import annotations

from decimal import Decimal

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import Count
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from django.views.decorators.http import require_POST

from samdrift.core.permissions import can_write, restrict
from samdrift.inventory import buyouts as services
from samdrift.inventory.buyout_api import valuation_file, xlsx_file_response
from samdrift.inventory.buyout_csv import parse_equipment_csv
from samdrift.inventory.buyout_selectors import buyout_valuation
from samdrift.inventory.financing import fleet_financing
from samdrift.inventory.models import AmountOwed, Asset, Buyout, BuyoutItem, SignedValuation
from samdrift.organisations.models import Municipality
from samdrift.web.charts import Bar, bar_chart
from samdrift.web.formatting import format_decimal
from samdrift.web.forms import DateField, DateInput, MoneyField, add_service_errors, scoped_queryset
from samdrift.web.permissions import get_restricted_or_404, require_write

LINES_PER_PAGE = 100
MAX_UPLOAD_BYTES = 10 * 1024 * 1024


class BuyoutForm(forms.Form):
    municipality = forms.ModelChoiceField(
        label=gettext_lazy("Municipality"), queryset=Municipality.objects.none()
    )
    name = forms.CharField(label=gettext_lazy("Name"), max_length=150)
    valuation_date = DateField(
        label=gettext_lazy("Valuation date"),
        widget=DateInput,
        help_text=gettext_lazy("Book values are computed on this day (the takeover)."),
    )
    note = forms.CharField(label=gettext_lazy("Note"), widget=forms.Textarea, required=False)

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["municipality"].queryset = scoped_queryset(Municipality.objects.all(), user)


class ItemForm(forms.Form):
    acquisition_date = DateField(label=gettext_lazy("Acquisition date"), widget=DateInput)
    acquisition_cost = MoneyField(label=gettext_lazy("Acquisition cost"), min_value=None)
    residual_value = MoneyField(label=gettext_lazy("Residual value"), min_value=None)
    useful_life_months = forms.IntegerField(
        label=gettext_lazy("Useful life (months)"),
        required=False,
        help_text=gettext_lazy("Empty: the product's useful life. At most 60 months."),
    )
    life_override_reason = forms.CharField(
        label=gettext_lazy("Reason for the useful life"), max_length=200, required=False
    )


class DateForm(forms.Form):
    on = DateField(label=gettext_lazy("Date"), widget=DateInput)


class UploadForm(forms.Form):
    file = forms.FileField(
        label=gettext_lazy("Equipment list (CSV)"),
        help_text=gettext_lazy(
            "Columns asset_tag, product, acquisition_date, acquisition_cost; optional "
            "serial_number, model_name, residual_value, useful_life_months, "
            "life_override_reason, service_area (cost centre)."
        ),
    )


def _messages_of(error: ValidationError) -> list[str]:
    if hasattr(error, "error_dict"):
        return [m for values in error.message_dict.values() for m in values]
    return list(error.messages)


def _buyout(request, pk: int) -> Buyout:
    return get_restricted_or_404(
        Buyout.objects.select_related("municipality", "agreed_by", "completed_by"),
        request.user,
        pk=pk,
    )


@login_required
def buyout_list(request):
    buyouts = (
        restrict(Buyout.objects.all(), request.user)
        .select_related("municipality", "agreed_by")
        .annotate(item_count=Count("items"))
        .order_by("-valuation_date", "-id")
    )
    return render(
        request,
        "buyouts/list.html",
        {"buyouts": buyouts, "may_write": can_write(request.user, Buyout)},
    )


@login_required
def buyout_create(request):
    require_write(request.user, Buyout)
    form = BuyoutForm(request.POST or None, user=request.user)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                buyout = services.create_buyout(**form.cleaned_data)
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                messages.success(request, _("Buyout %(name)s started.") % {"name": buyout})
                return redirect("buyouts:detail", pk=buyout.pk)
        status = 400
    return render(
        request, "buyouts/form.html", {"form": form, "title": _("New buyout")}, status=status
    )


@login_required
def buyout_detail(request, pk: int):
    buyout = _buyout(request, pk)
    valuation = buyout_valuation(buyout=buyout)
    page = Paginator(valuation.lines, LINES_PER_PAGE).get_page(request.GET.get("page"))
    may_write = can_write(request.user, Buyout)
    signed = SignedValuation.objects.filter(buyout=buyout).only("sha256", "file_name").first()
    owed = restrict(AmountOwed.objects.filter(buyout=buyout), request.user).first()
    today = timezone.localdate().isoformat()
    return render(
        request,
        "buyouts/detail.html",
        {
            "buyout": buyout,
            "valuation": valuation,
            "page": page,
            "may_write": may_write,
            "signed": signed,
            "owed": owed,
            "upload_form": UploadForm(),
            "today": today,
        },
    )


@login_required
def buyout_xlsx(request, pk: int):
    buyout = _buyout(request, pk)
    content, file_name = valuation_file(buyout)
    return xlsx_file_response(content, file_name)


@login_required
@require_POST
def buyout_register(request, pk: int):
    """Register equipment from a CSV file: every line or none."""
    require_write(request.user, Buyout)
    buyout = _buyout(request, pk)
    form = UploadForm(request.POST, request.FILES)
    if not form.is_valid():
        messages.error(request, _("Choose a CSV file to upload."))
        return redirect("buyouts:detail", pk=buyout.pk)
    upload = form.cleaned_data["file"]
    if upload.size > MAX_UPLOAD_BYTES:
        messages.error(request, _("The file is larger than 10 MB; split it."))
        return redirect("buyouts:detail", pk=buyout.pk)
    try:
        rows = parse_equipment_csv(content=upload.read(), municipality=buyout.municipality)
        items = services.register_equipment(buyout=buyout, rows=rows, start_row=2)
    except ValidationError as error:
        for message in _messages_of(error)[:50]:
            messages.error(request, message)
        messages.error(request, _("Nothing was registered."))
    else:
        messages.success(
            request,
            ngettext(
                "%(count)s device registered and added.",
                "%(count)s devices registered and added.",
                len(items),
            )
            % {"count": len(items)},
        )
    return redirect("buyouts:detail", pk=buyout.pk)


@login_required
def item_edit(request, pk: int, item_pk: int):
    require_write(request.user, Buyout)
    buyout = _buyout(request, pk)
    item = get_restricted_or_404(
        BuyoutItem.objects.select_related("asset__product__category"),
        request.user,
        pk=item_pk,
        buyout=buyout,
    )
    form = ItemForm(
        request.POST or None,
        initial={name: getattr(item, name) for name in services.ITEM_FIELDS},
    )
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                services.update_item(item=item, changes=form.cleaned_data)
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                messages.success(request, _("%(asset)s saved.") % {"asset": item.asset})
                return redirect("buyouts:detail", pk=buyout.pk)
        status = 400
    return render(
        request,
        "buyouts/item_form.html",
        {"form": form, "buyout": buyout, "item": item, "title": item.asset.asset_tag},
        status=status,
    )


@login_required
@require_POST
def item_remove(request, pk: int, item_pk: int):
    require_write(request.user, Buyout)
    buyout = _buyout(request, pk)
    item = get_restricted_or_404(BuyoutItem.objects.all(), request.user, pk=item_pk, buyout=buyout)
    try:
        services.remove_item(item=item)
    except ValidationError as error:
        for message in _messages_of(error):
            messages.error(request, message)
    else:
        messages.success(request, _("Removed from the buyout (the asset stays registered)."))
    return redirect("buyouts:detail", pk=buyout.pk)


def _dated_operation(request, pk: int, operation, success: str):
    require_write(request.user, Buyout)
    buyout = _buyout(request, pk)
    form = DateForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Give a valid date."))
        return redirect("buyouts:detail", pk=buyout.pk)
    try:
        operation(buyout, request.user, form.cleaned_data["on"])
    except ValidationError as error:
        for message in _messages_of(error):
            messages.error(request, message)
    else:
        messages.success(request, success)
    return redirect("buyouts:detail", pk=buyout.pk)


@login_required
@require_POST
def buyout_agree(request, pk: int):
    return _dated_operation(
        request,
        pk,
        lambda b, user, on: services.agree_buyout(buyout=b, agreed_by=user, agreed_on=on),
        _("The valuation is agreed and locked; the signed-off copy is kept."),
    )


@login_required
@require_POST
def buyout_complete(request, pk: int):
    return _dated_operation(
        request,
        pk,
        lambda b, user, on: services.complete_buyout(buyout=b, completed_by=user, completed_on=on),
        _("The buyout is completed: the assets are the collaboration's and priced."),
    )


@login_required
@require_POST
def buyout_delete(request, pk: int):
    require_write(request.user, Buyout)
    buyout = _buyout(request, pk)
    try:
        services.delete_buyout(buyout=buyout)
    except ValidationError as error:
        for message in _messages_of(error):
            messages.error(request, message)
        return redirect("buyouts:detail", pk=buyout.pk)
    messages.success(request, _("The draft buyout was discarded."))
    return redirect("buyouts:list")


class FinancingForm(forms.Form):
    on = DateField(
        label=gettext_lazy("As of the end of the month of"),
        widget=DateInput,
        required=False,
        help_text=gettext_lazy("Default: this month."),
    )


@login_required
def financing(request):
    """The board's view of the owned fleet (what the user may see), as of a month end."""
    form = FinancingForm(request.GET or None)
    valid = form.is_valid() if form.is_bound else True
    on = (form.cleaned_data.get("on") if form.is_bound and valid else None) or (
        timezone.localdate()
    )
    view = fleet_financing(assets=restrict(Asset.objects.all(), request.user), on=on)
    chart = bar_chart(
        [
            Bar(
                label=str(year.year),
                value=int(year.outstanding_at_end),
                # Whole kroner: the figure must fit after the longest bar.
                text=format_decimal(year.outstanding_at_end.quantize(Decimal(1)), 0),
            )
            for year in view.years
        ],
        title=_("Outstanding value at the end of each year (NOK)"),
        chart_id="outstanding",
    )
    return render(
        request,
        "buyouts/financing.html",
        {"view": view, "form": form, "chart": chart, "on": on},
        status=200 if valid else 400,
    )

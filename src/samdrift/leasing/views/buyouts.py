"""Pages for buyouts (list, new, the valuation with its items, register equipment from a
CSV file, agree, complete, XLSX download) and the board's financing view.

Every page starts from ``restrict``: a municipality's users see their own buyouts only
(another municipality's buyout is a 404); operations need the finance or operator role.
Writes go through ``leasing.buyouts``; a refused operation (an agreed buyout cannot be
changed) shows the service's reason and changes nothing.
"""

from __future__ import annotations

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
from samdrift.leasing.buyouts.drafting import (
    create_buyout,
    register_equipment,
    remove_item,
    update_item,
)
from samdrift.leasing.buyouts.equipment_csv import parse_equipment_csv
from samdrift.leasing.buyouts.valuation import ITEM_FIELDS, buyout_valuation
from samdrift.leasing.buyouts.valuation_xlsx import valuation_file, xlsx_file_response
from samdrift.leasing.models import AmountOwed, Buyout, BuyoutItem, SignedValuation
from samdrift.organisations.models import Municipality
from samdrift.ui.confirm import error_messages
from samdrift.ui.formatting import format_number
from samdrift.ui.forms import DateField, DateInput, MoneyField, add_service_errors, scoped_queryset
from samdrift.ui.permissions import get_restricted_or_404, require_write

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


def buyout_or_404(request, pk: int) -> Buyout:
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
        "leasing/buyouts/list.html",
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
                buyout = create_buyout(**form.cleaned_data)
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                messages.success(request, _("Buyout %(name)s started.") % {"name": buyout})
                return redirect("buyouts:detail", pk=buyout.pk)
        status = 400
    return render(
        request,
        "leasing/buyouts/form.html",
        {"form": form, "title": _("New buyout")},
        status=status,
    )


@login_required
def buyout_detail(request, pk: int):
    buyout = buyout_or_404(request, pk)
    valuation = buyout_valuation(buyout=buyout)
    page = Paginator(valuation.lines, LINES_PER_PAGE).get_page(request.GET.get("page"))
    may_write = can_write(request.user, Buyout)
    signed = SignedValuation.objects.filter(buyout=buyout).only("sha256", "file_name").first()
    owed = restrict(AmountOwed.objects.filter(buyout=buyout), request.user).first()
    today = timezone.localdate().isoformat()
    return render(
        request,
        "leasing/buyouts/detail.html",
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
    buyout = buyout_or_404(request, pk)
    content, file_name = valuation_file(buyout)
    return xlsx_file_response(content, file_name)


@login_required
@require_POST
def buyout_register(request, pk: int):
    """Register equipment from a CSV file: every line or none."""
    require_write(request.user, Buyout)
    buyout = buyout_or_404(request, pk)
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
        items = register_equipment(buyout=buyout, rows=rows, start_row=2)
    except ValidationError as error:
        for message in error_messages(error)[:50]:
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
            % {"count": format_number(len(items))},
        )
    return redirect("buyouts:detail", pk=buyout.pk)


@login_required
def item_edit(request, pk: int, item_pk: int):
    require_write(request.user, Buyout)
    buyout = buyout_or_404(request, pk)
    item = get_restricted_or_404(
        BuyoutItem.objects.select_related("asset__product__category"),
        request.user,
        pk=item_pk,
        buyout=buyout,
    )
    form = ItemForm(
        request.POST or None,
        initial={name: getattr(item, name) for name in ITEM_FIELDS},
    )
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                update_item(item=item, changes=form.cleaned_data)
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                messages.success(request, _("%(asset)s saved.") % {"asset": item.asset})
                return redirect("buyouts:detail", pk=buyout.pk)
        status = 400
    return render(
        request,
        "leasing/buyouts/item_form.html",
        {"form": form, "buyout": buyout, "item": item, "title": item.asset.asset_tag},
        status=status,
    )


@login_required
@require_POST
def item_remove(request, pk: int, item_pk: int):
    require_write(request.user, Buyout)
    buyout = buyout_or_404(request, pk)
    item = get_restricted_or_404(BuyoutItem.objects.all(), request.user, pk=item_pk, buyout=buyout)
    try:
        remove_item(item=item)
    except ValidationError as error:
        for message in error_messages(error):
            messages.error(request, message)
    else:
        messages.success(request, _("Removed from the buyout (the asset stays registered)."))
    return redirect("buyouts:detail", pk=buyout.pk)

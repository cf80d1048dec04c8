"""Pages for buyouts (list, new, the valuation with its items, register equipment from a
CSV file, agree, complete, XLSX download) and the board's financing view.

Every page starts from ``restrict``: a municipality's users see their own buyouts only
(another municipality's buyout is a 404); operations need the finance or operator role.
Writes go through ``leasing.buyouts``; a refused operation (an agreed buyout cannot be
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
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from django.views.decorators.http import require_POST

from samdrift.core.permissions import can_write, restrict
from samdrift.inventory.models import Asset
from samdrift.leasing import buyouts as services
from samdrift.leasing.buyout_api import valuation_file, xlsx_file_response
from samdrift.leasing.buyout_csv import parse_equipment_csv
from samdrift.leasing.buyout_selectors import buyout_valuation
from samdrift.leasing.financing import fleet_financing
from samdrift.leasing.models import AmountOwed, Buyout, BuyoutItem, SignedValuation
from samdrift.organisations.models import Municipality
from samdrift.ui.charts import Bar, bar_chart
from samdrift.ui.confirm import (
    Confirmation,
    Done,
    fingerprint,
    perform_confirmed,
    render_confirmation,
)
from samdrift.ui.formatting import format_day, format_decimal, format_money, format_number
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
                buyout = services.create_buyout(**form.cleaned_data)
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
    buyout = _buyout(request, pk)
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
        "leasing/buyouts/item_form.html",
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


def _valuation_fingerprint(kind: str, buyout: Buyout, valuation, on=None) -> str:
    return fingerprint(
        kind,
        buyout.pk,
        buyout.status,
        buyout.valuation_date,
        buyout.agreed_total,
        on,
        [
            (line.item_id, line.acquisition_cost, line.residual_value, line.book_value)
            for line in valuation.lines
        ],
    )


def _locked_state(buyout: Buyout):
    """The buyout re-read under the row lock its operations take, and its valuation."""
    locked = (
        Buyout.objects.select_for_update(of=("self",))
        .select_related("municipality", "agreed_by")
        .get(pk=buyout.pk)
    )
    return locked, buyout_valuation(buyout=locked)


def _flat(refusals: dict[str, list[str]]) -> list[str]:
    return [message for messages_ in refusals.values() for message in messages_]


def _date_from(request, data):
    form = DateForm(data)
    if form.is_valid():
        return form.cleaned_data["on"]
    messages.error(request, _("Give a valid date."))
    return None


def _buyout_confirmation(buyout, valuation, **kwargs) -> Confirmation:
    detail = reverse("buyouts:detail", args=[buyout.pk])
    facts = [
        (_("Municipality"), buyout.municipality.name),
        (_("Devices"), format_number(len(valuation.lines))),
        (_("Acquisition cost"), format_money(valuation.total_cost)),
        (
            _("Book value on %(date)s") % {"date": format_day(buyout.valuation_date)},
            format_money(valuation.total),
        ),
    ]
    return Confirmation(cancel_url=detail, facts=facts, **kwargs)


@login_required
def buyout_agree_confirm(request, pk: int):
    """What agreeing will freeze: the number of devices and the total book value."""
    require_write(request.user, Buyout)
    buyout = _buyout(request, pk)
    on = _date_from(request, request.GET)
    if on is None:
        return redirect("buyouts:detail", pk=buyout.pk)
    valuation = buyout_valuation(buyout=buyout)
    count = len(valuation.lines)
    confirmation = _buyout_confirmation(
        buyout,
        valuation,
        title=_("Agree %(name)s") % {"name": buyout.name},
        summary=ngettext(
            "Agree with %(municipality)s on %(date)s: %(count)d device, book value %(total)s. "
            "The figures are frozen and the buyout is locked.",
            "Agree with %(municipality)s on %(date)s: %(count)d devices, book value %(total)s. "
            "The figures are frozen and the buyout is locked.",
            count,
        )
        % {
            "municipality": buyout.municipality.name,
            "date": format_day(on),
            "count": count,
            "total": format_money(valuation.total),
        },
        button=_("Agree the valuation"),
        action_url=reverse("buyouts:agree", args=[buyout.pk]),
        fingerprint=_valuation_fingerprint("agree", buyout, valuation, on),
        notes=[_("The signed-off valuation (XLSX) is kept unchangeable with its SHA-256.")],
        problems=_flat(services.agree_refusals(valuation=valuation, agreed_on=on)),
        hidden={"on": on.isoformat()},
    )
    return render_confirmation(request, confirmation)


def _dated_step(request, pk: int, *, step: str, act_on, message: str):
    """The POST of agreeing or completing: acts once, on the date confirmed, when the
    valuation is still what the confirmation showed."""
    require_write(request.user, Buyout)
    buyout = _buyout(request, pk)
    on = _date_from(request, request.POST)
    if on is None:
        return redirect("buyouts:detail", pk=buyout.pk)

    def current() -> str:
        locked, valuation = _locked_state(buyout)
        return _valuation_fingerprint(step, locked, valuation, on)

    def act() -> Done:
        act_on(buyout, on)
        return Done(message, reverse("buyouts:detail", args=[buyout.pk]))

    return perform_confirmed(
        request,
        kind=f"buyouts.{step}",
        current_fingerprint=current,
        act=act,
        confirm_url=f"{reverse(f'buyouts:{step}_confirm', args=[buyout.pk])}?"
        f"{urlencode({'on': on.isoformat()})}",
    )


@login_required
@require_POST
def buyout_agree(request, pk: int):
    return _dated_step(
        request,
        pk,
        step="agree",
        act_on=lambda buyout, on: services.agree_buyout(
            buyout=buyout, agreed_by=request.user, agreed_on=on
        ),
        message=_("The valuation is agreed and locked; the signed-off copy is kept."),
    )


@login_required
def buyout_complete_confirm(request, pk: int):
    """What completing does: the devices become the collaboration's, the agreed total is
    owed to the municipality and credited on an invoice."""
    require_write(request.user, Buyout)
    buyout = _buyout(request, pk)
    on = _date_from(request, request.GET)
    if on is None:
        return redirect("buyouts:detail", pk=buyout.pk)
    valuation = buyout_valuation(buyout=buyout)
    count = len(valuation.lines)
    refusals = _flat(services.complete_refusals(buyout=buyout, completed_on=on))
    confirmation = _buyout_confirmation(
        buyout,
        valuation,
        title=_("Complete %(name)s") % {"name": buyout.name},
        summary=ngettext(
            "Take over %(count)d device on %(date)s: it becomes the collaboration's and is "
            "priced from that day; %(total)s is owed to %(municipality)s and credited on the "
            "invoice for %(month)s.",
            "Take over %(count)d devices on %(date)s: they become the collaboration's and are "
            "priced from that day; %(total)s is owed to %(municipality)s and credited on the "
            "invoice for %(month)s.",
            count,
        )
        % {
            "count": count,
            "date": format_day(on),
            "total": format_money(buyout.agreed_total or valuation.total),
            "municipality": buyout.municipality.name,
            "month": f"{on:%Y-%m}",
        },
        button=_("Complete the buyout"),
        action_url=reverse("buyouts:complete", args=[buyout.pk]),
        fingerprint=_valuation_fingerprint("complete", buyout, valuation, on),
        problems=refusals,
        hidden={"on": on.isoformat()},
    )
    return render_confirmation(request, confirmation)


@login_required
@require_POST
def buyout_complete(request, pk: int):
    return _dated_step(
        request,
        pk,
        step="complete",
        act_on=lambda buyout, on: services.complete_buyout(
            buyout=buyout, completed_by=request.user, completed_on=on
        ),
        message=_("The buyout is completed: the assets are the collaboration's and priced."),
    )


@login_required
def buyout_delete_confirm(request, pk: int):
    """What discarding a draft takes away (its valuation), and what stays (the assets)."""
    require_write(request.user, Buyout)
    buyout = _buyout(request, pk)
    valuation = buyout_valuation(buyout=buyout)
    count = len(valuation.lines)
    problems = _flat(services.discard_refusals(buyout=buyout))
    confirmation = _buyout_confirmation(
        buyout,
        valuation,
        title=_("Discard %(name)s") % {"name": buyout.name},
        summary=ngettext(
            "Discard the draft buyout %(name)s of %(municipality)s with %(count)d device "
            "(book value %(total)s). The device stays in the register.",
            "Discard the draft buyout %(name)s of %(municipality)s with %(count)d devices "
            "(book value %(total)s). The devices stay in the register.",
            count,
        )
        % {
            "name": buyout.name,
            "municipality": buyout.municipality.name,
            "count": count,
            "total": format_money(valuation.total),
        },
        button=_("Discard this draft"),
        action_url=reverse("buyouts:delete", args=[buyout.pk]),
        fingerprint=_valuation_fingerprint("discard", buyout, valuation),
        problems=problems,
    )
    return render_confirmation(request, confirmation)


@login_required
@require_POST
def buyout_delete(request, pk: int):
    require_write(request.user, Buyout)
    user = request.user
    # A second submit finds the buyout gone: the receipt, not a 404, answers it.
    buyout = restrict(Buyout.objects.all(), user).select_related("municipality").filter(pk=pk)
    buyout = buyout.first()

    def current() -> str:
        if buyout is None:
            return ""
        locked, valuation = _locked_state(buyout)
        return _valuation_fingerprint("discard", locked, valuation)

    def act() -> Done:
        services.delete_buyout(buyout=buyout)
        return Done(
            _("The draft buyout %(name)s was discarded.") % {"name": buyout.name},
            reverse("buyouts:list"),
        )

    return perform_confirmed(
        request,
        kind="buyouts.discard",
        current_fingerprint=current,
        act=act,
        confirm_url=reverse("buyouts:delete_confirm", args=[pk])
        if buyout is not None
        else reverse("buyouts:list"),
    )


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
        "leasing/buyouts/financing.html",
        {"view": view, "form": form, "chart": chart, "on": on},
        status=200 if valid else 400,
    )

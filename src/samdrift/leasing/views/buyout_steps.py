"""The confirmed steps of a buyout: agreeing, completing and discarding it, each shown
first (what it will do, or why it cannot) and then done once."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from samdrift.core.permissions import restrict
from samdrift.leasing.buyouts.agreeing import agree_buyout, agree_refusals
from samdrift.leasing.buyouts.completion import complete_buyout, complete_refusals
from samdrift.leasing.buyouts.drafting import delete_buyout, discard_refusals
from samdrift.leasing.buyouts.valuation import buyout_valuation
from samdrift.leasing.models import Buyout
from samdrift.leasing.views.buyouts import DateForm, buyout_or_404
from samdrift.ui.confirm import (
    Confirmation,
    Done,
    fingerprint,
    perform_confirmed,
    render_confirmation,
)
from samdrift.ui.formatting import format_day, format_money, format_number
from samdrift.ui.permissions import require_write


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


def _dated_confirmation(request, pk: int, build):
    """The confirmation of agreeing or completing on the date asked: ``build(buyout,
    valuation, on)`` says what the step will do."""
    require_write(request.user, Buyout)
    buyout = buyout_or_404(request, pk)
    on = _date_from(request, request.GET)
    if on is None:
        return redirect("buyouts:detail", pk=buyout.pk)
    return render_confirmation(request, build(buyout, buyout_valuation(buyout=buyout), on))


@login_required
def buyout_agree_confirm(request, pk: int):
    """What agreeing will freeze: the number of devices and the total book value."""
    return _dated_confirmation(request, pk, _agree_confirmation)


def _agree_confirmation(buyout: Buyout, valuation, on) -> Confirmation:
    count = len(valuation.lines)
    return _buyout_confirmation(
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
        problems=_flat(agree_refusals(valuation=valuation, agreed_on=on)),
        hidden={"on": on.isoformat()},
    )


def _dated_step(request, pk: int, *, step: str, act_on, message: str):
    """The POST of agreeing or completing: acts once, on the date confirmed, when the
    valuation is still what the confirmation showed."""
    require_write(request.user, Buyout)
    buyout = buyout_or_404(request, pk)
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
        act_on=lambda buyout, on: agree_buyout(buyout=buyout, agreed_on=on),
        message=_("The valuation is agreed and locked; the signed-off copy is kept."),
    )


@login_required
def buyout_complete_confirm(request, pk: int):
    """What completing does: the devices become the collaboration's, the agreed total is
    owed to the municipality and credited on an invoice."""
    return _dated_confirmation(request, pk, _complete_confirmation)


def _complete_confirmation(buyout: Buyout, valuation, on) -> Confirmation:
    count = len(valuation.lines)
    refusals = _flat(complete_refusals(buyout=buyout, completed_on=on))
    return _buyout_confirmation(
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


@login_required
@require_POST
def buyout_complete(request, pk: int):
    return _dated_step(
        request,
        pk,
        step="complete",
        act_on=lambda buyout, on: complete_buyout(buyout=buyout, completed_on=on),
        message=_("The buyout is completed: the assets are the collaboration's and priced."),
    )


@login_required
def buyout_delete_confirm(request, pk: int):
    """What discarding a draft takes away (its valuation), and what stays (the assets)."""
    require_write(request.user, Buyout)
    buyout = buyout_or_404(request, pk)
    valuation = buyout_valuation(buyout=buyout)
    count = len(valuation.lines)
    problems = _flat(discard_refusals(buyout=buyout))
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
        delete_buyout(buyout=buyout)
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

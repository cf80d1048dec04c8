"""Pages of the agreements: the agreements with their prices and service levels, and the
shared service-hours calendars, with the forms behind them.

Every page starts from ``restrict``: a municipality's users see their own agreement, and
another municipality's URL is a 404. Calendars are shared data every signed-in user
reads. Operators and finance write (the models' ``write_roles``), through the services.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from samdrift.agreements import service_level_services as levels
from samdrift.agreements.filtersets import ServiceAgreementFilterSet, ServiceCalendarFilterSet
from samdrift.agreements.forms import (
    AgreedPriceForm,
    AgreementForm,
    CalendarDayForm,
    CalendarForm,
    CreditRuleForm,
    PriorityTargetForm,
    ServiceLevelForm,
    WeeklyHoursForm,
)
from samdrift.agreements.models import (
    AgreedPrice,
    CalendarDay,
    CreditRule,
    PriorityTarget,
    ServiceAgreement,
    ServiceCalendar,
    ServiceLevel,
)
from samdrift.agreements.selectors import hours_in_words, service_levels_of
from samdrift.agreements.services import (
    create_agreement,
    delete_agreed_price,
    set_agreed_price,
    update_agreed_price,
    update_agreement,
)
from samdrift.agreements.tables import AGREEMENT_TABLE, CALENDAR_TABLE
from samdrift.core.permissions import can_write, restrict
from samdrift.ui.confirm import confirm_delete
from samdrift.ui.formatting import format_number
from samdrift.ui.forms import add_service_errors
from samdrift.ui.lists import ObjectListView
from samdrift.ui.permissions import get_restricted_or_404, require_write


class AgreementListView(ObjectListView):
    model = ServiceAgreement
    filterset_class = ServiceAgreementFilterSet
    table = AGREEMENT_TABLE
    title = gettext_lazy("Agreements")
    filter_fields = ["q", "municipality", "in_force_on"]
    filter_labels = {"in_force_on": gettext_lazy("In force on")}
    create_url_name = "agreements:agreement_create"


class CalendarListView(ObjectListView):
    model = ServiceCalendar
    filterset_class = ServiceCalendarFilterSet
    table = CALENDAR_TABLE
    title = gettext_lazy("Service hours")
    filter_fields = ["q", "always_open"]
    create_url_name = "agreements:calendar_create"


@login_required
def agreement_detail(request, pk: int):
    user = request.user
    agreement = get_restricted_or_404(
        ServiceAgreement.objects.select_related("municipality"), user, pk=pk
    )
    prices = list(
        restrict(AgreedPrice.objects.filter(agreement=agreement), user)
        .select_related("product", "service")
        .order_by("product__name", "service__name")
    )
    today = timezone.localdate()
    return render(
        request,
        "agreements/agreement_detail.html",
        {
            "agreement": agreement,
            "prices": prices,
            "levels": service_levels_of(agreement, user),
            "in_force": agreement.valid_from <= today
            and (agreement.valid_to is None or agreement.valid_to > today),
            "can_edit": can_write(user, ServiceAgreement),
            "can_edit_levels": can_write(user, ServiceLevel),
            "can_edit_prices": can_write(user, AgreedPrice),
        },
    )


@login_required
def calendar_detail(request, pk: int):
    user = request.user
    calendar = get_restricted_or_404(
        ServiceCalendar.objects.prefetch_related("hours", "days"), user, pk=pk
    )
    used_by = list(
        restrict(ServiceLevel.objects.filter(calendar=calendar), user)
        .select_related("agreement__municipality", "service")
        .order_by("agreement__municipality__name", "service__name")
    )
    return render(
        request,
        "agreements/calendar_detail.html",
        {
            "calendar": calendar,
            "hours_text": hours_in_words(calendar),
            "hours": list(calendar.hours.all()),
            "days": list(calendar.days.all()),
            "used_by": used_by,
            "can_edit": can_write(user, ServiceCalendar),
        },
    )


# --- forms ------------------------------------------------------------------------------


def _form_page(request, *, form, title: str, cancel: str, obj=None, delete: bool = False):
    status = 400 if form.is_bound and form.errors else 200
    return render(
        request,
        "agreements/form.html",
        {"form": form, "title": title, "object": obj, "cancel": cancel, "can_delete": delete},
        status=status,
    )


def _saved(request, call):
    try:
        instance = call()
    except (ValidationError, IntegrityError) as error:
        return None, error
    messages.success(request, _("Saved %(object)s.") % {"object": instance})
    return instance, None


def _deleting(request, obj, *, delete, back: str, summary, notes=()):
    """Deleting ``obj`` from its edit page: its Delete button opens the confirmation
    (``?delete=1``), whose POST deletes (``ui.confirm.confirm_delete``); None when the
    request is not about deleting. ``summary()`` says what goes: made only then."""
    asked = request.POST if request.method == "POST" else request.GET
    if obj is None or "delete" not in asked:
        return None
    return confirm_delete(
        request,
        obj,
        delete=delete,
        page_url=f"{request.path}?delete=1",
        cancel_url=request.path,
        done_url=back,
        summary=summary(),
        notes=notes,
    )


@login_required
def agreement_edit(request, pk: int | None = None):
    user = request.user
    require_write(user, ServiceAgreement)
    agreement = get_restricted_or_404(ServiceAgreement.objects.all(), user, pk=pk) if pk else None
    initial = (
        {"municipality": request.GET["municipality"]} if request.GET.get("municipality") else None
    )
    form = AgreementForm(request.POST or None, instance=agreement, user=user, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        if agreement is None:
            call = lambda: create_agreement(**data)  # noqa: E731
        else:
            call = lambda: update_agreement(agreement=agreement, changes=data)  # noqa: E731
        saved, error = _saved(request, call)
        if saved is not None:
            return redirect("agreements:agreement_detail", pk=saved.pk)
        add_service_errors(form, error)
    cancel = (
        reverse("agreements:agreement_detail", args=[pk])
        if pk
        else reverse("agreements:agreement_list")
    )
    title = _("Edit agreement") if agreement else _("New agreement")
    return _form_page(request, form=form, title=title, cancel=cancel, obj=agreement)


@login_required
def price_create(request, pk: int):
    """A new agreed price under agreement ``pk`` (for an item already priced in it, the
    service replaces that price)."""
    user = request.user
    require_write(user, AgreedPrice)
    agreement = get_restricted_or_404(ServiceAgreement.objects.all(), user, pk=pk)
    return _price_form(request, agreement=agreement, price=None)


@login_required
def price_edit(request, pk: int):
    user = request.user
    require_write(user, AgreedPrice)
    price = get_restricted_or_404(AgreedPrice.objects.select_related("agreement"), user, pk=pk)
    return _price_form(request, agreement=price.agreement, price=price)


def _price_form(request, *, agreement, price):
    back = reverse("agreements:agreement_detail", args=[agreement.pk])
    deleting = _deleting(
        request,
        price,
        delete=lambda: delete_agreed_price(price=price),
        back=back,
        summary=lambda: (
            _("Delete the agreed price %(price)s from %(agreement)s.")
            % {"price": price, "agreement": agreement}
        ),
        notes=[
            _(
                "The item is billed at the catalogue's price again; a closed month this price "
                "reached into is adjusted on the next billing run."
            )
        ],
    )
    if deleting is not None:
        return deleting
    form = AgreedPriceForm(request.POST or None, instance=price, user=request.user)
    if request.method == "POST" and "delete" not in request.POST and form.is_valid():
        data = dict(form.cleaned_data)
        if price is None:
            call = lambda: set_agreed_price(agreement=agreement, **data)  # noqa: E731
        else:
            call = lambda: update_agreed_price(price=price, changes=data)  # noqa: E731
        saved, error = _saved(request, call)
        if saved is not None:
            return redirect(back)
        add_service_errors(form, error)
    title = (
        _("Agreed price in %(agreement)s") % {"agreement": agreement}
        if price
        else _("New agreed price in %(agreement)s") % {"agreement": agreement}
    )
    return _form_page(
        request, form=form, title=title, cancel=back, obj=price, delete=price is not None
    )


@login_required
def level_create(request, pk: int):
    """A new service level under agreement ``pk``."""
    user = request.user
    require_write(user, ServiceLevel)
    agreement = get_restricted_or_404(ServiceAgreement.objects.all(), user, pk=pk)
    return _level_form(request, agreement=agreement, level=None)


@login_required
def level_edit(request, pk: int):
    user = request.user
    require_write(user, ServiceLevel)
    level = get_restricted_or_404(ServiceLevel.objects.select_related("agreement"), user, pk=pk)
    return _level_form(request, agreement=level.agreement, level=level)


def _level_form(request, *, agreement, level):
    back = reverse("agreements:agreement_detail", args=[agreement.pk])
    deleting = _deleting(
        request,
        level,
        delete=lambda: levels.delete_service_level(level=level),
        back=back,
        summary=lambda: (
            _(
                "Delete the service level of %(service)s from %(agreement)s, with its priority "
                "targets (%(targets)s) and credit rules (%(rules)s)."
            )
            % {
                "service": level.service,
                "agreement": agreement,
                "targets": format_number(level.targets.count()),
                "rules": format_number(level.credit_rules.count()),
            }
        ),
    )
    if deleting is not None:
        return deleting
    form = ServiceLevelForm(request.POST or None, instance=level, user=request.user)
    if request.method == "POST" and "delete" not in request.POST and form.is_valid():
        data = dict(form.cleaned_data)
        if level is None:
            call = lambda: levels.set_service_level(agreement=agreement, **data)  # noqa: E731
        else:
            call = lambda: levels.update_service_level(level=level, changes=data)  # noqa: E731
        saved, error = _saved(request, call)
        if saved is not None:
            return redirect(back + f"#level-{saved.pk}")
        add_service_errors(form, error)
    title = (
        _("Service level of %(service)s") % {"service": level.service}
        if level
        else _("New service level in %(agreement)s") % {"agreement": agreement}
    )
    return _form_page(
        request, form=form, title=title, cancel=back, obj=level, delete=level is not None
    )


@login_required
def target_create(request, pk: int):
    """A new priority target under service level ``pk``."""
    user = request.user
    require_write(user, PriorityTarget)
    level = get_restricted_or_404(ServiceLevel.objects.select_related("service"), user, pk=pk)
    return _target_form(request, level=level, target=None)


@login_required
def target_edit(request, pk: int):
    user = request.user
    require_write(user, PriorityTarget)
    target = get_restricted_or_404(
        PriorityTarget.objects.select_related("service_level__service"), user, pk=pk
    )
    return _target_form(request, level=target.service_level, target=target)


def _target_form(request, *, level, target):
    return _level_part_form(
        request,
        level=level,
        obj=target,
        form=PriorityTargetForm(request.POST or None, instance=target, user=request.user),
        create=lambda data: levels.set_priority_target(service_level=level, **data),
        update=lambda data: levels.update_priority_target(target=target, changes=data),
        delete=lambda: levels.delete_priority_target(target=target),
        title=_("Priority target of %(service)s") % {"service": level.service},
        summary=lambda: (
            _("Delete the priority target %(target)s from the service level of %(service)s.")
            % {"target": target, "service": level.service}
        ),
    )


def _level_part_form(request, *, level, obj, form, create, update, delete, title, summary):
    """The form of one part of a service level (a priority target, a credit rule):
    create, change or delete it, back to the level on the agreement's page."""
    back = reverse("agreements:agreement_detail", args=[level.agreement_id]) + f"#level-{level.pk}"
    deleting = _deleting(request, obj, delete=delete, back=back, summary=summary)
    if deleting is not None:
        return deleting
    if request.method == "POST" and "delete" not in request.POST and form.is_valid():
        data = dict(form.cleaned_data)
        saved, error = _saved(request, lambda: create(data) if obj is None else update(data))
        if saved is not None:
            return redirect(back)
        add_service_errors(form, error)
    return _form_page(request, form=form, title=title, cancel=back, obj=obj, delete=obj is not None)


@login_required
def credit_rule_create(request, pk: int):
    """A new credit rule under service level ``pk``."""
    user = request.user
    require_write(user, CreditRule)
    level = get_restricted_or_404(ServiceLevel.objects.select_related("service"), user, pk=pk)
    return _credit_rule_form(request, level=level, rule=None)


@login_required
def credit_rule_edit(request, pk: int):
    user = request.user
    require_write(user, CreditRule)
    rule = get_restricted_or_404(
        CreditRule.objects.select_related("service_level__service"), user, pk=pk
    )
    return _credit_rule_form(request, level=rule.service_level, rule=rule)


def _credit_rule_form(request, *, level, rule):
    return _level_part_form(
        request,
        level=level,
        obj=rule,
        form=CreditRuleForm(request.POST or None, instance=rule),
        create=lambda data: levels.set_credit_rule(service_level=level, **data),
        update=lambda data: levels.update_credit_rule(rule=rule, changes=data),
        delete=lambda: levels.delete_credit_rule(rule=rule),
        title=_("Credit rule of %(service)s") % {"service": level.service},
        summary=lambda: (
            _("Delete the credit rule %(rule)s from the service level of %(service)s.")
            % {"rule": rule, "service": level.service}
        ),
    )


@login_required
def calendar_edit(request, pk: int | None = None):
    user = request.user
    require_write(user, ServiceCalendar)
    calendar = get_restricted_or_404(ServiceCalendar.objects.all(), user, pk=pk) if pk else None
    deleting = _deleting(
        request,
        calendar,
        delete=lambda: levels.delete_calendar(calendar=calendar),
        back=reverse("agreements:calendar_list"),
        summary=lambda: (
            _("Delete the service hours %(calendar)s, with their weekly hours and special days.")
            % {"calendar": calendar}
        ),
    )
    if deleting is not None:
        return deleting
    form = CalendarForm(request.POST or None, instance=calendar)
    if request.method == "POST" and "delete" not in request.POST and form.is_valid():
        data = dict(form.cleaned_data)
        if calendar is None:
            call = lambda: levels.create_calendar(**data)  # noqa: E731
        else:
            call = lambda: levels.update_calendar(calendar=calendar, changes=data)  # noqa: E731
        saved, error = _saved(request, call)
        if saved is not None:
            return redirect("agreements:calendar_detail", pk=saved.pk)
        add_service_errors(form, error)
    cancel = (
        reverse("agreements:calendar_detail", args=[pk])
        if pk
        else reverse("agreements:calendar_list")
    )
    title = _("Edit service hours") if calendar else _("New service hours")
    return _form_page(
        request, form=form, title=title, cancel=cancel, obj=calendar, delete=calendar is not None
    )


@login_required
def calendar_hours_edit(request, pk: int):
    """A calendar's weekly hours, all seven weekdays in one form."""
    user = request.user
    require_write(user, ServiceCalendar)
    calendar = get_restricted_or_404(ServiceCalendar.objects.prefetch_related("hours"), user, pk=pk)
    back = reverse("agreements:calendar_detail", args=[pk])
    form = WeeklyHoursForm(request.POST or None, calendar=calendar)
    if request.method == "POST" and form.is_valid():
        weekly = form.weekly()

        def save_all():
            with transaction.atomic():
                for weekday, times in weekly.items():
                    if times is None:
                        levels.clear_calendar_hours(calendar=calendar, weekday=weekday)
                    else:
                        try:
                            levels.set_calendar_hours(
                                calendar=calendar, weekday=weekday, opens=times[0], closes=times[1]
                            )
                        except ValidationError as error:
                            raise ValidationError(
                                {
                                    f"{field}_{weekday}": messages_
                                    for field, messages_ in error.message_dict.items()
                                }
                            ) from None
            return calendar

        saved, error = _saved(request, save_all)
        if saved is not None:
            return redirect(back)
        add_service_errors(form, error)
    title = _("Weekly hours of %(calendar)s") % {"calendar": calendar}
    return _form_page(request, form=form, title=title, cancel=back, obj=calendar)


@login_required
def calendar_day_create(request, pk: int):
    user = request.user
    require_write(user, CalendarDay)
    calendar = get_restricted_or_404(ServiceCalendar.objects.all(), user, pk=pk)
    return _day_form(request, calendar=calendar, day=None)


@login_required
def calendar_day_edit(request, pk: int):
    user = request.user
    require_write(user, CalendarDay)
    day = get_restricted_or_404(CalendarDay.objects.select_related("calendar"), user, pk=pk)
    return _day_form(request, calendar=day.calendar, day=day)


def _day_form(request, *, calendar, day):
    back = reverse("agreements:calendar_detail", args=[calendar.pk])
    deleting = _deleting(
        request,
        day,
        delete=lambda: levels.delete_calendar_day(day=day),
        back=back,
        summary=lambda: (
            _("Delete the special day %(day)s from %(calendar)s.")
            % {"day": day, "calendar": calendar}
        ),
    )
    if deleting is not None:
        return deleting
    form = CalendarDayForm(request.POST or None, instance=day)
    if request.method == "POST" and "delete" not in request.POST and form.is_valid():
        data = dict(form.cleaned_data)
        if day is None:
            call = lambda: levels.set_calendar_day(calendar=calendar, **data)  # noqa: E731
        else:
            call = lambda: levels.update_calendar_day(day=day, changes=data)  # noqa: E731
        saved, error = _saved(request, call)
        if saved is not None:
            return redirect(back)
        add_service_errors(form, error)
    title = _("Special day of %(calendar)s") % {"calendar": calendar}
    return _form_page(request, form=form, title=title, cancel=back, obj=day, delete=day is not None)

"""Subscriptions and usage records: their lists, and the operator forms that start and
end a subscription and record or correct a month's usage, through the same services as
the API (``subscribe``, ``end_subscription``, ``record_usage``, ``update_usage``): the
same checks, the same change log. Everyone else reads what ``restrict`` shows them (a
municipality's contact their own, a service-area manager their area's)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db import IntegrityError
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from samdrift.core.permissions import can_write
from samdrift.inventory.filtersets import SubscriptionFilterSet, UsageRecordFilterSet
from samdrift.inventory.forms import (
    EndSubscriptionForm,
    SubscriptionForm,
    UsageRecordForm,
)
from samdrift.inventory.models import Subscription, UsageRecord
from samdrift.inventory.services import (
    end_subscription,
    record_usage,
    subscribe,
    update_usage,
)
from samdrift.ui.formatting import format_day
from samdrift.ui.forms import add_service_errors
from samdrift.ui.lists import ObjectListView
from samdrift.ui.permissions import get_restricted_or_404, require_write
from samdrift.ui.tables import Column, Table


def _action_url(row) -> str | None:
    # Set per page by the view: only a login that may write gets a link.
    return getattr(row, "action_url", None)


def _member_columns() -> list[Column]:
    return [
        Column(
            "municipality",
            gettext_lazy("Municipality"),
            accessor="municipality.name",
            order_by=("municipality__name",),
        ),
        Column(
            "service_area",
            gettext_lazy("Service area"),
            accessor="service_area.name",
            order_by=("service_area__name",),
        ),
        Column("person", gettext_lazy("Person"), accessor="person.username"),
        Column("location", gettext_lazy("Location"), accessor="location.name"),
        Column("asset", gettext_lazy("Asset"), accessor="asset.asset_tag"),
    ]


SUBSCRIPTION_TABLE = Table(
    columns=[
        Column(
            "service",
            gettext_lazy("Service"),
            accessor="service.name",
            order_by=("service__name",),
            link=_action_url,
        ),
        *_member_columns(),
        Column("quantity", gettext_lazy("Quantity"), kind="number", order_by=("quantity",)),
        Column("valid_from", gettext_lazy("Valid from"), kind="date", order_by=("valid_from",)),
        Column("valid_to", gettext_lazy("Valid to"), kind="date", order_by=("valid_to",)),
        Column("note", gettext_lazy("Note")),
    ],
    default_sort="-valid_from",
    select_related=("service", "municipality", "service_area", "person", "location", "asset"),
    export_name="subscriptions",
)

USAGE_TABLE = Table(
    columns=[
        Column("month", gettext_lazy("Month"), kind="date", order_by=("month",)),
        Column(
            "service",
            gettext_lazy("Service"),
            accessor="service.name",
            order_by=("service__name",),
            link=_action_url,
        ),
        *_member_columns(),
        Column("quantity", gettext_lazy("Quantity"), kind="number", order_by=("quantity",)),
        Column("reference", gettext_lazy("Reference")),
        Column("note", gettext_lazy("Note")),
    ],
    default_sort="-month",
    select_related=("service", "municipality", "service_area", "person", "location", "asset"),
    export_name="usage",
)

FILTER_LABELS = {
    "service": gettext_lazy("Service"),
    "municipality": gettext_lazy("Municipality"),
    "service_area": gettext_lazy("Service area"),
    "active_on": gettext_lazy("In force on"),
    "is_open": gettext_lazy("Still open"),
    "month": gettext_lazy("Month"),
}


class SubscriptionListView(ObjectListView):
    model = Subscription
    filterset_class = SubscriptionFilterSet
    table = SUBSCRIPTION_TABLE
    title = gettext_lazy("Subscriptions")
    filter_fields = ["q", "service", "municipality", "service_area", "active_on", "is_open"]
    filter_labels = FILTER_LABELS
    create_url_name = "inventory:subscription_create"

    def prepare_rows(self, rows: list) -> None:
        if can_write(self.request.user, Subscription):
            for row in rows:
                if row.valid_to is None:
                    row.action_url = reverse("inventory:subscription_end", args=[row.pk])


class UsageRecordListView(ObjectListView):
    model = UsageRecord
    filterset_class = UsageRecordFilterSet
    table = USAGE_TABLE
    title = gettext_lazy("Usage")
    filter_fields = ["q", "service", "municipality", "service_area", "month"]
    filter_labels = FILTER_LABELS
    create_url_name = "inventory:usage_create"

    def prepare_rows(self, rows: list) -> None:
        if can_write(self.request.user, UsageRecord):
            for row in rows:
                row.action_url = reverse("inventory:usage_edit", args=[row.pk])


def _form_page(request, *, form, title: str, cancel: str, obj=None, intro: str = ""):
    status = 400 if form.is_bound and form.errors else 200
    return render(
        request,
        "inventory/subscription_form.html",
        {"form": form, "title": title, "object": obj, "cancel": cancel, "intro": intro},
        status=status,
    )


def _call(request, form, call) -> bool:
    """Call the service; its errors go next to their fields and nothing is written."""
    try:
        saved = call()
    except (ValidationError, IntegrityError) as error:
        add_service_errors(form, error)
        return False
    messages.success(request, _("Saved %(object)s.") % {"object": saved})
    return True


@login_required
def subscription_create(request):
    user = request.user
    require_write(user, Subscription)
    form = SubscriptionForm(request.POST or None, user=user)
    if request.method == "POST" and form.is_valid():
        fields = {name: form.cleaned_data[name] for name in form.Meta.fields}
        if _call(request, form, lambda: subscribe(**fields)):
            return redirect("inventory:subscription_list")
    return _form_page(
        request,
        form=form,
        title=_("New subscription"),
        cancel=reverse("inventory:subscription_list"),
    )


@login_required
def subscription_end(request, pk: int):
    user = request.user
    require_write(user, Subscription)
    subscription = get_restricted_or_404(
        Subscription.objects.select_related("service", "municipality"), user, pk=pk
    )
    form = EndSubscriptionForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        on = form.cleaned_data["on"]
        # The service names the date "valid_to"; here the field is "on".
        try:
            saved = end_subscription(subscription=subscription, on=on)
        except ValidationError as error:
            for messages_ in error.message_dict.values():
                for message in messages_:
                    form.add_error("on", message)
        else:
            messages.success(request, _("Saved %(object)s.") % {"object": saved})
            return redirect("inventory:subscription_list")
    return _form_page(
        request,
        form=form,
        title=_("End subscription %(subscription)s") % {"subscription": subscription},
        intro=_("Started %(date)s.") % {"date": format_day(subscription.valid_from)},
        cancel=reverse("inventory:subscription_list"),
        obj=subscription,
    )


@login_required
def usage_edit(request, pk: int | None = None):
    """Record (no ``pk``) or correct a month's usage; the change log keeps the old value."""
    user = request.user
    require_write(user, UsageRecord)
    record = get_restricted_or_404(UsageRecord.objects.all(), user, pk=pk) if pk else None
    form = UsageRecordForm(request.POST or None, instance=record, user=user)
    if request.method == "POST" and form.is_valid():
        if record is None:
            fields = {name: form.cleaned_data[name] for name in form.Meta.fields}
            call = lambda: record_usage(**fields)  # noqa: E731
        else:
            # A fresh copy: the form's instance already holds the new values.
            current = UsageRecord.objects.get(pk=record.pk)
            changes = {name: form.cleaned_data[name] for name in form.changed_data}
            call = lambda: update_usage(record=current, changes=changes)  # noqa: E731
        if _call(request, form, call):
            return redirect("inventory:usage_list")
    title = _("Correct usage %(record)s") % {"record": record} if record else _("Record usage")
    return _form_page(
        request, form=form, title=title, cancel=reverse("inventory:usage_list"), obj=record
    )

"""The catalogue to order from, the basket (a draft order), the order list and an
order's page with the actions its state and the user's role allow."""

from __future__ import annotations

from decimal import Decimal

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db import IntegrityError
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from samdrift.catalogue.models import Product, Service
from samdrift.core.choices import Role
from samdrift.core.permissions import can_write, restrict
from samdrift.ordering import services
from samdrift.ordering.choices import LineKind, OrderState
from samdrift.ordering.filtersets import OrderFilterSet
from samdrift.ordering.forms import LineForm, NonStandardForm, NoteForm, OrderForm, ReasonForm
from samdrift.ordering.models import Bundle, Delivery, Order, OrderLine
from samdrift.ordering.pricing import line_monthly_total
from samdrift.ordering.selectors import orderable_catalogue
from samdrift.ordering.services.orders import price_lines
from samdrift.ordering.states import DELIVERABLE_STATES
from samdrift.ordering.tables import ORDER_TABLE
from samdrift.ordering.views.common import (
    chosen_municipality,
    municipality_choices,
    require_operator,
)
from samdrift.ui.forms import add_service_errors
from samdrift.ui.lists import ObjectListView
from samdrift.ui.permissions import get_restricted_or_404, require_write

CANCELLABLE = (OrderState.DRAFT, OrderState.SUBMITTED, OrderState.APPROVED, OrderState.ACCEPTED)


class AddForm(forms.Form):
    kind = forms.ChoiceField(
        choices=[(k, label) for k, label in LineKind.choices if k != LineKind.NON_STANDARD]
    )
    item = forms.IntegerField()
    quantity = forms.IntegerField(label=gettext_lazy("Quantity"))


class OrderListView(ObjectListView):
    model = Order
    filterset_class = OrderFilterSet
    table = ORDER_TABLE
    title = gettext_lazy("Orders")
    filter_fields = ["q", "state", "municipality", "service_area"]
    template_name = "web/object_list.html"


def draft_of(user, municipality) -> Order | None:
    """The user's basket: their newest draft for the municipality."""
    return (
        restrict(Order.objects.filter(state=OrderState.DRAFT, created_by=user), user)
        .filter(municipality=municipality)
        .order_by("-pk")
        .first()
    )


@login_required
def catalogue(request):
    """What the municipality may order with its monthly price; "add to order" puts a
    line into the user's draft (made on the first add)."""
    user = request.user
    municipality = chosen_municipality(request)
    may_order = municipality is not None and can_write(user, Order)
    form = AddForm(request.POST or None)
    if request.method == "POST":
        require_write(user, Order)
        if municipality is None:
            form.add_error(None, _("Choose a municipality first."))
        elif form.is_valid():
            data = form.cleaned_data
            item = _item(data["kind"], data["item"])
            if item is None:
                form.add_error("item", _("This is not in the catalogue."))
            else:
                try:
                    order = draft_of(user, municipality) or services.create_order(
                        municipality=municipality
                    )
                    services.add_line(
                        order=order,
                        kind=data["kind"],
                        quantity=data["quantity"],
                        **{data["kind"]: item},
                    )
                except (ValidationError, IntegrityError) as error:
                    add_service_errors(form, error)
                else:
                    messages.success(
                        request,
                        _("Added %(item)s to order %(number)s.")
                        % {"item": item, "number": order.number},
                    )
                    url = reverse("ordering:catalogue")
                    if user.sees_all_municipalities:
                        url += f"?municipality={municipality.pk}"
                    return redirect(url)
    today = timezone.localdate()
    entries = orderable_catalogue(municipality=municipality, day=today) if municipality else []
    return render(
        request,
        "ordering/catalogue.html",
        {
            "municipality": municipality,
            "entries": entries,
            "may_order": may_order,
            "form": form,
            "draft": draft_of(user, municipality) if may_order else None,
            "municipalities": municipality_choices(user) if user.sees_all_municipalities else None,
            "today": today,
        },
        status=400 if form.is_bound and form.errors else 200,
    )


def _item(kind: str, pk: int):
    model = {"product": Product, "service": Service, "bundle": Bundle}.get(kind)
    return model.objects.filter(pk=pk).first() if model else None


@login_required
def basket(request):
    """The user's draft orders; with one, straight to it."""
    user = request.user
    drafts = list(
        restrict(Order.objects.filter(state=OrderState.DRAFT, created_by=user), user)
        .select_related("municipality", "service_area")
        .order_by("-pk")
    )
    if len(drafts) == 1:
        return redirect("ordering:order_detail", pk=drafts[0].pk)
    return render(request, "ordering/basket.html", {"drafts": drafts})


def _order_queryset():
    return Order.objects.select_related(
        "municipality", "service_area", "delivery_location", "created_by"
    )


def order_page(request, order: Order, *, status: int = 200, **forms_given):
    """An order's page; ``forms_given`` are bound forms with errors to show in place."""
    user = request.user
    lines = list(
        order.lines.select_related("product", "service", "bundle", "person").order_by("pk")
    )
    deliveries = {}
    for delivery in (
        Delivery.objects.filter(line__order=order)
        .select_related("asset", "subscription", "part", "by")
        .order_by("delivered_on", "pk")
    ):
        deliveries.setdefault(delivery.line_id, []).append(delivery)
    is_draft = order.state == OrderState.DRAFT
    may_write = can_write(user, Order)
    line_forms = forms_given.pop("line_forms", {})
    if is_draft:
        # Not snapshotted before submission: show what submitting today would price.
        price_lines(order, lines, day=timezone.localdate())
    for line in lines:
        line.handed_over = deliveries.get(line.pk, [])
        line.total = line_monthly_total(line)
    if is_draft:
        order.monthly_total = sum((line.total or 0 for line in lines), Decimal("0.00"))
        order.one_off_total = sum(
            (line.one_off_fee * line.quantity for line in lines if line.one_off_fee),
            Decimal("0.00"),
        )
        if is_draft and may_write:
            line.form = line_forms.get(line.pk) or LineForm(
                order=order,
                user=user,
                prefix=f"line-{line.pk}",
                initial={"quantity": line.quantity, "person": line.person_id},
            )
    approver = (
        user.role in (Role.MUNICIPALITY, Role.SERVICE_AREA) and not user.sees_all_municipalities
    )
    state = order.state
    context = {
        "order": order,
        "lines": lines,
        "transitions": order.transitions.select_related("by").order_by("at", "pk"),
        "is_draft": is_draft,
        "may_edit": is_draft and may_write,
        "may_approve": state == OrderState.SUBMITTED and approver,
        "may_reject": (state == OrderState.SUBMITTED and (approver or user.is_operator))
        or (state == OrderState.APPROVED and user.is_operator),
        "may_cancel": may_write and state in CANCELLABLE,
        "may_accept": state == OrderState.APPROVED and user.is_operator,
        "may_review": state in (OrderState.SUBMITTED, OrderState.APPROVED) and user.is_operator,
        "may_deliver": state in DELIVERABLE_STATES and user.is_operator,
        "order_form": forms_given.pop("order_form", None)
        or OrderForm(
            order=order,
            user=user,
            initial={
                "service_area": order.service_area_id,
                "needed_by": order.needed_by,
                "delivery_location": order.delivery_location_id,
                "comment": order.comment,
            },
        ),
        "non_standard_form": forms_given.pop("non_standard_form", None)
        or NonStandardForm(order=order, user=user, prefix="ns"),
        "approve_form": forms_given.pop("approve_form", None) or NoteForm(prefix="approve"),
        "reject_form": forms_given.pop("reject_form", None) or ReasonForm(prefix="reject"),
        "cancel_form": forms_given.pop("cancel_form", None) or ReasonForm(prefix="cancel"),
        "accept_form": forms_given.pop("accept_form", None) or NoteForm(prefix="accept"),
        "submit_form": forms_given.pop("submit_form", None) or NoteForm(prefix="submit"),
        "LineKind": LineKind,
    }
    return render(request, "ordering/order_detail.html", context, status=status)


@login_required
def order_detail(request, pk: int):
    order = get_restricted_or_404(_order_queryset(), request.user, pk=pk)
    return order_page(request, order)


def _writable_order(request, pk: int) -> Order:
    require_write(request.user, Order)
    return get_restricted_or_404(_order_queryset(), request.user, pk=pk)


def _done(request, order: Order, message: str):
    messages.success(request, message)
    return redirect("ordering:order_detail", pk=order.pk)


@login_required
@require_POST
def order_edit(request, pk: int):
    order = _writable_order(request, pk)
    form = OrderForm(request.POST, order=order, user=request.user)
    if form.is_valid():
        changes = {k: v for k, v in form.cleaned_data.items() if k in form.changed_data}
        try:
            services.update_order(order=order, changes=changes)
        except (ValidationError, IntegrityError) as error:
            add_service_errors(form, error)
        else:
            return _done(request, order, _("Saved %(object)s.") % {"object": order.number})
    return order_page(request, order, status=400, order_form=form)


@login_required
@require_POST
def line_edit(request, pk: int, line_pk: int):
    order = _writable_order(request, pk)
    line = get_restricted_or_404(OrderLine.objects.filter(order=order), request.user, pk=line_pk)
    form = LineForm(request.POST, order=order, user=request.user, prefix=f"line-{line.pk}")
    if form.is_valid():
        try:
            services.update_line(line=line, changes=dict(form.cleaned_data))
        except (ValidationError, IntegrityError) as error:
            add_service_errors(form, error)
        else:
            return _done(request, order, _("Saved line %(line)s.") % {"line": line.label})
    return order_page(request, order, status=400, line_forms={line.pk: form})


@login_required
@require_POST
def line_remove(request, pk: int, line_pk: int):
    order = _writable_order(request, pk)
    line = get_restricted_or_404(OrderLine.objects.filter(order=order), request.user, pk=line_pk)
    try:
        services.remove_line(line=line)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return redirect("ordering:order_detail", pk=order.pk)
    return _done(request, order, _("Removed the line."))


@login_required
@require_POST
def non_standard_add(request, pk: int):
    order = _writable_order(request, pk)
    form = NonStandardForm(request.POST, order=order, user=request.user, prefix="ns")
    if form.is_valid():
        try:
            services.add_line(order=order, kind=LineKind.NON_STANDARD, **form.cleaned_data)
        except (ValidationError, IntegrityError) as error:
            add_service_errors(form, error)
        else:
            return _done(request, order, _("Added the non-standard request."))
    return order_page(request, order, status=400, non_standard_form=form)


def _action(request, pk: int, *, prefix: str, form_class, call, form_key: str, done: str):
    order = _writable_order(request, pk)
    form = form_class(request.POST, prefix=prefix)
    if form.is_valid():
        try:
            call(order, form.cleaned_data)
        except (ValidationError, IntegrityError) as error:
            add_service_errors(form, error)
        else:
            return _done(request, order, done % {"number": order.number})
    return order_page(request, order, status=400, **{form_key: form})


@login_required
@require_POST
def order_submit(request, pk: int):
    order = _writable_order(request, pk)
    form = NoteForm(request.POST, prefix="submit")
    form.is_valid()
    try:
        services.submit_order(order=order, note=form.cleaned_data.get("note", ""))
    except ValidationError as error:
        order_form = OrderForm(
            order=order,
            user=request.user,
            data={
                "service_area": order.service_area_id or "",
                "needed_by": order.needed_by or "",
                "delivery_location": order.delivery_location_id or "",
                "comment": order.comment,
            },
        )
        order_form.is_valid()
        add_service_errors(order_form, error)
        return order_page(request, order, status=400, order_form=order_form)
    return _done(request, order, _("Submitted %(number)s.") % {"number": order.number})


@login_required
@require_POST
def order_approve(request, pk: int):
    return _action(
        request,
        pk,
        prefix="approve",
        form_class=NoteForm,
        call=lambda order, data: services.approve_order(order=order, note=data["note"]),
        form_key="approve_form",
        done=_("Approved %(number)s."),
    )


@login_required
@require_POST
def order_reject(request, pk: int):
    return _action(
        request,
        pk,
        prefix="reject",
        form_class=ReasonForm,
        call=lambda order, data: services.reject_order(order=order, reason=data["reason"]),
        form_key="reject_form",
        done=_("Rejected %(number)s."),
    )


@login_required
@require_POST
def order_cancel(request, pk: int):
    return _action(
        request,
        pk,
        prefix="cancel",
        form_class=ReasonForm,
        call=lambda order, data: services.cancel_order(order=order, reason=data["reason"]),
        form_key="cancel_form",
        done=_("Cancelled %(number)s."),
    )


@login_required
@require_POST
def order_accept(request, pk: int):
    require_operator(request.user)
    return _action(
        request,
        pk,
        prefix="accept",
        form_class=NoteForm,
        call=lambda order, data: services.accept_order(order=order, note=data["note"]),
        form_key="accept_form",
        done=_("Accepted %(number)s."),
    )

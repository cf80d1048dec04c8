"""The approver's queue, the operator's delivery queue, and the operator's line forms:
reviewing a non-standard request and delivering a line."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db import IntegrityError
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from samdrift.ordering import services
from samdrift.ordering.forms import DeliverForm, ReviewForm
from samdrift.ordering.models import OrderLine
from samdrift.ordering.selectors import approver_queue, operator_queue
from samdrift.ordering.views.common import form_page, require_operator
from samdrift.ui.forms import add_service_errors
from samdrift.ui.permissions import get_restricted_or_404

PER_PAGE = 50


@login_required
def approvals(request):
    """Submitted orders the signed-in budget owner may approve now."""
    queryset = approver_queue(request.user).select_related("municipality")
    page = Paginator(queryset, PER_PAGE).get_page(request.GET.get("page"))
    return render(request, "ordering/approvals.html", {"page": page})


@login_required
def deliveries(request):
    """Accepted orders with lines left to deliver, oldest acceptance first."""
    require_operator(request.user)
    page = Paginator(operator_queue(request.user), PER_PAGE).get_page(request.GET.get("page"))
    return render(request, "ordering/deliveries.html", {"page": page})


def _line(request, pk: int) -> OrderLine:
    return get_restricted_or_404(
        OrderLine.objects.select_related(
            "order__municipality", "order__service_area", "product", "service", "bundle", "person"
        ),
        request.user,
        pk=pk,
    )


@login_required
def line_review(request, pk: int):
    require_operator(request.user)
    line = _line(request, pk)
    form = ReviewForm(
        request.POST or None,
        initial={"monthly_price": line.monthly_price, "one_off_fee": line.one_off_fee},
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.review_line(line=line, **form.cleaned_data)
        except (ValidationError, IntegrityError) as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("Reviewed %(line)s.") % {"line": line.label})
            return redirect("ordering:order_detail", pk=line.order_id)
    return form_page(
        request,
        form=form,
        title=_("Review the request: %(line)s") % {"line": line.label},
        intro=line.justification,
        cancel=reverse("ordering:order_detail", args=[line.order_id]),
    )


@login_required
def line_deliver(request, pk: int):
    """Deliver one device (from stock or newly bought), or a quantity of a service or
    of a bulk line."""
    require_operator(request.user)
    line = _line(request, pk)
    form = DeliverForm(
        request.POST or None,
        line=line,
        user=request.user,
        initial={"on": timezone.localdate(), "person": line.person_id},
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.deliver_line(
                line=line,
                on=data["on"],
                asset=data.get("asset"),
                new_asset=form.new_asset(),
                person=data.get("person"),
                part=data.get("part"),
                quantity=data.get("quantity"),
            )
        except (ValidationError, IntegrityError) as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("Delivered %(line)s.") % {"line": line.label})
            return redirect("ordering:order_detail", pk=line.order_id)
    return form_page(
        request,
        form=form,
        title=_("Deliver %(line)s") % {"line": line.label},
        intro=_("Order %(number)s, %(municipality)s: %(left)s of %(quantity)s left to deliver.")
        % {
            "number": line.order.number,
            "municipality": line.order.municipality,
            "left": line.outstanding,
            "quantity": line.quantity,
        },
        cancel=reverse("ordering:order_detail", args=[line.order_id]),
    )

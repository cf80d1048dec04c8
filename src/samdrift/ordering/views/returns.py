"""Returns: the list, one return, and the operator's form taking a person's devices
back (the assignment ends on the return date, so billing stops that day)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db import IntegrityError
from django.db.models import Q
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from samdrift.core.permissions import restrict
from samdrift.inventory.models import Asset
from samdrift.ordering import services
from samdrift.ordering.filtersets import ReturnFilterSet
from samdrift.ordering.forms import ReturnForm, ReturnStartForm
from samdrift.ordering.models import Return
from samdrift.ordering.tables import RETURN_TABLE
from samdrift.ordering.views.common import chosen_municipality, municipality_choices
from samdrift.ui.forms import add_service_errors
from samdrift.ui.lists import ObjectListView
from samdrift.ui.permissions import get_restricted_or_404, require_write


class ReturnListView(ObjectListView):
    model = Return
    filterset_class = ReturnFilterSet
    table = RETURN_TABLE
    title = gettext_lazy("Returns")
    filter_fields = ["q", "municipality"]
    create_url_name = "ordering:return_create"


@login_required
def return_detail(request, pk: int):
    ret = get_restricted_or_404(
        Return.objects.select_related("municipality", "person", "by"), request.user, pk=pk
    )
    lines = ret.lines.select_related("asset__product", "subscription__service").order_by("pk")
    return render(request, "ordering/return_detail.html", {"ret": ret, "lines": lines})


def held_by(person, day):
    """The assets assigned to ``person`` on ``day`` (open on it)."""
    return (
        Asset.objects.filter(
            assignments__person=person,
            assignments__valid_from__lte=day,
        )
        .filter(Q(assignments__valid_to__isnull=True) | Q(assignments__valid_to__gt=day))
        .select_related("product")
        .distinct()
        .order_by("asset_tag")
    )


@login_required
def return_create(request):
    """Step 1: the municipality (operators) and the person; step 2: their devices, the
    date and where each goes."""
    user = request.user
    require_write(user, Return)
    municipality = chosen_municipality(request)
    context = {
        "municipality": municipality,
        "municipalities": municipality_choices(user) if user.sees_all_municipalities else None,
    }
    if municipality is None:
        return render(request, "ordering/return_create.html", context)
    start = ReturnStartForm(request.GET or None, municipality=municipality, user=user)
    context["start"] = start
    if not (start.is_bound and start.is_valid()):
        return render(request, "ordering/return_create.html", context)
    person = start.cleaned_data["person"]
    today = timezone.localdate()
    assets = restrict(held_by(person, today), user)
    form = ReturnForm(request.POST or None, assets=assets, initial={"return_on": today})
    context.update(person=person, form=form)
    if request.method == "POST" and form.is_valid():
        items = form.items()
        if not items:
            form.add_error(None, _("Tick at least one device to take back."))
        else:
            try:
                ret = services.return_assets(
                    municipality=municipality,
                    on=form.cleaned_data["return_on"],
                    items=items,
                    person=person,
                    reason=form.cleaned_data["reason"],
                    end_subscriptions=form.cleaned_data["end_subscriptions"],
                )
            except (ValidationError, IntegrityError) as error:
                add_service_errors(form, error)
            else:
                messages.success(request, _("Recorded the return."))
                return redirect("ordering:return_detail", pk=ret.pk)
    status = 400 if form.is_bound and form.errors else 200
    return render(request, "ordering/return_create.html", context, status=status)

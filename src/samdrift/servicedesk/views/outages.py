"""Pages of outages: the list, one outage, the operators' form and deletion.

A municipality's users see the outages that concern them: those of all municipalities
and those naming theirs (``Outage.visible_to_municipality``, applied by ``restrict``);
of the municipalities an outage names, they see only their own. Operators write.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db import IntegrityError
from django.db.models import Prefetch
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from samdrift.core.permissions import can_write, restrict
from samdrift.organisations.models import Municipality
from samdrift.servicedesk.filtersets import OutageFilterSet
from samdrift.servicedesk.forms import OutageForm
from samdrift.servicedesk.models import Outage
from samdrift.servicedesk.services.outages import create_outage, delete_outage, update_outage
from samdrift.servicedesk.tables import OUTAGE_TABLE, affected_text
from samdrift.ui.confirm import (
    Confirmation,
    Done,
    fingerprint,
    perform_confirmed,
    render_confirmation,
)
from samdrift.ui.formatting import format_moment
from samdrift.ui.forms import add_service_errors
from samdrift.ui.lists import ObjectListView
from samdrift.ui.permissions import get_restricted_or_404, require_write


def with_visible_municipalities(queryset, user):
    """Outages with the municipalities they name, limited to those ``user`` may see."""
    return queryset.prefetch_related(
        Prefetch(
            "municipalities",
            queryset=restrict(Municipality.objects.order_by("name"), user),
        )
    )


class OutageListView(ObjectListView):
    model = Outage
    filterset_class = OutageFilterSet
    table = OUTAGE_TABLE
    title = gettext_lazy("Outages")
    filter_fields = ["q", "service", "municipality", "planned", "from_date", "to_date"]
    create_url_name = "servicedesk:outage_create"

    def get_queryset(self):
        return with_visible_municipalities(Outage.objects.all(), self.request.user)


def _outage_or_404(request, pk: int) -> Outage:
    queryset = with_visible_municipalities(Outage.objects.select_related("service"), request.user)
    return get_restricted_or_404(queryset, request.user, pk=pk)


@login_required
def outage_detail(request, pk: int):
    outage = _outage_or_404(request, pk)
    return render(
        request,
        "servicedesk/outage_detail.html",
        {
            "outage": outage,
            "affected": affected_text(outage),
            "can_edit": can_write(request.user, Outage),
        },
    )


@login_required
def outage_edit(request, pk: int | None = None):
    user = request.user
    require_write(user, Outage)
    outage = _outage_or_404(request, pk) if pk else None
    form = OutageForm(request.POST or None, instance=outage, user=user)
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        try:
            if outage is None:
                saved = create_outage(**data)
            else:
                saved = update_outage(outage=outage, changes=data)
        except (ValidationError, IntegrityError) as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("Saved %(object)s.") % {"object": saved})
            return redirect("servicedesk:outage_detail", pk=saved.pk)
    if outage is not None:
        title = _("Edit outage")
        cancel = reverse("servicedesk:outage_detail", args=[outage.pk])
    else:
        title, cancel = _("New outage"), reverse("servicedesk:outage_list")
    return render(
        request,
        "servicedesk/form.html",
        {"form": form, "title": title, "object": outage, "cancel": cancel},
        status=400 if form.is_bound and form.errors else 200,
    )


def _outage_fingerprint(outage: Outage | None) -> str:
    if outage is None:
        return ""
    return fingerprint("outage.delete", outage.pk, outage.last_updated)


@login_required
def outage_delete(request, pk: int):
    """GET: what deleting takes away; POST (from that page): delete, once."""
    user = request.user
    require_write(user, Outage)
    if request.method == "POST":
        # A second submit finds the outage gone: the receipt, not a 404, answers it.
        outage = restrict(Outage.objects.all(), user).filter(pk=pk).first()

        def act() -> Done:
            label = str(outage)
            delete_outage(outage=outage)
            return Done(
                _("The outage %(outage)s was deleted.") % {"outage": label},
                reverse("servicedesk:outage_list"),
            )

        return perform_confirmed(
            request,
            kind="servicedesk.outage_delete",
            current_fingerprint=lambda: _outage_fingerprint(
                Outage.objects.select_for_update().filter(pk=pk).first()
            ),
            act=act,
            confirm_url=reverse("servicedesk:outage_delete", args=[pk])
            if outage is not None
            else reverse("servicedesk:outage_list"),
        )
    outage = _outage_or_404(request, pk)
    confirmation = Confirmation(
        title=_("Delete the outage"),
        summary=_(
            "Delete the outage of %(service)s from %(start)s. The SLA reports not yet "
            "approved no longer count it; approved reports keep their frozen figures."
        )
        % {"service": outage.service, "start": format_moment(outage.started_at)},
        button=_("Delete this outage"),
        action_url=reverse("servicedesk:outage_delete", args=[outage.pk]),
        cancel_url=reverse("servicedesk:outage_detail", args=[outage.pk]),
        fingerprint=_outage_fingerprint(outage),
        facts=[
            (_("Service"), str(outage.service)),
            (_("Description"), outage.description),
            (_("Start"), format_moment(outage.started_at)),
            (_("End"), format_moment(outage.ended_at) or _("ongoing")),
            (_("Municipalities affected"), affected_text(outage)),
        ],
    )
    return render_confirmation(request, confirmation)


urlpatterns = [
    path("outages/", OutageListView.as_view(), name="outage_list"),
    path("outages/new/", outage_edit, name="outage_create"),
    path("outages/<int:pk>/", outage_detail, name="outage_detail"),
    path("outages/<int:pk>/edit/", outage_edit, name="outage_edit"),
    path("outages/<int:pk>/delete/", outage_delete, name="outage_delete"),
]

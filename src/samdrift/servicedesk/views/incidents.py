"""Pages of incidents: the list (filters, CSV/XLSX export), one incident with its times
and pauses, and the operators' form.

Every page starts from ``restrict``: a municipality's users (contacts, auditors and
service-area managers alike, since an incident has no service area) see their own
municipality's incidents; another municipality's incident is a 404. Operators write.
"""

from __future__ import annotations

import datetime

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db import IntegrityError
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from samdrift.core.permissions import can_write
from samdrift.servicedesk.choices import PauseReason
from samdrift.servicedesk.filtersets import IncidentFilterSet
from samdrift.servicedesk.forms import IncidentForm
from samdrift.servicedesk.models import Incident
from samdrift.servicedesk.services.incidents import create_incident, update_incident
from samdrift.servicedesk.tables import INCIDENT_TABLE
from samdrift.ui.forms import add_service_errors
from samdrift.ui.lists import ObjectListView
from samdrift.ui.permissions import get_restricted_or_404, require_write


class IncidentListView(ObjectListView):
    model = Incident
    filterset_class = IncidentFilterSet
    table = INCIDENT_TABLE
    title = gettext_lazy("Incidents")
    filter_fields = [
        "q",
        "municipality",
        "service",
        "priority",
        "state",
        "source",
        "opened_from",
        "opened_to",
    ]
    create_url_name = "servicedesk:incident_create"


def pause_rows(incident: Incident) -> list[dict]:
    """The pauses as instants with their reason's label (the end None while paused)."""
    labels = dict(PauseReason.choices)
    rows = []
    for reason, start, end in incident.pauses or []:
        rows.append(
            {
                "reason": labels.get(reason, reason),
                "start": datetime.datetime.fromisoformat(start) if start else None,
                "end": datetime.datetime.fromisoformat(end) if end else None,
            }
        )
    return rows


@login_required
def incident_detail(request, pk: int):
    incident = get_restricted_or_404(
        Incident.objects.select_related("municipality", "service"), request.user, pk=pk
    )
    return render(
        request,
        "servicedesk/incident_detail.html",
        {
            "incident": incident,
            "pauses": pause_rows(incident),
            "can_edit": can_write(request.user, Incident),
        },
    )


@login_required
def incident_edit(request, pk: int | None = None):
    user = request.user
    require_write(user, Incident)
    incident = get_restricted_or_404(Incident.objects.all(), user, pk=pk) if pk else None
    form = IncidentForm(request.POST or None, instance=incident, user=user)
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        try:
            if incident is None:
                saved = create_incident(**data)
            else:
                saved = update_incident(incident=incident, changes=data)
        except (ValidationError, IntegrityError) as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("Saved %(object)s.") % {"object": saved})
            return redirect("servicedesk:incident_detail", pk=saved.pk)
    if incident is not None:
        title = _("Edit incident %(number)s") % {"number": incident.number}
        cancel = reverse("servicedesk:incident_detail", args=[incident.pk])
    else:
        title, cancel = _("New incident"), reverse("servicedesk:incident_list")
    return render(
        request,
        "servicedesk/form.html",
        {"form": form, "title": title, "object": incident, "cancel": cancel},
        status=400 if form.is_bound and form.errors else 200,
    )


urlpatterns = [
    path("incidents/", IncidentListView.as_view(), name="incident_list"),
    path("incidents/new/", incident_edit, name="incident_create"),
    path("incidents/<int:pk>/", incident_detail, name="incident_detail"),
    path("incidents/<int:pk>/edit/", incident_edit, name="incident_edit"),
]

"""Replacement campaigns: the list with each one's progress, a new campaign from a
criterion, and a campaign's page (its devices, progress per municipality, "Check
progress" and "Close").

A campaign spans municipalities; its devices carry the municipality that held them when
the campaign took them in. A municipality's users see the campaigns that took in devices
of theirs, and of those only their own devices and progress (another's campaign is a
404). Operators create, check and close campaigns.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db import IntegrityError
from django.db.models import QuerySet
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from samdrift.core.permissions import can_write, restrict
from samdrift.planning.campaigns import (
    campaign_progress,
    close_campaign,
    create_campaign,
    progress_total,
    refresh_progress,
)
from samdrift.planning.choices import CampaignState, DeviceProgress
from samdrift.planning.filtersets import CampaignDeviceFilterSet, CampaignFilterSet
from samdrift.planning.forms import CampaignForm
from samdrift.planning.models import Campaign, CampaignDevice
from samdrift.planning.selectors import visible_campaigns, with_progress
from samdrift.planning.tables import CAMPAIGN_DEVICE_TABLE, CAMPAIGN_TABLE
from samdrift.ui.formatting import format_number
from samdrift.ui.forms import add_service_errors
from samdrift.ui.lists import ObjectListView
from samdrift.ui.permissions import require_write


def campaign_or_404(user, pk: int) -> Campaign:
    campaign = (
        visible_campaigns(user).select_related("municipality", "created_by").filter(pk=pk).first()
    )
    if campaign is None:
        raise Http404("No campaign with that id.")
    return campaign


class CampaignListView(ObjectListView):
    model = Campaign
    filterset_class = CampaignFilterSet
    table = CAMPAIGN_TABLE
    title = gettext_lazy("Campaigns")
    filter_fields = ["q", "state", "criterion"]
    create_url_name = "planning:campaign_create"

    def restricted_queryset(self) -> QuerySet:
        user = self.request.user
        return with_progress(visible_campaigns(user), user)


class CampaignDetailView(ObjectListView):
    """The campaign's facts and progress above the list of its devices (filtered by
    progress and municipality, paginated, exported)."""

    model = CampaignDevice
    filterset_class = CampaignDeviceFilterSet
    table = CAMPAIGN_DEVICE_TABLE
    filter_fields = ["q", "progress", "municipality", "due_reason"]
    template_name = "planning/campaign_detail.html"
    per_page = 50

    def get(self, request, *args, **kwargs):
        self.campaign = campaign_or_404(request.user, kwargs["pk"])
        self.title = self.campaign.name
        return super().get(request, *args, **kwargs)

    def get_queryset(self) -> QuerySet:
        return CampaignDevice.objects.filter(campaign=self.campaign)

    def extra_context(self) -> dict[str, Any]:
        user = self.request.user
        devices = restrict(CampaignDevice.objects.filter(campaign=self.campaign), user)
        rows = campaign_progress(self.campaign, devices)
        total = progress_total(rows)
        states = DeviceProgress.values
        may_act = can_write(user, Campaign) and self.campaign.state == CampaignState.OPEN
        return {
            "campaign": self.campaign,
            "progress_rows": [(row, [row.counts[s] for s in states]) for row in rows],
            "progress_total": (total, [total.counts[s] for s in states]),
            "progress_labels": DeviceProgress.labels,
            "products": list(self.campaign.products.order_by("name")),
            "can_act": may_act,
            "create_url_name": None,
        }


@login_required
def campaign_create(request):
    user = request.user
    require_write(user, Campaign)
    form = CampaignForm(request.POST or None, user=user)
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        data["products"] = list(data.get("products") or ())
        try:
            campaign = create_campaign(**data)
        except (ValidationError, IntegrityError) as error:
            add_service_errors(form, error)
        else:
            messages.success(
                request,
                _("Created %(campaign)s with %(n)s devices.")
                % {"campaign": campaign, "n": format_number(campaign.devices.count())},
            )
            return redirect("planning:campaign_detail", pk=campaign.pk)
    return render(
        request,
        "planning/form.html",
        {
            "form": form,
            "title": _("New campaign"),
            "intro": _(
                "The campaign takes in every device in service that meets the criterion "
                "today, and follows each until it is replaced."
            ),
            "cancel": reverse("planning:campaign_list"),
        },
        status=400 if form.is_bound and form.errors else 200,
    )


@login_required
@require_POST
def campaign_refresh(request, pk: int):
    """Check progress: which devices were replaced, ordered or retired since."""
    user = request.user
    require_write(user, Campaign)
    campaign = campaign_or_404(user, pk)
    try:
        counts = refresh_progress(campaign)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        summary = ", ".join(
            f"{label}: {counts.get(value, 0)}" for value, label in DeviceProgress.choices
        )
        messages.success(request, _("Progress checked. %(summary)s.") % {"summary": summary})
    return redirect("planning:campaign_detail", pk=campaign.pk)


@login_required
@require_POST
def campaign_close(request, pk: int):
    user = request.user
    require_write(user, Campaign)
    campaign = campaign_or_404(user, pk)
    try:
        close_campaign(campaign)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("Closed %(campaign)s.") % {"campaign": campaign})
    return redirect("planning:campaign_detail", pk=campaign.pk)

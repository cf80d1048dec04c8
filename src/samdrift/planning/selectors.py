"""Reads shared by planning's pages and endpoints, starting from what the user may see.

Campaigns carry no municipality of their own (one spans members); their devices do. A
campaign is a municipality's users' to see when it took in devices they may see; its
counts are of those devices only. Scenarios are the collaboration's: those who see every
municipality see them, others none.
"""

from __future__ import annotations

from django.db.models import Case, Exists, F, IntegerField, OuterRef, QuerySet, When

from samdrift.core.choices import Role
from samdrift.core.permissions import restrict
from samdrift.core.validators import parse_id
from samdrift.organisations.models import ServiceArea
from samdrift.planning.choices import DeviceProgress
from samdrift.planning.models import Campaign, CampaignDevice, Scenario
from samdrift.ui.lists import count_of

# A device needs nothing more once replaced or taken out of service.
DONE = (DeviceProgress.REPLACED, DeviceProgress.RETIRED)


def visible_campaigns(user, campaigns: QuerySet[Campaign] | None = None) -> QuerySet[Campaign]:
    """The campaigns ``user`` may see: all for those who see every municipality; for a
    municipality's users, those that took in devices they may see (a manager: of their
    service area)."""
    campaigns = Campaign.objects.all() if campaigns is None else campaigns
    if user is None or not user.is_authenticated:
        return campaigns.none()
    if user.sees_all_municipalities:
        return campaigns
    own = restrict(CampaignDevice.objects.filter(campaign=OuterRef("pk")), user)
    return campaigns.filter(Exists(own))


def with_progress(campaigns: QuerySet[Campaign], user) -> QuerySet[Campaign]:
    """Each campaign's devices and those done, counted over what ``user`` may see (one
    correlated subquery each), and the share done in whole percent."""
    return campaigns.annotate(
        device_count=count_of(CampaignDevice, "campaign", user),
        done_count=count_of(CampaignDevice, "campaign", user, progress__in=DONE),
    ).annotate(
        done_percent=Case(
            When(device_count=0, then=None),
            default=F("done_count") * 100 / F("device_count"),
            output_field=IntegerField(),
        )
    )


def visible_scenarios(user, scenarios: QuerySet[Scenario] | None = None) -> QuerySet[Scenario]:
    """Scenarios for those who see every municipality; none for the others."""
    scenarios = Scenario.objects.all() if scenarios is None else scenarios
    if user is None or not user.is_authenticated or not user.sees_all_municipalities:
        return scenarios.none()
    return scenarios


def forecast_area(*, user, municipality_ids: list[int] | None, value: str | None) -> int | None:
    """Which service area's forecast ``user`` gets: ``value`` (``?service_area=``) when it
    names an area of ``municipality_ids`` they may see, else a manager's own area, else
    none (the whole municipality). Raises ``ServiceArea.DoesNotExist`` for an area they may
    not see, of another municipality, or not a number (the page and the endpoint say 404)."""
    areas = restrict(ServiceArea.objects.all(), user)
    if municipality_ids is not None:
        areas = areas.filter(municipality_id__in=municipality_ids)
    if value:
        pk = parse_id(value)
        if pk is None or not areas.filter(pk=pk).exists():
            raise ServiceArea.DoesNotExist
        return pk
    if user.role == Role.SERVICE_AREA and not user.sees_all_municipalities:
        return user.service_area_id
    return None

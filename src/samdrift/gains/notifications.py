"""Gains' notification on the home page (``ui.notifications``): the municipality's gain
shares expected this year that have no measurement yet this quarter.

For the municipality's users who record measurements (``Measurement.write_roles``), of
their own municipality; not a service-area manager (a gain share is whole-municipality
money) and not those who see every municipality (recording is the municipality's gains
owner's job). One query: the shares, less those with a measurement of the same gain and
municipality on or after the quarter's first day."""

from __future__ import annotations

import datetime

from django.db.models import Exists, OuterRef
from django.urls import reverse
from django.utils.translation import ngettext

from samdrift.core.permissions import can_write, limited_to_service_area, restrict
from samdrift.gains.models import GainShare, Measurement
from samdrift.ui.notifications import Notification
from samdrift.ui.notifications import register as register_provider


def quarter_start(day: datetime.date) -> datetime.date:
    return datetime.date(day.year, 3 * ((day.month - 1) // 3) + 1, 1)


def unmeasured_shares(user, today: datetime.date, shared: dict) -> Notification | None:
    if (
        user.sees_all_municipalities
        or user.municipality_id is None
        or limited_to_service_area(user)
        or not can_write(user, Measurement)
    ):
        return None
    measured = Measurement.objects.filter(
        gain=OuterRef("gain_id"),
        municipality=OuterRef("municipality_id"),
        measured_on__gte=quarter_start(today),
        measured_on__lte=today,
    )
    count = (
        restrict(GainShare.objects.all(), user)
        .filter(
            municipality_id=user.municipality_id,
            gain__first_year__lte=today.year,
            gain__last_year__gte=today.year,
        )
        .filter(~Exists(measured))
        .count()
    )
    label = ngettext(
        "gain without a measurement this quarter",
        "gains without a measurement this quarter",
        count,
    )
    url = f"{reverse('gains:realisation')}?year={today.year}"
    return Notification(label=label, count=count, url=url)


def register() -> None:
    register_provider("gains.unmeasured", unmeasured_shares, order=70)

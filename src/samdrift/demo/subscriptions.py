"""Demo step "subscriptions": the services each municipality takes.

A user workplace per employee (a lighter one per council member, a pupil account per
pupil) for as long as the person is active; network per site; operation of the common
applications per municipality, booked to the service area that uses each.
"""

from __future__ import annotations

import datetime
from decimal import Decimal

from samdrift.demo.bulk import insert_rows
from samdrift.demo.context import DemoContext
from samdrift.inventory.models import Subscription
from samdrift.organisations.choices import PersonKind

COLUMNS = (
    "id", "service_id", "municipality_id", "service_area_id", "person_id", "location_id",
    "asset_id", "quantity", "valid_from", "valid_to", "note", "created", "last_updated",
)  # fmt: skip

SERVICE_OF_PERSON = {
    PersonKind.EMPLOYEE: "user-workplace",
    PersonKind.POLITICIAN: "politician-workplace",
    PersonKind.PUPIL: "pupil-account",
}
# Application operation: service, the service area that uses it, and for some members a
# later start (they moved onto the common system after joining).
APPLICATIONS = (
    ("app-case", "administration", None),
    ("app-hr", "administration", None),
    ("app-ehr", "health", (3, 1)),
    ("app-school", "education", (8, 1)),
)
ONE = Decimal("1")


def generate(ctx: DemoContext) -> None:
    for municipality in ctx.municipalities:
        rows = list(_subscriptions_of(ctx, municipality))
        insert_rows(Subscription, COLUMNS, rows)
        ctx.summary(
            Subscription,
            len(rows),
            "subscriptions (workplaces, network per site, applications)",
            municipality,
        )


def _subscriptions_of(ctx: DemoContext, municipality):
    stamp = ctx.stamp
    service_ids = {code: service.pk for code, service in ctx.services.items()}
    rows = [
        *_workplaces(ctx, municipality, service_ids),
        *_site_networks(ctx, municipality, service_ids),
        *_applications(ctx, municipality, service_ids),
    ]
    first_id = ctx.ids.take(Subscription, len(rows))
    for offset, (
        service_id,
        area_id,
        person_id,
        location_id,
        valid_from,
        valid_to,
        note,
    ) in enumerate(rows):
        yield (
            first_id + offset,
            service_id,
            municipality.pk,
            area_id,
            person_id,
            location_id,
            None,
            ONE,
            valid_from,
            valid_to,
            note,
            stamp,
            stamp,
        )


def _workplaces(ctx: DemoContext, municipality, service_ids: dict[str, int]) -> list[tuple]:
    """Each person's workplace or account, while active and a member."""
    joined = municipality.joined_on
    rows = []
    for person in ctx.persons[municipality.pk]:
        valid_from = max(person.active_from, joined)
        if person.active_to is not None and person.active_to <= valid_from:
            continue
        rows.append(
            (
                service_ids[SERVICE_OF_PERSON[person.kind]],
                person.service_area_id,
                person.id,
                person.location_id,
                valid_from,
                person.active_to,
                "",
            )
        )
    return rows


def _site_networks(ctx: DemoContext, municipality, service_ids: dict[str, int]) -> list[tuple]:
    return [
        (
            service_ids["network-site"],
            location.demo_service_area.pk,
            None,
            location.pk,
            municipality.joined_on,
            None,
            "",
        )
        for location in ctx.locations[municipality.pk]
    ]


def _applications(ctx: DemoContext, municipality, service_ids: dict[str, int]) -> list[tuple]:
    joined = municipality.joined_on
    areas = ctx.service_areas[municipality.pk]
    rows = []
    for index, (code, area_key, later) in enumerate(APPLICATIONS):
        valid_from = joined
        # Every other member started on the common system some years after joining.
        if later is not None and int(municipality.number) % 2 == index % 2:
            candidate = datetime.date(min(ctx.today.year - 1, joined.year + 2), *later)
            valid_from = max(joined, candidate)
        rows.append((service_ids[code], areas[area_key].pk, None, None, valid_from, None, ""))
    return rows

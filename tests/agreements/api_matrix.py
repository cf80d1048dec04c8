"""Permission-matrix entries of the agreements endpoints (see tests/core/matrix.py)."""

from __future__ import annotations

import datetime
from decimal import Decimal

from samdrift.agreements import service_level_services as levels
from samdrift.agreements.services import create_agreement, set_agreed_price
from tests.core.matrix import FINANCE, Resource, unique
from tests.worlds import MatrixWorld

D = datetime.date
T = datetime.time


def extend_world(world: MatrixWorld) -> None:
    workplace = world.objects["service"]["shared"]
    office = levels.create_calendar(name="Kontortid", description="Mon–Fri 07:30–16:00")
    always = levels.create_calendar(name="Døgnet rundt", always_open=True)
    world.add("servicecalendar", "shared", office)
    world.add("servicecalendar", "shared_24x7", always)
    world.add(
        "calendarhours",
        "shared",
        levels.set_calendar_hours(calendar=office, weekday=0, opens=T(7, 30), closes=T(16)),
    )
    world.add(
        "calendarday",
        "shared",
        levels.set_calendar_day(calendar=office, date=D(2026, 12, 24), note="Julaften"),
    )
    for target, municipality in (("own", world.municipality_a), ("foreign", world.municipality_b)):
        agreement = create_agreement(
            municipality=municipality,
            name=f"Tjenesteavtale {municipality.name}",
            valid_from=D(2026, 1, 1),
            valid_to=D(2027, 1, 1),
        )
        world.add("serviceagreement", target, agreement)
        world.add(
            "agreedprice",
            target,
            set_agreed_price(agreement=agreement, service=workplace, amount=Decimal("140.00")),
        )
        level = levels.set_service_level(
            agreement=agreement,
            service=workplace,
            availability_target=Decimal("99.5"),
            calendar=office,
        )
        world.add("servicelevel", target, level)
        world.add(
            "prioritytarget",
            target,
            levels.set_priority_target(
                service_level=level,
                priority=1,
                response_minutes=30,
                resolution_minutes=240,
                calendar=always,
            ),
        )
        world.add(
            "creditrule",
            target,
            levels.set_credit_rule(
                service_level=level, shortfall_up_to=Decimal("1"), percent=Decimal("5")
            ),
        )


RESOURCES: dict[str, Resource] = {
    "serviceagreement": Resource(
        writers=FINANCE,
        create=lambda w: {
            "municipality": w.municipality_a.pk,
            "name": f"Avtale {unique()}",
            "valid_from": "2028-01-01",
        },
        patch=lambda w, o: {"notes": "Renegotiated."},
    ),
    "agreedprice": Resource(
        writers=FINANCE,
        create=lambda w: {
            "agreement": w.objects["serviceagreement"]["own"].pk,
            "product": w.objects["product"]["shared"].pk,
            "amount": "400.00",
        },
        patch=lambda w, o: {"amount": "101.00"},
    ),
    "servicecalendar": Resource(
        writers=FINANCE,
        create=lambda w: {"name": f"Utvidet {unique()}", "timezone": "Europe/Oslo"},
        patch=lambda w, o: {"description": f"Revised {unique()}"},
    ),
    "calendarhours": Resource(
        writers=FINANCE,
        create=lambda w: {
            "calendar": w.objects["servicecalendar"]["shared"].pk,
            "weekday": 6,
            "opens": "10:00",
            "closes": "14:00",
        },
        patch=lambda w, o: {"closes": f"{17 + unique() % 6}:00"},
        destroy=True,
    ),
    "calendarday": Resource(
        writers=FINANCE,
        create=lambda w: {
            "calendar": w.objects["servicecalendar"]["shared"].pk,
            "date": "2026-12-23",
            "opens": "07:30",
            "closes": "12:00",
            "note": "Lillejulaften",
        },
        patch=lambda w, o: {"note": f"Stengt {unique()}"},
        destroy=True,
    ),
    "servicelevel": Resource(
        writers=FINANCE,
        create=lambda w: {
            "agreement": w.objects["serviceagreement"]["own"].pk,
            "service": w.objects["service"]["shared_pages"].pk,
            "availability_target": "99.000",
            "calendar": w.objects["servicecalendar"]["shared"].pk,
        },
        patch=lambda w, o: {"note": f"Revised {unique()}"},
        destroy=True,
    ),
    "prioritytarget": Resource(
        writers=FINANCE,
        create=lambda w: {
            "service_level": w.objects["servicelevel"]["own"].pk,
            "priority": 3,
            "response_minutes": 240,
            "resolution_minutes": 2400,
        },
        patch=lambda w, o: {"resolution_minutes": 300 + unique()},
        destroy=True,
    ),
    "creditrule": Resource(
        writers=FINANCE,
        create=lambda w: {
            "service_level": w.objects["servicelevel"]["own"].pk,
            "shortfall_up_to": f"{2 + unique() % 50}.000",
            "percent": "10.00",
        },
        patch=lambda w, o: {"percent": f"{6 + unique() % 50}.00"},
        destroy=True,
    ),
}

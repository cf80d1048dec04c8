"""Permission-matrix entries of the agreements endpoints (see tests/core/matrix.py)."""

from __future__ import annotations

import datetime
from decimal import Decimal

from samdrift.agreements.services import create_agreement, set_agreed_price
from tests.core.matrix import FINANCE, Resource, unique
from tests.worlds import MatrixWorld

D = datetime.date


def extend_world(world: MatrixWorld) -> None:
    workplace = world.objects["service"]["shared"]
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
}

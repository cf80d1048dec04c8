"""Ordering objects of municipality A for the UI matrix (tests/core/test_ui_matrix.py):
a submitted order in manager A's service area with one line, a return, an offer, a
bundle and its part."""

from __future__ import annotations

import datetime

from samdrift.core.actor import acting_as
from samdrift.ordering.choices import LineKind
from samdrift.ordering.models import Bundle, BundlePart, CatalogueOffer, Return
from samdrift.ordering.services import add_line, create_order, submit_order


def ordering_objects(world) -> dict:
    a = world.municipality_a
    area = world.objects["servicearea"]["own"]
    product = world.objects["product"]["shared"]
    offer, _created = CatalogueOffer.objects.get_or_create(product=product)
    bundle, _created = Bundle.objects.get_or_create(name="Matrix kit", code="matrix-kit")
    part, _created = BundlePart.objects.get_or_create(bundle=bundle, product=product, quantity=1)
    with acting_as(world.users["contact_a"]):
        order = create_order(municipality=a, service_area=area)
        line = add_line(order=order, kind=LineKind.PRODUCT, product=product)
        submit_order(order=order)
    ret = Return.objects.create(
        municipality=a,
        service_area=area,
        return_on=datetime.date(2026, 1, 1),
        by=world.users["operator"],
    )
    return {
        "order": order,
        "line": line,
        "return": ret,
        "offer": offer,
        "bundle": bundle,
        "part": part,
    }

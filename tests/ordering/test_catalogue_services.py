"""Writing offers and bundles (ordering/services/catalogue.py)."""

import pytest
from django.core.exceptions import ValidationError

from samdrift.core.actor import acting_as
from samdrift.ordering.choices import LineKind
from samdrift.ordering.models import Bundle, BundlePart, CatalogueOffer
from samdrift.ordering.services import submit_order
from samdrift.ordering.services.catalogue import (
    remove_bundle_part,
    save_bundle,
    save_bundle_part,
    save_offer,
)

pytestmark = pytest.mark.django_db


def test_an_offer_names_one_item(world):
    with pytest.raises(ValidationError):
        save_offer(offer=CatalogueOffer(product=world.laptop, service=world.workplace))


def test_a_bundle_and_its_parts(world):
    bundle = save_bundle(bundle=Bundle(name="Pupil kit", code="pupil"))
    part = save_bundle_part(part=BundlePart(bundle=bundle, product=world.laptop, quantity=1))
    save_bundle(bundle=bundle, changes={"lead_time_days": 4})
    bundle.refresh_from_db()
    assert bundle.lead_time_days == 4
    remove_bundle_part(part=part)
    assert not bundle.parts.exists()


def test_a_part_of_a_bundle_on_an_open_order_stays(world):
    order = world.order(lines=[{"kind": LineKind.BUNDLE, "bundle": world.bundle}])
    with acting_as(world.school_manager):
        submit_order(order=order)
    part = world.bundle.parts.first()
    with pytest.raises(ValidationError) as raised:
        remove_bundle_part(part=part)
    assert "bundle" in raised.value.message_dict
    assert BundlePart.objects.filter(pk=part.pk).exists()

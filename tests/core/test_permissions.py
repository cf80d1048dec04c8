"""``restrict`` and ``can_write`` for every role and every foundation model, in code.

The API matrix checks the same through HTTP; this pins the one permission path itself,
which the UI and the exports use as well.
"""

from __future__ import annotations

import pytest
from django.contrib.auth.models import AnonymousUser

from samdrift.catalogue.models import PriceVersion, Product, ProductCategory, Service
from samdrift.core.models import ObjectChange, User
from samdrift.core.permissions import can_see_municipality, can_write, restrict
from samdrift.inventory.models import Asset, Assignment, Subscription, UsageRecord
from samdrift.leasing.models import LeaseModel
from samdrift.organisations.models import Collaboration, Location, Municipality, Person, ServiceArea
from tests.worlds import ROLES, may_see

pytestmark = pytest.mark.django_db

MODELS = {
    "collaboration": Collaboration,
    "municipality": Municipality,
    "servicearea": ServiceArea,
    "location": Location,
    "person": Person,
    "leasemodel": LeaseModel,
    "productcategory": ProductCategory,
    "product": Product,
    "service": Service,
    "priceversion": PriceVersion,
    "asset": Asset,
    "assignment": Assignment,
    "subscription": Subscription,
    "usagerecord": UsageRecord,
}
LOGINS = [role for role in ROLES if role != "anonymous"]


@pytest.mark.parametrize("role", LOGINS)
@pytest.mark.parametrize("basename", sorted(MODELS))
def test_restrict_shows_each_role_what_it_may_see(world, basename, role):
    model = MODELS[basename]
    visible = set(restrict(model.objects.all(), world.users[role]).values_list("pk", flat=True))
    expected = {obj.pk for target, obj in world.targets(basename).items() if may_see(role, target)}
    assert visible == expected
    # The world holds every row of the model, so "expected" is the whole truth.
    assert {o.pk for o in world.targets(basename).values()} == set(
        model.objects.values_list("pk", flat=True)
    )


@pytest.mark.parametrize("basename", sorted(MODELS))
def test_restrict_shows_nothing_without_a_valid_login(world, basename):
    model = MODELS[basename]
    assert not restrict(model.objects.all(), None).exists()
    assert not restrict(model.objects.all(), AnonymousUser()).exists()
    inactive = User.objects.get(pk=world.users["operator"].pk)
    inactive.is_active = False
    assert not restrict(model.objects.all(), inactive).exists()


def test_a_municipality_role_without_a_municipality_sees_no_tenant_data(world):
    orphan = User(username="orphan", role="municipality")
    assert not restrict(Asset.objects.all(), orphan).exists()
    assert not restrict(Municipality.objects.all(), orphan).exists()
    assert restrict(Product.objects.all(), orphan).exists()  # shared catalogue


def test_a_superuser_sees_everything(world):
    root = User(username="root", role="read_only", is_superuser=True, is_active=True)
    assert restrict(Asset.objects.all(), root).count() == Asset.objects.count()
    assert can_write(root, Asset)


def test_the_change_log_is_restricted_like_the_objects(world):
    log = ObjectChange.objects.all()
    assert restrict(log, world.users["operator"]).count() == log.count()
    contact = set(restrict(log, world.users["contact_a"]).values_list("municipality", flat=True))
    assert contact == {world.municipality_a.pk}
    manager = restrict(log, world.users["manager_a"])
    assert set(manager.values_list("service_area", flat=True)) == {
        world.objects["servicearea"]["own"].pk
    }


def test_restrict_composes_with_other_filters(world):
    """It filters, never replaces, what the caller asked for."""
    contact = world.users["contact_a"]
    deployed = restrict(Asset.objects.filter(status="deployed"), contact)
    assert set(deployed.values_list("asset_tag", flat=True)) == {"A-0001", "A-0002"}
    assert not restrict(Asset.objects.filter(asset_tag="B-0001"), contact).exists()


WRITERS = {
    "operator": set(MODELS),
    "finance": {"leasemodel", "productcategory", "product", "service", "priceversion"},
}


@pytest.mark.parametrize("role", LOGINS)
def test_can_write_by_role(world, role):
    allowed = {name for name, model in MODELS.items() if can_write(world.users[role], model)}
    assert allowed == WRITERS.get(role, set())
    assert not can_write(AnonymousUser(), Asset)


def test_can_see_municipality(world):
    a, b = world.municipality_a.pk, world.municipality_b.pk
    assert can_see_municipality(world.users["finance"], b)
    assert can_see_municipality(world.users["contact_a"], a)
    assert not can_see_municipality(world.users["contact_a"], b)
    assert not can_see_municipality(world.users["contact_a"], None)
    assert not can_see_municipality(AnonymousUser(), a)

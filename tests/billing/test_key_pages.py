"""Allocation key pages (issue #17): finance makes and changes keys through
``billing.services.pools`` (errors on the basis's field, nothing saved, change log); once a
pool has measured a key only its name and description change; every login reads keys,
a municipality's users only their own municipality's weights."""

import datetime
from decimal import Decimal

import pytest
from django.contrib.contenttypes.models import ContentType

from samdrift.billing.models import AllocationKey, AllocationKeyPart, AllocationWeight
from samdrift.billing.services.pools import create_allocation_key, create_cost_pool
from samdrift.core.models import ObjectChange
from tests.factories import client_for

D = datetime.date


def _post(world, **overrides):
    data = {
        "name": "Half equal, half fixed",
        "description": "",
        "measured_on": "2026-01-01",
        "equal": "1",
        "fixed": "1",
        f"fixed_{world.fjordvik.pk}": "60",
        f"fixed_{world.elvdal.pk}": "40",
    }
    data.update(overrides)
    return data


def _key_changes() -> int:
    models = (AllocationKey, AllocationKeyPart, AllocationWeight)
    types = [ContentType.objects.get_for_model(m) for m in models]
    return ObjectChange.objects.filter(content_type__in=types).count()


def test_finance_makes_a_key_with_entered_percentages(world, finance_user):
    client = client_for(finance_user)
    assert client.get("/billing/keys/new/").status_code == 200
    response = client.post("/billing/keys/new/", _post(world, equal="1,5"))
    key = AllocationKey.objects.get(name="Half equal, half fixed")
    assert response.status_code == 302
    assert response.url == f"/billing/keys/{key.pk}/"
    shares = dict(key.parts.values_list("basis", "share"))
    assert shares == {"equal": Decimal("1.5"), "fixed": Decimal("1")}
    fixed = dict(key.weights.values_list("municipality__name", "weight"))
    assert fixed == {"Fjordvik": Decimal("60"), "Elvdal": Decimal("40")}
    # Key, two parts, two weights: five change rows, each by finance.
    changes = ObjectChange.objects.filter(request_id__isnull=False, user=finance_user)
    assert changes.count() == 5
    page = client.get(f"/billing/keys/{key.pk}/").content.decode()
    # 1.5 of 2.5 is 60 %, 1 of 2.5 is 40 %.
    assert "60.0" in page and "40.0" in page
    assert f"/billing/keys/{key.pk}/edit/" in page


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"name": ""}, "name"),
        ({"measured_on": "31.02.2026"}, "measured_on"),
        ({"equal": "", "fixed": ""}, "equal"),  # no basis at all
        ({"equal": "0"}, "equal"),
        ({"equal": "one"}, "equal"),
        ({"fixed_{a}": "", "fixed_{b}": ""}, "fixed"),  # fixed without weights
        ({"fixed_{a}": "70"}, "fixed"),  # 70 + 40 > 100
        ({"fixed_{a}": "-1"}, "fixed_{a}"),
    ],
)
def test_bad_key_input_names_the_field_and_saves_nothing(world, finance_user, overrides, field):
    ids = {"a": world.fjordvik.pk, "b": world.elvdal.pk}
    data = _post(world)
    data.update({name.format(**ids): value for name, value in overrides.items()})
    before = _key_changes()
    response = client_for(finance_user).post("/billing/keys/new/", data)
    assert response.status_code == 400
    assert list(response.context["form"].errors) == [field.format(**ids)]
    assert not AllocationKey.objects.exists()
    assert _key_changes() == before


def test_an_unmeasured_key_gets_new_parts(world, operator_client):
    key = create_allocation_key(
        name="Equal", measured_on=D(2026, 1, 1), parts={"equal": Decimal(1)}
    )
    response = operator_client.post(
        f"/billing/keys/{key.pk}/edit/",
        _post(world, name="Equal", equal="", fixed="2", measured_on="2026-02-01"),
    )
    assert response.status_code == 302
    key.refresh_from_db()
    assert key.measured_on == D(2026, 2, 1)
    assert list(key.parts.values_list("basis", "share")) == [("fixed", Decimal("2"))]
    assert key.weights.count() == 2
    deleted = ObjectChange.objects.filter(
        content_type=ContentType.objects.get_for_model(AllocationKeyPart), action="delete"
    )
    assert deleted.count() == 1


def test_a_measured_key_changes_only_its_name_and_description(world, finance_user):
    key = create_allocation_key(
        name="Equal", measured_on=D(2026, 1, 1), parts={"equal": Decimal(1)}
    )
    create_cost_pool(name="Desk", monthly_amount=Decimal("1000"), key=key, valid_from=D(2026, 1, 1))
    key.refresh_from_db()
    weights = set(key.weights.values_list("pk", "weight"))
    client = client_for(finance_user)
    page = client.get(f"/billing/keys/{key.pk}/edit/")
    assert page.context["form"].fields["equal"].disabled
    response = client.post(
        f"/billing/keys/{key.pk}/edit/",
        {
            "name": "Equal shares",
            "description": "Renamed",
            "equal": "5",
            "measured_on": "2027-01-01",
        },
    )
    assert response.status_code == 302
    key.refresh_from_db()
    assert (key.name, key.description, key.measured_on) == (
        "Equal shares",
        "Renamed",
        D(2026, 1, 1),
    )
    assert list(key.parts.values_list("share", flat=True)) == [Decimal(1)]
    assert set(key.weights.values_list("pk", "weight")) == weights


@pytest.mark.parametrize("role", ["contact_a", "manager_a", "read_only_user"])
def test_others_read_keys_but_may_not_write(request, world, role):
    key = create_allocation_key(
        name="Equal", measured_on=D(2026, 1, 1), parts={"equal": Decimal(1)}
    )
    create_cost_pool(name="Desk", monthly_amount=Decimal("1000"), key=key, valid_from=D(2026, 1, 1))
    client = client_for(request.getfixturevalue(role))
    assert client.get("/billing/keys/").status_code == 200
    page = client.get(f"/billing/keys/{key.pk}/")
    assert page.status_code == 200
    assert f"/billing/keys/{key.pk}/edit/" not in page.content.decode()
    assert client.get(f"/billing/keys/{key.pk}/edit/").status_code == 403
    assert client.post("/billing/keys/new/", _post(world)).status_code == 403
    assert AllocationKey.objects.count() == 1
    names = {row["municipality"].name for row in page.context["weight_rows"]}
    if role == "read_only_user":  # an unbound reader sees every municipality
        assert names == {"Fjordvik", "Elvdal"}
    else:
        assert names == {"Fjordvik"}

"""An operator's change to a mapping reaches the logins it concerns at once, not only at
their next sign-on (the sign-on itself is driven end to end in tests/sso)."""

from __future__ import annotations

import pytest

from samdrift.accounts import services
from samdrift.accounts.models import SignOnIdentity, SignOnMapping
from samdrift.core.choices import Role
from samdrift.core.models import User
from tests import factories

pytestmark = pytest.mark.django_db

CLAIMS = {"sub": "subject-1", "preferred_username": "kari", "groups": ["g-contacts"]}


@pytest.fixture
def fjordvik():
    return factories.make_municipality(name="Fjordvik")


@pytest.fixture
def mapping(fjordvik):
    return SignOnMapping.objects.create(
        value="g-contacts", role=Role.MUNICIPALITY, municipality=fjordvik
    )


def test_a_changed_mapping_changes_the_role_of_its_logins_at_once(mapping, fjordvik):
    user = services.sign_on(claims=CLAIMS)
    SignOnMapping.objects.create(value="g-other", role=Role.FINANCE)
    bystander = services.sign_on(claims={"sub": "subject-2", "groups": ["g-other"]})
    mapping.role = Role.READ_ONLY
    mapping.save()
    user.refresh_from_db()
    assert (user.role, user.municipality_id, user.is_active) == (
        Role.READ_ONLY,
        fjordvik.pk,
        True,
    )
    bystander.refresh_from_db()
    assert bystander.role == Role.FINANCE


def test_a_deleted_mapping_takes_access_at_once_and_a_new_one_gives_it_back(mapping, fjordvik):
    user = services.sign_on(claims=CLAIMS)
    mapping.delete()
    user.refresh_from_db()
    assert not user.is_active
    assert SignOnIdentity.objects.get(user=user).suspended

    SignOnMapping.objects.create(value="g-contacts", role=Role.MUNICIPALITY, municipality=fjordvik)
    user.refresh_from_db()
    assert (user.is_active, user.role) == (True, Role.MUNICIPALITY)


def test_a_renamed_value_no_longer_grants_the_old_groups(mapping):
    user = services.sign_on(claims=CLAIMS)
    mapping.value = "g-contacts-new"
    mapping.save()
    user.refresh_from_db()
    assert not user.is_active


def test_an_operators_deactivation_is_not_undone_by_a_mapping_change(mapping):
    user = services.sign_on(claims=CLAIMS)
    user.is_active = False
    user.save()
    mapping.role = Role.READ_ONLY
    mapping.save()
    user.refresh_from_db()
    assert (user.is_active, user.role) == (False, Role.MUNICIPALITY)


def test_unmapped_claims_create_no_login():
    with pytest.raises(services.SignOnRefused):
        services.sign_on(claims=CLAIMS)
    assert not User.objects.exists()


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (None, []),
        ("g-1", ["g-1"]),
        (["g-1", "g-2"], ["g-1", "g-2"]),
        (["g-1", {"nested": 1}, 7], ["g-1", "7"]),
        ({"g-1": True}, []),
    ],
)
def test_claim_values_take_a_list_or_one_value(value, expected):
    assert services.claim_values({"groups": value}, "groups") == expected

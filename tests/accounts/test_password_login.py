"""Password sign-in turned off for everyone but the break-glass operators; django-axes
still limits their attempts. And the operators' mappings refuse what makes no sense."""

from __future__ import annotations

import pytest
from axes.models import AccessFailureLog
from django.core.exceptions import ValidationError
from django.test import Client

from samdrift.accounts.models import SignOnMapping
from samdrift.core.choices import Role
from samdrift.core.models import User
from tests import factories

pytestmark = pytest.mark.django_db
PASSWORD = "correct horse battery staple"


@pytest.fixture
def passwords_off(settings):
    settings.SAMDRIFT_SSO_ENABLED = True
    settings.SAMDRIFT_OIDC_PROVIDER_NAME = "Entra ID"
    settings.SAMDRIFT_PASSWORD_LOGIN = False
    settings.SAMDRIFT_BREAK_GLASS_USERS = ["admin"]
    settings.AXES_FAILURE_LIMIT = 3


def _user(username, role=Role.OPERATOR, **fields):
    user = factories.make_user(role, username=username, **fields)
    user.set_password(PASSWORD)
    user.save()
    return user


def _login(client, username, password=PASSWORD, address="10.0.0.1"):
    return client.post("/login/", {"username": username, "password": password}, REMOTE_ADDR=address)


def test_the_login_page_offers_the_provider_and_hides_passwords_when_off(passwords_off):
    page = Client().get("/login/").content.decode()
    assert "Sign in with Entra ID" in page
    assert "Break-glass sign-in with a password (operators only)" in page


def test_the_login_page_without_single_sign_on_is_the_password_form():
    page = Client().get("/login/").content.decode()
    assert "Sign in with" not in page
    assert "Break-glass" not in page
    assert 'name="password"' in page


def test_password_refused_for_an_ordinary_user_while_the_break_glass_operator_gets_in(
    passwords_off,
):
    _user("kari", Role.MUNICIPALITY, municipality=factories.make_municipality())
    _user("admin", is_staff=True, is_superuser=True)
    client = Client()
    refused = _login(client, "kari")
    assert refused.status_code == 200
    assert "Password sign-in is turned off: use “Sign in with Entra ID”." in (
        refused.content.decode()
    )
    assert "_auth_user_id" not in client.session
    # Not a guess at a password: nothing counted against the office's address.
    assert not AccessFailureLog.objects.exists()

    signed_in = _login(client, "admin")
    assert signed_in.status_code == 302
    assert client.session["_auth_user_id"] == str(User.objects.get(username="admin").pk)


def test_the_admin_sign_in_is_closed_to_passwords_too(passwords_off):
    _user("kari", is_staff=True)
    client = Client()
    answer = client.post("/admin/login/?next=/admin/", {"username": "kari", "password": PASSWORD})
    assert answer.status_code == 200  # the form again
    assert "_auth_user_id" not in client.session


def test_break_glass_password_guessing_still_locks_out(passwords_off):
    _user("admin", is_staff=True, is_superuser=True)
    client = Client()
    for _ in range(2):
        assert _login(client, "admin", "wrong").status_code == 200
    assert _login(client, "admin", "wrong").status_code == 429
    locked = _login(client, "admin")
    assert locked.status_code == 429
    assert "_auth_user_id" not in client.session
    # Every refused attempt is in the audit, the one with the right password included.
    assert AccessFailureLog.objects.filter(username="admin").count() == 4


def test_passwords_on_by_default_for_everyone():
    _user("kari", Role.MUNICIPALITY, municipality=factories.make_municipality())
    client = Client()
    assert _login(client, "kari").status_code == 302


@pytest.mark.parametrize(
    ("role", "with_municipality", "with_area", "field"),
    [
        (Role.MUNICIPALITY, False, False, "municipality"),
        (Role.SERVICE_AREA, True, False, "service_area"),
        (Role.OPERATOR, True, False, "municipality"),
        (Role.FINANCE, True, False, "municipality"),
        (Role.MUNICIPALITY, True, True, "service_area"),
    ],
)
def test_a_mapping_that_makes_no_sense_is_refused(role, with_municipality, with_area, field):
    municipality = factories.make_municipality()
    mapping = SignOnMapping(
        value="g-1",
        role=role,
        municipality=municipality if with_municipality else None,
        service_area=factories.make_service_area(municipality) if with_area else None,
    )
    with pytest.raises(ValidationError) as raised:
        mapping.full_clean()
    assert field in raised.value.message_dict


def test_a_mapping_to_another_municipalitys_service_area_is_refused():
    mine, theirs = factories.make_municipality(), factories.make_municipality()
    mapping = SignOnMapping(
        value="g-1",
        role=Role.SERVICE_AREA,
        municipality=mine,
        service_area=factories.make_service_area(theirs),
    )
    with pytest.raises(ValidationError) as raised:
        mapping.full_clean()
    assert "service_area" in raised.value.message_dict


def test_the_configuration_checks_warn_of_what_weakens_sign_in(settings):
    from samdrift.accounts.checks import sign_in_configuration

    assert sign_in_configuration() == []  # single sign-on off, passwords on: nothing to say
    settings.SAMDRIFT_SSO_ENABLED = True
    settings.SAMDRIFT_OIDC_ISSUER = ""
    settings.PRODUCTION = True
    settings.OIDC_OP_TOKEN_ENDPOINT = "http://idp.example/token"
    settings.OIDC_OP_AUTHORIZATION_ENDPOINT = "https://idp.example/authorize"
    settings.OIDC_OP_JWKS_ENDPOINT = "https://idp.example/keys"
    settings.OIDC_OP_USER_ENDPOINT = ""
    settings.SAMDRIFT_PASSWORD_LOGIN = False
    settings.SAMDRIFT_BREAK_GLASS_USERS = []
    found = sign_in_configuration()
    assert [message.id for message in found] == [
        "samdrift.accounts.W001",
        "samdrift.accounts.W002",
        "samdrift.accounts.W003",
    ]
    assert found[1].msg.startswith("SAMDRIFT_OIDC_TOKEN_ENDPOINT not https")

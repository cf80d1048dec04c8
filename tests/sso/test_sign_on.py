"""Single sign-on end to end: Samdrift's live server, the test provider's sign-in form,
back to Samdrift's callback (tests/sso/conftest.py). Role and municipality come only from
the operators' mappings of the provider's groups claim."""

from __future__ import annotations

import html
import re
from urllib.parse import urljoin

import pytest
import requests
from django.contrib.contenttypes.models import ContentType
from django.urls import reverse

from samdrift.accounts.models import SignOnIdentity, SignOnMapping
from samdrift.core.choices import Role
from samdrift.core.models import ObjectChange, User
from tests import factories
from tests.sso.conftest import PEOPLE

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def world(provider):
    fjordvik = factories.make_municipality(name="Fjordvik", number="4601")
    elvdal = factories.make_municipality(name="Elvdal", number="4602")
    SignOnMapping.objects.create(
        value="g-fjordvik-contacts", role=Role.MUNICIPALITY, municipality=fjordvik
    )
    SignOnMapping.objects.create(value="g-elvdal", role=Role.MUNICIPALITY, municipality=elvdal)
    SignOnMapping.objects.create(
        value="g-fjordvik-readers", role=Role.READ_ONLY, municipality=fjordvik
    )
    SignOnMapping.objects.create(value="g-ict-finance", role=Role.FINANCE)
    return {"fjordvik": fjordvik, "elvdal": elvdal}


def _value(name: str, page: str) -> str:
    match = re.search(rf'name="{name}" value="([^"]*)"', page)
    assert match, f"no {name} in the page"
    return html.unescape(match.group(1))


def sign_in(base_url: str, username: str, next_url: str = "/health/"):
    """Click "Sign in with …" on Samdrift's login page, sign in at the provider, follow
    the redirects back; the browser-like session and the last response."""
    session = requests.Session()
    login_page = session.get(f"{base_url}/login/?next={next_url}", timeout=30)
    assert "Sign in with Test IdP" in login_page.text
    start = re.search(r'data-testid="sign-on" href="([^"]+)"', login_page.text)
    provider_form = session.get(urljoin(base_url, html.unescape(start.group(1))), timeout=30)
    assert "Sign in at the provider" in provider_form.text  # the provider's own page
    answer = session.post(
        provider_form.url,
        data={
            "username": username,
            "password": PEOPLE[username]["password"],
            "csrfmiddlewaretoken": _value("csrfmiddlewaretoken", provider_form.text),
            "next": _value("next", provider_form.text),
        },
        timeout=30,
    )
    return session, answer


def test_a_mapped_group_gives_role_and_municipality(live_server, world):
    _, answer = sign_in(live_server.url, "kari")
    assert answer.status_code == 200
    assert answer.url == f"{live_server.url}/health/"
    assert answer.json() == {"status": "ok", "database": answer.json()["database"]}  # signed in
    user = User.objects.get(sign_on_identity__isnull=False)
    assert (user.username, user.role, user.municipality_id, user.service_area_id) == (
        "kari",
        Role.MUNICIPALITY,
        world["fjordvik"].pk,
        None,
    )
    assert (user.first_name, user.last_name, user.email) == (
        "Kari",
        "Nordmann",
        "kari@fjordvik.example",
    )
    assert not user.has_usable_password()
    # The creation is in the change log, attributed to the sign-on.
    created = ObjectChange.objects.get(
        content_type=ContentType.objects.get_for_model(User), object_id=str(user.pk)
    )
    assert created.action == "create"
    assert created.actor == "sign-on"


def test_an_sso_municipality_user_sees_only_their_municipality(live_server, world):
    session, _ = sign_in(live_server.url, "kari")
    listed = session.get(f"{live_server.url}/api/municipalities/", timeout=30).json()
    assert [row["id"] for row in listed["results"]] == [world["fjordvik"].pk]
    other = session.get(f"{live_server.url}/api/municipalities/{world['elvdal'].pk}/", timeout=30)
    assert other.status_code == 404
    # And in the UI: their own municipality's page, not the other's.
    for municipality, status in ((world["fjordvik"], 200), (world["elvdal"], 404)):
        path = reverse("organisations:municipality_detail", args=[municipality.pk])
        assert session.get(f"{live_server.url}{path}", timeout=30).status_code == status


def test_no_mapping_no_access(live_server, world):
    session, answer = sign_in(live_server.url, "ola")  # only g-all-staff, mapped to nothing
    assert answer.status_code == 403
    assert "none of your groups is mapped to a role" in answer.text
    assert not User.objects.filter(sign_on_identity__isnull=False).exists()
    home = session.get(f"{live_server.url}/api/municipalities/", timeout=30)
    assert home.status_code in (401, 403)


def test_two_municipalities_are_refused_as_ambiguous(live_server, world):
    _, answer = sign_in(live_server.url, "anne")
    assert answer.status_code == 403
    assert "give different access" in answer.text
    assert not User.objects.filter(sign_on_identity__isnull=False).exists()


def test_a_changed_group_changes_the_role_and_a_removed_one_takes_access(
    live_server, world, provider
):
    sign_in(live_server.url, "per")
    user = User.objects.get(sign_on_identity__isnull=False)
    assert (user.role, user.municipality_id) == (Role.READ_ONLY, world["fjordvik"].pk)

    provider.set_groups("per", ["g-ict-finance"])
    _, answer = sign_in(live_server.url, "per")
    assert answer.status_code == 200
    user.refresh_from_db()
    assert (user.role, user.municipality_id, user.is_active) == (Role.FINANCE, None, True)
    assert User.objects.filter(sign_on_identity__isnull=False).count() == 1  # the same login

    # The open session of the finance login, then the group goes at the provider.
    session, _ = sign_in(live_server.url, "per")
    assert session.get(f"{live_server.url}/api/municipalities/", timeout=30).status_code == 200
    provider.set_groups("per", [])
    _, refused = sign_in(live_server.url, "per")
    assert refused.status_code == 403
    user.refresh_from_db()
    assert not user.is_active
    assert SignOnIdentity.objects.get(user=user).suspended
    # No access left anywhere: the earlier session is dead too.
    assert session.get(f"{live_server.url}/api/municipalities/", timeout=30).status_code in (
        401,
        403,
    )

    # Mapped again at the provider: the login comes back, as what the mapping says.
    provider.set_groups("per", ["g-fjordvik-readers"])
    _, again = sign_in(live_server.url, "per")
    assert again.status_code == 200
    user.refresh_from_db()
    assert (user.role, user.municipality_id, user.is_active) == (
        Role.READ_ONLY,
        world["fjordvik"].pk,
        True,
    )


def test_a_login_deactivated_by_an_operator_stays_out(live_server, world):
    sign_in(live_server.url, "kari")
    user = User.objects.get(sign_on_identity__isnull=False)
    user.is_active = False
    user.save()
    _, answer = sign_in(live_server.url, "kari")
    assert answer.status_code == 403
    assert "deactivated by an operator" in answer.text
    user.refresh_from_db()
    assert not user.is_active


def test_an_sso_user_never_takes_over_a_local_login_of_the_same_name(live_server, world):
    local = factories.make_user(Role.OPERATOR, username="kari")
    sign_in(live_server.url, "kari")
    sso_user = User.objects.get(sign_on_identity__isnull=False)
    assert sso_user.pk != local.pk
    assert sso_user.username.startswith("kari-sso-")
    local.refresh_from_db()
    assert local.role == Role.OPERATOR


def test_a_forged_callback_signs_no_one_in(live_server, world):
    session = requests.Session()
    answer = session.get(f"{live_server.url}/sso/callback/?code=made-up&state=made-up", timeout=30)
    assert answer.status_code == 400
    assert "expired or was already used" in answer.text
    assert not User.objects.filter(sign_on_identity__isnull=False).exists()


def test_a_wrong_client_secret_is_a_clear_page_not_a_500(live_server, world, settings):
    settings.OIDC_RP_CLIENT_SECRET = "not-the-secret"
    _, answer = sign_in(live_server.url, "kari")
    assert answer.status_code == 502
    assert "could not be verified" in answer.text
    assert not User.objects.filter(sign_on_identity__isnull=False).exists()


def test_an_id_token_of_another_issuer_is_refused(live_server, world, settings):
    settings.SAMDRIFT_OIDC_ISSUER = "https://login.example.invalid/tenant/v2.0"
    _, answer = sign_in(live_server.url, "kari")
    assert answer.status_code == 502
    assert not User.objects.filter(sign_on_identity__isnull=False).exists()


def test_without_a_userinfo_endpoint_the_id_token_s_claims_suffice(live_server, world, settings):
    """Entra ID sends groups and oid in the ID token only: no userinfo endpoint needed."""
    settings.OIDC_OP_USER_ENDPOINT = ""
    _, answer = sign_in(live_server.url, "kari")
    assert answer.status_code == 200
    user = User.objects.get(sign_on_identity__isnull=False)
    assert (user.role, user.municipality_id) == (Role.MUNICIPALITY, world["fjordvik"].pk)

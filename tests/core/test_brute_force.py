"""Password guessing and token guessing are limited; API use is throttled; tokens are
stored hashed and expire; the health page tells strangers only "ok".

The limits come from settings (SAMDRIFT_LOGIN_FAILURES, SAMDRIFT_API_*); each test sets
small ones so the numbers below are the test's own."""

from __future__ import annotations

import datetime
import hashlib

import pytest
from axes.models import AccessAttempt, AccessFailureLog
from django.core.cache import caches
from django.test import Client
from django.utils import timezone
from rest_framework.test import APIClient

from samdrift.core.choices import Role
from samdrift.core.models import ApiToken
from samdrift.core.tokens import issue
from tests import factories

pytestmark = pytest.mark.django_db
PASSWORD = "correct horse battery staple"


@pytest.fixture(autouse=True)
def _fresh_counts(settings):
    settings.AXES_FAILURE_LIMIT = 3
    settings.SAMDRIFT_API_TOKEN_FAILURES = 4
    caches["throttle"].clear()
    yield
    caches["throttle"].clear()


def _user(username="kari", **fields):
    user = factories.make_user(Role.OPERATOR, username=username, **fields)
    user.set_password(PASSWORD)
    user.save()
    return user


def _login(client, username, password, address="10.0.0.1"):
    return client.post("/login/", {"username": username, "password": password}, REMOTE_ADDR=address)


def test_after_the_limit_of_wrong_passwords_even_the_right_one_is_refused():
    _user()
    client = Client()
    for _ in range(2):
        assert _login(client, "kari", "wrong").status_code == 200  # the form again
    locked = _login(client, "kari", "wrong")
    assert locked.status_code == 429
    assert int(locked["Retry-After"]) == 15 * 60
    assert "Try again in 15 minutes" in locked.content.decode()
    right = _login(client, "kari", PASSWORD)
    assert right.status_code == 429
    assert "_auth_user_id" not in client.session
    # Recorded for the audit: who, from where, how often.
    attempt = AccessAttempt.objects.get(username="kari")
    assert attempt.failures_since_start >= 3
    assert attempt.ip_address == "10.0.0.1"
    assert AccessFailureLog.objects.filter(username="kari").count() >= 3


def test_the_lock_is_per_username_from_any_address():
    _user()
    for address in ("10.0.0.1", "10.0.0.2", "10.0.0.3"):
        _login(Client(), "kari", "wrong", address)
    assert _login(Client(), "kari", PASSWORD, "10.0.0.9").status_code == 429


def test_the_lock_is_per_address_for_any_username():
    _user()
    for name in ("ola", "per", "pål"):
        _login(Client(), name, "wrong", "10.0.0.7")
    assert _login(Client(), "kari", PASSWORD, "10.0.0.7").status_code == 429
    # Kari from elsewhere is not locked.
    assert _login(Client(), "kari", PASSWORD, "10.0.0.8").status_code == 302


def test_the_lock_lifts_after_the_lockout_time():
    _user()
    for _ in range(3):
        _login(Client(), "kari", "wrong")
    AccessAttempt.objects.update(attempt_time=timezone.now() - datetime.timedelta(minutes=16))
    client = Client()
    assert _login(client, "kari", PASSWORD).status_code == 302
    assert "_auth_user_id" in client.session


def test_a_right_password_below_the_limit_resets_the_count():
    _user()
    for _ in range(2):
        _login(Client(), "kari", "wrong")
    assert _login(Client(), "kari", PASSWORD).status_code == 302
    for _ in range(2):
        _login(Client(), "kari", "wrong")
    assert _login(Client(), "kari", PASSWORD).status_code == 302


def test_the_lock_out_page_reads_in_bokmal():
    _user()
    client = Client()
    client.cookies["django_language"] = "nb"
    for _ in range(3):
        response = _login(client, "kari", "wrong")
    assert response.status_code == 429
    assert "Prøv igjen om 15 minutter" in response.content.decode()


# --- API tokens ---------------------------------------------------------------------------


def test_a_token_is_stored_as_its_sha256_only():
    user = _user()
    token, key = issue(user, "script")
    assert token.digest == hashlib.sha256(key.encode()).hexdigest()
    assert key not in {v for row in ApiToken.objects.values() for v in row.values()}


def test_an_expired_token_is_refused_and_says_so():
    user = _user()
    token, key = issue(user, "old", days=1)
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    assert client.get("/api/me/").status_code == 200
    ApiToken.objects.filter(pk=token.pk).update(expires=timezone.now())
    response = client.get("/api/me/")
    assert response.status_code == 401
    assert "expired" in response.json()["detail"]


def test_a_tokens_use_is_recorded():
    user = _user()
    token, key = issue(user, "script")
    assert token.last_used is None
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    client.get("/api/me/")
    token.refresh_from_db()
    assert token.last_used is not None


def test_guessing_tokens_from_one_address_is_stopped_with_429():
    user = _user()
    _token, key = issue(user, "script")
    client = APIClient(REMOTE_ADDR="10.0.0.5")
    for guess in range(4):
        client.credentials(HTTP_AUTHORIZATION=f"Token sd_guess{guess}")
        assert client.get("/api/me/").status_code == 401
    client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    response = client.get("/api/me/")
    assert response.status_code == 429
    assert int(response["Retry-After"]) > 0
    # Another address with the right token is served.
    other = APIClient(REMOTE_ADDR="10.0.0.6")
    other.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    assert other.get("/api/me/").status_code == 200


def test_api_requests_beyond_the_rate_per_token_get_429_with_retry_after(settings):
    settings.SAMDRIFT_API_RATE_PER_TOKEN = "5/minute"
    user = _user()
    _token, key = issue(user, "script")
    _second, other_key = issue(user, "second")
    client = APIClient(REMOTE_ADDR="10.0.1.1")
    client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    statuses = [client.get("/api/me/").status_code for _ in range(6)]
    assert statuses == [200] * 5 + [429]
    response = client.get("/api/me/")
    assert response.status_code == 429
    assert 0 < int(response["Retry-After"]) <= 60
    # The same login's other token has its own count.
    client.credentials(HTTP_AUTHORIZATION=f"Token {other_key}")
    assert client.get("/api/me/").status_code == 200


def test_api_requests_beyond_the_rate_per_address_get_429(settings):
    settings.SAMDRIFT_API_RATE_PER_ADDRESS = "4/minute"
    keys = [issue(_user(f"user{i}"), "script")[1] for i in range(2)]
    statuses = []
    for i in range(6):
        client = APIClient(REMOTE_ADDR="10.0.2.2")
        client.credentials(HTTP_AUTHORIZATION=f"Token {keys[i % 2]}")
        statuses.append(client.get("/api/me/").status_code)
    assert statuses == [200] * 4 + [429, 429]


# --- health --------------------------------------------------------------------------------


def test_health_tells_a_stranger_only_ok_and_a_signed_in_user_the_database():
    assert Client().get("/health/").json() == {"status": "ok"}
    client = Client()
    client.force_login(_user())
    body = client.get("/health/").json()
    assert body["status"] == "ok" and body["database"] in {"sqlite", "postgresql"}


# --- the tokens page ----------------------------------------------------------------------


def test_the_tokens_page_makes_a_token_shown_once_and_lists_only_ones_own():
    owner, other = _user("kari"), factories.make_user(Role.MUNICIPALITY, username="ola",
        municipality=factories.make_municipality())  # fmt: skip
    issue(other, "ola's script")
    client = Client()
    client.force_login(other)
    response = client.post("/tokens/", {"name": "nightly export", "days": "30"})
    assert response.status_code == 200
    key = response.context["new_key"]
    assert key and key in response.content.decode()
    token = other.api_tokens.get(name="nightly export")
    assert token.digest == hashlib.sha256(key.encode()).hexdigest()
    # Listed afterwards without the key; another login's tokens are not listed.
    page = client.get("/tokens/").content.decode()
    assert "nightly export" in page and key not in page
    issue(owner, "kari's own")
    assert (
        "kari's own" not in page
        and "kari&#x27;s own" not in client.get("/tokens/").content.decode()
    )
    # The operator sees everyone's.
    operator = Client()
    operator.force_login(owner)
    listed = operator.get("/tokens/").content.decode()
    assert "nightly export" in listed and "kari&#x27;s own" in listed


@pytest.mark.parametrize(
    ("data", "field"),
    [({"name": "", "days": "30"}, "name"), ({"name": "x", "days": "0"}, "days"),
     ({"name": "x", "days": "731"}, "days"), ({"name": "x", "days": "abc"}, "days"),
     ({"name": "x" * 101, "days": "30"}, "name")],
)  # fmt: skip
def test_a_bad_token_form_says_which_field_and_makes_nothing(data, field):
    user = _user()
    client = Client()
    client.force_login(user)
    response = client.post("/tokens/", data)
    assert response.status_code == 400
    assert response.context["form"].errors[field]
    assert not user.api_tokens.exists()


def test_the_same_token_name_twice_is_a_field_error():
    user = _user()
    issue(user, "script")
    client = Client()
    client.force_login(user)
    response = client.post("/tokens/", {"name": "script", "days": "30"})
    assert response.status_code == 400
    assert response.context["form"].errors["name"]
    assert user.api_tokens.count() == 1


def test_a_token_is_revoked_by_its_owner_or_an_operator_and_by_no_one_else():
    operator = _user("kari")
    municipality = factories.make_municipality()
    ola = factories.make_user(Role.MUNICIPALITY, username="ola", municipality=municipality)
    per = factories.make_user(Role.MUNICIPALITY, username="per", municipality=municipality)
    token, key = issue(ola, "script")
    stranger = Client()
    stranger.force_login(per)
    assert stranger.post(f"/tokens/{token.pk}/revoke/").status_code == 404
    assert ApiToken.objects.filter(pk=token.pk).exists()
    owner = Client()
    owner.force_login(ola)
    assert owner.post(f"/tokens/{token.pk}/revoke/").status_code == 302
    assert not ApiToken.objects.filter(pk=token.pk).exists()
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    assert api.get("/api/me/").status_code == 401
    second, _key = issue(ola, "second")
    admin = Client()
    admin.force_login(operator)
    assert admin.post(f"/tokens/{second.pk}/revoke/").status_code == 302
    assert not ola.api_tokens.exists()

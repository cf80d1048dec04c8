"""The ``samdrift`` command in-process: init, token, check, and the change log's CLI actor."""

import getpass
import hashlib

import pytest
from django.contrib.auth import authenticate
from django.core.management import call_command
from django.core.management.base import CommandError
from django.test import RequestFactory
from rest_framework.test import APIClient

from samdrift import cli
from samdrift.core.changelog import changes_for, record_summary
from samdrift.core.choices import ChangeAction, Role
from samdrift.core.models import ApiToken, User
from samdrift.demo import database
from samdrift.demo.context import DEMO_MARKER
from samdrift.organisations.models import Collaboration
from tests import factories

ORG_NUMBER = factories.valid_organisation_number(42)
BANK_ACCOUNT = "86011117947"
PASSWORD = "fjord-and-mountain-42"


def init_flags(**overrides) -> list[str]:
    flags = {
        "--name": "Fjordregionen IKT",
        "--org-number": ORG_NUMBER,
        "--bank-account": BANK_ACCOUNT,
        "--username": "kari",
        "--email": "kari@fjordregionen-ikt.no",
        "--password-env": "SAMDRIFT_TEST_PASSWORD",
    }
    flags.update(overrides)
    argv = ["init", "--no-input"]
    for flag, value in flags.items():
        if value is not None:
            argv += [flag, value]
    return argv


@pytest.fixture(autouse=True)
def keep_the_test_connection(monkeypatch):
    """A command run from the command line closes every connection when it ends (right for
    a process about to exit); here it would close the test's transaction under it."""
    from django.db import connections

    monkeypatch.setattr(connections, "close_all", lambda: None)


@pytest.fixture
def password_env(monkeypatch):
    monkeypatch.setenv("SAMDRIFT_TEST_PASSWORD", PASSWORD)


def run(argv: list[str]) -> int:
    """Run ``samdrift <argv>``; the exit status (0, or what a CommandError exits with)."""
    try:
        return cli.main(argv)
    except SystemExit as exit_:
        return exit_.code


def test_help_lists_samdrifts_commands(capsys):
    assert cli.main(["--help"]) == 0
    out = capsys.readouterr().out
    for command in ("init", "demo", "serve", "token", "check"):
        assert f"  {command}" in out


@pytest.mark.parametrize("command", ["init", "demo", "serve", "token", "check"])
def test_each_command_has_help(command, capsys):
    assert run([command, "--help"]) == 0
    assert "usage:" in capsys.readouterr().out


@pytest.mark.django_db
def test_init_with_flags_creates_the_collaboration_and_an_operator(password_env, capsys):
    assert run(init_flags()) == 0
    collaboration = Collaboration.objects.get()
    assert collaboration.name == "Fjordregionen IKT"
    assert collaboration.organisation_number == ORG_NUMBER
    assert collaboration.invoice_series == "SD"
    user = authenticate(RequestFactory().post("/login/"), username="kari", password=PASSWORD)
    assert user is not None and user.role == Role.OPERATOR and user.is_staff
    assert user.is_operator
    assert "kari" in capsys.readouterr().out


@pytest.mark.django_db
def test_a_change_made_through_the_cli_is_logged_with_the_cli_actor(password_env):
    assert run(init_flags()) == 0
    change = changes_for(Collaboration.objects.get()).get()
    assert change.action == ChangeAction.CREATE
    assert change.actor == f"cli:{getpass.getuser()}"
    assert change.postchange_data["organisation_number"] == ORG_NUMBER


@pytest.mark.django_db
def test_init_refuses_a_second_collaboration(password_env, capsys):
    assert run(init_flags()) == 0
    assert run(init_flags(**{"--username": "ola"})) == 1
    assert "already has its collaboration" in capsys.readouterr().err
    assert Collaboration.objects.count() == 1
    assert not User.objects.filter(username="ola").exists()


@pytest.mark.django_db
def test_init_names_the_flag_of_each_bad_value_and_creates_nothing(monkeypatch, capsys):
    monkeypatch.setenv("SAMDRIFT_TEST_PASSWORD", "123")
    argv = init_flags(**{"--org-number": "123456789", "--bank-account": "12345678901"})
    assert run(argv) == 1
    err = capsys.readouterr().err
    assert "--org-number: 123456789 is not a valid organisation number" in err
    assert "--bank-account:" in err
    assert "--password-env:" in err  # too short, entirely numeric
    assert not Collaboration.objects.exists()
    assert not User.objects.exists()


@pytest.mark.django_db
def test_init_without_input_lists_every_missing_flag(capsys):
    assert run(["init", "--no-input", "--name", "X"]) == 1
    err = capsys.readouterr().err
    for flag in ("--org-number", "--bank-account", "--username", "--password-env"):
        assert flag in err
    assert not Collaboration.objects.exists()


@pytest.mark.django_db
def test_init_asks_for_what_is_missing_and_asks_again_after_a_bad_answer(monkeypatch, capsys):
    answers = iter(["Fjordregionen IKT", "123", ORG_NUMBER, BANK_ACCOUNT, "kari"])
    monkeypatch.setattr("builtins.input", lambda prompt="": next(answers))
    passwords = iter(["short", "different", PASSWORD, PASSWORD])
    monkeypatch.setattr(getpass, "getpass", lambda prompt="": next(passwords))
    call_command("init")
    assert Collaboration.objects.get().organisation_number == ORG_NUMBER
    assert authenticate(RequestFactory().post("/login/"), username="kari", password=PASSWORD)
    err = capsys.readouterr().err
    assert "organisation number has 9 digits" in err
    assert "differ" in err


@pytest.mark.django_db
def test_token_prints_a_new_named_token_once_and_stores_only_its_hash(capsys):
    user = factories.make_user(Role.MUNICIPALITY, municipality=factories.make_municipality())
    assert run(["token", user.username, "--name", "script", "--days", "30"]) == 0
    key = capsys.readouterr().out.strip()
    token = ApiToken.objects.get(user=user)
    assert token.name == "script"
    assert token.digest == hashlib.sha256(key.encode()).hexdigest()
    assert key not in {token.digest, token.prefix} and key.startswith(token.prefix)
    assert not ApiToken.objects.filter(digest=key).exists()
    days = (token.expires - token.created).total_seconds() / 86400
    assert 29.99 < days < 30.01
    # A second token is another key; the first keeps working.
    assert run(["token", user.username, "--name", "report"]) == 0
    second = capsys.readouterr().out.strip()
    assert second != key and user.api_tokens.count() == 2
    # The same name twice is refused, saying why.
    assert run(["token", user.username, "--name", "report"]) == 1
    assert "already has a token named 'report'" in capsys.readouterr().err
    # The token authenticates as that login, with its role.
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    response = client.get("/api/me/")
    assert response.status_code == 200
    assert response.json()["username"] == user.username
    assert response.json()["role"] == Role.MUNICIPALITY
    # --reset revokes the others; --revoke one by name; --list shows them.
    assert run(["token", user.username, "--reset", "--name", "fresh"]) == 0
    capsys.readouterr()
    assert list(user.api_tokens.values_list("name", flat=True)) == ["fresh"]
    assert client.get("/api/me/").status_code == 401
    assert run(["token", user.username, "--list"]) == 0
    assert "fresh" in capsys.readouterr().out
    assert run(["token", user.username, "--revoke", "fresh"]) == 0
    assert not user.api_tokens.exists()
    assert run(["token", user.username, "--revoke", "fresh"]) == 1


@pytest.mark.django_db
@pytest.mark.parametrize("days", ["0", "731", "-5"])
def test_token_validity_outside_1_to_730_days_is_refused(capsys, days):
    user = factories.make_user()
    assert run(["token", user.username, "--days", days]) == 1
    assert "1 to 730 days" in capsys.readouterr().err
    assert not ApiToken.objects.exists()


@pytest.mark.django_db
def test_token_for_an_unknown_or_inactive_login_fails(capsys):
    assert run(["token", "nobody"]) == 1
    assert "no login named 'nobody'" in capsys.readouterr().err
    user = factories.make_user(is_active=False)
    assert run(["token", user.username]) == 1
    assert not ApiToken.objects.exists()


@pytest.mark.django_db
def test_check_passes_on_a_healthy_install(password_env, capsys):
    assert run(init_flags()) == 0
    capsys.readouterr()
    assert run(["check"]) == 0
    out = capsys.readouterr().out
    assert "migrations" in out and "all" in out
    assert "problem" not in out
    assert "Fjordregionen IKT" in out


@pytest.mark.django_db
def test_check_warns_but_passes_without_a_collaboration(capsys):
    call_command("check")
    out = capsys.readouterr().out
    assert "run samdrift init" in out


@pytest.mark.django_db
def test_check_fails_on_debug_in_production(settings, capsys):
    settings.PRODUCTION = True
    settings.DEBUG = True
    with pytest.raises(CommandError, match="debug"):
        call_command("check")
    assert "DEBUG is on in production" in capsys.readouterr().out


@pytest.mark.django_db
def test_check_fails_on_a_weak_secret_key_in_production(settings, capsys):
    settings.PRODUCTION = True
    settings.SECRET_KEY = "changeme"
    with pytest.raises(CommandError, match="secret key"):
        call_command("check")


def _never_wipe():
    raise AssertionError("the database must not be wiped")


@pytest.mark.django_db
def test_demo_refuses_to_replace_real_data(monkeypatch):
    factories.make_collaboration(name="Real IKT")
    assert database.holds_real_data()
    monkeypatch.setattr(database, "wipe", _never_wipe)
    with pytest.raises(CommandError, match=r"not demo data.*--force"):
        call_command("demo", "--no-serve")
    assert Collaboration.objects.get().name == "Real IKT"


@pytest.mark.django_db
def test_demo_data_may_be_replaced():
    factories.make_collaboration()
    record_summary(model=Collaboration, action=ChangeAction.CREATE, message=f"{DEMO_MARKER}: x")
    assert not database.holds_real_data()


@pytest.mark.django_db
def test_demo_is_refused_in_production(settings, monkeypatch):
    settings.PRODUCTION = True
    monkeypatch.setattr(database, "wipe", _never_wipe)
    with pytest.raises(CommandError, match="never runs with SAMDRIFT_ENV=production"):
        call_command("demo", "--no-serve")


def test_serve_runs_gunicorn_with_workers_and_an_access_log():
    from samdrift.core.management.commands.serve import default_workers, gunicorn_arguments

    arguments = gunicorn_arguments(host="0.0.0.0", port=8123, workers=5)  # noqa: S104
    assert arguments[1:4] == ["-m", "gunicorn", "samdrift.wsgi:application"]
    assert arguments[arguments.index("--bind") + 1] == "0.0.0.0:8123"
    assert arguments[arguments.index("--workers") + 1] == "5"
    assert arguments[arguments.index("--access-logfile") + 1] == "-"
    assert 3 <= default_workers() <= 9


@pytest.mark.django_db
def test_serve_in_production_execs_gunicorn(settings, monkeypatch):
    from samdrift.core.management.commands import serve

    settings.PRODUCTION = True
    calls = []
    monkeypatch.setattr(serve.os, "execv", lambda path, args: calls.append(args))
    monkeypatch.setenv("SAMDRIFT_WORKERS", "3")
    call_command("serve", port=8123)
    (arguments,) = calls
    assert arguments[arguments.index("--bind") + 1] == "0.0.0.0:8123"
    assert arguments[arguments.index("--workers") + 1] == "3"


@pytest.mark.django_db
def test_serve_in_production_refuses_pending_migrations(settings, monkeypatch):
    from samdrift.core.management.commands import serve

    settings.PRODUCTION = True
    monkeypatch.setattr(serve, "pending_migrations", lambda: ["billing.0009_new"])
    monkeypatch.setattr(serve.os, "execv", lambda *args: pytest.fail("must not start"))
    with pytest.raises(CommandError, match=r"1 database migrations.*samdrift migrate"):
        call_command("serve")


def test_serve_elsewhere_runs_djangos_server_without_reloader(monkeypatch):
    from samdrift.core.management.commands import serve

    calls = []
    monkeypatch.setattr(serve, "call_command", lambda *args, **kw: calls.append((args, kw)))
    call_command("serve", port=8124)
    call_command("serve", host="::1", port=8125, reload=True)
    assert calls[0] == (("runserver", "127.0.0.1:8124"), {"use_reloader": False, "use_ipv6": False})
    assert calls[1] == (("runserver", "[::1]:8125"), {"use_reloader": True, "use_ipv6": True})


def test_every_listed_command_exists():
    from django.core.management import get_commands

    assert set(cli.SAMDRIFT_COMMANDS) <= set(get_commands())

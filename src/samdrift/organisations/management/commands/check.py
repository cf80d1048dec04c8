"""``samdrift check``: is this install configured right and its database healthy?

Extends Django's ``check`` (whose system checks still run, with all its options) by the
health of the install: mode, database reachable, migrations applied, secret key, DEBUG,
allowed hosts, data directory, collaboration and operators. Prints one line per item and
exits non-zero when anything is wrong, so a deployment script or a container health check
can run it before starting servers.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.core.management.base import CommandError
from django.core.management.commands.check import Command as DjangoCheckCommand
from django.db import DatabaseError, connection

OK, WARN, FAIL = "ok", "warning", "problem"
MIN_SECRET_KEY_LENGTH = 50  # what Django's deployment check asks for


@dataclass
class Finding:
    level: str
    topic: str
    text: str


def health_findings() -> list[Finding]:
    """Every health item, in a fixed order; later items are skipped when the database
    does not answer."""
    findings = [_mode(), _secret_key(), _debug(), _allowed_hosts()]
    data_dir = _data_dir()
    if data_dir is not None:
        findings.append(data_dir)
    database = _database()
    findings.append(database)
    if database.level == FAIL:
        return findings
    if settings.PRODUCTION and connection.vendor == "sqlite":
        findings.append(
            Finding(
                WARN,
                "database",
                "SQLite in production: fine for one server; several app servers need "
                "PostgreSQL (DATABASE_URL)",
            )
        )
    migrations = _migrations()
    findings.append(migrations)
    if migrations.level != FAIL:
        findings.extend(_content())
    return findings


def _mode() -> Finding:
    return Finding(OK, "mode", f"SAMDRIFT_ENV={settings.SAMDRIFT_ENV}")


def _secret_key() -> Finding:
    key = settings.SECRET_KEY or ""
    from_env = bool(os.environ.get("SAMDRIFT_SECRET_KEY", "").strip())
    source = "from SAMDRIFT_SECRET_KEY" if from_env else f"kept in {settings.DATA_DIR}"
    if len(key) < MIN_SECRET_KEY_LENGTH or len(set(key)) < 5 or key.startswith("django-insecure"):
        level = FAIL if settings.PRODUCTION else WARN
        return Finding(
            level,
            "secret key",
            f"{source}, but weak (under {MIN_SECRET_KEY_LENGTH} characters or repetitive): "
            "generate one with python -c 'import secrets; print(secrets.token_urlsafe(50))'",
        )
    if settings.PRODUCTION and not from_env:
        return Finding(FAIL, "secret key", "production needs SAMDRIFT_SECRET_KEY")
    return Finding(OK, "secret key", source)


def _debug() -> Finding:
    if settings.DEBUG and settings.PRODUCTION:
        return Finding(FAIL, "debug", "DEBUG is on in production: set SAMDRIFT_DEBUG=0")
    if settings.DEBUG:
        return Finding(WARN, "debug", "DEBUG is on (SAMDRIFT_DEBUG=1): error pages show internals")
    return Finding(OK, "debug", "off")


def _allowed_hosts() -> Finding:
    hosts = list(settings.ALLOWED_HOSTS)
    if not hosts:
        return Finding(FAIL, "allowed hosts", "none: set SAMDRIFT_ALLOWED_HOSTS")
    if "*" in hosts and settings.PRODUCTION:
        return Finding(
            WARN, "allowed hosts", "'*' accepts any Host header: list the real host names"
        )
    return Finding(OK, "allowed hosts", ", ".join(hosts))


def _data_dir() -> Finding | None:
    if connection.vendor != "sqlite":
        return None
    directory = Path(settings.DATA_DIR)
    if not directory.is_dir() or not os.access(directory, os.W_OK):
        return Finding(FAIL, "data directory", f"{directory} is missing or not writable")
    return Finding(OK, "data directory", str(directory))


def _database() -> Finding:
    described = _describe_database()
    try:
        connection.ensure_connection()
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except DatabaseError as error:
        reason = str(error).strip().splitlines()[0] if str(error).strip() else type(error).__name__
        return Finding(FAIL, "database", f"{described} does not answer: {reason}")
    if connection.vendor == "sqlite":
        version = connection.Database.sqlite_version
    elif connection.vendor == "postgresql":
        version = str(connection.pg_version // 10000)
    else:
        version = ""
    return Finding(OK, "database", f"{described} answers ({connection.vendor} {version})".strip())


def _describe_database() -> str:
    settings_dict = connection.settings_dict
    if connection.vendor == "sqlite":
        return f"SQLite {settings_dict['NAME']}"
    host = settings_dict.get("HOST") or "localhost"
    port = settings_dict.get("PORT") or "5432"
    return f"{connection.display_name} {settings_dict['NAME']} at {host}:{port}"


def _migrations() -> Finding:
    from django.db.migrations.executor import MigrationExecutor

    executor = MigrationExecutor(connection)
    plan = executor.migration_plan(executor.loader.graph.leaf_nodes())
    if plan:
        first = plan[0][0]
        return Finding(
            FAIL,
            "migrations",
            f"{len(plan)} not applied (first {first.app_label}.{first.name}): "
            "run samdrift migrate (or samdrift init on a new install)",
        )
    applied = len(executor.loader.applied_migrations)
    return Finding(OK, "migrations", f"all {applied} applied")


def _content() -> list[Finding]:
    from samdrift.core.choices import Role
    from samdrift.core.models import User
    from samdrift.organisations.models import Collaboration

    findings = []
    collaboration = Collaboration.get()
    if collaboration is None:
        findings.append(Finding(WARN, "collaboration", "none yet: run samdrift init"))
    else:
        findings.append(Finding(OK, "collaboration", str(collaboration)))
    operators = User.objects.filter(is_active=True).filter(role=Role.OPERATOR).count()
    operators += (
        User.objects.filter(is_active=True, is_superuser=True).exclude(role=Role.OPERATOR).count()
    )
    if operators == 0:
        findings.append(Finding(WARN, "operators", "no active operator login: run samdrift init"))
    else:
        findings.append(Finding(OK, "operators", f"{operators} active"))
    return findings


class Command(DjangoCheckCommand):
    help = (
        "Check the configuration and the database: mode, database reachable, migrations "
        "applied, secret key, DEBUG, allowed hosts; then Django's system checks. Exits "
        "non-zero on any problem."
    )

    def handle(self, *app_labels, **options):
        if options.get("list_tags"):
            return super().handle(*app_labels, **options)
        findings = health_findings()
        styles = {OK: self.style.SUCCESS, WARN: self.style.WARNING, FAIL: self.style.ERROR}
        width = max(len(finding.topic) for finding in findings)
        for finding in findings:
            mark = styles[finding.level](f"{finding.level:<7}")
            self.stdout.write(f"{mark} {finding.topic.ljust(width)}  {finding.text}")
        problems = [finding for finding in findings if finding.level == FAIL]
        if not any(finding.topic == "database" and finding.level == FAIL for finding in findings):
            # Django's own system checks (models, URLs, settings); raises on errors.
            super().handle(*app_labels, **options)
        if problems:
            raise CommandError(
                f"{len(problems)} problem{'s' if len(problems) != 1 else ''} found: "
                + "; ".join(finding.topic for finding in problems)
            )

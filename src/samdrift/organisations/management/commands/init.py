"""``samdrift init``: set up an install: the database, the collaboration, a first operator."""

from __future__ import annotations

import getpass
import os
from collections.abc import Callable

from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError
from django.db import connection, transaction
from django.db.migrations.executor import MigrationExecutor

from samdrift.core.choices import Role
from samdrift.core.models import User
from samdrift.organisations.models import Collaboration

# Where each model field comes from on the command line, so errors name the flag.
FLAGS = {
    "name": "--name",
    "organisation_number": "--org-number",
    "bank_account": "--bank-account",
    "invoice_series": "--invoice-series",
    "email": "--email",
    "username": "--username",
    "password": "--password-env",
}


def initialise(
    *,
    name: str,
    organisation_number: str,
    bank_account: str,
    invoice_series: str,
    username: str,
    password: str,
    email: str = "",
) -> tuple[Collaboration, User]:
    """Create the install's collaboration and its first operator, both or neither.

    Samdrift holds exactly one collaboration: a second is refused. Raises
    ValidationError naming each bad field (the collaboration's and the operator's).
    """
    if Collaboration.objects.exists():
        existing = Collaboration.get()
        raise ValidationError(
            {
                "name": (
                    f"This install already has its collaboration ({existing}); Samdrift "
                    "holds exactly one. Change it in the admin instead."
                )
            }
        )
    collaboration = Collaboration(
        name=name.strip(),
        organisation_number=organisation_number.replace(" ", ""),
        bank_account=bank_account.replace(" ", "").replace(".", ""),
        invoice_series=invoice_series.strip(),
    )
    user = User(
        username=username.strip(),
        email=email.strip(),
        role=Role.OPERATOR,
        is_staff=True,
        is_superuser=True,
    )
    errors: dict[str, list[str]] = {}
    for instance, exclude in ((collaboration, []), (user, ["password"])):
        try:
            instance.full_clean(exclude=exclude)
        except ValidationError as error:
            for field, messages in error.message_dict.items():
                errors.setdefault(field, []).extend(messages)
    try:
        validate_password(password, user)
    except ValidationError as error:
        errors.setdefault("password", []).extend(error.messages)
    if errors:
        raise ValidationError(errors)
    user.set_password(password)
    with transaction.atomic():
        collaboration.save()
        user.save()
    return collaboration, user


class Command(BaseCommand):
    help = (
        "Set up Samdrift: create or update the database schema, then the collaboration "
        "(the shared ICT organisation) and a first operator login. Asks for what the flags "
        "do not give, unless --no-input."
    )

    def add_arguments(self, parser):
        parser.add_argument("--name", help="name of the collaboration, e.g. 'Fjordregionen IKT'")
        parser.add_argument("--org-number", help="its organisation number (9 digits, mod-11)")
        parser.add_argument("--bank-account", help="its bank account (11 digits, mod-11)")
        parser.add_argument(
            "--invoice-series", default=None, help="prefix of invoice numbers (default SD)"
        )
        parser.add_argument("--username", help="login name of the first operator")
        parser.add_argument("--email", default=None, help="the operator's e-mail (optional)")
        parser.add_argument(
            "--password-env",
            metavar="VARIABLE",
            help="read the operator's password from this environment variable "
            "(otherwise it is asked for, hidden)",
        )
        parser.add_argument(
            "--no-input",
            "--noinput",
            action="store_false",
            dest="interactive",
            help="never ask: fail naming every missing flag instead",
        )

    def handle(self, *args, **options):
        interactive = options["interactive"]
        self._migrate(options["verbosity"])
        if Collaboration.objects.exists():
            raise CommandError(
                f"This install already has its collaboration ({Collaboration.get()}); "
                "Samdrift holds exactly one. Nothing was changed. Change it in the admin, "
                "or add operators there."
            )
        values = {
            "name": options["name"],
            "organisation_number": options["org_number"],
            "bank_account": options["bank_account"],
            "invoice_series": options["invoice_series"],
            "username": options["username"],
            "email": options["email"],
        }
        password = self._password_from_env(options["password_env"])
        if not interactive:
            missing = [
                FLAGS[field]
                for field in ("name", "organisation_number", "bank_account", "username")
                if not values[field]
            ]
            if password is None:
                missing.append("--password-env")
            if missing:
                raise CommandError(
                    f"Missing {', '.join(missing)} (--no-input asks for nothing). Nothing "
                    "was changed."
                )
        else:
            values = self._ask_for_missing(values)
            if password is None:
                password = self._ask_password(values["username"])
        values["invoice_series"] = values["invoice_series"] or "SD"
        values["email"] = values["email"] or ""
        try:
            collaboration, user = initialise(password=password, **values)
        except ValidationError as error:
            lines = [
                f"  {FLAGS.get(field, field)}: {' '.join(messages)}"
                for field, messages in error.message_dict.items()
            ]
            raise CommandError("Nothing was created:\n" + "\n".join(lines)) from None
        self.stdout.write(
            self.style.SUCCESS(
                f"Created {collaboration} ({collaboration.organisation_number}) and the "
                f"operator login {user.username!r}."
            )
        )
        self.stdout.write("Next: samdrift serve   (then sign in at http://127.0.0.1:8000/)")

    def _migrate(self, verbosity: int) -> None:
        executor = MigrationExecutor(connection)
        pending = executor.migration_plan(executor.loader.graph.leaf_nodes())
        if pending:
            self.stdout.write(f"Applying {len(pending)} database migrations…")
        call_command("migrate", interactive=False, verbosity=max(0, verbosity - 1))

    def _password_from_env(self, variable: str | None) -> str | None:
        if not variable:
            return None
        value = os.environ.get(variable)
        if not value:
            raise CommandError(
                f"--password-env {variable}: that environment variable is empty or not set."
            )
        return value

    def _ask_for_missing(self, values: dict) -> dict:
        prompts: list[tuple[str, str, Callable[[str], None]]] = [
            ("name", "Name of the collaboration", _field_check(Collaboration, "name")),
            (
                "organisation_number",
                "Its organisation number",
                _field_check(Collaboration, "organisation_number"),
            ),
            ("bank_account", "Its bank account", _field_check(Collaboration, "bank_account")),
            ("username", "Login name of the first operator", _field_check(User, "username")),
        ]
        for field, prompt, check in prompts:
            while not values[field]:
                answer = input(f"{prompt}: ").strip()
                if field in ("organisation_number", "bank_account"):
                    answer = answer.replace(" ", "").replace(".", "")
                try:
                    check(answer)
                except ValidationError as error:
                    self.stderr.write(" ".join(error.messages))
                    continue
                values[field] = answer
        return values

    def _ask_password(self, username: str) -> str:
        while True:
            password = getpass.getpass(f"Password for {username}: ")
            if password != getpass.getpass("Again: "):
                self.stderr.write("The two passwords differ; try again.")
                continue
            try:
                validate_password(password, User(username=username))
            except ValidationError as error:
                self.stderr.write(" ".join(error.messages))
                continue
            return password


def _field_check(model, field_name: str) -> Callable[[str], None]:
    field = model._meta.get_field(field_name)

    def check(value: str) -> None:
        field.clean(value, None)

    return check

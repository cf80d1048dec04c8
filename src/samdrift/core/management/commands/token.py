"""``samdrift token USER``: make a named, expiring API token and print its key once."""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError
from django.db import IntegrityError, transaction
from django.utils import timezone

from samdrift.core.models import User
from samdrift.core.tokens import DEFAULT_DAYS, MAX_DAYS, issue


class Command(BaseCommand):
    help = (
        "Make a new API token for a login and print its key — the only time it is shown "
        "(only its SHA-256 is stored). Use it as 'Authorization: Token <key>'. The token "
        "acts with the login's role, sees only what the login may see, and expires. "
        "--list shows the login's tokens, --revoke NAME removes one."
    )

    def add_arguments(self, parser):
        parser.add_argument("username", help="the login whose token it is")
        parser.add_argument(
            "--name", default="", help="what the token is for (default: 'token <date>')"
        )
        parser.add_argument(
            "--days",
            type=int,
            default=DEFAULT_DAYS,
            help=f"valid for this many days (1–{MAX_DAYS}; default {DEFAULT_DAYS})",
        )
        parser.add_argument(
            "--reset", action="store_true", help="revoke the login's other tokens first"
        )
        parser.add_argument("--list", action="store_true", help="list the login's tokens")
        parser.add_argument("--revoke", metavar="NAME", help="revoke the token with this name")

    def handle(self, *args, **options):
        username = options["username"]
        user = User.objects.filter(username=username).first()
        if user is None:
            raise CommandError(
                f"There is no login named {username!r}. Create one with 'samdrift init' or "
                "in the admin."
            )
        if options["list"]:
            for token in user.api_tokens.order_by("-created"):
                used = f"{token.last_used:%Y-%m-%d %H:%M}" if token.last_used else "never"
                state = "expired" if token.expires <= timezone.now() else "valid"
                self.stdout.write(
                    f"{token.name}\t{token.prefix}…\tmade {token.created:%Y-%m-%d}\t"
                    f"expires {token.expires:%Y-%m-%d} ({state})\tlast used {used}"
                )
            return
        if options["revoke"]:
            deleted, _ = user.api_tokens.filter(name=options["revoke"]).delete()
            if not deleted:
                raise CommandError(f"{username!r} has no token named {options['revoke']!r}.")
            self.stdout.write(f"Revoked {options['revoke']!r}.")
            return
        if not user.is_active:
            raise CommandError(f"The login {username!r} is deactivated; it gets no token.")
        name = options["name"].strip() or f"token {timezone.localtime():%Y-%m-%d %H:%M:%S}"
        try:
            with transaction.atomic():
                if options["reset"]:
                    user.api_tokens.all().delete()
                _token, key = issue(user, name, options["days"])
        except ValueError as error:
            raise CommandError(str(error)) from error
        except IntegrityError as error:
            raise CommandError(
                f"{username!r} already has a token named {name!r}: choose another --name."
            ) from error
        self.stdout.write(key)

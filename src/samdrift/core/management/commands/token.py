"""``samdrift token USER``: print a login's API token, creating it if needed."""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from rest_framework.authtoken.models import Token

from samdrift.core.models import User


class Command(BaseCommand):
    help = (
        "Print the API token of a login (created if it has none). Use it as "
        "'Authorization: Token <key>'. The token acts with the login's role and sees only "
        "what the login may see."
    )

    def add_arguments(self, parser):
        parser.add_argument("username", help="the login whose token to print")
        parser.add_argument(
            "--reset",
            action="store_true",
            help="replace the token with a new one (the old one stops working)",
        )

    def handle(self, *args, **options):
        username = options["username"]
        user = User.objects.filter(username=username).first()
        if user is None:
            raise CommandError(
                f"There is no login named {username!r}. Create one with 'samdrift init' or "
                "in the admin."
            )
        if not user.is_active:
            raise CommandError(f"The login {username!r} is deactivated; it gets no token.")
        with transaction.atomic():
            if options["reset"]:
                Token.objects.filter(user=user).delete()
            token, _created = Token.objects.get_or_create(user=user)
        self.stdout.write(token.key)

"""``samdrift demo``: a fresh database full of demo data, the demo logins, then serve it."""

from __future__ import annotations

import time

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError

from samdrift.demo import database
from samdrift.demo.context import SIZES
from samdrift.demo.generator import generate

# Counted models in the order the summary lists them, with their plural for people.
SUMMARY = (
    ("organisations.Municipality", "municipalities"),
    ("organisations.ServiceArea", "service areas"),
    ("organisations.Location", "locations"),
    ("organisations.Person", "persons"),
    ("catalogue.Product", "products"),
    ("catalogue.Service", "services"),
    ("catalogue.PriceVersion", "price versions"),
    ("inventory.Asset", "assets"),
    ("inventory.Assignment", "assignments"),
    ("inventory.Subscription", "subscriptions"),
    ("inventory.UsageRecord", "usage records"),
    ("agreements.ServiceLevel", "service levels"),
    ("servicedesk.Incident", "incidents"),
    ("servicedesk.Outage", "outages"),
)


class Command(BaseCommand):
    help = (
        "Replace the database with a fresh one full of realistic demo data (the fictional "
        "region Fjordregionen IKT), print the demo logins and an API token, then serve it. "
        "Never in production."
    )
    requires_system_checks = []  # the database is rebuilt first; serving checks itself

    def add_arguments(self, parser):
        sizes = ", ".join(
            f"{size.name}: ~{size.persons:,} persons, ~{size.assets:,} assets"
            for size in SIZES.values()
        )
        parser.add_argument(
            "--size", choices=list(SIZES), default="small", help=f"how much data ({sizes})"
        )
        parser.add_argument(
            "--seed", type=int, default=1, help="the same seed gives the same data (default 1)"
        )
        parser.add_argument(
            "--no-serve",
            action="store_false",
            dest="serve",
            help="build the data and stop, instead of serving it",
        )
        parser.add_argument("--port", type=int, default=8000, help="port to serve on (8000)")
        parser.add_argument("--host", default="127.0.0.1", help="address to serve on (127.0.0.1)")
        parser.add_argument(
            "--password",
            default=None,
            help="password of every demo login (default: a new random one, printed)",
        )
        parser.add_argument(
            "--force",
            action="store_true",
            help="replace the database even when it holds data that is not demo data",
        )

    def handle(self, *args, **options):
        if settings.PRODUCTION:
            raise CommandError(
                "samdrift demo replaces the database and creates logins with a known "
                "password; it never runs with SAMDRIFT_ENV=production."
            )
        started = time.perf_counter()
        self.stdout.write(f"Fresh {database.describe()}")
        if not options["force"]:
            try:
                database.refuse_real_data()
            except database.RealDataError as error:
                raise CommandError(str(error)) from None
        database.wipe()
        call_command("migrate", interactive=False, verbosity=0)
        self.stdout.write(f"  {'schema':<14} {time.perf_counter() - started:6.1f} s")
        ctx = generate(
            size=options["size"],
            seed=options["seed"],
            password=options["password"],
            progress=lambda message: self.stdout.write(f"  {message}"),
        )
        elapsed = time.perf_counter() - started
        self.stdout.write("")
        self.stdout.write(
            self.style.SUCCESS(
                f"Demo data, size {options['size']}, seed {options['seed']}, built in "
                f"{elapsed:.1f} s:"
            )
        )
        counts = [f"{ctx.counts[label]:,} {plural}" for label, plural in SUMMARY]
        self.stdout.write("  " + ", ".join(counts[:4]))
        self.stdout.write("  " + ", ".join(counts[4:11]))
        self.stdout.write("  " + ", ".join(counts[11:]))
        self._print_logins(ctx, options["host"], options["port"])
        if options["serve"]:
            self.stdout.write("")
            call_command("serve", host=options["host"], port=options["port"])
        else:
            self.stdout.write("")
            self.stdout.write(f"Serve it with: samdrift serve --port {options['port']}")

    def _print_logins(self, ctx, host: str, port: int) -> None:
        rows = [("login", "password", "role", "sees")]
        rows += [(i["username"], ctx.password, i["role"], i["scope"]) for i in ctx.logins]
        widths = [max(len(row[i]) for row in rows) for i in range(3)]
        self.stdout.write("")
        self.stdout.write("Demo logins (demo mode only; every one has the same password):")
        for index, (username, password, role, scope) in enumerate(rows):
            line = (
                f"  {username.ljust(widths[0])}  {password.ljust(widths[1])}  "
                f"{role.ljust(widths[2])}  {scope}"
            )
            self.stdout.write(self.style.MIGRATE_HEADING(line) if index == 0 else line)
        self.stdout.write("")
        self.stdout.write(f"API token for admin: {ctx.api_token}")
        self.stdout.write(
            f'  curl -H "Authorization: Token {ctx.api_token}" http://{host}:{port}/api/assets/'
        )

"""``samdrift fleet_figures``: count the overview's fleet figures again, for today.

The figures are kept by every writer of assets and counted again on the first request
of a day (or after the replacement rules change): run this daily shortly after
midnight (cron, a systemd timer, after ``samdrift holders``) so that no request waits
for the count, and after restoring or bulk-loading a database (planning.figures). It
counts the holdings in force that day too, for the monthly cost (planning.holdings).
"""

from __future__ import annotations

import datetime
import time

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from samdrift.planning import holdings
from samdrift.planning.figures import rebuild
from samdrift.planning.models import FleetFigure


class Command(BaseCommand):
    help = "Count the overview's fleet figures and holdings again (run it daily, after 'holders')."

    def add_arguments(self, parser):
        parser.add_argument("--on", help="The day (YYYY-MM-DD) counted for; default today.")

    def handle(self, *args, on=None, **options):
        try:
            day = datetime.date.fromisoformat(on) if on else timezone.localdate()
        except ValueError as error:
            raise CommandError(
                f"--on {on!r}: give a date as YYYY-MM-DD, e.g. 2026-12-01."
            ) from error
        started = time.perf_counter()
        rebuild(day=day)
        holdings.rebuild(day=day)  # what is held that day, for the monthly cost
        rows = FleetFigure.objects.count()
        seconds = time.perf_counter() - started
        self.stdout.write(f"Counted the fleet figures for {day}: {rows} rows in {seconds:.1f} s.")

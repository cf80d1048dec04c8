"""``samdrift holders``: set every asset's holder to the assignment in force today.

Run it daily shortly after midnight (cron, a systemd timer): a move dated today then
takes effect before anyone asks. Without a timer the app does the same on the first
request of each day (``inventory.middleware``); running both is harmless.
"""

from __future__ import annotations

import datetime

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils import timezone

from samdrift.inventory.holders import record_refresh, refresh_holders, stale_assets


class Command(BaseCommand):
    help = "Set every asset's holder to its assignment in force today (run it daily)."

    def add_arguments(self, parser):
        parser.add_argument(
            "--on", help="The day (YYYY-MM-DD) whose assignments apply; default today."
        )
        parser.add_argument(
            "--dry-run", action="store_true", help="Only count the assets that would change."
        )

    def handle(self, *args, on=None, dry_run=False, **options):
        try:
            day = datetime.date.fromisoformat(on) if on else timezone.localdate()
        except ValueError as error:
            raise CommandError(
                f"--on {on!r}: give a date as YYYY-MM-DD, e.g. 2026-12-01."
            ) from error
        if dry_run:
            count = stale_assets(on=day).count()
            self.stdout.write(f"{count} asset(s) would move to the holder in force on {day}.")
            return
        with transaction.atomic():
            count = refresh_holders(on=day)
            if day == timezone.localdate():
                record_refresh(day)  # the app's own daily check then has nothing to do
        self.stdout.write(f"{count} asset(s) moved to the holder in force on {day}.")

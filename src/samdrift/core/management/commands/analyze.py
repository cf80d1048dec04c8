"""``samdrift analyze``: refresh the query planner's statistics (``core.statistics``)."""

from __future__ import annotations

import time

from django.core.management.base import BaseCommand

from samdrift.core import statistics


class Command(BaseCommand):
    help = (
        "Refresh the database's query-planner statistics (ANALYZE); run after loading "
        "much data at once, e.g. a first big import."
    )

    def handle(self, *args, **options):
        started = time.perf_counter()
        statistics.refresh()
        self.stdout.write(f"Statistics refreshed in {time.perf_counter() - started:.1f} s.")

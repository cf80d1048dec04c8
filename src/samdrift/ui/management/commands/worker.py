"""``samdrift worker``: run the background jobs (large list exports) as they are queued.

It is django-tasks-db's ``db_worker`` over Samdrift's settings, after deleting the
exports that expired. Run one (or more: each claims a job under a database lock) beside
the app servers; ``samdrift serve`` starts one itself outside production.
"""

from __future__ import annotations

from django.core.management import call_command
from django.core.management.base import BaseCommand

from samdrift.ui.exportjobs import prune_expired


class Command(BaseCommand):
    help = "Run queued background jobs (large exports); --batch runs what is queued, then exits."

    def add_arguments(self, parser):
        parser.add_argument("--batch", action="store_true", help="run every queued job, then exit")
        parser.add_argument(
            "--interval",
            type=float,
            default=1.0,
            help="seconds between looks at an empty queue (1)",
        )

    def handle(self, *args, **options):
        pruned = prune_expired()
        if pruned:
            self.stdout.write(f"Deleted {pruned} expired export(s).")
        worker_options = {"interval": options["interval"], "reload": False}
        if options["batch"]:
            worker_options["batch"] = True
        call_command("db_worker", verbosity=options["verbosity"], **worker_options)

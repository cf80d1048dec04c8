"""``samdrift worker``: run the background jobs (large list exports) as they are queued.

It is django-tasks-db's ``db_worker`` over Samdrift's settings, after deleting the
exports that expired. Run one (or more: each claims a job under a database lock) beside
the app servers; ``samdrift serve`` starts one itself outside production.
"""

from __future__ import annotations

import os
import signal
import threading
import time

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
        parser.add_argument(
            "--parent",
            type=int,
            metavar="PID",
            help="stop when process PID, which started this one, ends ('samdrift serve')",
        )

    def handle(self, *args, **options):
        if options["parent"]:
            _stop_when_orphaned(options["parent"])
        pruned = prune_expired()
        if pruned:
            self.stdout.write(f"Deleted {pruned} expired export(s).")
        worker_options = {"interval": options["interval"], "reload": False}
        if options["batch"]:
            worker_options["batch"] = True
        call_command("db_worker", verbosity=options["verbosity"], **worker_options)


def _stop_when_orphaned(parent: int, every: float = 1.0) -> None:
    """Ask this worker to stop (SIGTERM: the queue's worker then finishes the job it runs
    and exits) once its parent ``parent`` has gone, e.g. a ``samdrift serve`` killed with
    SIGKILL: an orphan is adopted by another process, so its parent's id changes. The
    parent names itself: it may be gone before this process has started up."""

    def watch() -> None:
        while os.getppid() == parent:
            time.sleep(every)
        os.kill(os.getpid(), signal.SIGTERM)

    threading.Thread(target=watch, name="samdrift-parent-watch", daemon=True).start()

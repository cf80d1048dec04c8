"""``samdrift serve``: gunicorn in production, Django's own server otherwise."""

from __future__ import annotations

import os
import signal
import subprocess
import sys

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError
from django.db import DatabaseError, connections

DEFAULT_PORT = 8000


def default_workers() -> int:
    """gunicorn's rule of thumb, (2 × CPUs) + 1, capped: the database is usually the
    limit, and more app processes are better added as more servers."""
    return min(2 * (os.cpu_count() or 1) + 1, 9)


def gunicorn_arguments(*, host: str, port: int, workers: int) -> list[str]:
    """The gunicorn command line: access log to stdout, enough time for big exports,
    workers recycled now and then so a slow leak never grows."""
    return [
        sys.executable,
        "-m",
        "gunicorn",
        "samdrift.wsgi:application",
        "--bind",
        f"{host}:{port}",
        "--workers",
        str(workers),
        "--access-logfile",
        "-",
        "--error-logfile",
        "-",
        "--access-logformat",
        '%(h)s %(t)s "%(r)s" %(s)s %(b)s %(M)sms "%(a)s"',
        "--timeout",
        "120",
        "--graceful-timeout",
        "30",
        "--max-requests",
        "2000",
        "--max-requests-jitter",
        "200",
    ]


def pending_migrations() -> list[str]:
    from django.db import connection
    from django.db.migrations.executor import MigrationExecutor

    executor = MigrationExecutor(connection)
    plan = executor.migration_plan(executor.loader.graph.leaf_nodes())
    return [f"{migration.app_label}.{migration.name}" for migration, _backwards in plan]


class Command(BaseCommand):
    help = (
        "Serve Samdrift over HTTP: with gunicorn (several worker processes, access log) when "
        "SAMDRIFT_ENV=production, with Django's own server otherwise."
    )
    requires_system_checks = []  # runserver checks itself; production runs 'samdrift check'

    def add_arguments(self, parser):
        parser.add_argument(
            "--host",
            default=None,
            help="address to listen on (default SAMDRIFT_HOST, else 127.0.0.1; "
            "in production 0.0.0.0)",
        )
        parser.add_argument(
            "--port",
            type=int,
            default=None,
            help=f"port to listen on (default SAMDRIFT_PORT, else {DEFAULT_PORT})",
        )
        parser.add_argument(
            "--workers",
            type=int,
            default=None,
            help="gunicorn worker processes, production only "
            f"(default SAMDRIFT_WORKERS, else {default_workers()} here)",
        )
        parser.add_argument(
            "--reload",
            action="store_true",
            help="development only: restart when the code changes",
        )
        parser.add_argument(
            "--no-worker",
            action="store_false",
            dest="worker",
            help="development and demo only: do not start 'samdrift worker' beside the "
            "server (background exports then wait for one)",
        )

    def handle(self, *args, **options):
        host = options["host"] or os.environ.get("SAMDRIFT_HOST") or self._default_host()
        port = options["port"] or int(os.environ.get("SAMDRIFT_PORT", DEFAULT_PORT))
        if not 0 < port < 65536:
            raise CommandError(f"--port {port}: a port is a number from 1 to 65535.")
        if settings.PRODUCTION:
            self._serve_gunicorn(host, port, options["workers"])
        else:
            self._serve_development(host, port, reload=options["reload"], worker=options["worker"])

    def _default_host(self) -> str:
        # Production sits behind a load balancer on another machine; elsewhere only this
        # machine should reach an embedded or demo install.
        return "0.0.0.0" if settings.PRODUCTION else "127.0.0.1"  # noqa: S104

    def _serve_development(self, host: str, port: int, *, reload: bool, worker: bool) -> None:
        ipv6 = ":" in host
        address = f"[{host.strip('[]')}]:{port}" if ipv6 else f"{host}:{port}"
        self.stdout.write(f"Samdrift at http://{address}/  ({settings.SAMDRIFT_ENV} mode)")
        # The background jobs (large exports) need a worker: one process beside the
        # server, stopped with it, so 'make demo' runs them with nothing else to start.
        # Production runs 'samdrift worker' as its own service (docs/operations.md).
        # Stopped by SIGTERM (kill, a service manager, a test) as by Ctrl-C: Python's default
        # for SIGTERM ends the process on the spot, without the ``finally`` that stops the
        # worker, which then ran on with nobody to stop it. A worker whose server died
        # another way (SIGKILL) stops by itself (``--parent``).
        signal.signal(signal.SIGTERM, _exit_on_signal)
        background = (
            subprocess.Popen(  # noqa: S603 (our own interpreter, fixed arguments)
                [sys.executable, "-m", "samdrift.cli", "worker", "--parent", str(os.getpid())]
            )
            if worker
            else None
        )
        try:
            call_command("runserver", address, use_reloader=reload, use_ipv6=ipv6)
        finally:
            if background is not None:
                background.terminate()
                background.wait(timeout=30)

    def _serve_gunicorn(self, host: str, port: int, workers: int | None) -> None:
        try:
            pending = pending_migrations()
        except DatabaseError as error:
            raise CommandError(f"The database does not answer: {error}") from None
        if pending:
            raise CommandError(
                f"{len(pending)} database migrations are not applied (first: {pending[0]}). "
                "Run 'samdrift migrate' once before starting the servers."
            )
        workers = workers or int(os.environ.get("SAMDRIFT_WORKERS", 0)) or default_workers()
        arguments = gunicorn_arguments(host=host, port=port, workers=workers)
        self.stdout.write(f"Samdrift (gunicorn, {workers} workers) at http://{host}:{port}/")
        self.stdout.flush()
        connections.close_all()
        # Replace this process: gunicorn then gets the signals (stop, reload) directly.
        os.execv(sys.executable, arguments)  # noqa: S606 (our own interpreter, fixed arguments)


def _exit_on_signal(signum, frame) -> None:
    raise SystemExit(0)

"""The ``samdrift`` command.

``samdrift <command>`` runs Samdrift's own commands (init, demo, serve, token, check, …)
and passes any other to Django's management commands (``samdrift migrate``, ``samdrift
shell``). Everything changed from the command line is logged as done by ``cli:<user>``.
"""

from __future__ import annotations

import os
import sys

# What `samdrift --help` lists. Each is a Django management command in some app's
# management/commands/. When you add one (import, bill, export, prices, backup …), add a
# line here too, or `samdrift --help` will not show it.
SAMDRIFT_COMMANDS = {
    "init": "create the database, the collaboration and a first operator",
    "demo": "fresh database full of realistic demo data, then serve it",
    "serve": "serve the app (gunicorn in production, Django's server otherwise)",
    "token": "print a user's API token",
    "check": "check the configuration and the database",
    "import": "import a CSV/XLSX file (assets, persons, …): all or nothing, --dry-run first",
    "bill": "rate a month and draft its invoices (--issue, --close)",
    "export": "write a month's EHF, specifications or accounting export (--check)",
    "prices": "calculate, compare and publish the yearly price list; index service prices",
    "worker": "run background jobs (large exports) as they are queued (--batch: then exit)",
    "holders": "move assets to the assignment in force today (run daily; --dry-run counts)",
    "backup": "back up the database into DIR while in use, with a manifest of checksums",
    "restore": "restore a backup into an empty database and prove it identical",
    "analyze": "refresh the database's query-planner statistics (after a big first import)",
    "fleet_figures": "count the overview's fleet figures again (run daily, after holders)",
}


def usage() -> str:
    width = max(len(name) for name in SAMDRIFT_COMMANDS)
    lines = [
        "usage: samdrift <command> [options]   (samdrift <command> --help for its options)",
        "",
        "Samdrift commands:",
        *(f"  {name.ljust(width)}  {text}" for name, text in SAMDRIFT_COMMANDS.items()),
        "",
        "Any other Django management command works too, e.g. samdrift migrate, samdrift shell;",
        "'samdrift help' lists them all.",
    ]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    if not argv or argv[0] in {"-h", "--help"}:
        print(usage())
        return 0
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "samdrift.settings")
    if argv[0] == "demo":
        # The demo runs (and serves) in demo mode unless a mode was chosen; production
        # is refused by the command itself.
        os.environ.setdefault("SAMDRIFT_ENV", "demo")
    from django.core.exceptions import ImproperlyConfigured

    try:
        import django

        django.setup()
    except ImproperlyConfigured as error:
        print(f"samdrift: configuration error: {error}", file=sys.stderr)
        return 2

    from django.core.management import execute_from_command_line

    from samdrift.core.actor import acting_as, cli_actor_label

    with acting_as(label=cli_actor_label()):
        execute_from_command_line(["samdrift", *argv])
    return 0


if __name__ == "__main__":
    sys.exit(main())

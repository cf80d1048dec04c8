"""``samdrift backup DIR``: a consistent backup of the database, with its manifest."""

from __future__ import annotations

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from samdrift.core.backup import BackupError, backup


class Command(BaseCommand):
    help = (
        "Back up the database into DIR while it is in use: a data file (SQLite's online "
        "backup, or pg_dump -Fc on PostgreSQL) and a manifest with the time, the version, "
        "the migrations, the file's checksum and every table's digest. Restore it with "
        "'samdrift restore FILE' (docs/operations.md)."
    )

    def add_arguments(self, parser):
        parser.add_argument("directory", help="where to write the backup (created if missing)")

    def handle(self, *args, **options):
        try:
            result = backup(Path(options["directory"]))
        except (BackupError, OSError) as error:
            raise CommandError(str(error)) from error
        self.stdout.write(
            f"Backed up {result.tables} tables ({result.rows:,} rows) to {result.data_file}\n"
            f"Manifest: {result.manifest_file}"
        )

"""``samdrift restore FILE``: restore a backup into an empty database, and prove it."""

from __future__ import annotations

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from samdrift.core.backup import BackupError, restore


class Command(BaseCommand):
    help = (
        "Restore a backup made by 'samdrift backup' into the configured database, which must "
        "be empty (a new SAMDRIFT_DATA_DIR, or a new PostgreSQL database in DATABASE_URL). "
        "Refuses a corrupt file, another engine's backup and a backup from a newer Samdrift; "
        "afterwards every table is compared with the manifest. Run 'samdrift migrate' after "
        "restoring a backup from an older version."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", help="the backup's data file (or its .manifest.json)")

    def handle(self, *args, **options):
        try:
            tables = restore(Path(options["file"]))
        except (BackupError, OSError) as error:
            raise CommandError(str(error)) from error
        rows = sum(t["rows"] for t in tables.values())
        self.stdout.write(
            f"Restored {len(tables)} tables ({rows:,} rows); every table equals the backup's "
            "manifest."
        )

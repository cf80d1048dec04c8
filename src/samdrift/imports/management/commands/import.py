"""``samdrift import <kind> FILE --municipality 4601 [--dry-run] [--update] [--strict]``.

A kind may take options of its own (``Importer.options``): ``samdrift import incidents
FILE --source servicenow``; for incidents ``--municipality`` is only the default for rows
no mapping places.

Checks the whole file, reports every bad row (line, column, reason), and imports all of
it in one transaction or nothing at all. Exit status 0 when imported (or, with
``--dry-run``, when it would be), 1 when the file has errors, 2 for bad arguments.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from samdrift.core.actor import acting_as, cli_actor_label
from samdrift.core.importing import ImportResult, run_import
from samdrift.core.importing.mapping import ColumnReading
from samdrift.core.importing.parsing import CellError, Date
from samdrift.imports.registry import IMPORTERS, importer_class
from samdrift.imports.services import find_municipality, find_reading


class Command(BaseCommand):
    # Django's system checks (models, URLs, templates, admin …) are for developers and
    # ``samdrift check``; run before every import they took about a second of its time.
    requires_system_checks: list[str] = []
    help = (
        "Import a CSV or XLSX file: "
        + ", ".join(IMPORTERS)
        + ". All or nothing; every bad row is reported."
    )

    def add_arguments(self, parser):
        parser.add_argument("kind", choices=list(IMPORTERS), help="what the file holds")
        parser.add_argument("file", help="the CSV or XLSX file")
        parser.add_argument(
            "--municipality",
            help="number (4601) or name of the municipality the file belongs to (not for products)",
        )
        parser.add_argument(
            "--dry-run", action="store_true", help="check and report, write nothing"
        )
        parser.add_argument(
            "--update",
            action="store_true",
            help="change stored rows that differ from the file (else they are errors)",
        )
        parser.add_argument(
            "--strict",
            action="store_true",
            help="unknown persons, locations and products are errors instead of being created",
        )
        parser.add_argument(
            "--date",
            help="the date new holders get an asset and new persons start, when the file "
            "does not say (default: today)",
        )
        parser.add_argument(
            "--user", help="record the import in the change log as done by this Samdrift user"
        )
        parser.add_argument(
            "--map",
            help='how to read the columns: a JSON file {"columns": {header: column key or '
            '"" to ignore}, "values": {column key: {value: meaning}}, "date_order": '
            '"mdy"|"dmy"}, or the name of a saved mapping. Without it, the mapping '
            "saved for this header row (if any) is used",
        )
        parser.add_argument(
            "--save-map",
            metavar="NAME",
            help="save the --map (and --date-order) under NAME for files with this header row",
        )
        parser.add_argument(
            "--date-order",
            choices=["mdy", "dmy"],
            help="slashed dates are month/day/year (mdy, US) or day/month/year (dmy)",
        )
        self.add_importer_options(parser)
        parser.add_argument(
            "--progress",
            choices=["auto", "bar", "plain", "none"],
            default="auto",
            help="progress display: a bar on a terminal (auto), plain lines, or none",
        )

    @staticmethod
    def add_importer_options(parser) -> None:
        """The importers' own options (``Importer.options``), e.g. incidents' --source."""
        added: set[str] = set()
        for cls in IMPORTERS.values():
            for option in cls.options:
                if option.name in added:
                    continue
                added.add(option.name)
                choices = [value for value, _label in option.choices] or None
                parser.add_argument(
                    f"--{option.name.replace('_', '-')}",
                    dest=f"option_{option.name}",
                    choices=choices,
                    help=f"{option.help_text} ({cls.kind})",
                )

    @staticmethod
    def importer_options(cls, options) -> dict:
        """The options given for ``cls``; one another kind takes is a bad argument."""
        given = {}
        own = {option.name for option in cls.options}
        for other in IMPORTERS.values():
            for option in other.options:
                value = options.get(f"option_{option.name}")
                if value is None:
                    continue
                if option.name not in own:
                    raise CommandError(
                        f"--{option.name.replace('_', '-')} is not an option of {cls.kind}."
                    )
                given[option.name] = value
        return given

    def handle(self, *args, **options):
        kind = options["kind"]
        path = Path(options["file"])
        try:
            data = path.read_bytes()
        except OSError as error:
            raise CommandError(f"Cannot read {path}: {error.strerror}.") from None
        cls = importer_class(kind)
        municipality = None
        if cls.per_municipality:
            if not options["municipality"]:
                raise CommandError(f"Importing {kind} needs --municipality (number or name).")
            municipality = find_municipality(options["municipality"])
            if municipality is None:
                raise CommandError(f"No municipality {options['municipality']!r}.")
        elif cls.municipality_optional and options["municipality"]:
            # The default for rows that do not say their municipality.
            municipality = find_municipality(options["municipality"])
            if municipality is None:
                raise CommandError(f"No municipality {options['municipality']!r}.")
        importer_options = self.importer_options(cls, options)
        on = None
        if options["date"]:
            try:
                on = Date()(options["date"])
            except CellError as error:
                raise CommandError(f"--date: {error}") from None
        user = None
        if options["user"]:
            from samdrift.core.models import User

            user = User.objects.filter(username=options["user"]).first()
            if user is None:
                raise CommandError(f"No user {options['user']!r}.")
        reading = self.reading(options, kind)
        with (
            progress_display(options["progress"]) as progress,
            acting_as(user, label=cli_actor_label()),
        ):
            result = run_import(
                importer=cls,
                data=data,
                filename=path.name,
                municipality=municipality,
                update=options["update"],
                strict=options["strict"],
                dry_run=options["dry_run"],
                on=on,
                progress=progress,
                reading=reading,
                find_reading=find_reading,
                options=importer_options,
            )
        if options["save_map"] and result.headers and reading is not None:
            from samdrift.imports.services import save_mapping

            with acting_as(user, label=cli_actor_label()):
                saved = save_mapping(
                    kind=kind, headers=result.headers, reading=reading, name=options["save_map"]
                )
            self.stdout.write(f"Saved the mapping “{saved.name}” for this header row.")
        self.report(result)
        if not result.ok:
            sys.exit(1)

    def reading(self, options, kind: str) -> ColumnReading | None:
        """The --map (a JSON file or a saved mapping's name) and --date-order."""
        reading = None
        given = options["map"]
        if given:
            path = Path(given)
            if path.is_file():
                try:
                    reading = ColumnReading.from_dict(json.loads(path.read_text("utf-8")))
                except (ValueError, UnicodeDecodeError) as error:
                    raise CommandError(f"--map {given}: {error}") from None
            else:
                from samdrift.imports.models import ImportMapping

                saved = ImportMapping.objects.filter(kind=kind, name=given).first()
                if saved is None:
                    raise CommandError(
                        f"--map {given!r}: no such file, and no saved {kind} mapping of that name."
                    )
                reading = saved.reading()
        if options["date_order"]:
            reading = reading or ColumnReading()
            reading.date_order = options["date_order"]
        if options["save_map"] and reading is None:
            raise CommandError("--save-map needs --map (or --date-order) to save.")
        return reading

    def report(self, result: ImportResult) -> None:
        from rich.console import Console
        from rich.table import Table

        console = Console(file=self.stdout._out, highlight=False, soft_wrap=True)
        where = f" for {result.municipality}" if result.municipality else ""
        console.print(f"{result.kind}{where}: {result.filename} ({result.file_description})")
        read_as = [f"{header} → {label}" for header, label in result.columns if label]
        if read_as:
            console.print("Columns: " + "; ".join(read_as), style="dim")
        if result.reading:
            console.print(f"Read with the mapping “{result.reading}”.", style="dim")
        for key, values in result.unknown_values.items():
            for value, (count, _lines) in values.items():
                console.print(
                    f"Unknown {key} value “{value}” on {count} rows: map it with --map "
                    f'{{"values": {{"{key}": {{"{value}": "…"}}}}}}',
                    style="yellow",
                    markup=False,
                )
        for warning in result.warnings:
            console.print(f"Note: {warning}", style="yellow", markup=False)
        if result.details.get("unmapped"):
            console.print(
                "Map the values above on the source mappings page (/service/mappings/), "
                "then run again.",
                style="yellow",
            )
        table = Table(show_header=False, box=None, pad_edge=False)
        table.add_column(justify="left")
        table.add_column(justify="right")
        verb = "would be " if not result.applied else ""
        table.add_row("rows", f"{result.rows:,}")
        table.add_row(f"{verb}created", f"{result.created:,}")
        table.add_row(f"{verb}updated", f"{result.updated:,}")
        table.add_row("unchanged", f"{result.unchanged:,}")
        for what, names in result.to_create.items():
            shown = ", ".join(names[:5]) + (" …" if len(names) > 5 else "")
            table.add_row(f"new {what}", f"{len(names):,}  ({shown})")
        console.print(table)
        if result.errors:
            console.print(f"{result.error_total:,} errors:", style="bold red")
            for error in result.errors:
                console.print(f"  {error}", markup=False)
            if result.errors_left_out:
                per_column = "; ".join(
                    f"{column or '(the row)'} {count:,}"
                    for column, count in result.error_counts.items()
                )
                console.print(
                    f"… and {result.errors_left_out:,} more (the first {len(result.errors):,} "
                    f"are listed). Errors per column: {per_column}.",
                    markup=False,
                )
            console.print(
                "Nothing was imported: correct these rows (or use --update/--strict as the "
                "messages say) and run again.",
                style="bold red",
            )
        elif result.applied:
            console.print("Imported.", style="bold green")
        else:
            console.print("Dry run: the file is fine; nothing was written.", style="bold")


class progress_display:
    """A context manager giving a progress callback: a rich bar, plain lines or nothing."""

    LABELS = {"read": "Reading", "check": "Checking", "write": "Writing", "done": "Done"}

    def __init__(self, mode: str) -> None:
        if mode == "auto":
            mode = "bar" if sys.stderr.isatty() else "none"
        self.mode = mode
        self.bar = None
        self.tasks: dict[str, int] = {}

    def __enter__(self):
        if self.mode == "bar":
            from rich.progress import (
                BarColumn,
                MofNCompleteColumn,
                Progress,
                TextColumn,
                TimeElapsedColumn,
            )

            self.bar = Progress(
                TextColumn("{task.description:<9}"),
                BarColumn(),
                MofNCompleteColumn(),
                TimeElapsedColumn(),
                transient=False,
            )
            self.bar.start()
            return self.update_bar
        if self.mode == "plain":
            return self.update_plain
        return None

    def __exit__(self, *exc_info) -> None:
        if self.bar is not None:
            self.bar.stop()

    def update_bar(self, phase: str, done: int, total: int) -> None:
        if phase == "done":
            return
        task = self.tasks.get(phase)
        if task is None:
            task = self.tasks[phase] = self.bar.add_task(self.LABELS.get(phase, phase), total=total)
        self.bar.update(task, completed=done, total=total)

    def update_plain(self, phase: str, done: int, total: int) -> None:
        # One line per step, flushed: for logs, and for whoever watches the process.
        print(f"{phase} {done}/{total}", file=sys.stderr, flush=True)

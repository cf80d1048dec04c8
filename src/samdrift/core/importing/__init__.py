"""Import CSV and XLSX files: reading, header matching, cell parsing, the all-or-nothing
run (``run_import``) and the base classes the apps' ``importers.py`` build on."""

from samdrift.core.importing.columns import Column, field_column
from samdrift.core.importing.importer import ImportContext, Importer, ImportOption, ModelImporter
from samdrift.core.importing.parsing import CellError
from samdrift.core.importing.reading import FileProblem, Table, read_table
from samdrift.core.importing.results import (
    CREATED,
    UNCHANGED,
    UPDATED,
    ImportResult,
    Report,
    RowChange,
    RowError,
)
from samdrift.core.importing.rows import Row
from samdrift.core.importing.run import run_import

__all__ = [
    "CREATED",
    "UNCHANGED",
    "UPDATED",
    "CellError",
    "Column",
    "FileProblem",
    "ImportContext",
    "ImportOption",
    "ImportResult",
    "Importer",
    "ModelImporter",
    "Report",
    "Row",
    "RowChange",
    "RowError",
    "Table",
    "field_column",
    "read_table",
    "run_import",
]

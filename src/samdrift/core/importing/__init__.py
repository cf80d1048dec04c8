"""Import CSV and XLSX files: reading, header matching, cell parsing, the all-or-nothing
run (``run_import``) and the base classes the apps' ``importers.py`` build on."""

from samdrift.core.importing.base import (
    CREATED,
    UNCHANGED,
    UPDATED,
    Column,
    ImportContext,
    Importer,
    ImportResult,
    ModelImporter,
    Report,
    Row,
    RowChange,
    RowError,
    field_column,
    run_import,
)
from samdrift.core.importing.parsing import CellError
from samdrift.core.importing.reading import FileProblem, Table, read_table

__all__ = [
    "CREATED",
    "UNCHANGED",
    "UPDATED",
    "CellError",
    "Column",
    "FileProblem",
    "ImportContext",
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

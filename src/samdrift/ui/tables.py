"""Column definitions shared by a list page and its CSV/XLSX export.

Each app keeps one ``Table`` per model in its ``tables.py``: the columns people see, how
each is formatted, what it sorts by, and what goes into the export. The export writes the
raw value (a choice's code, an ISO date, a plain decimal) under the column's stable
``name``, so that an exported file can be read back by the importers.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.db.models import QuerySet
from django.urls import get_script_prefix, reverse
from django.utils.html import conditional_escape
from django.utils.safestring import SafeString, mark_safe

from samdrift.ui import formatting

KINDS = {"text", "money", "date", "datetime", "number", "choice", "bool"}
# The cell's class per kind (the stylesheet aligns numbers and dates).
_CSS = {"money": "num money", "number": "num", "date": "date", "datetime": "date"}


@dataclass(frozen=True)
class Column:
    """One column. ``accessor`` is a dotted attribute path (default: ``name``)."""

    name: str
    label: Any
    accessor: str = ""
    kind: str = "text"
    order_by: tuple[str, ...] = ()
    link: Callable[[Any], str | None] | None = None
    places: int | None = None
    in_table: bool = True
    in_export: bool = True
    # Always shown, whatever columns the user chose (the column that links to the row).
    essential: bool = False
    # Shown until the user chooses columns; False keeps a wide table within a 1440 px
    # window by default (the column chooser offers it, the export keeps it).
    shown: bool = True

    def __post_init__(self) -> None:
        if self.kind not in KINDS:
            raise ValueError(f"Unknown column kind {self.kind!r}")

    @property
    def path(self) -> str:
        return self.accessor or self.name

    @property
    def sortable(self) -> bool:
        return bool(self.order_by)

    @property
    def css(self) -> str:
        return _CSS.get(self.kind, "")

    def _owner_and_attribute(self, obj: Any) -> tuple[Any, str]:
        *parents, attribute = self.path.split(".")
        for part in parents:
            obj = getattr(obj, part, None)
            if obj is None:
                return None, attribute
        return obj, attribute

    def value(self, obj: Any) -> Any:
        """The raw value (what the export writes)."""
        owner, attribute = self._owner_and_attribute(obj)
        if owner is None:
            return None
        value = getattr(owner, attribute, None)
        return value() if callable(value) else value

    def text(self, obj: Any) -> str:
        """The value as a person reads it, in the active language."""
        if self.kind == "choice":
            owner, attribute = self._owner_and_attribute(obj)
            if owner is None:
                return ""
            if getattr(owner, attribute, None) is None:
                return ""  # an unset choice (null) is empty, not "None"
            display = getattr(owner, f"get_{attribute}_display", None)
            return str(display()) if display is not None else str(getattr(owner, attribute, ""))
        value = self.value(obj)
        if value is None:
            return ""
        if self.kind == "money":
            return formatting.format_money(value)
        if self.kind == "number":
            return formatting.format_number(value, self.places)
        if self.kind == "date":
            return formatting.format_day(value)
        if self.kind == "datetime":
            return formatting.format_moment(value)
        if self.kind == "bool":
            from django.utils.translation import gettext

            return gettext("yes") if value else gettext("no")
        return str(value)

    def render(self, obj: Any) -> SafeString:
        """The cell's content: the text escaped, linked when the column links."""
        text = self.text(obj)
        url = self.link(obj) if self.link is not None else None
        if url and text:
            return mark_safe(f'<a href="{conditional_escape(url)}">{conditional_escape(text)}</a>')  # noqa: S308
        return conditional_escape(text)


# Stands for the id while a link's URL is reversed once (digits, as ``<int:pk>`` wants).
_ID_MARKER = "987654321987654321"


def id_link(url_name: str, attribute: str = "pk") -> Callable[[Any], str | None]:
    """A column's ``link``: the page ``url_name`` (whose one argument is an id) of the
    row's ``attribute`` (``"pk"``, ``"person_id"`` …); no link where it is None.

    The URL is reversed once per process and script prefix, and each row's id put in the
    marker's place: a list page links 50–150 cells, and ``reverse`` for each was a
    twentieth of the asset list's CPU time."""

    @functools.cache
    def around(prefix: str) -> tuple[str, str]:
        head, _marker, tail = reverse(url_name, args=[_ID_MARKER]).partition(_ID_MARKER)
        return head, tail

    def link(obj: Any) -> str | None:
        value = getattr(obj, attribute, None)
        if value is None:
            return None
        head, tail = around(get_script_prefix())
        return f"{head}{int(value)}{tail}"

    return link


def row_cells(columns: Sequence[Column], obj: Any) -> SafeString:
    """One table row's ``<td>`` cells of ``columns`` for ``obj``.

    Built here rather than by a template loop over the columns: a list page has 500–650
    cells, and the loop's per-cell work (a context pushed, the class and the tag's
    arguments resolved) was a fifth of the asset list's CPU time at the design scale."""
    return mark_safe(  # noqa: S308 — every part is escaped by render()
        "".join(f'<td class="{column.css}">{column.render(obj)}</td>' for column in columns)
    )


@dataclass(frozen=True)
class Table:
    """The columns of one model's list, the joins they need and the default order."""

    columns: Sequence[Column]
    default_sort: str
    select_related: Sequence[str] = ()
    prefetch_related: Sequence[str] = ()
    tiebreak: str = "pk"
    export_name: str = "export"
    extra: dict[str, Any] = field(default_factory=dict)
    # Values computed in the query (name → expression), built per query.
    annotations: Callable[[], dict[str, Any]] | None = None

    @property
    def table_columns(self) -> list[Column]:
        return [c for c in self.columns if c.in_table]

    @property
    def essential_names(self) -> set[str]:
        """The columns a user cannot hide: those marked ``essential``, else the first
        column (each table's first column names the row and links to it)."""
        marked = {c.name for c in self.table_columns if c.essential}
        if marked or not self.table_columns:
            return marked
        return {self.table_columns[0].name}

    def chosen_columns(self, names: Sequence[str] | None) -> list[Column]:
        """The table columns a user chose to see (``None``: those shown by default),
        essential ones always."""
        if names is None:
            return [c for c in self.table_columns if c.shown or c.name in self.essential_names]
        keep = set(names) | self.essential_names
        return [c for c in self.table_columns if c.name in keep]

    @property
    def export_columns(self) -> list[Column]:
        return [c for c in self.columns if c.in_export]

    def column(self, name: str) -> Column | None:
        return next((c for c in self.columns if c.name == name), None)

    def prepare(self, queryset: QuerySet, *, export: bool = False) -> QuerySet:
        """Join what the columns read, so a page of rows costs one query.

        An annotation is added only where something reads it: a column of the table (of
        the export, with ``export``) or a sort. One the page never shows (the asset
        export's holder name) would keep its join in the walk to a deep page, and
        PostgreSQL then reads the table for every row passed instead of the sort index
        alone (``ui.lists.page_rows``)."""
        if self.select_related:
            queryset = queryset.select_related(*self.select_related)
        if self.prefetch_related:
            queryset = queryset.prefetch_related(*self.prefetch_related)
        if self.annotations is not None:
            read = self.export_columns if export else self.table_columns
            wanted = {c.path for c in read} | {
                name.lstrip("-") for c in self.columns for name in c.order_by
            }
            annotations = {k: v for k, v in self.annotations().items() if k in wanted}
            if annotations:
                queryset = queryset.annotate(**annotations)
        return queryset

    def sort(self, queryset: QuerySet, key: str | None) -> tuple[QuerySet, str]:
        """Order by a sortable column (``name`` or ``-name``); unknown keys fall back to
        the default. A tiebreak keeps pages stable. Searched rows (``core.search``
        annotates ``search_rank``) come best first unless a column is asked for."""
        ranked = not key and "search_rank" in queryset.query.annotations
        key = key or self.default_sort
        column = self.column(key.lstrip("-"))
        if column is None or not column.sortable:
            key = self.default_sort
            column = self.column(key.lstrip("-"))
        descending = key.startswith("-")
        fields = [f"-{f}" if descending else f for f in column.order_by] if column else []
        tiebreak = f"-{self.tiebreak}" if descending else self.tiebreak
        if ranked:
            fields = ["search_rank", *fields]
        return queryset.order_by(*fields, tiebreak), key

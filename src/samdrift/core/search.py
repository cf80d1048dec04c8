"""Free-text search on an index, one interface over two engines.

A searchable model declares a ``SearchIndex``: its table and the text columns a query
looks in, grouped into *index columns* (each the space-joined text of some table
columns). The index is made by a migration (``SearchIndex.operation()``):

- **SQLite**: a contentless FTS5 table ``<table>_search`` with the ``trigram``
  tokenizer (SQLite ≥ 3.34), one FTS column per index column, row id = the model's id,
  kept in step by ``AFTER INSERT/UPDATE/DELETE`` triggers. Triggers fire for every
  write, also for ``bulk_create``, ``QuerySet.update`` and raw SQL. The update trigger
  fires only when a searched column changed (``WHEN``), so a save that touches other
  columns costs nothing. An import's big inserts index their rows set-based at the end
  instead (``inserts_indexed_after``; the indexes are registered by ``register_index``).
- **PostgreSQL**: one GIN trigram index (``pg_trgm``) on the expression that joins all
  index columns; a query is an ``ILIKE`` on that expression (the index narrows, the
  recheck is exact). Nothing to keep in step: PostgreSQL maintains the index. An index
  column searched on its own (``own_indexes``: the persons' names, which a device
  search looks in) has a GIN trigram index of its own too: on the whole text, a short
  word common in other columns ("ole" in 290,000 persons' e-mail addresses) made every
  one of those rows be read and rechecked to keep the few with it in a name.

What a term finds (the text is lower-cased on both engines, letters beyond ASCII too):

- 3 characters or more: every row where one of the columns *contains* the term - the
  same rows as the ``icontains`` filter it replaces (the separator is a space, and a
  term holds none, so a term never matches across two columns);
- 2 characters: every row where a word (text after a space) of a column *begins* with
  the term - too short for a trigram anywhere, but " ab" (space first) is one;
- 1 character: no index can help; ``icontains`` on the table columns (a scan, as before).

A query is split into terms on whitespace; a row must match every term. Query text is
never query syntax: an FTS5 phrase is quoted (``"`` doubled), an ``ILIKE`` pattern has
``%``, ``_`` and ``\\`` escaped, control characters are dropped. So ``*``, ``NEAR``,
``-``, quotes or ``%`` search for themselves and never cause an error.

Callers restrict first (``core.permissions.restrict``) and search second: the search is a
condition on the restricted queryset, so tenancy is never the index's business. A search
may still *repeat* the restriction inside its subqueries (``fixed_columns``: the
``column = value`` conditions every row of the restricted queryset meets), so that a word
common in the fleet collects only the user's own matches, not every municipality's; that
narrows what is collected, and the outer condition still decides what is shown.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from functools import reduce
from operator import or_

from django.db import connection, migrations
from django.db.models import BooleanField, Q
from django.db.models.expressions import Col, RawSQL
from django.db.models.lookups import Exact
from django.db.models.sql.where import AND, WhereNode

TRIGRAM = 3  # the shortest term the index finds anywhere in a text
MAX_TERMS = 10  # a query of more words is cut: each word is one more condition
# On SQLite, a word found more often than this in the whole index is searched in a
# restricted user's own rows instead (``SearchIndex.ids_matching``).
COMMON_MATCHES = 10_000
# A search that shows what it ranks (the global box, the list pages) ranks at most this
# many matches of its first word: the first found in the index's order (``FirstMatches``).
RANKED_MATCHES = 1_000
# A search that ranks everything (the API, the exports) collects the ids of its first
# word's matches first when there are at most this many (``inventory.search``): then the
# count and the page read those rows by id instead of each collecting them again.
COLLECTED_MATCHES = 20_000


# The search index of each table that has one (``register_index``), by table name.
_indexes: dict[str, SearchIndex] = {}


def register_index(index: SearchIndex) -> SearchIndex:
    """Declare ``index`` as its table's search index (for ``inserts_indexed_after``)."""
    _indexes[index.table] = index
    return index


def index_of(table: str) -> SearchIndex | None:
    """The search index registered for ``table``, if any."""
    return _indexes.get(table)


def terms(query: str | None) -> list[str]:
    """The words of ``query``, control characters dropped (PostgreSQL refuses a NUL),
    at most ``MAX_TERMS``, each once."""
    text = "".join(
        " " if unicodedata.category(char).startswith(("C", "Z")) else char
        for char in (query or "")[:1000]
    )
    seen: list[str] = []
    for word in text.split():
        if word not in seen:
            seen.append(word)
    return seen[:MAX_TERMS]


def _quote(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _like_escape(term: str) -> str:
    return term.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


@dataclass(frozen=True)
class SearchIndex:
    """The searched text of one table: ``columns`` maps an index column to the table
    columns (database column names) whose text it joins."""

    table: str
    columns: dict[str, tuple[str, ...]]
    # Index columns with a PostgreSQL index of their own (see the module's docstring).
    own_indexes: tuple[str, ...] = ()

    @property
    def fts_table(self) -> str:
        return f"{self.table}_search"

    def _own_index_name(self, name: str) -> str:
        return _quote(f"{self.fts_table}_{name}_trgm")

    def all_table_columns(self) -> tuple[str, ...]:
        return tuple(c for group in self.columns.values() for c in group)

    # ---- the text, as SQL ------------------------------------------------------------

    def _text_sql(self, table_columns: tuple[str, ...], prefix: str) -> str:
        """' ' || a || ' ' || b …: a space before each column, so that " ab" finds a word
        beginning with "ab" in the first column too."""
        return " || ".join(f"' ' || {prefix}{_quote(c)}" for c in table_columns)

    def _pg_text_sql(self, table_columns: tuple[str, ...], prefix: str = "") -> str:
        # The index's expression, written the same way by the migration and the query,
        # so that PostgreSQL sees they are the same (text casts make it immutable).
        return "(" + " || ".join(f"' ' || {prefix}{_quote(c)}::text" for c in table_columns) + ")"

    # ---- the migration ---------------------------------------------------------------

    def _sqlite_fill(self) -> str:
        """Index every row of the table (a WHERE may follow)."""
        fts, table = _quote(self.fts_table), _quote(self.table)
        fts_columns = ", ".join(_quote(n) for n in self.columns)
        rows = ", ".join(self._text_sql(cols, "") for cols in self.columns.values())
        return f"INSERT INTO {fts}(rowid, {fts_columns}) SELECT id, {rows} FROM {table}"  # noqa: S608

    def _sqlite_insert_trigger(self) -> str:
        fts, table = _quote(self.fts_table), _quote(self.table)
        fts_columns = ", ".join(_quote(n) for n in self.columns)
        new = ", ".join(self._text_sql(cols, "NEW.") for cols in self.columns.values())
        insert = f"INSERT INTO {fts}(rowid, {fts_columns}) VALUES (NEW.id, {new});"  # noqa: S608
        return f"CREATE TRIGGER {self._trigger('ai')} AFTER INSERT ON {table} BEGIN {insert} END"

    def sqlite_create(self) -> list[str]:
        fts, table = _quote(self.fts_table), _quote(self.table)
        names = list(self.columns)
        fts_columns = ", ".join(_quote(n) for n in names)
        new = ", ".join(self._text_sql(cols, "NEW.") for cols in self.columns.values())
        old = ", ".join(self._text_sql(cols, "OLD.") for cols in self.columns.values())
        changed = " OR ".join(
            f"OLD.{_quote(c)} IS NOT NEW.{_quote(c)}" for c in self.all_table_columns()
        )
        watched = ", ".join(_quote(c) for c in self.all_table_columns())
        # Contentless: the index keeps no copy of the text (the table has it); a delete
        # hands the old text back so FTS5 can take its trigrams out.
        delete = f"INSERT INTO {fts}({fts}, rowid, {fts_columns}) VALUES ('delete', OLD.id, {old});"  # noqa: S608
        insert = f"INSERT INTO {fts}(rowid, {fts_columns}) VALUES (NEW.id, {new});"  # noqa: S608
        return [
            f"CREATE VIRTUAL TABLE {fts} USING fts5({fts_columns}, content='', "
            "tokenize='trigram', detail='full')",
            self._sqlite_fill(),
            self._sqlite_insert_trigger(),
            f"CREATE TRIGGER {self._trigger('ad')} AFTER DELETE ON {table} BEGIN {delete} END",
            f"CREATE TRIGGER {self._trigger('au')} AFTER UPDATE OF {watched} ON {table} "
            f"WHEN {changed} BEGIN {delete} {insert} END",
        ]

    def _trigger(self, event: str) -> str:
        return _quote(f"{self.fts_table}_{event}")

    def sqlite_drop(self) -> list[str]:
        return [
            *(f"DROP TRIGGER IF EXISTS {self._trigger(e)}" for e in ("ai", "ad", "au")),
            f"DROP TABLE IF EXISTS {_quote(self.fts_table)}",
        ]

    @contextmanager
    def sqlite_inserts_indexed_after(self) -> Iterator[None]:
        """SQLite: rows inserted in the block are indexed at its end, in one statement,
        instead of one by one by the insert trigger. See ``inserts_indexed_after``."""
        table = _quote(self.table)
        with connection.cursor() as cursor:
            # The DROP is the transaction's first write if nothing came before: from
            # here to the end of the transaction no one else inserts into the table.
            cursor.execute(f"DROP TRIGGER IF EXISTS {self._trigger('ai')}")
            # Ids only grow (AUTOINCREMENT: never below the highest ever given), so the
            # block's new rows are exactly those above the highest id now.
            cursor.execute(f"SELECT MAX(id) FROM {table}")  # noqa: S608
            highest = cursor.fetchone()[0] or 0
        yield
        with connection.cursor() as cursor:
            cursor.execute(f"{self._sqlite_fill()} WHERE id > %s", [highest])
            cursor.execute(self._sqlite_insert_trigger())

    def postgres_create(self) -> list[str]:
        return [
            "CREATE EXTENSION IF NOT EXISTS pg_trgm",
            f"CREATE INDEX IF NOT EXISTS {_quote(self.fts_table + '_trgm')} ON "
            f"{_quote(self.table)} USING gin "
            f"({self._pg_text_sql(self.all_table_columns())} gin_trgm_ops)",
            *self._postgres_own_create(),
        ]

    def postgres_drop(self) -> list[str]:
        return [
            *self._postgres_own_drop(),
            f"DROP INDEX IF EXISTS {_quote(self.fts_table + '_trgm')}",
        ]

    def _postgres_own_create(self) -> list[str]:
        return [
            f"CREATE INDEX IF NOT EXISTS {self._own_index_name(name)} ON "
            f"{_quote(self.table)} USING gin ({self._pg_text_sql(self.columns[name])} "
            "gin_trgm_ops)"
            for name in self.own_indexes
        ]

    def _postgres_own_drop(self) -> list[str]:
        return [f"DROP INDEX IF EXISTS {self._own_index_name(name)}" for name in self.own_indexes]

    def operation(self) -> migrations.RunPython:
        """The migration operation that makes (and, reversed, drops) the index on
        whichever engine the migration runs."""

        def run(statements):
            def apply(apps, schema_editor):
                vendor = schema_editor.connection.vendor
                for sql in statements.get(vendor, []):
                    schema_editor.execute(sql, params=None)

            return apply

        forward = {"sqlite": self.sqlite_create(), "postgresql": self.postgres_create()}
        backward = {"sqlite": self.sqlite_drop(), "postgresql": self.postgres_drop()}
        return migrations.RunPython(run(forward), run(backward), elidable=False)

    def own_indexes_operation(self) -> migrations.RunPython:
        """The migration operation that adds ``own_indexes`` to an index made before
        them (PostgreSQL only: SQLite's FTS5 table already searches each column alone).
        The table is analysed after: until the planner has statistics of the new
        expression it guesses its selectivity, and kept the old index (the large demo's
        "ole": 664 ms before the ANALYZE, 130 ms after)."""

        def run(statements):
            def apply(apps, schema_editor):
                if schema_editor.connection.vendor == "postgresql":
                    for sql in statements:
                        schema_editor.execute(sql, params=None)

            return apply

        forward = [*self._postgres_own_create(), f"ANALYZE {_quote(self.table)}"]
        return migrations.RunPython(run(forward), run(self._postgres_own_drop()), elidable=False)

    def rebuild_operation(self) -> migrations.RunPython:
        """Drop and make the index again. On SQLite a migration that alters a column
        remakes the table, and the triggers go with the old table: a migration that
        does so must end with this (PostgreSQL keeps its index; nothing happens there)."""

        def apply(apps, schema_editor):
            if schema_editor.connection.vendor != "sqlite":
                return
            for sql in [*self.sqlite_drop(), *self.sqlite_create()]:
                schema_editor.execute(sql, params=None)

        return migrations.RunPython(apply, migrations.RunPython.noop, elidable=False)

    # ---- the query -------------------------------------------------------------------

    def ids_matching(
        self, term: str, *, columns: tuple[str, ...] | None = None, scope: dict | None = None
    ):
        """(sql, params) of the ids of the rows where ``term`` (2 characters or more) is
        found in the index columns ``columns`` (all when None), among the rows with
        ``column = value`` for each item of ``scope`` (``fixed_columns``; all when empty)."""
        columns = columns or tuple(self.columns)
        scoped, scope_params = scope_sql(scope)
        if connection.vendor == "postgresql":
            where, params = self._pg_condition(term, columns, prefix="")
            sql = f"SELECT id FROM {_quote(self.table)} WHERE {scoped}{where}"  # noqa: S608
            return sql, [*scope_params, *params]
        fts, table = _quote(self.fts_table), _quote(self.table)
        match = self._fts_match(term, columns)
        sql = f"SELECT rowid FROM {fts} WHERE {fts} MATCH %s"  # noqa: S608
        if not scope:
            return sql, [match]
        # The FTS table has no municipality: a word in a large part of the fleet would be
        # collected everywhere (377,000 "Chromebook") to keep one municipality's. So
        # either the index's matches joined to the scope's rows, when the word is rare
        # (fewer than COMMON_MATCHES in the whole index: cheap to count, as FTS5 reads
        # its matches in order and stops at the LIMIT), or else a scan of the scope's
        # own rows (its index, then LIKE on each row: ~70 ms for the largest
        # municipality). The choice is made in the query (a LIMIT of 0 skips a branch
        # before it reads anything), so the search stays one query.
        common = (
            f"(SELECT count(*) FROM (SELECT 1 FROM {fts} WHERE {fts} MATCH %s "  # noqa: S608
            f"LIMIT {COMMON_MATCHES})) >= {COMMON_MATCHES}"
        )
        by_id, _ = scope_sql(scope, as_filter=True)
        likes, patterns = self._sqlite_likes(term, columns, prefix="")
        sql = (
            f"SELECT * FROM (SELECT id FROM {table} WHERE {by_id}id IN ({sql}) "  # noqa: S608
            f"LIMIT CASE WHEN {common} THEN 0 ELSE -1 END) "
            f"UNION ALL SELECT * FROM (SELECT id FROM {table} WHERE {scoped}({likes}) "
            f"LIMIT CASE WHEN {common} THEN -1 ELSE 0 END)"
        )
        params = [*scope_params, match, match, *scope_params, *patterns, match]
        return sql, params

    def _sqlite_likes(self, term: str, columns: tuple[str, ...], *, prefix: str):
        """(sql, params): ``term`` in one of the columns, tested on the row itself."""
        # Each column on its own (as the index holds them; cheaper than joining them),
        # with a space before it so that a 2-character term finds a word's beginning.
        # LIKE folds ASCII case only, the index every letter: beyond ASCII, the term
        # lower- and upper-cased too find a word typed in either case ("BÆRUM", "bærum").
        cases = (
            [term] if term.isascii() else list(dict.fromkeys((term, term.lower(), term.upper())))
        )
        patterns = ["%" + _like_escape(_phrase(case)) + "%" for case in cases]
        table_columns = [c for name in columns for c in self.columns[name]]
        likes = " OR ".join(
            f"' ' || {prefix}{_quote(column)} LIKE %s ESCAPE '\\'"
            for _ in patterns
            for column in table_columns
        )
        return likes, [pattern for pattern in patterns for _ in table_columns]

    def row_condition(self, term: str, *, prefix: str) -> tuple[str, list]:
        """(sql, params): ``term`` (2 characters or more) in the row's own text, tested on
        each row a scan reads rather than looked up on the index (``prefix``: the
        table's name or alias and a dot). For a word in a large part of the table, read
        in another index's order: the first rows of that order then hold it, and the
        index would have to find every match before any could be shown."""
        columns = tuple(self.columns)
        if connection.vendor == "postgresql":
            return self._pg_condition(term, columns, prefix=prefix)
        likes, patterns = self._sqlite_likes(term, columns, prefix=prefix)
        return f"({likes})", patterns

    def _fts_match(self, term: str, columns: tuple[str, ...]) -> str:
        phrase = '"' + _phrase(term).replace('"', '""') + '"'
        if set(columns) == set(self.columns):
            return phrase
        return "{" + " ".join(columns) + "} : " + phrase

    def _pg_condition(self, term: str, columns: tuple[str, ...], *, prefix: str):
        pattern = "%" + _like_escape(_phrase(term)) + "%"
        if len(columns) == 1 and columns[0] in self.own_indexes:
            own = self._pg_text_sql(self.columns[columns[0]], prefix)
            return f"{own} ILIKE %s", [pattern]
        everything = self._pg_text_sql(self.all_table_columns(), prefix)
        where, params = f"{everything} ILIKE %s", [pattern]
        if set(columns) != set(self.columns):
            # The index covers every column; the recheck keeps the asked ones.
            part = self._pg_text_sql(
                tuple(c for name in columns for c in self.columns[name]), prefix
            )
            where, params = f"{where} AND {part} ILIKE %s", [*params, pattern]
        return where, params

    def condition(self, term: str, *, columns=None) -> Q:
        """A filter of this table's rows matching ``term`` (2 characters or more) in the
        index columns ``columns`` (all when None)."""
        columns = tuple(columns or self.columns)
        if len(term) < 2:
            raise ValueError("A one-character term has no index: use icontains.")
        if connection.vendor == "postgresql":
            # On the table itself: a condition of the same scan, so the trigram index
            # and the restriction's index can be combined (a bitmap AND).
            where, params = self._pg_condition(term, columns, prefix=f"{_quote(self.table)}.")
            return Q(RawSQL(where, params, output_field=BooleanField()))  # noqa: S611
        sql, params = self.ids_matching(term, columns=columns)
        column = f"{_quote(self.table)}.{_quote('id')}"
        return Q(RawSQL(f"{column} IN ({sql})", params, output_field=BooleanField()))  # noqa: S611


def _phrase(term: str) -> str:
    """What the index looks for: a 2-character term as the beginning of a word."""
    return term if len(term) >= TRIGRAM else " " + term


def fixed_columns(queryset, columns: tuple[str, ...]) -> dict[str, int]:
    """The conditions ``column = value`` (``column`` one of ``columns``, of the queryset's
    own table, ``value`` an integer) that every row of ``queryset`` meets: those joined by
    AND from the top of its WHERE, never under an OR or a NOT. ``restrict`` writes the
    tenancy as such conditions (``municipality_id = …``, ``service_area_id = …``), so a
    search can repeat them in its subqueries without being told who asks. Repeating a
    condition every row meets changes no result; one not found here is simply not
    repeated (slower, never wrong)."""
    query = queryset.query
    if query.combinator or query.is_sliced:
        return {}
    table = query.base_table
    found: dict[str, int] = {}

    def walk(node) -> None:
        if isinstance(node, WhereNode):
            if node.connector == AND and not node.negated:
                for child in node.children:
                    walk(child)
            return
        if (
            isinstance(node, Exact)
            and isinstance(node.lhs, Col)
            and node.lhs.alias == table
            and node.lhs.target.column in columns
            and type(node.rhs) is int
        ):
            found.setdefault(node.lhs.target.column, node.rhs)

    walk(query.where)
    return found


def scope_sql(scope: dict | None, *, as_filter: bool = False, alias: str = "") -> tuple[str, list]:
    """(sql, params) of ``col = %s AND `` for each item of ``scope``: a prefix of a WHERE.

    ``as_filter``: the scope only checks the rows another condition's index finds. SQLite
    would otherwise read a municipality's whole index (57,000 rows) to check each row
    against, say, an empty list of products; ``+col`` keeps it off that index.
    (PostgreSQL weighs both and combines them: nothing to say there.)"""
    scope = scope or {}
    plus = "+" if as_filter and connection.vendor == "sqlite" else ""
    prefix = f"{plus}{alias}." if alias else plus
    return "".join(f"{prefix}{_quote(column)} = %s AND " for column in scope), list(scope.values())


def sql_of(queryset) -> tuple[str, list]:
    """(sql, params) of a queryset, to put inside hand-written SQL."""
    # No ORDER BY (a model's default ordering): a subquery's order means nothing.
    sql, params = queryset.order_by().query.get_compiler(connection=connection).as_sql()
    return sql, list(params)


@dataclass
class FirstMatches:
    """Asks a search (``search_assets``, ``search_persons``) to rank only the first
    ``limit`` rows the index finds with the query's first word (``first_ids``), and
    says afterwards whether it left some out (``more``): a page shows the best of a
    common word in the time a rare one takes, and says that it shows only some.

    Rows equal to the query (an asset tag, a serial number, a username) are looked up
    on their own indexes and always kept. Exports and the API search everything."""

    limit: int = field(default_factory=lambda: RANKED_MATCHES)
    more: bool = False


def first_ids(
    table: str, ids: tuple[str, list], scope: dict | None, limit: int
) -> tuple[list[int], bool]:
    """The first ``limit`` distinct ids of ``ids`` ((sql, params) of one column of ids of
    ``table``) among the rows with ``scope`` (``fixed_columns``), in the order the
    index finds them, and whether they are all there are (fewer than ``limit`` read).

    Why: ``id IN (subquery)`` makes the database collect every match before it keeps
    any (SQLite materialises the list: the 377,000 assets of "Chromebook" take ~0.3 s
    before the first is ranked). Read as a table instead, with a ``LIMIT``, the index
    hands out its matches one by one and stops at ``limit``. The caller still filters its
    restricted queryset by them: the scope here only saves reading others' matches."""
    sql, params = ids
    scoped, scope_params = scope_sql(scope, as_filter=True, alias="t")
    # CROSS JOIN: SQLite keeps the found ids as the outer loop (else it may walk the
    # scope's index and test each row against the whole, collected, list).
    join = "CROSS JOIN" if connection.vendor == "sqlite" else "JOIN"
    query = (
        f"WITH found(x) AS ({sql}) SELECT found.x FROM found {join} {_quote(table)} t "  # noqa: S608
        f"ON t.{_quote('id')} = found.x WHERE {scoped}1=1 LIMIT {int(limit)}"
    )
    with connection.cursor() as cursor:
        cursor.execute(query, [*params, *scope_params])
        rows = [row[0] for row in cursor.fetchall()]
    return list(dict.fromkeys(rows)), len(rows) < limit


def collect_words(
    table: str,
    words: list[str],
    ids_of: Callable[[str], tuple[str, list]],
    scope: dict | None,
    first: FirstMatches | None,
) -> tuple[list[int], bool, str]:
    """(ids, complete, word): the words (2 characters or more) tried in turn, the first
    one found in few enough of the user's rows collected whole, so that the caller tests
    the other words on those rows only ("chromebook hansen": Hansen's 4,000 devices, not
    377,000 Chromebooks). ``ids_of(word)`` gives a word's ids ((sql, params), as
    ``first_ids`` takes them).

    Few enough: at most ``first.limit`` for one word shown at its best (``first``: the
    list pages, the search box), else ``COLLECTED_MATCHES``: with several words the rows
    with all of them may be few even when each word is common, and a search that shows
    every match (``first`` None) needs them all. When every word is in more, the first
    word's first matches, not complete: the caller decides what to show."""
    single = first is not None and len(words) == 1
    limit = (first.limit if single else COLLECTED_MATCHES) + 1
    first_found: list[int] | None = None
    for word in words:
        found, complete = first_ids(table, ids_of(word), scope, limit)
        if complete:
            return found, True, word
        if first_found is None:
            first_found = found
    return first_found or [], False, words[0]


def icontains_any(term: str, fields: tuple[str, ...]) -> Q:
    """The old filter: ``term`` anywhere in one of ``fields`` (for 1-character terms)."""
    return reduce(or_, (Q(**{f"{field}__icontains": term}) for field in fields))


@contextmanager
def inserts_indexed_after(indexes: Iterable[SearchIndex]) -> Iterator[None]:
    """Rows inserted in the block into the tables of ``indexes`` are put into their search
    index at its end, set-based, instead of row by row.

    For a big insert (an import): on SQLite the insert trigger's one FTS5 insert per row
    cost about 57 µs for each of 100,000 assets — a third of the import's CPU time — and
    one ``INSERT … SELECT`` of the same rows at the end about 7 µs a row. The insert triggers
    are dropped for the block and made again after it, all inside the caller's
    transaction, which must be open: killed or failed halfway, the transaction rolls
    back with the triggers in place, and no other connection ever sees them missing
    (SQLite's DDL is transactional, and the DROP holds the write lock until the
    transaction ends, so nobody else inserts meanwhile). The update and delete triggers
    stay. On PostgreSQL the index is the database's own (a GIN index): nothing to do.
    """
    if connection.vendor != "sqlite":
        yield
        return
    if not connection.in_atomic_block:
        raise RuntimeError("inserts_indexed_after needs the caller's transaction.")
    with _each_indexed_after(list(indexes)):
        yield


@contextmanager
def _each_indexed_after(indexes: list[SearchIndex]) -> Iterator[None]:
    if not indexes:
        yield
        return
    with indexes[0].sqlite_inserts_indexed_after(), _each_indexed_after(indexes[1:]):
        yield

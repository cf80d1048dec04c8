"""How devices are searched (``search_assets``: the asset list's and the API's ``q``)
and what the global search (``ui.search``) finds of them: devices by asset tag, serial
number, name or model, by their product, their holder's name, and the name of their
service area.

Each word of the query must be found in one of those (as the ``icontains`` filter did
before): in the device's own text on its search index (``ASSET_INDEX``, ``core.search``),
in its holder's names on the persons' index (``person_id IN (…)``), or in the name of
its service area or product (small tables: ``IN`` subqueries). Ranked: the tag or
serial number equal to the query first, then those beginning with its first word, then
the rest in asset-tag order — except in a search that shows every match (the API, the
exports) for words each in more than 20,000 of the user's devices: those come in tag
order (``_in_tag_order``).

The global search asks first for the exact match on indexes: the tag through
``asset_tag_upper_idx`` (``UPPER(asset_tag)``), the serial number through the partial
unique index ``asset_unique_serial_number`` (whose condition the query repeats, so that
SQLite uses it too). A scanned label finds its device there, and the page goes straight
to it; only when that finds nothing is the index searched.
"""

from __future__ import annotations

from django.db import connection
from django.db.models import BooleanField, Case, IntegerField, Q, QuerySet, Value, When
from django.db.models.expressions import RawSQL
from django.db.models.functions import Upper
from django.urls import reverse

from samdrift.catalogue.models import Product
from samdrift.core.listparam import any_of, pk_among
from samdrift.core.permissions import restrict
from samdrift.core.search import (
    FirstMatches,
    SearchIndex,
    collect_words,
    fixed_columns,
    icontains_any,
    register_index,
    scope_sql,
    sql_of,
    terms,
)
from samdrift.inventory.models import Asset
from samdrift.organisations.models import ServiceArea
from samdrift.organisations.search import holder_ids, list_url
from samdrift.ui.search import SearchHit

ASSET_INDEX = register_index(
    SearchIndex("inventory_asset", {"text": ("asset_tag", "serial_number", "name", "model_name")})
)
OWN_FIELDS = ASSET_INDEX.columns["text"]
# What ``restrict`` fixes of a user's assets, repeated in each branch of a word's union.
SCOPE_COLUMNS = ("municipality_id", "service_area_id")


def _named(term: str) -> Q:
    """A small table's ``name`` holding ``term`` as the index would find it."""
    if len(term) == 2:
        return Q(name__istartswith=term) | Q(name__icontains=" " + term)
    return Q(name__icontains=term)


def asset_term(term: str, scope: dict | None = None) -> Q:
    """Assets with ``term`` (``asset_term_ids``)."""
    sql, params = asset_term_ids(term, scope)
    return Q(RawSQL(f'"inventory_asset"."id" IN ({sql})', params, output_field=BooleanField()))  # noqa: S611


def asset_term_ids(term: str, scope: dict | None = None) -> tuple[str, list]:
    """(sql, params) of the ids of the assets with ``term`` in their own text, their
    holder's names, or the name of their service area or product.

    One ``id IN (… UNION ALL …)`` rather than an ``OR`` of four conditions: each branch
    is read on its own index (the search index, ``person_id``, ``service_area_id``,
    ``product_id``), and the database weighs the found ids against the restriction. (An
    ``OR`` with ``IN`` subqueries made PostgreSQL scan every row the user may see, and
    ``col = ANY(ARRAY(…))`` made it compare each of a municipality's rows with every
    found holder.)

    ``scope`` (``core.search.fixed_columns`` of the restricted queryset:
    ``municipality_id``, ``service_area_id``) is repeated in every branch, so a word
    common in the fleet collects the user's own matches only, read through the
    ``(municipality_id, status)`` or ``service_area_id`` index with the branch's.
    (``_assets_of``: how each engine reads a related branch's assets.)"""
    scope = scope or {}
    related = _related(term, scope)
    own = (
        sql_of(Asset.objects.filter(own_condition(term), **scope).values("pk"))
        if len(term) < 2
        else ASSET_INDEX.ids_matching(term, scope=scope)
    )
    branches = [own, *(_assets_of(column, ids, scope) for column, ids in related)]
    sql = " UNION ALL ".join(branch for branch, _ in branches)
    params = [p for _, branch_params in branches for p in branch_params]
    return sql, params


def _related(term: str, scope: dict) -> list[tuple[str, tuple[str, list]]]:
    """(asset column, (sql, params) of the ids it may hold) of each related table that
    ``term`` finds a device by: its holder, its service area, its product."""
    return [
        ("person_id", holder_ids(term, scope.get("municipality_id"))),
        ("service_area_id", sql_of(ServiceArea.objects.filter(_named(term)).values("pk"))),
        ("product_id", sql_of(Product.objects.filter(_named(term)).values("pk"))),
    ]


def own_condition(term: str) -> Q:
    return icontains_any(term, OWN_FIELDS)


def _assets_of(column: str, ids: tuple[str, list], scope: dict) -> tuple[str, list]:
    sql, params = ids
    if connection.vendor == "sqlite":
        if not scope:
            return f'SELECT "id" FROM "inventory_asset" WHERE "{column}" IN ({sql})', params  # noqa: S608
        # Found ids first, then their assets on the column's index, the scope checked on
        # each (CROSS JOIN fixes SQLite's order): else SQLite reads the scope's whole
        # index, or the whole table, to test each row against a list that may be empty.
        scoped, scope_params = scope_sql(scope, as_filter=True, alias="a")
        return (
            f'SELECT * FROM (WITH found(x) AS ({sql}) SELECT a."id" FROM found '  # noqa: S608
            f'CROSS JOIN "inventory_asset" a ON a."{column}" = found.x '
            f"WHERE {scoped}1)",
            [*params, *scope_params],
        )
    # PostgreSQL: each found id's assets on the column's index, in a LATERAL subquery
    # that OFFSET 0 keeps from being flattened into a join. As a join the planner
    # weighed a found set it overestimated (24,800 persons named "Hansen" against
    # 15,700) and walked the whole person_id index in a merge join instead (280 ms;
    # ~100 ms so, with the scope checked on each found row).
    scoped, scope_params = scope_sql(scope)
    return (
        f"SELECT a.id FROM ({sql}) found(x) CROSS JOIN LATERAL "  # noqa: S608
        f'(SELECT "id" FROM "inventory_asset" WHERE {scoped}"{column}" = found.x OFFSET 0) a',
        [*params, *scope_params],
    )


def search_assets(
    queryset: QuerySet[Asset], query: str, *, first: FirstMatches | None = None
) -> QuerySet[Asset]:
    """The assets of ``queryset`` (already restricted) matching every word of ``query``,
    ranked (see the module's docstring) in ``search_rank``.

    The words are tried in turn: the first one the index finds in few enough of the
    user's devices is collected, and the other words are tested on those rows only
    (``core.search.collect_words``). When every word is in more, a search that shows
    every match (``first`` None: the API, the exports) lists them in tag order
    (``_in_tag_order``); one that shows its best (``core.search.FirstMatches``: the list
    pages, the search box) ranks only the first ``first.limit`` the index finds with the
    first word, plus those whose tag or serial number equals the query, and
    ``first.more`` says so. The same rows either way: the ids are a word's matches in the
    user's scope, and the queryset still decides."""
    words = terms(query)
    if not words:
        return queryset
    scope = fixed_columns(queryset, SCOPE_COLUMNS)
    indexed = [word for word in words if len(word) >= 2]
    if not indexed:
        for term in words:
            queryset = queryset.filter(asset_term(term, scope))
    else:
        found, complete, word = collect_words(
            Asset._meta.db_table, indexed, lambda word: asset_term_ids(word, scope), scope, first
        )
        if not complete:
            if first is None:
                return _in_tag_order(queryset, words, scope)
            first.more = True
            found = found[: first.limit]
            exact = exact_assets(queryset, " ".join(words))
            found += list(exact.values_list("pk", flat=True)[: first.limit])
        # The ids as a constant the planner counts (``core.listparam.any_of``): as
        # ``IN (SELECT unnest(…))`` it guessed 200, and tested "chromebook" on every
        # device of the fleet before joining the 14,500 of "hansen" (1.1 s).
        queryset = queryset.filter(pk_among(Asset, found)) if found else queryset.none()
        for other in words:
            if other != word:
                queryset = queryset.filter(_row_term(other, scope))
    whole, first = " ".join(words), words[0]
    rank = Case(
        When(Q(asset_tag__iexact=whole) | Q(serial_number__iexact=whole), then=Value(0)),
        When(
            Q(asset_tag__istartswith=first)
            | Q(serial_number__istartswith=first)
            | Q(name__istartswith=first),
            then=Value(1),
        ),
        default=Value(2),
        output_field=IntegerField(),
    )
    return queryset.annotate(search_rank=rank).order_by("search_rank", "asset_tag")


def _in_tag_order(queryset: QuerySet[Asset], words: list[str], scope: dict) -> QuerySet[Asset]:
    """All the assets with every word, in asset-tag order, when each word is in more than
    ``COLLECTED_MATCHES`` of the user's devices: then it is in a good part of them
    ("Chromebook": 377,000 of the large demo's 1.1 million), so the first rows in tag
    order hold it, and PostgreSQL reads a page's few hundred rows through the tag index,
    testing each (``asset_row_term``; its count is estimated). Ranked, every match had to
    be found and sorted first: 2.6 s on PostgreSQL for the operator. A device whose tag
    or serial number equals such a word is not put first (no tag equals a word that
    common)."""
    # SQLite counts exactly (``core.keyset.count_rows``): from the index's matches that
    # takes 0.17 s for "Chromebook", testing every row 0.54 s. So there the words stay
    # look-ups on the index and the page sorts the matches by tag (0.2 s; ranked, 0.5 s).
    postgresql = connection.vendor == "postgresql"
    for term in words:
        queryset = queryset.filter(
            _row_term(term, scope, constants=True) if postgresql else asset_term(term, scope)
        )
    return queryset.order_by("asset_tag", "pk")


def _row_term(term: str, scope: dict, *, constants: bool = False) -> Q:
    if len(term) < 2:
        return own_condition(term)
    return asset_row_term(term, scope, constants=constants)


def asset_row_term(term: str, scope: dict, *, constants: bool = False) -> Q:
    """Assets with ``term`` (2 characters or more) as ``asset_term`` finds them, tested on
    each row read: its own text (``SearchIndex.row_condition``), or its holder, service
    area or product among those that have it (``IN`` subqueries; with ``constants``,
    their ids read first and written into the query: see ``core.listparam.any_of``)."""
    table = '"inventory_asset".'
    own, params = ASSET_INDEX.row_condition(term, prefix=table)
    conditions = [own]
    for column, (sql, ids_params) in _related(term, scope):
        if constants:
            sql, ids_params = any_of(f'{table}"{column}"', _read_ids(sql, ids_params))
        else:
            sql = f'{table}"{column}" IN ({sql})'
        conditions.append(sql)
        params += ids_params
    sql = "(" + " OR ".join(conditions) + ")"
    return Q(RawSQL(sql, params, output_field=BooleanField()))  # noqa: S611


def _read_ids(sql: str, params: list) -> list[int]:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return [row[0] for row in cursor.fetchall()]


_FIELDS = (
    "pk",
    "asset_tag",
    "serial_number",
    "name",
    "model_name",
    "person__first_name",
    "person__last_name",
    "service_area__name",
    "status",
)


def _hit(row: dict, *, exact: bool) -> SearchHit:
    holder = " ".join(filter(None, (row["person__first_name"], row["person__last_name"])))
    detail = " · ".join(
        part
        for part in (
            row["name"] or row["model_name"],
            row["serial_number"],
            holder,
            row["service_area__name"],
        )
        if part
    )
    return SearchHit(
        title=row["asset_tag"],
        detail=detail,
        url=reverse("inventory:asset_detail", args=[row["pk"]]),
        exact=exact,
    )


def exact_assets(assets: QuerySet[Asset], query: str) -> QuerySet[Asset]:
    """The assets whose tag or serial number is ``query`` (case aside), on their indexes."""
    serials = {query, query.upper()}
    return assets.annotate(tag_upper=Upper("asset_tag")).filter(
        Q(tag_upper=query.upper()) | (Q(serial_number__in=serials) & ~Q(serial_number=""))
    )


def find_devices(user, query: str, limit: int) -> list[SearchHit]:
    assets = restrict(Asset.objects.all(), user)
    exact = list(exact_assets(assets, query).order_by("asset_tag").values(*_FIELDS)[:limit])
    hits = [_hit(row, exact=True) for row in exact]
    if hits:
        # A scanned label or typed serial: its device, without scanning for the rest.
        return hits
    rest = search_assets(assets, query, first=FirstMatches()).values(*_FIELDS)[:limit]
    return [_hit(row, exact=False) for row in rest]


def register() -> None:
    from django.utils.translation import gettext_lazy as _

    from samdrift.ui.search import register

    register(
        "devices",
        _("Devices"),
        find_devices,
        more_url=list_url("inventory:asset_list"),
        order=10,
    )

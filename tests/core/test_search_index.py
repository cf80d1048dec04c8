"""The search index (``core.search``) of assets and persons, on SQLite (FTS5 trigram)
and PostgreSQL (pg_trgm): the same hits as the ``icontains`` filter it replaced (the old
filter is the oracle, over a generated dataset), query text that is never syntax, the
ranking, tenancy, and the index kept in step with every kind of write."""

from __future__ import annotations

import datetime
import random
from functools import reduce
from operator import or_

import pytest
from django.db import connection
from django.db.models import Q
from django.urls import reverse
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from samdrift.core import search as core_search
from samdrift.core.choices import Role
from samdrift.core.importing import run_import
from samdrift.core.permissions import restrict
from samdrift.core.search import fixed_columns, terms
from samdrift.imports.registry import importer_class
from samdrift.inventory.filtersets import AssetFilterSet
from samdrift.inventory.models import Asset
from samdrift.inventory.search import SCOPE_COLUMNS, search_assets
from samdrift.inventory.services import assign_asset
from samdrift.organisations.filtersets import PersonFilterSet
from samdrift.organisations.models import Municipality, Person, ServiceArea
from samdrift.organisations.search import search_persons
from tests import factories
from tests.factories import SNIPE_IT_HEADER, api_as, client_for, snipe_it_row, xlsx_bytes
from tests.worlds import build_importing_world

pytestmark = pytest.mark.django_db

D = datetime.date
# Letters of both cases (ASCII: the case SQLite's LIKE folds), Norwegian letters in one
# case, digits, and what is syntax to FTS5 or LIKE.
ALPHABET = "abcdeHNOSTxyz0123456789æøå-_%.*\"'"


def old_search(queryset, query: str, fields: tuple[str, ...]):
    """The filter the index replaced: every word in one of ``fields``, ``icontains``."""
    for term in query.split():
        queryset = queryset.filter(
            reduce(or_, (Q(**{f"{field}__icontains": term}) for field in fields))
        )
    return queryset


def ids(queryset) -> set[int]:
    return set(queryset.values_list("pk", flat=True))


def word(rng: random.Random, low: int = 3, high: int = 9) -> str:
    return "".join(rng.choice(ALPHABET) for _ in range(rng.randint(low, high)))


@pytest.fixture
def dataset():
    """Assets held by persons in service areas, with generated text in every searched
    field (fixed seed: the same data each run; hypothesis varies the queries)."""
    rng = random.Random(18)
    municipality = factories.make_municipality()
    areas = [
        factories.make_service_area(municipality, name=f"{word(rng)} {word(rng)}") for _ in range(3)
    ]
    products = [factories.make_product(name=f"{word(rng)} {word(rng)}") for _ in range(3)]
    persons = [
        factories.make_person(
            municipality,
            rng.choice(areas),
            username=word(rng) + str(i),
            first_name=word(rng),
            last_name=f"{word(rng)} {word(rng, 2, 4)}",
            email=f"{word(rng)}@{word(rng)}.no" if i % 2 else "",
            employee_number=word(rng, 1, 6),
        )
        for i in range(12)
    ]
    for i in range(30):
        asset = factories.make_asset(
            rng.choice(products),
            asset_tag=f"{word(rng)}{i}",
            serial_number=word(rng, 0, 12) if i % 3 else "",
            name=word(rng, 0, 10),
            model_name=f"{word(rng)} {word(rng)}" if i % 2 else "",
        )
        if i % 4:
            assign_asset(
                asset=asset,
                municipality=municipality,
                service_area=rng.choice(areas),
                person=rng.choice(persons) if i % 5 else None,
                valid_from=D(2025, 1, 1),
            )
    texts = [
        value
        for asset in Asset.objects.select_related("person", "service_area", "product")
        for value in (
            asset.asset_tag,
            asset.serial_number,
            asset.name,
            asset.model_name,
            asset.product.name,
            asset.person.first_name if asset.person else "",
            asset.person.last_name if asset.person else "",
            asset.service_area.name if asset.service_area else "",
        )
    ] + [
        value
        for person in Person.objects.all()
        for value in (
            person.username,
            person.first_name,
            person.last_name,
            person.email,
            person.employee_number,
        )
    ]
    return [t for t in texts if len(t) >= 3]


def ascii_upper(text: str) -> str:
    return "".join(c.upper() if c.isascii() else c for c in text)


def substring(text: str, data) -> str:
    start = data.draw(st.integers(0, max(len(text) - 3, 0)))
    end = data.draw(st.integers(start + 3, len(text)))
    return text[start:end]


# ---- the same hits as icontains ----------------------------------------------------------


@pytest.fixture(params=["collected", "not collected"])
def collected(request, monkeypatch):
    """A ranked-everything search collects its first word's matches when they are few
    (``COLLECTED_MATCHES``); 0 makes every word too common to collect."""
    if request.param == "not collected":
        monkeypatch.setattr(core_search, "COLLECTED_MATCHES", 0)
    return request.param


def test_the_index_finds_what_icontains_found(dataset, collected):
    """Queries of words of 3 characters or more (pieces of the stored text, in any case,
    or random text): the assets and persons found are exactly the old filter's, the
    first word's matches collected first or not."""

    @settings(max_examples=60, deadline=None, suppress_health_check=list(HealthCheck))
    @given(st.data())
    def check(data):
        words = [
            data.draw(
                st.one_of(
                    # Upper case in ASCII only: SQLite's LIKE folds no other letters
                    # (the index does, as PostgreSQL's UPPER does).
                    st.sampled_from(dataset).map(ascii_upper),
                    st.text(ALPHABET, min_size=3, max_size=6),
                    st.just(substring(data.draw(st.sampled_from(dataset)), data)),
                )
            )
            for _ in range(data.draw(st.integers(1, 3)))
        ]
        words = [w for w in " ".join(words).split() if len(w) >= 3]
        query = " ".join(words)
        assets = Asset.objects.all()
        assert ids(search_assets(assets, query)) == ids(
            old_search(assets, query, AssetFilterSet.search_fields)
        ), query
        persons = Person.objects.all()
        assert ids(search_persons(persons, query)) == ids(
            old_search(persons, query, PersonFilterSet.search_fields)
        ), query

    check()


def test_a_two_character_word_finds_words_beginning_with_it():
    municipality = factories.make_municipality()
    kari = factories.make_person(municipality, first_name="Kari", last_name="Hansen")
    factories.make_person(municipality, first_name="Mikael", last_name="Strand")  # 'ka' inside
    assert ids(search_persons(Person.objects.all(), "ka")) == {kari.pk}
    assert ids(search_persons(Person.objects.all(), "KA HA")) == {kari.pk}
    assert ids(search_persons(Person.objects.all(), "ka st")) == set()


def test_a_one_character_word_falls_back_to_icontains():
    municipality = factories.make_municipality()
    factories.make_person(municipality, first_name="Kari", last_name="Hansen")
    mikael = factories.make_person(municipality, first_name="Mikael", last_name="Strand")
    everyone = Person.objects.all()
    assert ids(search_persons(everyone, "q")) == set()
    assert ids(search_persons(everyone, "d")) == {mikael.pk}  # Stran'd'
    assert ids(search_persons(everyone, "k strand")) == {mikael.pk}


# ---- query text is never syntax -----------------------------------------------------------

NASTY = [
    '"',
    '""',
    '"abc',
    "*",
    "abc*",
    "NEAR(abc def)",
    "abc NEAR def",
    "-abc",
    "abc OR def",
    "NOT abc",
    "%",
    "%%%",
    "_",
    "a_b",
    "\\",
    "\\%",
    "'",
    "'; DROP TABLE x; --",
    "{names}: abc",
    "names:abc",
    "^abc",
    "abc\x00def",
    "(abc",
    "🙂🙂🙂",
    "x" * 300,
    " ".join(["abc"] * 40),
]


@pytest.mark.parametrize("query", NASTY)
def test_search_syntax_in_a_query_is_searched_for_never_an_error(query):
    operator = factories.make_user(Role.OPERATOR)
    municipality = factories.make_municipality()
    factories.make_asset(asset_tag="PLAIN-1", name="odd \"%_*\\' name")
    factories.make_person(municipality, first_name='Ab"c', last_name="NEAR")
    # A NUL byte is refused by the form field of ``q`` (400 in the API, the list says
    # the filter is invalid); everything else is searched for.
    api_status = 400 if "\x00" in query else 200
    api = api_as(operator)
    for url in ("/api/assets/", "/api/persons/"):
        assert api.get(url, {"q": query}).status_code == api_status, url
    browser = client_for(operator)
    for url in (reverse("inventory:asset_list"), reverse("organisations:person_list")):
        assert browser.get(url, {"q": query}).status_code == 200, url
    assert browser.get("/search/", {"q": query}).status_code == 200


def test_syntax_characters_find_themselves():
    plain = factories.make_asset(asset_tag="PLAIN-1", name="plain")
    odd = factories.make_asset(asset_tag="ODD-1", name='50%_off "q" *x* NEAR')
    everything = Asset.objects.all()
    assert ids(search_assets(everything, "50%")) == {odd.pk}
    assert ids(search_assets(everything, "%_o")) == {odd.pk}
    assert ids(search_assets(everything, '"q"')) == {odd.pk}
    assert ids(search_assets(everything, "*x*")) == {odd.pk}
    assert ids(search_assets(everything, "NEAR")) == {odd.pk}
    assert ids(search_assets(everything, "in-1")) == {plain.pk}
    assert ids(search_assets(everything, "-1")) == set()  # 2 characters: a word's start
    assert ids(search_assets(everything, "%%%")) == set()
    assert terms("a\x00b  c\tc") == ["a", "b", "c"]


# ---- ranking -------------------------------------------------------------------------------


def test_exact_identifier_first_then_prefix_then_the_rest():
    operator = factories.make_user(Role.OPERATOR)
    inside = factories.make_asset(asset_tag="A-XQ123")
    prefix = factories.make_asset(asset_tag="XQ1234")
    exact = factories.make_asset(asset_tag="XQ123")
    by_serial = factories.make_asset(asset_tag="B-1", serial_number="xq123")
    name_prefix = factories.make_asset(asset_tag="0-NAMED", name="xq123-host")
    found = list(search_assets(Asset.objects.all(), "xq123").values_list("pk", flat=True))
    # Equal (tag or serial), then beginning with it, then containing it; by tag within.
    assert found == [by_serial.pk, exact.pk, name_prefix.pk, prefix.pk, inside.pk]
    # The API keeps that order, and so does the list unless a column is chosen.
    api = api_as(operator).get("/api/assets/", {"q": "xq123"}).json()["results"]
    assert [row["id"] for row in api] == found
    page = client_for(operator).get(reverse("inventory:asset_list"), {"q": "xq123"})
    assert [a.pk for a in page.context["rows"]] == found
    sorted_page = client_for(operator).get(
        reverse("inventory:asset_list"), {"q": "xq123", "sort": "asset_tag"}
    )
    assert [a.asset_tag for a in sorted_page.context["rows"]] == sorted(
        ["A-XQ123", "XQ1234", "XQ123", "B-1", "0-NAMED"]
    )


def test_persons_rank_the_username_first_then_names_beginning_with_the_word():
    municipality = factories.make_municipality()
    inside = factories.make_person(municipality, first_name="Ole", last_name="Brandberg")
    begins = factories.make_person(municipality, first_name="Ole", last_name="Berg")
    user = factories.make_person(municipality, username="berg", last_name="Zeta")
    found = list(search_persons(Person.objects.all(), "berg").values_list("pk", flat=True))
    assert found == [user.pk, begins.pk, inside.pk]


# ---- tenancy -------------------------------------------------------------------------------


@pytest.mark.parametrize("common", [False, True], ids=["rare words", "common words"])
def test_a_restricted_search_finds_what_icontains_found_in_the_users_rows(
    dataset, monkeypatch, common, collected
):
    """A contact's and a manager's search repeats their restriction inside the search
    (``fixed_columns``); on SQLite a word found often is searched in their own rows
    instead of the index (``COMMON_MATCHES``: 1 makes every found word common). Either
    way: exactly the old filter's hits among the rows they may see."""
    if common:
        monkeypatch.setattr(core_search, "COMMON_MATCHES", 1)
    municipality = Municipality.objects.get()
    area = ServiceArea.objects.filter(assets__isnull=False).order_by("pk").first()
    # Another municipality holding the same words: found by the index, never shown.
    other = factories.make_municipality()
    for asset in Asset.objects.filter(municipality__isnull=True):
        assign_asset(asset=asset, municipality=other, valid_from=D(2025, 1, 1))
    contact = factories.make_user(Role.MUNICIPALITY, municipality=municipality)
    manager = factories.make_user(Role.SERVICE_AREA, municipality=municipality, service_area=area)
    assert fixed_columns(restrict(Asset.objects.all(), contact), SCOPE_COLUMNS) == {
        "municipality_id": municipality.pk
    }
    assert fixed_columns(restrict(Asset.objects.all(), manager), SCOPE_COLUMNS) == {
        "municipality_id": municipality.pk,
        "service_area_id": area.pk,
    }

    @settings(max_examples=40, deadline=None, suppress_health_check=list(HealthCheck))
    @given(st.data())
    def check(data):
        words = [
            data.draw(
                st.one_of(
                    st.sampled_from(dataset).map(ascii_upper),
                    st.just(substring(data.draw(st.sampled_from(dataset)), data)),
                    st.text(ALPHABET, min_size=2, max_size=4),
                )
            )
            for _ in range(data.draw(st.integers(1, 2)))
        ]
        query = " ".join(w for w in " ".join(words).split() if len(w) >= 3)
        for user in (contact, manager):
            assets = restrict(Asset.objects.all(), user)
            assert ids(search_assets(assets, query)) == ids(
                old_search(assets, query, AssetFilterSet.search_fields)
            ), (user.role, query)

    check()


def test_a_common_word_in_another_case_is_found_in_the_users_rows(monkeypatch):
    """The scan of a user's own rows (SQLite, a common word) finds a word typed in upper
    or lower case beyond ASCII too, as the index does."""
    monkeypatch.setattr(core_search, "COMMON_MATCHES", 1)
    municipality = factories.make_municipality()
    asset = factories.make_asset(asset_tag="NB-1", name="Bærum skole")
    assign_asset(asset=asset, municipality=municipality, valid_from=D(2025, 1, 1))
    contact = factories.make_user(Role.MUNICIPALITY, municipality=municipality)
    for query in ("BÆRUM", "bærum", "Bærum"):
        found = search_assets(restrict(Asset.objects.all(), contact), query)
        assert list(found.values_list("asset_tag", flat=True)) == ["NB-1"], query


def test_search_starts_from_what_the_user_may_see():
    a, b = factories.make_municipality(), factories.make_municipality()
    area_a, area_a2 = factories.make_service_area(a), factories.make_service_area(a)
    found = {}
    for municipality, area, tag in ((a, area_a, "SHARED-A1"), (a, area_a2, "SHARED-A2")):
        person = factories.make_person(municipality, area, last_name="Sharedname")
        asset = factories.make_asset(asset_tag=tag)
        assign_asset(
            asset=asset,
            municipality=municipality,
            service_area=area,
            person=person,
            valid_from=D(2025, 1, 1),
        )
        found[tag] = asset
    other = factories.make_person(b, last_name="Sharedname")
    asset_b = factories.make_asset(asset_tag="SHARED-B")
    assign_asset(asset=asset_b, municipality=b, person=other, valid_from=D(2025, 1, 1))
    contact = factories.make_user(Role.MUNICIPALITY, municipality=a)
    manager = factories.make_user(Role.SERVICE_AREA, municipality=a, service_area=area_a2)
    operator = factories.make_user(Role.OPERATOR)
    expected = {
        operator: {"SHARED-A1", "SHARED-A2", "SHARED-B"},
        contact: {"SHARED-A1", "SHARED-A2"},
        manager: {"SHARED-A2"},
    }
    for user, tags in expected.items():
        for query in ("shared", "sharedname"):
            rows = api_as(user).get("/api/assets/", {"q": query}).json()["results"]
            assert {row["asset_tag"] for row in rows} == tags, (user.role, query)
        persons = api_as(user).get("/api/persons/", {"q": "sharedname"}).json()["results"]
        assert len(persons) == len(tags)
        page = client_for(user).get("/search/", {"q": "sharedname"})
        shown = {hit.title for g in page.context["groups"] for hit in g.hits}
        assert tags <= shown and not ({"SHARED-A1", "SHARED-A2", "SHARED-B"} - tags) & shown


# ---- the index follows every write ---------------------------------------------------------


def found(query: str) -> set[str]:
    return set(search_assets(Asset.objects.all(), query).values_list("asset_tag", flat=True))


def test_the_index_follows_inserts_updates_and_deletes():
    asset = factories.make_asset(asset_tag="SYNC-ONE", name="alphahost")
    assert found("alphahost") == {"SYNC-ONE"}
    asset.name = "betahost"
    asset.save()
    assert found("alphahost") == set()
    assert found("betahost") == {"SYNC-ONE"}
    Asset.objects.filter(pk=asset.pk).update(asset_tag="SYNC-TWO", notes="not searched")
    assert found("sync-one") == set()
    assert found("sync-two") == {"SYNC-TWO"}
    asset.delete()
    assert found("sync-two") == set()
    assert found("betahost") == set()


def test_the_index_follows_bulk_and_raw_writes():
    product = factories.make_product()
    Asset.objects.bulk_create(
        [Asset(product=product, asset_tag=f"BULK-{i}", serial_number=f"ZZS{i}") for i in range(5)]
    )
    assert found("bulk-") == {f"BULK-{i}" for i in range(5)}
    assert found("zzs3") == {"BULK-3"}
    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE inventory_asset SET serial_number = 'RAWSERIAL' WHERE asset_tag = 'BULK-3'"
        )
    assert found("zzs3") == set()
    assert found("rawserial") == {"BULK-3"}
    Asset.objects.filter(asset_tag__startswith="BULK-").exclude(asset_tag="BULK-0").delete()
    assert found("bulk-") == {"BULK-0"}


def test_a_renamed_holder_is_found_by_the_new_name():
    municipality = factories.make_municipality()
    person = factories.make_person(municipality, first_name="Oldfirst", last_name="Oldlast")
    asset = factories.make_asset(asset_tag="HELD-1")
    assign_asset(asset=asset, municipality=municipality, person=person, valid_from=D(2025, 1, 1))
    assert found("oldlast") == {"HELD-1"}
    person.last_name = "Newlast"
    person.save()
    assert found("oldlast") == set()
    assert found("newlast oldfirst") == {"HELD-1"}
    assert ids(search_persons(Person.objects.all(), "newlast")) == {person.pk}


@pytest.mark.parametrize("index_after_from", [1000, 2])
def test_an_asset_import_is_searchable_at_once(municipality_a, monkeypatch, index_after_from):
    """The import engine writes in bulk (and, for speed, sometimes raw): its rows and the
    persons it adds are indexed — by the triggers for a few rows, set-based after them for
    many (``INDEX_AFTER_FROM``, lowered here so that three rows take that path too)."""
    from django.test.utils import CaptureQueriesContext

    from samdrift.core.importing import importer

    monkeypatch.setattr(importer, "INDEX_AFTER_FROM", index_after_from)
    build_importing_world(municipality_a)
    rows = [SNIPE_IT_HEADER, *(snipe_it_row(n) for n in range(1, 4))]
    with CaptureQueriesContext(connection) as queries:
        result = run_import(
            importer=importer_class("assets"),
            data=xlsx_bytes(rows),
            filename="snipe-it.xlsx",
            municipality=municipality_a,
            on=D(2026, 1, 5),
        )
    assert result.ok, result.errors
    dropped = [q["sql"] for q in queries.captured_queries if q["sql"].startswith("DROP TRIGGER")]
    set_based = connection.vendor == "sqlite" and index_after_from == 2
    assert len(dropped) == (2 if set_based else 0)  # the assets' and the persons'
    imported = Asset.objects.get(asset_tag="FV000002")
    assert found("fv000002") == {"FV000002"}
    assert found(imported.serial_number.lower()) == {"FV000002"}
    assert found("pc-00002") == {"FV000002"}
    holder = imported.person
    assert ids(search_persons(Person.objects.all(), holder.username)) == {holder.pk}
    assert "FV000002" in found(f"{holder.first_name} {holder.last_name}")


def _search_triggers() -> set[str]:
    with connection.cursor() as cursor:
        cursor.execute("SELECT name, sql FROM sqlite_master WHERE type = 'trigger'")
        return {f"{name}: {sql}" for name, sql in cursor.fetchall() if "_search_" in name}


@pytest.mark.skipif(connection.vendor != "sqlite", reason="SQLite's FTS5 triggers")
def test_rows_inserted_with_the_index_deferred_are_indexed_after_and_the_trigger_is_back():
    """``inserts_indexed_after`` drops the insert trigger for the block and indexes the
    block's rows at its end, set-based: afterwards the index finds them, later inserts
    are indexed by the trigger again (the same trigger, as the migration made it), and
    FTS5's own integrity check passes."""
    from django.db import transaction

    from samdrift.inventory.search import ASSET_INDEX

    factories.make_asset(asset_tag="BEFORE-1", name="Older")
    triggers = _search_triggers()
    with transaction.atomic(), core_search.inserts_indexed_after([ASSET_INDEX]):
        for n in range(3):
            factories.make_asset(asset_tag=f"DURING-{n}", name="Kiosk")
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT count(*) FROM sqlite_master WHERE name = %s", ["inventory_asset_search_ai"]
            )
            assert cursor.fetchone()[0] == 0  # indexed at the end, not row by row
    assert _search_triggers() == triggers
    factories.make_asset(asset_tag="AFTER-1", name="Kiosk")
    assert found("kiosk") == {"DURING-0", "DURING-1", "DURING-2", "AFTER-1"}
    assert found("older") == {"BEFORE-1"}
    with connection.cursor() as cursor:
        cursor.execute(
            "INSERT INTO inventory_asset_search(inventory_asset_search, rank) "
            "VALUES ('integrity-check', 1)"
        )


@pytest.mark.skipif(connection.vendor != "sqlite", reason="SQLite's FTS5 triggers")
def test_a_failed_block_leaves_the_trigger_and_the_index_as_they_were():
    from django.db import transaction

    from samdrift.inventory.search import ASSET_INDEX

    triggers = _search_triggers()
    with (
        pytest.raises(ZeroDivisionError),
        transaction.atomic(),
        core_search.inserts_indexed_after([ASSET_INDEX]),
    ):
        factories.make_asset(asset_tag="LOST-1", name="Kiosk")
        1 / 0  # noqa: B018
    assert _search_triggers() == triggers
    factories.make_asset(asset_tag="KEPT-1", name="Kiosk")
    assert found("kiosk") == {"KEPT-1"}


@pytest.mark.django_db(transaction=True)
def test_deferring_the_index_needs_a_transaction():
    from samdrift.inventory.search import ASSET_INDEX

    if connection.vendor != "sqlite":
        with core_search.inserts_indexed_after([ASSET_INDEX]):
            pass  # PostgreSQL keeps its own index: nothing to defer
        return
    with pytest.raises(RuntimeError), core_search.inserts_indexed_after([ASSET_INDEX]):
        pass


@pytest.mark.django_db
def test_the_search_triggers_survive_every_migration():
    """On SQLite a migration that alters a column of a searched table remakes it and
    drops its triggers; such a migration must end with ``rebuild_operation``. On
    PostgreSQL the trigram index must be there."""
    from django.db import connection

    tables = ("inventory_asset", "organisations_person")
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute("SELECT name FROM sqlite_master WHERE type = 'trigger'")
            wanted = {f"{t}_search_{event}" for t in tables for event in ("ai", "ad", "au")}
        else:
            cursor.execute("SELECT indexname FROM pg_indexes WHERE schemaname = 'public'")
            wanted = {f"{t}_search_trgm" for t in tables}
            wanted.add("organisations_person_search_names_trgm")
        found = {row[0] for row in cursor.fetchall()}
    assert wanted <= found


@pytest.mark.django_db
def test_a_holder_is_looked_for_on_the_names_own_index():
    """PostgreSQL: the holder search's condition is the expression the names' own
    index holds, so the index can answer it: among 20,000 persons whose e-mail has the
    word and 3 whose name has it, the plan reads that index."""
    from samdrift.organisations.search import holder_ids

    if connection.vendor != "postgresql":
        pytest.skip("PostgreSQL's trigram indexes")
    municipality = factories.make_municipality()
    Person.objects.bulk_create(
        Person(
            municipality=municipality,
            username=f"p{n}",
            first_name="Kari" if n > 2 else "Ole",
            last_name=f"Nordmann{n}",
            email=f"skole{n}@example.no",
            active_from=D(2023, 1, 1),
        )
        for n in range(20_000)
    )
    sql, params = holder_ids("ole")
    with connection.cursor() as cursor:
        # The bulk insert waits in the GIN index's pending list, which the planner
        # prices as a scan; a table filled over time has it merged by autovacuum.
        cursor.execute(
            "SELECT gin_clean_pending_list('organisations_person_search_names_trgm'::regclass)"
        )
        cursor.execute("ANALYZE organisations_person")
        cursor.execute(f"EXPLAIN {sql}", params)
        plan = "\n".join(row[0] for row in cursor.fetchall())
        cursor.execute(sql, params)
        found = {row[0] for row in cursor.fetchall()}
    assert "organisations_person_search_names_trgm" in plan
    assert found == set(Person.objects.filter(first_name="Ole").values_list("pk", flat=True))

"""Keyset pagination (core.keyset) in the API and on the list pages: every row exactly
once walking ``next`` through ties and NULLs, ``previous`` walks the same pages back,
a cursor never shows another municipality's rows, and a forged cursor is a 400 (API) or
the first page (list page), never a 500."""

from __future__ import annotations

import base64
import datetime
import json

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from samdrift.core.choices import Role
from samdrift.core.keyset import count_rows, keyset_for
from samdrift.inventory.models import Asset
from samdrift.organisations.models import Person
from samdrift.ui import lists
from tests import factories

pytestmark = pytest.mark.django_db

STATUSES = ["deployed", "in_stock", "in_repair"]


@pytest.fixture
def data():
    a = factories.make_municipality(name="Fjordvik")
    b = factories.make_municipality(name="Elvdal")
    product = factories.make_product()
    # B's assets first: their tags sort before A's, so a cursor from one of them has
    # A's rows after it.
    for _ in range(5):
        asset = factories.make_asset(product, status="deployed")
        Asset.objects.filter(pk=asset.pk).update(municipality=b)
    for i in range(23):
        # Three statuses (ties), every third planned replacement unset (NULLs), two
        # assets on each day (ties again).
        planned = None if i % 3 == 0 else datetime.date(2027, 1, 1 + i // 2)
        asset = factories.make_asset(product, status=STATUSES[i % 3], planned_replacement=planned)
        Asset.objects.filter(pk=asset.pk).update(municipality=a)
    for i in range(30):
        # The same names over and over: the sort key ties, only the pk tells them apart.
        factories.make_person(a, last_name=f"Hansen{i % 2}", first_name="Kari")
    factories.make_person(b, last_name="Hansen0", first_name="Kari")
    return {
        "a": a,
        "b": b,
        "operator": factories.make_user(Role.OPERATOR),
        "contact_a": factories.make_user(Role.MUNICIPALITY, municipality=a),
    }


def walk_api(client, url: str) -> list[list[int]]:
    pages = []
    while url:
        response = client.get(url)
        assert response.status_code == 200, response.content
        body = response.json()
        assert body["count_is_estimate"] is False
        pages.append([row["id"] for row in body["results"]])
        url = body["next"]
    return pages, body


def walk_api_back(client, url: str) -> list[list[int]]:
    pages = []
    while url:
        body = client.get(url).json()
        pages.append([row["id"] for row in body["results"]])
        url = body["previous"]
    return pages


@pytest.mark.parametrize(
    "ordering", ["status", "-status", "planned_replacement", "-planned_replacement", ""]
)
def test_api_walks_every_row_once_in_the_database_order(data, ordering):
    client = factories.api_as(data["operator"])
    whole = client.get("/api/assets/", {"ordering": ordering, "page_size": 1000}).json()
    expected = [row["id"] for row in whole["results"]]
    assert len(expected) == 28 and whole["next"] is None
    pages, last = walk_api(client, f"/api/assets/?ordering={ordering}&page_size=4")
    assert [pk for page in pages for pk in page] == expected
    assert all(len(page) == 4 for page in pages)
    # Back from the last page, by ``previous``: the same pages in reverse.
    back = walk_api_back(client, last["previous"])
    assert back == pages[-2::-1]


def test_api_walks_persons_with_tied_names(data):
    client = factories.api_as(data["operator"])
    pages, _ = walk_api(client, "/api/persons/?page_size=5")
    seen = [pk for page in pages for pk in page]
    expected = list(
        Person.objects.order_by("last_name", "first_name", "pk").values_list("pk", flat=True)
    )
    assert seen == expected and len(seen) == 31


def test_api_numbered_pages_still_work(data):
    client = factories.api_as(data["operator"])
    body = client.get("/api/assets/", {"page": 2, "page_size": 10}).json()
    expected = list(Asset.objects.order_by("asset_tag", "pk").values_list("pk", flat=True))
    assert [row["id"] for row in body["results"]] == expected[10:20]
    assert body["count"] == 28 and body["count_is_estimate"] is False
    assert "page=3" in body["next"]


def test_a_cursor_never_reveals_another_municipalitys_rows(data):
    client = factories.api_as(data["contact_a"])
    pages, _ = walk_api(client, "/api/assets/?page_size=4")
    own = set(Asset.objects.filter(municipality=data["a"]).values_list("pk", flat=True))
    assert sorted(pk for page in pages for pk in page) == sorted(own)
    # A cursor made from municipality B's first asset: only A's rows after it.
    keyset = keyset_for(Asset.objects.order_by("asset_tag", "pk"))
    b_first = keyset.ordered().filter(municipality=data["b"]).first()
    body = client.get("/api/assets/", {"cursor": keyset.cursor(b_first)}).json()
    shown = {row["id"] for row in body["results"]}
    assert shown and shown <= own
    assert body["count"] == len(own)


def forged(payload) -> str:
    raw = json.dumps(payload).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


@pytest.mark.parametrize(
    "cursor",
    [
        "garbage!!",
        "e30",  # {}
        forged(["a", 1]),
        forged({"o": "asset_tag,pk", "k": ["T1"], "b": False}),  # too few values
        forged({"o": "status,pk", "k": ["x", 1], "b": False}),  # another ordering
        forged({"o": "asset_tag,pk", "k": ["T1", "not a number"], "b": False}),
        forged({"o": "asset_tag,pk", "k": ["T1", 10**30], "b": False}),
        base64.urlsafe_b64encode(b'{"o": "asset_tag,pk", "k": [1.5, NaN], "b": false}').decode(),
        forged({"o": "asset_tag,pk", "k": [{"x": 1}, 1], "b": False}),
        forged({"o": "asset_tag,pk", "k": ["T1", 1], "b": "yes"}),
    ],
)
def test_a_forged_cursor_is_a_clear_400(data, cursor):
    client = factories.api_as(data["operator"])
    response = client.get("/api/assets/", {"cursor": cursor})
    assert response.status_code == 400
    assert "cursor" in response.json()


def test_a_bad_date_in_a_cursor_is_a_400(data):
    client = factories.api_as(data["operator"])
    cursor = forged({"o": "planned_replacement,pk", "k": ["2027-13-45", 1], "b": False})
    response = client.get("/api/assets/", {"ordering": "planned_replacement", "cursor": cursor})
    assert response.status_code == 400 and "cursor" in response.json()


def test_counts_beyond_the_limit_are_estimated_on_postgresql_only(data):
    count, estimate = count_rows(Asset.objects.all(), limit=5)
    if connection.vendor == "postgresql":
        assert estimate is True and count >= 6
    else:
        assert (count, estimate) == (28, False)
    assert count_rows(Asset.objects.all(), limit=100) == (28, False)


# --- The list pages --------------------------------------------------------------------


def walk_page(client, url: str, key: str) -> tuple[list[list[int]], object]:
    pages = []
    while url:
        response = client.get(url)
        assert response.status_code == 200
        pages.append([row.pk for row in response.context["rows"]])
        url = response.context["page_links"][key]
        if url:
            url = response.wsgi_request.path + url
    return pages, response


@pytest.mark.parametrize("sort", ["status", "-status", "planned_replacement", "-asset_tag"])
def test_list_page_walks_every_row_once(data, sort):
    client = factories.client_for(data["operator"])
    base = reverse("inventory:asset_list")
    whole = client.get(base, {"sort": sort, "per_page": 100}).context["rows"]
    expected = [row.pk for row in whole]
    pages, last = walk_page(client, f"{base}?sort={sort}&per_page=25", "next")
    assert [pk for page in pages for pk in page] == expected
    assert last.context["page"].number == 2
    back, first = walk_page(client, base + last.context["page_links"]["previous"], "previous")
    assert back == pages[-2::-1] and first.context["page"].number == 1


def test_list_page_rows_are_found_by_pk_first(data):
    """A page of a joined list finds its rows' pks first (``core.keyset.rows_of``), then
    loads those rows with their joins: numbered and cursor pages alike, with the same rows
    in the same order as the joined query gives."""

    client = factories.client_for(data["operator"])
    url = reverse("inventory:asset_list") + "?sort=status&per_page=25&page=2"
    with CaptureQueriesContext(connection) as queries:
        numbered = client.get(url)
    expected = list(Asset.objects.select_related("person").order_by("status", "pk")[25:50])
    assert [r.pk for r in numbered.context["rows"]] == [a.pk for a in expected]
    ids = [q["sql"] for q in queries.captured_queries if "OFFSET 25" in q["sql"]]
    assert len(ids) == 1 and "JOIN" not in ids[0], ids
    first = client.get(reverse("inventory:asset_list") + "?sort=status&per_page=25")
    cursor_url = reverse("inventory:asset_list") + first.context["page_links"]["next"]
    with CaptureQueriesContext(connection) as queries:
        following = client.get(cursor_url)
    walks = [
        q["sql"]
        for q in queries.captured_queries
        if '"inventory_asset"' in q["sql"] and "LIMIT 26" in q["sql"]
    ]
    assert len(walks) == 1 and "JOIN" not in walks[0], walks
    assert [r.pk for r in following.context["rows"]] == [a.pk for a in expected]


@pytest.mark.parametrize("cursor", ["garbage", forged({"o": "x", "k": [], "b": False})])
def test_list_page_with_a_bad_cursor_shows_the_first_page(data, cursor):
    client = factories.client_for(data["operator"])
    response = client.get(reverse("inventory:asset_list"), {"cursor": cursor})
    assert response.status_code == 200
    first = Asset.objects.order_by("asset_tag", "pk").values_list("pk", flat=True)[:50]
    assert [r.pk for r in response.context["rows"]] == list(first)


def test_list_page_cursor_keeps_to_the_municipality(data):
    client = factories.client_for(data["contact_a"])
    keyset = keyset_for(Asset.objects.order_by("asset_tag", "pk"))
    b_first = keyset.ordered().filter(municipality=data["b"]).first()
    response = client.get(
        reverse("inventory:asset_list"), {"cursor": keyset.cursor(b_first), "page": 2}
    )
    assert response.status_code == 200
    shown = {r.municipality_id for r in response.context["rows"]}
    assert shown <= {data["a"].pk}


@pytest.mark.parametrize("name", ["inventory:asset_list", "organisations:person_list"])
def test_list_page_query_counts_are_pinned(data, name, django_assert_num_queries):
    """Session, user, count, the rows (their ids, then the rows with their joins), the
    user's list settings, whether the service areas
    are too many to offer unnarrowed, and the filter choices (assets: municipality,
    service area, category, product, and the replacement rules of the products shown):
    the same for the first page, a cursor page and a numbered
    page, whatever the number of rows."""
    client = factories.client_for(data["operator"])
    url = reverse(name)
    first = client.get(url, {"per_page": 25})
    next_url = url + first.context["page_links"]["next"]
    expected = {"inventory:asset_list": 12, "organisations:person_list": 9}[name]
    for target in (url, next_url, url + "?page=2&per_page=25"):
        with django_assert_num_queries(expected):
            assert client.get(target).status_code == 200


def test_service_areas_are_offered_once_a_municipality_is_chosen_when_too_many(data, monkeypatch):
    area_a = factories.make_service_area(data["a"], name="Oppvekst")
    area_b = factories.make_service_area(data["b"], name="Helse")
    client = factories.client_for(data["operator"])
    url = reverse("inventory:asset_list")

    def offered(response):
        return set(response.context["filter_form"].fields["service_area"].queryset)

    assert offered(client.get(url)) >= {area_a, area_b}  # a short list stays whole
    monkeypatch.setattr(lists, "MAX_UNNARROWED", 1)
    assert offered(client.get(url)) == set()
    assert offered(client.get(url, {"service_area": area_b.pk})) == {area_b}
    assert offered(client.get(url, {"municipality": data["a"].pk})) == {area_a}

"""The global search (``ui.search``): tenancy, ranking, the exact-match jump, empty and
garbage queries, and a query count that does not grow with the data.

The world is tests/worlds.py's small world: Fjordvik (A, 4601) with assets
T4601-000… held by persons 4601-p0…, Elvdal (B, 4602) likewise; invoices are made here."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from samdrift.billing.models import BillingPeriod, BillingRun, Invoice, InvoiceLine
from samdrift.core.choices import Role
from samdrift.organisations.models import Person
from samdrift.ui import search
from tests import factories
from tests.factories import client_for
from tests.worlds import build_small_world, grow_small_world

pytestmark = pytest.mark.django_db

URL = "/search/"


def make_invoice(
    world, municipality, area, *, number: str, kid: str, month=datetime.date(2026, 11, 1)
) -> Invoice:
    period, _ = BillingPeriod.objects.get_or_create(month=month)
    run = BillingRun.objects.create(period=period, started_at=timezone.now())
    invoice = Invoice.objects.create(
        period=period,
        municipality=municipality,
        run=run,
        status="issued",
        series="FRI",
        fiscal_year=2026,
        sequence=int(number[-3:]),
        number=number,
        kid=kid,
        net_total=Decimal("100.00"),
        vat_total=Decimal("25.00"),
        gross_total=Decimal("125.00"),
        charge_count=1,
    )
    InvoiceLine.objects.create(
        invoice=invoice,
        line_number=1,
        service_area=area,
        source="asset",
        product=world.laptop,
        description="Laptop",
        units=Decimal(1),
        quantity=Decimal(1),
        unit_price=Decimal("100.00"),
        net_amount=Decimal("100.00"),
        vat_rate=Decimal("25.00"),
        vat_category="S",
        vat_amount=Decimal("25.00"),
        charge_count=1,
    )
    return invoice


@pytest.fixture
def world():
    world = build_small_world(rows=3)
    world.invoice_a = make_invoice(
        world, world.municipality_a, world.area_a, number="FRI-2026-000001", kid="46012600000011"
    )
    world.invoice_a2 = make_invoice(
        world,
        world.municipality_a,
        world.area_a2,
        number="FRI-2026-000002",
        kid="46012600000029",
        month=datetime.date(2026, 12, 1),
    )
    world.invoice_b = make_invoice(
        world, world.municipality_b, world.area_b, number="FRI-2026-000003", kid="46022600000035"
    )
    return world


def users(world) -> dict:
    return {
        "operator": factories.make_user(Role.OPERATOR),
        "contact_a": factories.make_user(Role.MUNICIPALITY, municipality=world.municipality_a),
        "contact_b": factories.make_user(Role.MUNICIPALITY, municipality=world.municipality_b),
        "manager_a2": factories.make_user(
            Role.SERVICE_AREA, municipality=world.municipality_a, service_area=world.area_a2
        ),
    }


def titles(response, kind: str) -> list[str]:
    for group in response.context["groups"]:
        if group.kind == kind:
            return [hit.title for hit in group.hits]
    return []


def test_anonymous_is_sent_to_the_login(client):
    response = client.get(URL, {"q": "T4601"})
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_header_box_is_labelled_and_without_inline_script(world):
    html = client_for(users(world)["operator"]).get(reverse("home")).content.decode()
    assert 'role="search"' in html
    assert '<label for="header-search-q"' in html
    assert 'id="header-search-q" name="q"' in html
    assert "<script>" not in html and "onclick" not in html and "onsubmit" not in html


def test_devices_by_tag_prefix_respect_tenancy(world):
    logins = users(world)
    expected_a = ["T4601-000", "T4601-001", "T4601-002"]
    assert titles(client_for(logins["operator"]).get(URL, {"q": "t46"}), "devices") == (
        [*expected_a, "T4602-000", "T4602-001"]
    )
    assert titles(client_for(logins["contact_a"]).get(URL, {"q": "T46"}), "devices") == expected_a
    assert titles(client_for(logins["contact_b"]).get(URL, {"q": "T4601"}), "devices") == []
    # The manager of A's second area holds none of the small world's devices.
    assert titles(client_for(logins["manager_a2"]).get(URL, {"q": "T4601"}), "devices") == []


def test_more_link_only_when_there_are_more(world):
    response = client_for(users(world)["operator"]).get(URL, {"q": "T46"})
    group = next(g for g in response.context["groups"] if g.kind == "devices")
    assert len(group.hits) == search.PER_KIND  # six match, five shown
    assert group.more_url == reverse("inventory:asset_list") + "?q=T46"
    response = client_for(users(world)["contact_a"]).get(URL, {"q": "T46"})
    group = next(g for g in response.context["groups"] if g.kind == "devices")
    assert group.more_url is None


def test_devices_by_holder_name_and_service_area_name(world):
    holder = Person.objects.get(username="4601-p1")  # holds T4601-001
    contact_a = client_for(users(world)["contact_a"])
    response = contact_a.get(URL, {"q": f"kari {holder.last_name}"})
    assert titles(response, "devices") == ["T4601-001"]
    assert titles(response, "persons") == [holder.full_name]
    response = contact_a.get(URL, {"q": "oppvekst"})  # A's first area holds A's devices
    assert titles(response, "devices") == ["T4601-000", "T4601-001", "T4601-002"]
    assert titles(response, "service_areas") == ["Oppvekst"]


def test_exact_tag_or_serial_jumps_to_the_device(world):
    asset = world.assets_a[2]
    operator = client_for(users(world)["operator"])
    detail = reverse("inventory:asset_detail", args=[asset.pk])
    for query in ("t4601-002", asset.serial_number, f"  {asset.asset_tag} "):
        response = operator.get(URL, {"q": query})
        assert response.status_code == 302, query
        assert response["Location"] == detail
    response = operator.get(URL, {"q": asset.asset_tag, "jump": "0"})
    assert response.status_code == 200
    assert titles(response, "devices") == [asset.asset_tag]


def test_no_jump_to_what_the_user_may_not_see(world):
    response = client_for(users(world)["contact_b"]).get(URL, {"q": world.assets_a[0].asset_tag})
    assert response.status_code == 200
    assert response.context["groups"] == []
    assert b'data-testid="search-nothing"' in response.content


def test_exact_matches_are_ranked_first(world):
    # A newer invoice whose number begins with an older one's: the exact one comes first
    # although the list is otherwise newest first.
    make_invoice(
        world,
        world.municipality_a,
        world.area_a,
        number="FRI-2026-0000010",
        kid="46012700000010",
        month=datetime.date(2027, 1, 1),
    )
    operator = client_for(users(world)["operator"])
    response = operator.get(URL, {"q": "FRI-2026-00000"})
    assert titles(response, "invoices") == [
        "FRI-2026-0000010",
        "FRI-2026-000002",
        "FRI-2026-000003",  # Elvdal before Fjordvik in the same month
        "FRI-2026-000001",
    ]
    response = operator.get(URL, {"q": "fri-2026-000001", "jump": "0"})
    group = next(g for g in response.context["groups"] if g.kind == "invoices")
    assert [(hit.title, hit.exact) for hit in group.hits] == [
        ("FRI-2026-000001", True),
        ("FRI-2026-0000010", False),
    ]
    # Without jump=0 the one exact hit is where the page goes.
    response = operator.get(URL, {"q": "fri-2026-000001"})
    assert response["Location"] == reverse("billing:invoice_detail", args=[world.invoice_a.pk])


def test_invoices_by_number_and_kid_respect_tenancy(world):
    logins = users(world)
    operator = client_for(logins["operator"])
    response = operator.get(URL, {"q": "46012600000029"})  # A's second invoice's KID
    assert response.status_code == 302
    assert response["Location"] == reverse("billing:invoice_detail", args=[world.invoice_a2.pk])
    assert titles(client_for(logins["contact_a"]).get(URL, {"q": "FRI-2026"}), "invoices") == [
        "FRI-2026-000002",  # newest first
        "FRI-2026-000001",
    ]
    assert titles(client_for(logins["contact_b"]).get(URL, {"q": "4601"}), "invoices") == []
    # A manager finds only the invoice with a line of their area, and sees no amount.
    response = client_for(logins["manager_a2"]).get(URL, {"q": "FRI-2026"})
    assert titles(response, "invoices") == ["FRI-2026-000002"]
    assert b"125" not in response.content and b"100,00" not in response.content


def test_persons_and_municipalities_respect_tenancy(world):
    logins = users(world)
    assert titles(client_for(logins["contact_b"]).get(URL, {"q": "4601-p"}), "persons") == []
    assert len(titles(client_for(logins["contact_a"]).get(URL, {"q": "4601-p"}), "persons")) == 3
    response = client_for(logins["contact_b"]).get(URL, {"q": "fjord"})
    assert titles(response, "municipalities") == []
    response = client_for(logins["operator"]).get(URL, {"q": "fjord"})
    assert titles(response, "municipalities") == ["Fjordvik"]
    # A municipality's number is exact: straight to its page.
    response = client_for(logins["operator"]).get(URL, {"q": "4602"})
    assert response.status_code == 302
    assert response["Location"] == reverse(
        "organisations:municipality_detail", args=[world.municipality_b.pk]
    )


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ("", None),
        ("   ", None),
        ("x", "at least 2 characters"),
        ("\x00\x01 ", None),
        ("\x00a\x00", "at least 2 characters"),
    ],
)
def test_empty_and_too_short_queries(world, query, message):
    response = client_for(users(world)["operator"]).get(URL, {"q": query})
    assert response.status_code == 200
    assert response.context["groups"] == []
    if message:
        assert message in response.context["error"]
    else:
        assert response.context["error"] is None


@pytest.mark.parametrize(
    "query",
    ["%%", "__", "a%_", "' OR 1=1 --", "<script>alert(1)</script>", "x\x00y", "é" * 500, "\\"],
)
def test_garbage_queries_answer_without_error(world, query):
    response = client_for(users(world)["operator"]).get(URL, {"q": query})
    assert response.status_code == 200
    assert response.context["groups"] == []
    assert b"<script>alert(1)</script>" not in response.content


def test_clean_query():
    assert search.clean_query("  T4601\t-000\n ") == "T4601 -000"
    assert search.clean_query("a\x00b") == "a b"
    assert len(search.clean_query("x" * 1000)) == search.MAX_LENGTH
    assert search.clean_query("\u200b\u200b ") == ""
    with pytest.raises(search.QueryError):
        search.clean_query("\u200bx")


# The header's "who" line reads the login's municipality and service area: one query each.
# A kind whose first matches are none ranks nothing: one query less (the manager of A's
# second area holds no device before the world grows, and no person ever).
@pytest.mark.parametrize(
    ("role", "before", "after"),
    [("operator", 10, 10), ("contact_a", 11, 11), ("manager_a2", 10, 11)],
)
def test_query_count_does_not_grow_with_rows(role, before, after, django_assert_num_queries):
    world = build_small_world(rows=3)
    make_invoice(world, world.municipality_a, world.area_a2, number="FRI-2026-000001", kid="1")
    login = users(world)[role]
    client = client_for(login)
    header = {"operator": 0, "contact_a": 1, "manager_a2": 2}[role]
    # Session, user; devices (exact, the first matches, then those ranked), invoices,
    # persons (the first matches, then those ranked), municipalities, service areas.
    with django_assert_num_queries(before):
        assert client.get(URL, {"q": "kari"}).status_code == 200
    grow_small_world(world, 30)
    with django_assert_num_queries(after):
        assert client.get(URL, {"q": "kari"}).status_code == 200
    # An exact device (grown into A's second area, so the manager's too): the rest of the
    # devices is not searched, and no person's first match leaves nothing to rank.
    with django_assert_num_queries(7 + header):
        response = client.get(URL, {"q": "G0000", "jump": "0"})
    assert titles(response, "devices") == ["G0000"]


# A word common in the fleet: only the first ``RANKED_MATCHES`` the index finds are ranked.


@pytest.fixture
def few_ranked(monkeypatch):
    def cap(n: int) -> None:
        monkeypatch.setattr("samdrift.core.search.RANKED_MATCHES", n)

    return cap


def test_typical_queries_find_what_the_full_ranking_finds(world):
    # The cap (1,000) is far above the small world's matches: the box shows exactly the
    # best of the full ranking, for every role.
    from samdrift.core.permissions import restrict
    from samdrift.inventory.models import Asset
    from samdrift.inventory.search import find_devices, search_assets
    from samdrift.organisations.search import find_persons, search_persons

    for login in users(world).values():
        for query in ("kari", "t46", "T4601-00", "oppvekst", "laptop", "4601-p", "ka"):
            assets = search_assets(restrict(Asset.objects.all(), login), query)
            expected = list(assets.values_list("asset_tag", flat=True)[:6])
            assert [hit.title for hit in find_devices(login, query, 6)] == expected, query
            persons = search_persons(restrict(Person.objects.all(), login), query)
            expected = [person.full_name for person in persons[:6]]
            assert [hit.title for hit in find_persons(login, query, 6)] == expected, query


def test_a_common_word_ranks_the_first_found_in_the_users_own_rows(world, few_ranked):
    few_ranked(3)
    logins = users(world)
    # The index finds A's devices first; B's contact still gets B's, not nothing.
    response = client_for(logins["contact_b"]).get(URL, {"q": "T46"})
    assert titles(response, "devices") == ["T4602-000", "T4602-001", "T4602-002"]
    response = client_for(logins["operator"]).get(URL, {"q": "T46"})
    assert titles(response, "devices") == ["T4601-000", "T4601-001", "T4601-002"]
    response = client_for(logins["contact_b"]).get(URL, {"q": "kari"})
    assert titles(response, "persons") == sorted(
        (p.full_name for p in Person.objects.filter(municipality=world.municipality_b)),
        key=lambda name: name.split()[-1],
    )


def test_a_username_equal_to_a_common_word_is_never_cut_off(world, few_ranked):
    few_ranked(2)
    # Every person of the small world is a Kari; this one, made last, is "kari" too.
    kari = factories.make_person(
        world.municipality_b, world.area_b, username="kari", first_name="Kari"
    )
    response = client_for(users(world)["operator"]).get(URL, {"q": "Kari", "jump": "0"})
    found = titles(response, "persons")
    assert found[0] == kari.full_name
    assert len(found) == 3  # the first two found, and the exact one

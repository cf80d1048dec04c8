"""bench/bench_scale.py on a small world: every page it would time is a URL of the
URLconf that answers 200 to the role it is timed for, deep pages are found by the list's
"next" link, and the figures are what the samples say. No timing is asserted."""

from __future__ import annotations

import datetime
import random
import sys
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from django.test import Client
from django.urls import resolve

from samdrift.billing.services.runs import bill_period
from samdrift.core.choices import Role
from samdrift.organisations.models import Municipality
from tests import factories
from tests.worlds import build_small_world

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "bench"))

import bench_scale

D = datetime.date


def test_percentiles_and_targets():
    samples = [n / 1000 for n in range(1, 21)]  # 1 … 20 ms
    figures = bench_scale.summary(samples)
    assert figures == {"n": 20, "p50_ms": 10.5, "p95_ms": 19.0, "max_ms": 20.0}
    assert bench_scale.within("api", figures) is True
    assert bench_scale.within("api", bench_scale.summary([0.2])) is False
    assert bench_scale.within("ui", {"n": 0}) is None


def test_query_and_next_link():
    assert bench_scale.with_query("/assets/?q=a&page=2", page=7) == "/assets/?q=a&page=7"
    assert bench_scale.with_query("/assets/?per_page=100&c=x", per_page=None) == "/assets/?c=x"
    page = '<a href="?page=1">1</a> <a href="?q=a&amp;cursor=abc" rel="next">Next</a>'
    assert bench_scale.next_link(page) == "?q=a&cursor=abc"
    assert bench_scale.next_link('<a href="?page=2">2</a>') is None


@pytest.mark.django_db
def test_every_page_answers_for_its_role():
    world = build_small_world(rows=30)  # 60 assets: two pages of 50 for the operator
    Municipality.objects.update(joined_on=D(2025, 1, 1))
    bill_period(month=D(2025, 1, 1))
    factories.make_user(Role.OPERATOR, username="admin")
    factories.make_user(Role.MUNICIPALITY, municipality=world.municipality_a)
    factories.make_user(
        Role.SERVICE_AREA, municipality=world.municipality_a, service_area=world.area_a
    )
    rng = random.Random(1)

    users, largest = bench_scale.find_users()
    assert largest == world.municipality_a  # the larger population
    assert set(users) == {"admin", "contact", "manager"}
    invoice = bench_scale.largest_invoice(largest)
    assert invoice is not None and invoice.period.month == D(2025, 1, 1)
    terms = bench_scale.search_terms(largest, rng, 2)
    assert {kind for kind, _term in terms} == {"asset tag", "serial", "last name", "username"}

    for role, user in users.items():
        client = Client()
        client.force_login(user)
        samples = bench_scale.detail_samples(user, largest, invoice, rng)
        listed = bench_scale.cases(client, user, role, samples, terms, rng, deep=2)
        labels = {case["label"] for case in listed}
        assert {"overview /", "asset detail", "billing month", "invoice"} <= labels, role
        assert ("API assets ?q=" in labels) == (role != "manager")
        for case in listed:
            for url in case["urls"]:
                resolve(urlsplit(url).path)  # raises Resolver404 for a URL not in the URLconf
            figures = bench_scale.time_case(client, case, repeat=1)
            assert figures["errors"] == [], (role, case["label"])
            assert figures["n"] == len(case["urls"])
    # The operator sees 60 assets, more than one page: numbered pages give page 2 (of 2);
    # keyset (cursor) pages, the page the "next" links lead to. Either way it answers.
    admin_client = Client()
    admin_client.force_login(users["admin"])
    deep = bench_scale.deep_pages(admin_client, "/assets/", 3, rng, api=False)
    assert deep == ["/assets/?page=2"] * 3 or (deep and all("page=" not in u for u in deep))
    deep_api = bench_scale.deep_pages(admin_client, "/api/assets/?page_size=25", 2, rng, api=True)
    numbered = {"page_size=25&page=2", "page_size=25&page=3"}
    assert deep_api and all(urlsplit(url).query in numbered or "cursor=" in url for url in deep_api)
    for url in deep + deep_api:
        assert admin_client.get(url).status_code == 200, url


def test_readme_table_from_results():
    page = {
        "n": 3,
        "cpu_p50_ms": 40.0,
        "p50_ms": 120.0,
        "p95_ms": 410.0,
        "max_ms": 500.0,
        "within_target": False,
    }
    entry = {
        "sequential": {
            "admin": {"user": "admin", "overview /": page},
            "contact": {
                "user": "c",
                "overview /": {**page, "p95_ms": 200.0, "within_target": True},
            },
        },
        "downloads": {
            "asset CSV, everything": {
                "first_byte_s": 0.02,
                "rows_per_s": 150000,
                "within_target": True,
            }
        },
        "import": {"rows_per_second": 7000, "within_target": False},
    }
    table = bench_scale.markdown({"sqlite-large": entry}, "large").splitlines()
    assert table[0] == "| what (ms) | sqlite p50 | p95 | cpu |"
    assert "| overview / | 120 ✗ | 410 ✗ | 40 |" in table
    assert "| contact: overview / | 120 | 200 | 40 |" in table
    assert (
        "| asset CSV, everything (first byte s; total s or rows/s) | 0.02 s | 150,000 rows/s |  |"
        in table
    )
    assert "| import, 100,000 CSV rows (rows/s) | 7,000 ✗ |  |  |" in table

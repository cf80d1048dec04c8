"""A ranked-everything search (the API's ``?q=``, the exports) and its common words
(``inventory.search``): a word in at most ``COLLECTED_MATCHES`` of the user's devices is
ranked (tag or serial equal to the query, then beginning with the first word, then tag
order); a word in more is listed in tag order, every match, page after page; of several
words, the first rare one is collected and the others tested on its rows."""

from __future__ import annotations

import datetime

import pytest

from samdrift.core import search as core_search
from samdrift.core.choices import Role
from samdrift.inventory.services.assignments import assign_asset
from tests import factories

pytestmark = pytest.mark.django_db
D = datetime.date


@pytest.fixture
def fleet():
    a = factories.make_municipality(name="Aby")
    b = factories.make_municipality(name="Bby")
    hansen = factories.make_person(a, first_name="Kari", last_name="Hansen")
    hansen_b = factories.make_person(b, first_name="Per", last_name="Hansen")
    devices = {
        # tag: (name, serial, municipality, holder)
        "ZZ-1": ("Chromebook 14", "S-ZZ1", a, None),
        "AA-2": ("HP Chromebook", "S-AA2", a, None),
        "MM-3": ("Chromebook x", "S-MM3", a, hansen),
        "BB-4": ("Laptop", "S-BB4", a, None),
        "CC-5": ("Tablet", "CHROMEBOOK", a, None),
        "DD-6": ("Chromebook", "S-DD6", b, hansen_b),
    }
    for tag, (name, serial, municipality, holder) in devices.items():
        asset = factories.make_asset(asset_tag=tag, name=name, serial_number=serial)
        assign_asset(
            asset=asset, municipality=municipality, person=holder, valid_from=D(2025, 1, 1)
        )
    return {
        "operator": factories.make_user(Role.OPERATOR),
        "contact_a": factories.make_user(Role.MUNICIPALITY, municipality=a),
        "contact_b": factories.make_user(Role.MUNICIPALITY, municipality=b),
    }


def tags(user, query: str, page_size: int = 2) -> tuple[list[str], int]:
    """Every tag the API lists for ``query``, following ``next`` page by page, and the
    count it gave."""
    client = factories.api_as(user)
    response = client.get("/api/assets/", {"q": query, "page_size": page_size})
    assert response.status_code == 200, response.content
    count, found = response.json()["count"], []
    while True:
        body = response.json()
        found += [row["asset_tag"] for row in body["results"]]
        if not body["next"]:
            return found, count
        response = client.get(body["next"])
        assert response.status_code == 200, response.content


def test_a_word_collected_is_ranked(fleet):
    # Serial equal to the query; then name beginning with it, by tag; then the rest.
    assert tags(fleet["operator"], "chromebook") == (["CC-5", "DD-6", "MM-3", "ZZ-1", "AA-2"], 5)
    assert tags(fleet["contact_a"], "chromebook") == (["CC-5", "MM-3", "ZZ-1", "AA-2"], 4)


def test_a_word_in_more_devices_than_are_collected_comes_in_tag_order(fleet, monkeypatch):
    monkeypatch.setattr(core_search, "COLLECTED_MATCHES", 3)
    assert tags(fleet["operator"], "chromebook") == (["AA-2", "CC-5", "DD-6", "MM-3", "ZZ-1"], 5)
    assert tags(fleet["contact_a"], "CHROMEBOOK") == (["AA-2", "CC-5", "MM-3", "ZZ-1"], 4)
    # Another municipality's devices never, by their text or their holder's name.
    assert tags(fleet["contact_b"], "chromebook") == (["DD-6"], 1)
    monkeypatch.setattr(core_search, "COLLECTED_MATCHES", 0)
    assert tags(fleet["contact_a"], "hansen") == (["MM-3"], 1)
    assert tags(fleet["contact_b"], "hansen") == (["DD-6"], 1)
    assert tags(fleet["operator"], "hansen", page_size=1) == (["DD-6", "MM-3"], 2)
    # Two characters: a word beginning with them, in the device's text.
    assert tags(fleet["operator"], "14") == (["ZZ-1"], 1)


def test_of_several_words_the_first_rare_one_is_collected(fleet, monkeypatch):
    monkeypatch.setattr(core_search, "COLLECTED_MATCHES", 3)
    # "chromebook" is in too many; "hansen" is collected, "chromebook" tested on its rows.
    assert tags(fleet["operator"], "chromebook hansen") == (["DD-6", "MM-3"], 2)
    assert tags(fleet["contact_a"], "chromebook hansen") == (["MM-3"], 1)
    assert tags(fleet["operator"], "hansen chromebook x") == (["MM-3"], 1)
    # No word rare enough: every word tested on each row, in tag order.
    monkeypatch.setattr(core_search, "COLLECTED_MATCHES", 0)
    assert tags(fleet["operator"], "chromebook hansen") == (["DD-6", "MM-3"], 2)
    assert tags(fleet["operator"], "chromebook 14") == (["ZZ-1"], 1)
    assert tags(fleet["operator"], "chromebook nothing") == ([], 0)

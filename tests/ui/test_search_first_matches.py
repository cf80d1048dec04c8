"""A list page searched for a common word ranks only the first matches the index finds
(``core.search.FirstMatches``) and says so; the export and the API still have every
match, and tenancy holds. The cap is lowered here so the small world has "many"."""

from __future__ import annotations

import csv
import io

import pytest

from samdrift.core.choices import Role
from samdrift.inventory.models import Asset
from tests import factories
from tests.factories import client_for
from tests.worlds import build_small_world

pytestmark = pytest.mark.django_db

ASSETS = "/assets/"
PERSONS = "/persons/"


@pytest.fixture
def world(monkeypatch):
    monkeypatch.setattr("samdrift.core.search.RANKED_MATCHES", 2)
    return build_small_world(rows=3)


def tags(response) -> list[str]:
    return [asset.asset_tag for asset in response.context["rows"]]


def test_a_common_word_shows_the_first_found_ranked_and_says_so(world):
    operator = client_for(factories.make_user(Role.OPERATOR))
    response = operator.get(ASSETS, {"q": "T46"})  # six match
    assert tags(response) == ["T4601-000", "T4601-001"]
    assert response.context["search_cut"] is True
    assert b'data-testid="search-cut"' in response.content
    # No more than the cap: every match, no notice.
    response = operator.get(ASSETS, {"q": "T4602-001"})
    assert tags(response) == ["T4602-001"]
    assert response.context["search_cut"] is False
    assert b'data-testid="search-cut"' not in response.content


def test_an_exact_tag_beyond_the_first_matches_is_kept_and_first(world):
    operator = client_for(factories.make_user(Role.OPERATOR))
    # Made last, so found last of the seven assets with "t46": yet it is the query.
    factories.make_asset(world.laptop, asset_tag="T46")
    response = operator.get(ASSETS, {"q": "t46"})
    assert tags(response) == ["T46", "T4601-000", "T4601-001"]
    assert response.context["search_cut"] is True


def test_a_contacts_cut_list_has_only_their_own_devices(world):
    contact_b = client_for(
        factories.make_user(Role.MUNICIPALITY, municipality=world.municipality_b)
    )
    response = contact_b.get(ASSETS, {"q": "T46"})
    assert tags(response) == ["T4602-000", "T4602-001"]
    assert response.context["search_cut"] is True


def test_the_export_and_the_api_have_every_match(world):
    operator = client_for(factories.make_user(Role.OPERATOR))
    response = operator.get(ASSETS, {"q": "T46", "export": "csv"})
    body = b"".join(response.streaming_content) if response.streaming else response.content
    rows = list(csv.reader(io.StringIO(body.decode("utf-8-sig"))))
    assert len(rows) - 1 == 6
    response = operator.get("/api/assets/", {"q": "T46"})
    assert response.json()["count"] == 6


def test_the_persons_list_is_cut_likewise(world):
    operator = client_for(factories.make_user(Role.OPERATOR))
    response = operator.get(PERSONS, {"q": "kari"})  # six Karis
    assert len(response.context["rows"]) == 2
    assert response.context["search_cut"] is True
    response = operator.get(PERSONS, {"q": "4602-p1"})
    assert [p.username for p in response.context["rows"]] == ["4602-p1"]
    assert response.context["search_cut"] is False


def test_a_rarer_word_after_a_common_one_finds_every_device_with_both(world):
    """ "T46 <a holder's last name>": the common word's first matches would hold at most
    one of them by chance; the rarer word is collected instead and the common one tested
    on its rows, so the list is complete and says nothing is cut."""
    operator = client_for(factories.make_user(Role.OPERATOR))
    held = Asset.objects.get(asset_tag="T4602-001")
    response = operator.get(ASSETS, {"q": f"T46 {held.person.last_name}"})
    assert tags(response) == ["T4602-001"]
    assert response.context["search_cut"] is False
    # Each word in more than the two shown, all of them in few enough to collect: every
    # device with both, ranked, and no notice.
    response = operator.get(ASSETS, {"q": "T46 kari"})
    assert tags(response) == [a.asset_tag for a in Asset.objects.order_by("asset_tag")][:6]
    assert len(response.context["rows"]) == 6
    assert response.context["search_cut"] is False


def test_words_all_too_common_to_collect_show_the_first_words_first_matches(world, monkeypatch):
    monkeypatch.setattr("samdrift.core.search.COLLECTED_MATCHES", 3)
    operator = client_for(factories.make_user(Role.OPERATOR))
    response = operator.get(ASSETS, {"q": "T46 kari"})
    assert tags(response) == ["T4601-000", "T4601-001"]
    assert response.context["search_cut"] is True


def test_the_persons_list_finds_every_person_with_several_words(world):
    operator = client_for(factories.make_user(Role.OPERATOR))
    # Six Karis, more than the two shown; with the username every person with both.
    response = operator.get(PERSONS, {"q": "kari 4602-p1"})
    assert [p.username for p in response.context["rows"]] == ["4602-p1"]
    assert response.context["search_cut"] is False
    # A word repeated is one word: its first matches only, cut.
    response = operator.get(PERSONS, {"q": "kari kari"})
    assert len(response.context["rows"]) == 2
    assert response.context["search_cut"] is True


def test_persons_words_all_too_common_to_collect_show_the_first_words_first_matches(
    world, monkeypatch
):
    operator = client_for(factories.make_user(Role.OPERATOR))
    complete = operator.get(PERSONS, {"q": "kari 4602"})
    karis_4602 = sorted(p.username for p in complete.context["rows"])
    assert karis_4602 and all(name.startswith("4602-") for name in karis_4602)
    assert complete.context["search_cut"] is False
    # "kari" and "4602" each in more than one person: the first two Karis the index
    # finds (both of 4601), narrowed by "4602" — none —, under the notice.
    monkeypatch.setattr("samdrift.core.search.COLLECTED_MATCHES", 1)
    first_karis = [p.username for p in operator.get(PERSONS, {"q": "kari"}).context["rows"]]
    assert first_karis == ["4601-p0", "4601-p1"]
    response = operator.get(PERSONS, {"q": "kari 4602"})
    assert list(response.context["rows"]) == []
    assert response.context["search_cut"] is True

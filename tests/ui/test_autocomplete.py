"""The search box over many rows (ui.autocomplete, ui.forms.AutocompleteSelect): the
endpoint offers only what the user may see, the form accepts an id of those and refuses
another municipality's with a field error, and the page lists no <option> per row."""

from __future__ import annotations

import pytest
from django.urls import reverse

from samdrift.core.choices import Role
from samdrift.inventory.forms import SubscriptionForm
from samdrift.ui import autocomplete
from samdrift.ui.forms import AutocompleteSelect
from tests import factories
from tests.worlds import build_small_world, grow_small_world

pytestmark = pytest.mark.django_db


def options(client, key, **params) -> list[str]:
    html = client.get(reverse("autocomplete", args=[key]), params).content.decode()
    return [part.split('"', 1)[0] for part in html.split('data-value="')[1:]]


def test_the_endpoint_offers_only_the_users_own(world, contact_a_client, operator_client):
    # Every person of the small world is a "Kari", three in each municipality.
    mine = sorted(str(p.pk) for p in world.municipality_a.persons.all())
    everyone = sorted(mine + [str(p.pk) for p in world.municipality_b.persons.all()])
    assert sorted(options(operator_client, "person", q="kari")) == everyone
    assert sorted(options(contact_a_client, "person", q="kari")) == mine
    # Asking for the other municipality is not a way round: nothing.
    assert options(contact_a_client, "person", q="kari", municipality=world.municipality_b.pk) == []
    assert options(contact_a_client, "person", q=world.person_b.username) == []
    assets = options(contact_a_client, "asset", q="T460")
    assert sorted(assets) == sorted(str(a.pk) for a in world.assets_a)


def test_words_narrow_and_short_queries_find_nothing(world, operator_client):
    assert options(operator_client, "person", q="k") == []
    page = operator_client.get(reverse("autocomplete", args=["person"]), {"q": "k"})
    assert "Type at least 2 characters" in page.content.decode()
    assert options(operator_client, "person", q="kari 4602-p1") == [
        str(world.municipality_b.persons.get(username="4602-p1").pk)
    ]
    assert options(operator_client, "person", q="kari", municipality="x") == []
    assert (
        operator_client.get(reverse("autocomplete", args=["nothing"]), {"q": "ab"}).status_code
        == 404
    )


def test_at_most_the_limit_is_offered(operator_client):
    world = build_small_world(rows=3)
    grow_small_world(world, autocomplete.LIMIT)
    assert len(options(operator_client, "person", q="kari")) == autocomplete.LIMIT


def subscription_data(world, person) -> dict:
    return {
        "service": world.service.pk,
        "municipality": world.municipality_a.pk,
        "person": person.pk,
        "quantity": 1,
        "valid_from": "2026-01-01",
    }


def test_the_form_accepts_an_own_id_and_refuses_another_municipalitys(world):
    contact = factories.make_user(Role.MUNICIPALITY, municipality=world.municipality_a)
    good = SubscriptionForm(subscription_data(world, world.person_a), user=contact)
    good.is_valid()
    assert "person" not in good.errors
    assert good.cleaned_data["person"] == world.person_a
    foreign = SubscriptionForm(subscription_data(world, world.person_b), user=contact)
    assert not foreign.is_valid()
    assert "valid choice" in foreign.errors["person"][0]


def test_the_page_lists_no_option_per_person_or_asset(operator_client):
    world = build_small_world(rows=3)
    grow_small_world(world, 60)
    html = operator_client.get(reverse("inventory:subscription_create")).content.decode()
    for name in ("person", "asset"):  # 66 persons, 66 assets: searched, not listed
        block = html[html.index(f'data-field="{name}"') :]
        block = block[: block.index("</div>")]
        assert "<option" not in block, name
        assert "data-autocomplete" in block, name
    assert "Nordmann" not in html  # no person listed (every one is a Nordmann)
    assert "G0010" not in html  # no asset listed


def test_the_chosen_row_is_shown_by_its_label(world):
    operator = factories.make_user(Role.OPERATOR)
    form = SubscriptionForm(initial={"person": world.person_a.pk}, user=operator)
    html = str(form["person"])
    assert f'value="{world.person_a.pk}"' in html
    assert f'value="{world.person_a} – {world.municipality_a}"' in html
    assert reverse("autocomplete", args=["person"]) in html


def test_the_widget_pins_its_filters_in_the_url():
    widget = AutocompleteSelect("person", params={"municipality": 7})
    context = widget.get_context("person", None, {"id": "id_person"})
    assert context["widget"]["url"] == reverse("autocomplete", args=["person"]) + "?municipality=7"


def test_locations_are_searched_for_within_what_the_user_may_see(
    world, contact_a_client, operator_client
):
    site_a = factories.make_location(world.municipality_a, name="Sentrum skole")
    site_b = factories.make_location(world.municipality_b, name="Sentrum sjukeheim")
    assert sorted(options(operator_client, "location", q="sentrum")) == sorted(
        [str(site_a.pk), str(site_b.pk)]
    )
    assert options(contact_a_client, "location", q="sentrum") == [str(site_a.pk)]
    assert options(
        operator_client, "location", q="sentrum", municipality=world.municipality_b.pk
    ) == [str(site_b.pk)]
    html = operator_client.get(
        reverse("autocomplete", args=["location"]), {"q": "sjukeheim"}
    ).content.decode()
    assert f"{world.municipality_b} – Sentrum sjukeheim" in html


def _field_block(html: str, name: str) -> str:
    block = html[html.index(f'data-field="{name}"') :]
    return block[: block.index("</div>")]


def test_forms_search_for_locations_instead_of_listing_every_one(operator_client):
    # The collaboration's locations run to thousands at the design scale: a blank form
    # (no municipality chosen yet) searches for one instead of listing them all, and
    # reads no location at all; once the municipality is chosen, its own are listed.
    world = build_small_world(rows=3)
    grow_small_world(world, 30)
    for url in (
        reverse("inventory:subscription_create"),
        reverse("inventory:usage_create"),
        reverse("organisations:person_create"),
    ):
        html = operator_client.get(url).content.decode()
        block = _field_block(html, "location")
        assert "<option" not in block, url
        assert "data-autocomplete" in block, url
        assert "Site G1" not in html, url
    chosen = operator_client.get(
        reverse("organisations:person_create"), {"municipality": world.municipality_a.pk}
    ).content.decode()
    block = _field_block(chosen, "location")
    assert "Site G29" in block and "<option" in block


def test_the_blank_person_form_reads_the_same_rows_however_many_locations(
    operator_client, django_assert_num_queries
):
    world = build_small_world(rows=3)
    url = reverse("organisations:person_create")
    # Session, user, the municipalities and the service areas (still a list: hundreds,
    # not thousands): no query for the locations (the list read all 2,644 before).
    with django_assert_num_queries(4):
        few = operator_client.get(url)
    grow_small_world(world, 30)
    with django_assert_num_queries(4):
        many = operator_client.get(url)
    assert few.status_code == many.status_code == 200

"""Every page renders for an operator; a municipality contact sees only their own
municipality (another one's URL, filter or export is a 404 or simply absent)."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

from samdrift.core.choices import Role
from tests import factories
from tests.factories import client_for
from tests.worlds import grow_small_world


def page_urls(world) -> list[str]:
    asset, person = world.assets_a[0], world.person_a
    return [
        reverse("home"),
        reverse("organisations:municipality_list"),
        reverse("organisations:municipality_detail", args=[world.municipality_a.pk]),
        reverse("organisations:service_area_list"),
        reverse("organisations:location_list"),
        reverse("organisations:person_list"),
        reverse("organisations:person_detail", args=[person.pk]),
        reverse("inventory:asset_list"),
        reverse("inventory:asset_detail", args=[asset.pk]),
        reverse("catalogue:product_list"),
        reverse("catalogue:service_list"),
        reverse("catalogue:price_list"),
    ]


def write_urls(world) -> list[str]:
    asset, person = world.assets_a[0], world.person_a
    return [
        reverse("inventory:asset_create"),
        reverse("inventory:asset_edit", args=[asset.pk]),
        reverse("inventory:asset_assign", args=[asset.pk]),
        reverse("organisations:person_create"),
        reverse("organisations:person_edit", args=[person.pk]),
        reverse("organisations:service_area_create"),
        reverse("organisations:service_area_edit", args=[world.area_a.pk]),
    ]


def test_anonymous_is_sent_to_sign_in(client, world):
    for url in page_urls(world) + write_urls(world):
        response = client.get(url)
        assert response.status_code == 302, url
        assert response["Location"].startswith(reverse("login"))


def test_operator_sees_every_page(operator_client, world):
    for url in page_urls(world) + write_urls(world):
        response = operator_client.get(url)
        assert response.status_code == 200, url
        assert b"<h1>" in response.content


def test_header_shows_user_role_and_municipality(contact_a_client):
    html = contact_a_client.get(reverse("home")).content.decode()
    assert 'class="who-name">contact-fjordvik<' in html
    assert "Municipality contact" in html
    assert 'class="who-municipality">Fjordvik<' in html


@pytest.mark.parametrize("role", [Role.FINANCE, Role.READ_ONLY])
def test_readers_see_everything_but_cannot_write(world, role):
    client = client_for(factories.make_user(role))
    for url in page_urls(world):
        assert client.get(url).status_code == 200, url
    for url in write_urls(world):
        assert client.get(url).status_code == 403, url
    html = client.get(reverse("inventory:asset_detail", args=[world.assets_a[0].pk])).content
    assert b'data-testid="assign-asset"' not in html


def test_contact_reaches_own_pages_only(contact_a_client, world):
    for url in page_urls(world):
        assert contact_a_client.get(url).status_code == 200, url
    for url in write_urls(world):
        assert contact_a_client.get(url).status_code == 403, url
    other = [
        reverse("organisations:municipality_detail", args=[world.municipality_b.pk]),
        reverse("organisations:person_detail", args=[world.person_b.pk]),
        reverse("inventory:asset_detail", args=[world.assets_b[0].pk]),
        reverse("inventory:asset_list") + f"?municipality={world.municipality_b.pk}",
        reverse("inventory:asset_list") + f"?service_area={world.area_b.pk}",
        reverse("organisations:person_list") + f"?service_area={world.area_b.pk}",
        reverse("inventory:asset_list") + f"?person={world.person_b.pk}",
    ]
    for url in other:
        response = contact_a_client.get(url)
        assert response.status_code == 404, url
        assert b'data-testid="not-found"' in response.content


def test_contact_sees_no_other_municipality_anywhere(contact_a_client, world):
    other_names = [world.municipality_b.name, world.area_b.name, world.person_b.username]
    other_tags = [a.asset_tag for a in world.assets_b]
    urls = [
        *page_urls(world),
        reverse("inventory:asset_list") + "?export=csv",
        reverse("organisations:person_list") + "?export=csv",
        reverse("organisations:service_area_list") + "?export=csv",
        reverse("organisations:municipality_list") + "?export=csv",
        reverse("organisations:location_list") + "?export=csv",
    ]
    for url in urls:
        response = contact_a_client.get(url)
        body = b"".join(response.streaming_content) if response.streaming else response.content
        text = body.decode("utf-8-sig")
        for forbidden in other_names + other_tags:
            assert forbidden not in text, (url, forbidden)
    assert (
        world.assets_a[0].asset_tag
        in contact_a_client.get(reverse("inventory:asset_list")).content.decode()
    )


def test_contact_does_not_see_earlier_holders_or_their_changes(world, operator):
    """An asset moved from B to A: A's contact sees A's assignment and changes only."""
    import datetime

    from samdrift.inventory.services import assign_asset

    asset = world.assets_b[1]
    assign_asset(
        asset=asset, municipality=world.municipality_a, valid_from=datetime.date(2025, 1, 1)
    )
    contact = factories.make_user(Role.MUNICIPALITY, municipality=world.municipality_a)
    html = client_for(contact).get(reverse("inventory:asset_detail", args=[asset.pk])).content
    text = html.decode()
    assert "Fjordvik" in text
    assert world.municipality_b.name not in text
    assert world.area_b.name not in text
    assert world.person_b.username not in text and "4602-p1" not in text


def test_service_area_manager_sees_own_service_area_only(world):
    manager = factories.make_user(
        Role.SERVICE_AREA, municipality=world.municipality_a, service_area=world.area_a
    )
    # A username no random token (CSRF) can contain: it has characters outside [A-Za-z0-9].
    other_area_person = factories.make_person(
        world.municipality_a, world.area_a2, username="other-area.person"
    )
    client = client_for(manager)
    assert (
        client.get(reverse("organisations:person_detail", args=[other_area_person.pk])).status_code
        == 404
    )
    persons = client.get(reverse("organisations:person_list")).content.decode()
    assert "other-area.person" not in persons and world.person_a.username in persons


def test_municipality_detail_cost_per_month(operator_client, world):
    """3 laptops at 1 234,50 and one workplace subscription at 250 = 3 953,50 a month."""
    html = operator_client.get(
        reverse("organisations:municipality_detail", args=[world.municipality_a.pk]),
        HTTP_ACCEPT_LANGUAGE="nb",
    ).content.decode()
    assert "3 953,50 kr" in html


def test_language_switch_persists_and_formats_money(operator_client, world):
    response = operator_client.post(
        reverse("set_language"), {"language": "nb", "next": reverse("catalogue:price_list")}
    )
    assert response.status_code == 302
    assert response.cookies["django_language"].value == "nb"
    html = operator_client.get(reverse("catalogue:price_list")).content.decode()
    assert '<html lang="nb">' in html
    assert "Priser" in html and "1 234,50 kr" in html and "01.01.2020" in html
    html = operator_client.get(reverse("home")).content.decode()
    assert "Oversikt" in html


def test_person_detail_shows_assets_and_subscriptions(operator_client, world):
    html = operator_client.get(
        reverse("organisations:person_detail", args=[world.person_a.pk])
    ).content.decode()
    assert world.assets_a[0].asset_tag in html
    assert "User workplace" in html


def test_list_sorting_filtering_and_pagination(operator_client, world):
    url = reverse("inventory:asset_list")
    html = operator_client.get(url + "?sort=-asset_tag").content.decode()
    assert html.index("T4602-002") < html.index("T4601-000")
    # The sorted column's header says so to a screen reader; the others say none.
    assert html.count('aria-sort="descending"') == 1
    assert 'aria-sort="ascending"' not in html and 'aria-sort="none"' in html
    header = html[: html.index('data-sort="asset_tag"')]
    assert header.rindex('aria-sort="descending"') > header.rindex("<th")
    html = operator_client.get(reverse("organisations:person_list") + "?sort=last_name").content
    assert b'aria-sort="ascending"' in html
    html = operator_client.get(url + f"?municipality={world.municipality_b.pk}").content.decode()
    assert "T4602-000" in html and "T4601-000" not in html
    html = operator_client.get(url + "?q=T4601-002").content.decode()
    assert 'data-testid="count">1 row<' in html
    html = operator_client.get(url + "?per_page=25&page=99").content.decode()
    assert "T4601-000" in html  # an out-of-range page shows the last page
    bad = operator_client.get(url + "?acquired_after=not-a-date")
    assert bad.status_code == 200 and "A filter is not valid" in bad.content.decode()
    # An unknown sort key falls back to the default order instead of failing.
    assert operator_client.get(url + "?sort=password").status_code == 200


def test_htmx_filter_answers_with_the_results_only(operator_client, world):
    response = operator_client.get(
        reverse("inventory:asset_list") + "?q=T4601",
        HTTP_HX_REQUEST="true",
        HTTP_HX_TARGET="results",
    )
    html = response.content.decode()
    assert html.lstrip().startswith('<section id="results"')
    assert "<html" not in html and 'data-testid="count">3 rows<' in html


def test_pagination_and_export_links_keep_the_filters(operator_client, world):
    grow_small_world(world, 30)
    html = operator_client.get(
        reverse("inventory:asset_list") + "?q=G&per_page=25"
    ).content.decode()
    assert 'href="?q=G&amp;per_page=25&amp;page=2"' in html
    assert 'href="?q=G&amp;per_page=25&amp;export=csv"' in html
    page2 = operator_client.get(reverse("inventory:asset_list") + "?q=G&per_page=25&page=2")
    assert "Page 2 of 2" in page2.content.decode()


def test_filter_form_uses_the_list_labels(operator_client, world):
    html = operator_client.get(reverse("inventory:asset_list")).content.decode()
    assert ">Replacement due before<" in html
    assert "is less than" not in html


# The lists whose filters have choices: the API schema builds those filters' form fields.
LISTS_WITH_CHOICE_FILTERS = (
    "catalogue:service_list",
    "inventory:asset_list",
    "organisations:location_list",
    "organisations:person_list",
    "organisations:service_area_list",
    "planning:campaign_list",
    "solutions:requirement_list",
    "solutions:solution_list",
)


def _filter_labels(client, name, language) -> list[tuple[str, str]]:
    response = client.get(reverse(name), HTTP_ACCEPT_LANGUAGE=language)
    assert response.status_code == 200, name
    form = response.content.decode().split('data-testid="filters"', 1)[1].split("</form>")[0]
    # A select's <label>, or a checkbox dropdown's label (a multiple-choice filter).
    return re.findall(r'<label for="id_\w+">([^<]*)<|<span class="label"[^>]*>([^<]*)<', form)


def test_list_filters_keep_their_labels_after_the_api_schema_is_generated(operator_client, world):
    """Generating the API schema reads each FilterSet class's filters (in English, here);
    a list page rendered afterwards, in any language, names its filters as before."""
    before = {
        name: _filter_labels(operator_client, name, "nb") for name in LISTS_WITH_CHOICE_FILTERS
    }
    schema = operator_client.get(
        "/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json", HTTP_ACCEPT_LANGUAGE="en"
    )
    assert schema.status_code == 200
    for name in LISTS_WITH_CHOICE_FILTERS:
        english = [label for pair in _filter_labels(operator_client, name, "en") for label in pair]
        assert "None" not in english, name
        after = _filter_labels(operator_client, name, "nb")
        assert after == before[name], name
        assert "None" not in [label for pair in after for label in pair], name
    assert ("", "Status") in before["inventory:asset_list"]  # the label the schema erased

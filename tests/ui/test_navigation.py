"""The navigation shows a section only when one of its pages exists for the user."""

from __future__ import annotations

from django.test import RequestFactory
from django.urls import reverse

from samdrift.ui import navigation
from tests import factories
from tests.factories import client_for


def sections_for(user, path="/"):
    request = RequestFactory().get(path)
    request.user = user
    return navigation.navigation_for(request)


def test_operator_sections_and_active_page(operator, world):
    sections = sections_for(operator, reverse("inventory:asset_list") + "?q=x")
    keys = [s["key"] for s in sections]
    assert keys[:4] == ["overview", "municipalities", "inventory", "catalogue"]
    active = [s for s in sections if s.get("active")]
    assert [s["key"] for s in active] == ["inventory"]


def test_a_page_appears_only_when_its_url_exists(operator, db):
    def labels():
        return [str(i["label"]) for s in sections_for(operator) for i in s["items"]]

    navigation.register(section="planning", label="Test page", url_name="no-such-page")
    try:
        assert "Test page" not in labels()
        navigation.register(section="planning", label="Test page 2", url_name="health")
        planning = next(s for s in sections_for(operator) if s["key"] == "planning")
        assert "Test page 2" in [str(i["label"]) for i in planning["items"]]
    finally:
        navigation._items[:] = [
            i for i in navigation._items if i.url_name not in {"no-such-page", "health"}
        ]


def test_contact_gets_my_municipality(world):
    from samdrift.core.choices import Role

    contact = factories.make_user(Role.MUNICIPALITY, municipality=world.municipality_a)
    municipalities = next(s for s in sections_for(contact) if s["key"] == "municipalities")
    labels = [str(i["label"]) for i in municipalities["items"]]
    assert "My municipality" in labels and "Municipalities" not in labels
    assert municipalities["url"] == reverse(
        "organisations:municipality_detail", args=[world.municipality_a.pk]
    )
    html = client_for(contact).get(reverse("home")).content.decode()
    assert f'href="{municipalities["url"]}"' in html


def test_a_page_outside_every_url_is_in_the_nearest_section(world):
    from samdrift.core.choices import Role

    contact = factories.make_user(Role.MUNICIPALITY, municipality=world.municipality_a)
    # The contact has no "Municipalities" page; the list of their own one is theirs.
    sections = sections_for(contact, reverse("organisations:municipality_list"))
    active = [s for s in sections if s.get("active")]
    assert [s["key"] for s in active] == ["municipalities"]
    assert [str(i["label"]) for i in active[0]["items"] if i["active"]] == ["My municipality"]
    # A page sharing no segment with any page marks nothing.
    assert not [s for s in sections_for(contact, "/nowhere/at/all/") if s.get("active")]


def test_anonymous_has_no_navigation(client, db):
    html = client.get(reverse("login")).content.decode()
    assert 'class="site-nav"' not in html


def test_own_pages_show_the_overview_row_for_every_role(world):
    """ "My exports" and "API tokens" are each user's own pages: on them, every role sees
    the overview section's row with that page marked (the tokens page had no row)."""
    from samdrift.core.choices import Role

    manager = factories.make_user(
        Role.SERVICE_AREA, municipality=world.municipality_a, service_area=world.area_a
    )
    contact = factories.make_user(Role.MUNICIPALITY, municipality=world.municipality_a)
    operator = factories.make_user(Role.OPERATOR)
    for user in (operator, contact, manager):
        for name, label in (("token_list", "API tokens"), ("export_list", "My exports")):
            active = [s for s in sections_for(user, reverse(name)) if s.get("active")]
            assert [s["key"] for s in active] == ["overview"], (user, name)
            marked = [str(i["label"]) for i in active[0]["items"] if i["active"]]
            assert marked == [label], (user, name)
        html = client_for(user).get(reverse("token_list")).content.decode()
        assert 'aria-current="page">API tokens<' in html, user


def test_a_page_of_many_templates_works_its_navigation_out_once(operator, world, monkeypatch):
    # The municipality page renders each panel with the request (its context processors
    # run each time); the navigation is the same for all of them, so it is made once.
    from samdrift.ui import context_processors

    made = []

    def counted(request):
        made.append(request.path)
        return navigation.navigation_for(request)

    monkeypatch.setattr(context_processors, "navigation_for", counted)
    client = client_for(operator)
    url = reverse("organisations:municipality_detail", args=[world.municipality_a.pk])
    response = client.get(url)
    assert response.status_code == 200
    assert made == [url]
    # The page still has its navigation, with the municipality section marked.
    assert response.context["navigation"][1]["key"] == "municipalities"
    assert response.context["navigation"][1].get("active") is True
    client.get(url)
    assert made == [url, url]  # once per request, not once per process

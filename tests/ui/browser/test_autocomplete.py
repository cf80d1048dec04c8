"""In a real browser: the person of a subscription is searched for by name, picked with
the keyboard, and the chosen id is what the form posts (ui.forms.AutocompleteSelect)."""

from __future__ import annotations

import datetime

import pytest

from samdrift.core.choices import Role
from samdrift.inventory.models import Subscription
from tests import factories
from tests.ui.browser.conftest import sign_in

pytestmark = pytest.mark.browser


@pytest.fixture
def people(transactional_db):
    factories.make_collaboration()
    fjordvik = factories.make_municipality(name="Fjordvik", number="4601")
    service = factories.make_service(name="User workplace", code="workplace")
    for name in ("Hansen", "Olsen", "Berg"):
        factories.make_person(fjordvik, first_name="Kari", last_name=name)
    factories.make_user(Role.OPERATOR, username="operator")
    return fjordvik, service


def test_a_person_is_picked_with_the_keyboard(page, guard, people):
    fjordvik, service = people
    olsen = fjordvik.persons.get(last_name="Olsen")
    sign_in(page, "operator")
    page.goto(f"{page.base_url}/subscriptions/new/")
    page.select_option("#id_service", value=str(service.pk))
    page.select_option("#id_municipality", value=str(fjordvik.pk))
    # The label's id is now the search box; the id box is hidden.
    assert page.get_attribute("#id_person_value", "type") == "hidden"
    page.fill("#id_person", "ols")
    page.wait_for_selector("#id_person_options [data-value]")
    options = page.locator("#id_person_options [data-value]")
    assert options.count() == 1
    page.press("#id_person", "ArrowDown")
    page.press("#id_person", "Enter")  # picks; does not submit the form
    assert page.input_value("#id_person_value") == str(olsen.pk)
    assert page.input_value("#id_person") == f"{olsen} – Fjordvik"
    assert page.is_hidden("#id_person_options")
    page.fill("#id_valid_from", datetime.date(2026, 1, 1).isoformat())
    page.click("form.form button[type=submit]")
    page.wait_for_url("**/subscriptions/")
    assert Subscription.objects.get(service=service).person == olsen
    guard.check()

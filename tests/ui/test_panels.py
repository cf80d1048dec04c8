"""ui.panels: a higher app's panels and counts on a lower app's page."""

from __future__ import annotations

import datetime
import re
from collections import defaultdict
from decimal import Decimal
from types import SimpleNamespace

import pytest
from django.test import RequestFactory

from samdrift.ui import panels


@pytest.fixture
def registry(monkeypatch):
    monkeypatch.setattr(panels, "_panels", defaultdict(list))
    monkeypatch.setattr(panels, "_counts", defaultdict(dict))


def test_a_panel_is_asked_once_and_rendered_in_each_of_its_slots(registry):
    calls = []

    def context(request, obj, shared):
        calls.append((obj, shared))
        return {"cost": SimpleNamespace(total=Decimal("1234.50")), "today": obj}

    card = "dashboard/panels/municipality_cost_card.html"
    panels.register_panel("x:page", slots={"cards": card, "side": card}, context=context)
    day = datetime.date(2026, 3, 1)
    rendered = panels.render_panels("x:page", RequestFactory().get("/"), day, {"a": 1})
    assert calls == [(day, {"a": 1})]
    assert set(rendered) == {"cards", "side"}
    for html in (rendered["cards"][0], rendered["side"][0]):
        # The amount and the day of the context, whatever the active language's format.
        assert 'data-testid="monthly-cost"' in html and "2026" in html
        assert "123450" in re.sub(r"\D", "", html)


def test_panels_keep_their_order_and_other_pages_get_none(registry):
    def context(amount):
        total = Decimal(amount)
        return lambda request, obj, shared: {"cost": SimpleNamespace(total=total), "today": None}

    card = "dashboard/panels/municipality_cost_card.html"
    panels.register_panel("x:page", slots={"cards": card}, context=context("222"), order=20)
    panels.register_panel("x:page", slots={"cards": card}, context=context("111"), order=10)
    rendered = panels.render_panels("x:page", RequestFactory().get("/"), None)
    assert ["111" in html for html in rendered["cards"]] == [True, False]
    assert panels.render_panels("y:page", RequestFactory().get("/"), None) == {}


def test_counts_are_built_for_the_user(registry):
    panels.register_count("x:list", "n", lambda user: ("count for", user))
    assert panels.counts("x:list", "u") == {"n": ("count for", "u")}
    assert panels.counts("y:list", "u") == {}

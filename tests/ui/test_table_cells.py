"""A list row's cells (``ui.tables.row_cells``) and the columns' links (``id_link``)."""

from __future__ import annotations

import datetime
from decimal import Decimal
from types import SimpleNamespace

import pytest
from django.urls import reverse, set_script_prefix
from django.utils import translation

from samdrift.ui.tables import Column, id_link, row_cells


@pytest.fixture
def script_prefix():
    yield set_script_prefix
    set_script_prefix("/")


def test_a_link_is_the_reversed_url_of_the_rows_id(script_prefix):
    link = id_link("inventory:asset_detail")
    holder = id_link("organisations:person_detail", "person_id")
    for pk in (1, 7, 40912, 1_116_000):
        row = SimpleNamespace(pk=pk, person_id=pk + 3)
        assert link(row) == reverse("inventory:asset_detail", args=[pk]) == f"/assets/{pk}/"
        assert holder(row) == f"/persons/{pk + 3}/"
    # No id, no link (a device in stock has no holder).
    assert holder(SimpleNamespace(pk=1, person_id=None)) is None
    # Served under a prefix, the links carry it (reversed again for that prefix).
    script_prefix("/samdrift/")
    assert link(SimpleNamespace(pk=12)) == "/samdrift/assets/12/"
    assert reverse("inventory:asset_detail", args=[12]) == "/samdrift/assets/12/"


def test_a_rows_cells_are_escaped_classed_and_linked():
    columns = [
        Column("tag", "Tag", link=id_link("inventory:asset_detail")),
        Column("name", "Name"),
        Column("cost", "Cost", kind="money"),
        Column("bought", "Bought", kind="date"),
        Column("count", "Count", kind="number"),
        Column("missing", "Missing", link=id_link("inventory:asset_detail")),
    ]
    row = SimpleNamespace(
        pk=5,
        tag="<T&1>",
        name='Ola "Nordmann" <script>',
        cost=Decimal("1234.50"),
        bought=datetime.date(2026, 12, 7),
        count=3,
        missing=None,
    )
    with translation.override("nb"):
        html = str(row_cells(columns, row))
    assert html == (
        '<td class=""><a href="/assets/5/">&lt;T&amp;1&gt;</a></td>'
        '<td class="">Ola &quot;Nordmann&quot; &lt;script&gt;</td>'
        '<td class="num money">1 234,50 kr</td>'
        '<td class="date">07.12.2026</td>'
        '<td class="num">3</td>'
        '<td class=""></td>'  # an empty value gets no link
    )

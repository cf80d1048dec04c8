"""Asset tags are compared ignoring case: an import looks the tags it does not find as
written up by UPPER(asset_tag). The index on that expression (asset_tag_upper_idx) is
what keeps the look-up from reading every asset; the query the import really sends is
EXPLAINed here on whichever engine the tests run on (SQLite, and PostgreSQL with
DATABASE_URL)."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from samdrift.core.importing import run_import
from samdrift.imports.registry import importer_class
from tests import factories
from tests.factories import csv_bytes
from tests.plans import explain

pytestmark = pytest.mark.django_db


def test_the_case_blind_tag_look_up_uses_its_index(municipality_a):
    category = factories.make_category(name="Laptop", code="laptop")
    product = factories.make_product(category, name="ThinkPad T14")
    for n in range(20):
        factories.make_asset(product, asset_tag=f"FV-{n:04d}", serial_number=f"S{n}")
    rows = [["Asset Tag", "Model", "Status"], ["fv-0007", "ThinkPad T14", "In stock"]]

    with CaptureQueriesContext(connection) as queries:
        result = run_import(
            importer=importer_class("assets"),
            data=csv_bytes(rows),
            municipality=municipality_a,
            dry_run=True,
        )
    assert result.ok and result.unchanged == 1, result.errors  # found ignoring case
    look_ups = [q["sql"] for q in queries.captured_queries if "UPPER(" in q["sql"].upper()]
    assert len(look_ups) == 1, look_ups
    plan = explain(look_ups[0], table="inventory_asset", index="asset_tag_upper_idx")
    assert "asset_tag_upper_idx" in plan, plan
    assert "SCAN inventory_asset" not in plan, plan  # searched, not read whole

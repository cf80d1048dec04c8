"""The move of the leasing models into their own app: from the schema before the move, rows made
in the old apps are read through ``samdrift.leasing.models`` afterwards, and the change
log's rows follow their content type to the app label ``leasing``. Runs on whichever
engine the suite uses (SQLite by default, PostgreSQL with DATABASE_URL)."""

import datetime
import uuid
from decimal import Decimal

import pytest
from django.contrib.contenttypes.models import ContentType
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from samdrift.core.models import ObjectChange
from samdrift.leasing.models import AmountOwed, Buyout, LeaseModel

BEFORE = [
    ("catalogue", "0002_price_list_publication"),
    ("inventory", "0006_asset_tag_upper_index"),
    ("core", "0003_objectchange_content_type_no_db_constraint"),
    ("organisations", "0002_person_municipality_no_own_index"),
]
AFTER = [("leasing", "0002_content_types")]


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("leasing_types_exist", [True, False], ids=["fold", "rename"])
def test_rows_and_change_log_survive_the_move(leasing_types_exist):
    executor = MigrationExecutor(connection)
    executor.migrate(BEFORE)
    old = MigrationExecutor(connection).loader.project_state(BEFORE).apps
    # The content types as the old apps had them. post_migrate of the test database made
    # leasing ones too ("fold": the migration moves the change log onto them); a database
    # upgraded in one go has none ("rename": the old rows are relabelled).
    OldContentType = old.get_model("contenttypes", "ContentType")
    if not leasing_types_exist:
        OldContentType.objects.filter(app_label="leasing").delete()
    lease_ct, _ = OldContentType.objects.get_or_create(app_label="catalogue", model="leasemodel")
    buyout_ct, _ = OldContentType.objects.get_or_create(app_label="inventory", model="buyout")
    lease = old.get_model("catalogue", "LeaseModel").objects.create(
        name="Old laptops", term_months=36, annual_rate=Decimal("0.045000")
    )
    municipality = old.get_model("organisations", "Municipality").objects.create(
        name="Gamleby",
        number="4699",
        organisation_number="964965226",
        population=1000,
        joined_on=datetime.date(2020, 1, 1),
    )
    buyout = old.get_model("inventory", "Buyout").objects.create(
        municipality=municipality, name="Gamleby 2025", valuation_date=datetime.date(2025, 1, 1)
    )
    old.get_model("inventory", "AmountOwed").objects.create(
        municipality=municipality,
        amount=Decimal("1234.50"),
        due_month=datetime.date(2025, 2, 1),
        description="Buyout",
        buyout=buyout,
    )
    OldChange = old.get_model("core", "ObjectChange")
    OldChange.objects.create(
        content_type_id=lease_ct.pk,
        object_id=lease.pk,
        object_repr="Old laptops",
        action="create",
        actor="x",
        request_id=uuid.uuid4(),
    )
    OldChange.objects.create(
        content_type_id=buyout_ct.pk,
        object_id=buyout.pk,
        object_repr="Gamleby",
        action="create",
        actor="x",
        request_id=uuid.uuid4(),
    )

    MigrationExecutor(connection).migrate(AFTER)
    executor = MigrationExecutor(connection)
    executor.migrate(executor.loader.graph.leaf_nodes())
    ContentType.objects.clear_cache()

    assert LeaseModel.objects.get(pk=lease.pk).term_months == 36
    moved = Buyout.objects.get(pk=buyout.pk)
    assert moved.name == "Gamleby 2025"
    assert AmountOwed.objects.get(buyout=moved).amount == Decimal("1234.50")
    assert not ContentType.objects.filter(app_label="catalogue", model="leasemodel").exists()
    assert not ContentType.objects.filter(app_label="inventory", model="buyout").exists()
    lease_change = ObjectChange.objects.get(object_id=lease.pk, object_repr="Old laptops")
    assert lease_change.content_type == ContentType.objects.get_for_model(LeaseModel)
    assert lease_change.content_type.app_label == "leasing"
    buyout_change = ObjectChange.objects.get(object_id=buyout.pk, object_repr="Gamleby")
    assert buyout_change.content_type.model_class() is Buyout

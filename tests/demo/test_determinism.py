"""Same seed, same data; the generator refuses what it must."""

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.db import transaction

from samdrift.catalogue.models import PriceVersion
from samdrift.demo.generator import generate
from samdrift.gains.models import BaselineCost, GainShare, Measurement
from samdrift.inventory.models import Asset, Assignment, Subscription, UsageRecord
from samdrift.ordering.models import Delivery, Order, OrderLine, OrderTransition, ReturnLine
from samdrift.organisations.models import Municipality, Person
from samdrift.planning.models import CampaignDevice, ScenarioResult
from samdrift.servicedesk.models import Incident, Outage
from tests.demo.conftest import TODAY

pytestmark = pytest.mark.django_db


def fingerprint() -> dict[str, list[tuple]]:
    """The generated data by natural keys (ids may differ between databases)."""
    return {
        "municipalities": list(
            Municipality.objects.order_by("number").values_list(
                "number", "name", "organisation_number", "population", "joined_on"
            )
        ),
        "persons": list(
            Person.objects.order_by("municipality__number", "username").values_list(
                "municipality__number",
                "username",
                "first_name",
                "last_name",
                "kind",
                "service_area__cost_centre",
                "location__name",
                "active_from",
                "active_to",
            )
        ),
        "assets": list(
            Asset.objects.order_by("asset_tag").values_list(
                "asset_tag",
                "serial_number",
                "product__name",
                "model_name",
                "status",
                "origin",
                "acquisition_date",
                "acquisition_cost",
                "planned_replacement",
                "warranty_end",
                "person__username",
                "location__name",
            )
        ),
        "assignments": list(
            Assignment.objects.order_by("asset__asset_tag", "valid_from").values_list(
                "asset__asset_tag",
                "municipality__number",
                "service_area__cost_centre",
                "person__username",
                "location__name",
                "valid_from",
                "valid_to",
            )
        ),
        "subscriptions": sorted(
            Subscription.objects.values_list(
                "service__code",
                "municipality__number",
                "person__username",
                "location__name",
                "valid_from",
                "valid_to",
            ),
            key=repr,
        ),
        "usage": list(
            UsageRecord.objects.order_by("reference").values_list("reference", "quantity")
        ),
        "incidents": list(
            Incident.objects.order_by("source", "number").values_list(
                "source",
                "number",
                "municipality__number",
                "service__code",
                "priority",
                "state",
                "opened_at",
                "responded_at",
                "resolved_at",
                "closed_at",
                "pauses",
                "title",
            )
        ),
        "outages": list(
            Outage.objects.order_by("started_at", "reference").values_list(
                "service__code", "started_at", "ended_at", "planned", "announced_at", "reference"
            )
        ),
        "orders": list(
            Order.objects.order_by("number").values_list(
                "number",
                "municipality__number",
                "service_area__cost_centre",
                "created_by__username",
                "state",
                "monthly_total",
                "one_off_total",
                "submitted_at",
                "accepted_at",
            )
        ),
        "order_lines": list(
            OrderLine.objects.order_by("order__number", "pk").values_list(
                "order__number",
                "kind",
                "product__name",
                "service__code",
                "bundle__code",
                "quantity",
                "delivered_quantity",
                "person__username",
                "monthly_price",
                "one_off_fee",
            )
        ),
        "order_transitions": list(
            OrderTransition.objects.order_by("order__number", "pk").values_list(
                "order__number", "from_state", "to_state", "by__username", "at", "note"
            )
        ),
        "deliveries": list(
            Delivery.objects.order_by("line__order__number", "pk").values_list(
                "line__order__number", "asset__asset_tag", "quantity", "delivered_on"
            )
        ),
        "returns": list(
            ReturnLine.objects.order_by("ret__return_on", "pk").values_list(
                "ret__person__username",
                "asset__asset_tag",
                "subscription__service__code",
                "disposition",
                "wipe_certificate",
            )
        ),
        "campaign": list(
            CampaignDevice.objects.order_by("campaign__name", "asset__asset_tag").values_list(
                "campaign__name",
                "asset__asset_tag",
                "person__username",
                "due_on",
                "due_reason",
                "progress",
                "replaced_by__asset_tag",
                "replaced_on",
                "order_line__order__number",
            )
        ),
        "scenario_results": list(
            ScenarioResult.objects.order_by("scenario__name", "name", "month").values_list(
                "scenario__name", "name", "month", "baseline", "amount", "settlement"
            )
        ),
        "baselines": list(
            BaselineCost.objects.order_by("municipality__number", "year", "category").values_list(
                "municipality__number", "year", "category", "fte", "cost_per_fte", "amount"
            )
        ),
        "gain_shares": sorted(
            GainShare.objects.values_list(
                "gain__action__title",
                "gain__effect",
                "municipality__number",
                "owner",
                "owner_user__username",
                "expected_hours",
                "expected_amount",
                "taken_out_of_budget",
            ),
            key=repr,
        ),
        "gain_measurements": sorted(
            Measurement.objects.values_list(
                "gain__effect",
                "municipality__number",
                "measured_on",
                "value",
                "hours",
                "amount",
                "source",
            ),
            key=repr,
        ),
        "prices": sorted(
            PriceVersion.objects.values_list(
                "product__name", "service__code", "amount", "valid_from"
            ),
            key=repr,
        ),
    }


def generated(seed: int) -> dict[str, list[tuple]]:
    with transaction.atomic():
        generate(size="small", seed=seed, today=TODAY, password="x")
        result = fingerprint()
        transaction.set_rollback(True)
    return result


def test_the_same_seed_gives_the_same_data():
    first = generated(5)
    second = generated(5)
    assert first["assets"] and first["assignments"] and first["usage"]
    assert first["incidents"] and first["outages"]
    assert first["orders"] and first["order_transitions"] and first["deliveries"]
    assert first["campaign"] and first["scenario_results"]
    assert first["baselines"] and first["gain_shares"] and first["gain_measurements"]
    for table in first:
        assert first[table] == second[table], table


def test_another_seed_gives_other_data():
    first = generated(5)
    other = generated(6)
    assert first["persons"] != other["persons"]
    assert first["assignments"] != other["assignments"]
    # The region itself is the same fictional region.
    assert [row[1] for row in first["municipalities"]] == [
        row[1] for row in other["municipalities"]
    ]


def test_the_demo_is_refused_in_production(settings):
    settings.PRODUCTION = True
    with pytest.raises(ImproperlyConfigured):
        generate(size="small")
    assert not Municipality.objects.exists()


def test_an_unknown_size_is_refused():
    with pytest.raises(ValueError, match="huge"):
        generate(size="huge")

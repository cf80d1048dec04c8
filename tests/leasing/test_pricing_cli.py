"""``samdrift prices``: calculate, publish, index, list publications."""

import datetime
import io
from decimal import Decimal

import pytest
from django.core.management import CommandError, call_command

from samdrift.catalogue.models import PriceVersion
from samdrift.inventory.services import assign_asset
from samdrift.leasing.models import PriceListPublication
from tests import factories


@pytest.fixture
def laptop(db, municipality_a):
    lease = factories.make_lease_model(
        term_months=36,
        annual_rate=Decimal("0.05"),
        residual_percent=Decimal("10"),
        monthly_service_fee=Decimal("50"),
    )
    product = factories.make_product(
        factories.make_category(name="Laptops", lease_model=lease), name="Laptop [14in]"
    )
    factories.make_price(amount="350.00", valid_from=datetime.date(2025, 1, 1), product=product)
    assign_asset(
        asset=factories.make_asset(product),
        municipality=municipality_a,
        valid_from=datetime.date(2025, 1, 1),
    )
    return product


def run(*args) -> str:
    out = io.StringIO()
    call_command("prices", *args, stdout=out)
    return out.getvalue()


def test_calculate_prints_the_comparison_and_writes_nothing(laptop):
    output = run("calculate", "--year", "2027")
    assert "Laptop [14in]" in output
    assert "350.00" in output and "378.69" in output and "+8.20 %" in output
    assert "Fjordvik" in output
    assert "Nothing written" in output
    assert PriceVersion.objects.count() == 1


def test_calculate_and_publish_from_a_date(laptop):
    output = run("calculate", "--year", "2027", "--publish", "--from", "2027-03-01")
    assert "Published 1 new product prices from 2027-03-01" in output
    assert PriceVersion.objects.get(product=laptop, valid_to__isnull=True).valid_from == (
        datetime.date(2027, 3, 1)
    )
    assert "Lease prices recalculated" in run("publications")


def test_index_services(db):
    service = factories.make_service(name="Workplace", code="wp")
    factories.make_price(amount="400.00", valid_from=datetime.date(2026, 1, 1), service=service)
    output = run("index", "--year", "2027", "--old-index", "100", "--new-index", "104,3")
    assert "417.20" in output and "Nothing written" in output
    run(
        "index",
        "--year",
        "2027",
        "--old-index",
        "100",
        "--new-index",
        "104.3",
        "--name",
        "Kommunal deflator",
        "--publish",
    )
    assert PriceListPublication.objects.get().index_name == "Kommunal deflator"


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["calculate", "--year", "2027", "--from", "2026-05-01"], "valid_from"),
        (["calculate", "--year", "2027", "--from", "May"], "--from"),
        (["index", "--year", "2027", "--old-index", "0", "--new-index", "1"], "old_index"),
        (["index", "--year", "2027", "--old-index", "x", "--new-index", "1"], "not a number"),
    ],
)
def test_bad_input_is_a_clear_error(laptop, args, message):
    with pytest.raises(CommandError, match=message):
        run(*args)
    assert not PriceListPublication.objects.exists()

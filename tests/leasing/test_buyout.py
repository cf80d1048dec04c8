"""Buyouts: registering a municipality's equipment, valuation, agreement, completion."""

import datetime
import hashlib
import io
from decimal import ROUND_HALF_UP, Decimal

import pytest
from django.core.exceptions import ValidationError
from openpyxl import load_workbook

from samdrift.core.actor import acting_as
from samdrift.core.models import ObjectChange
from samdrift.inventory.choices import AssetOrigin, AssetStatus
from samdrift.inventory.models import Asset, Assignment
from samdrift.leasing.buyouts import drafting
from samdrift.leasing.buyouts.agreeing import agree_buyout, verify_signed_valuation
from samdrift.leasing.buyouts.completion import complete_buyout
from samdrift.leasing.buyouts.drafting import (
    add_assets,
    create_buyout,
    delete_buyout,
    register_equipment,
    remove_item,
    update_buyout,
    update_item,
)
from samdrift.leasing.buyouts.selectors import asset_price_map, asset_prices_overlapping
from samdrift.leasing.buyouts.state import today as buyout_today
from samdrift.leasing.buyouts.valuation import buyout_valuation
from samdrift.leasing.choices import BuyoutStatus
from samdrift.leasing.models import AmountOwed, AssetPrice, Buyout, BuyoutItem, SignedValuation
from tests import factories
from tests.factories import steady_query_state

VALUATION_DATE = datetime.date(2026, 1, 1)


@pytest.fixture
def lease(db):
    return factories.make_lease_model(
        name="Standard 36",
        term_months=36,
        annual_rate=Decimal("0.05"),
        residual_percent=Decimal("0"),
        monthly_service_fee=Decimal("50.00"),
    )


@pytest.fixture
def laptop(lease):
    category = factories.make_category(
        name="Laptops", code="laptop", lease_model=lease, useful_life_months=60
    )
    return factories.make_product(category, name="Laptop 14in", standard_cost=Decimal("12000.00"))


@pytest.fixture
def buyout(municipality_a):
    return create_buyout(
        municipality=municipality_a, name="Fjordvik 2026", valuation_date=VALUATION_DATE
    )


def row(product, tag, acquired, cost, **extra):
    return {
        "product": product,
        "asset_tag": tag,
        "serial_number": f"SN-{tag}",
        "acquisition_date": acquired,
        "acquisition_cost": Decimal(cost),
        **extra,
    }


@pytest.fixture
def registered(buyout, laptop):
    return register_equipment(
        buyout=buyout,
        rows=[
            # DESIGN.md: cost 10 000, 60 months, age 22 → 6 333.33
            row(laptop, "OLD-1", datetime.date(2024, 3, 1), "10000.00"),
            row(laptop, "OLD-2", datetime.date(2020, 6, 15), "9000.00"),  # fully depreciated
            row(
                laptop,
                "OLD-3",
                datetime.date(2025, 1, 1),
                "12000.00",
                useful_life_months=36,
                life_override_reason="Rugged tablets wear out faster",
                residual_value=Decimal("1200.00"),
            ),
        ],
    )


def test_register_creates_municipality_owned_assets_held_by_it(registered, municipality_a):
    assets = Asset.objects.filter(buyout_item__in=registered).order_by("asset_tag")
    assert [a.asset_tag for a in assets] == ["OLD-1", "OLD-2", "OLD-3"]
    for asset in assets:
        assert asset.origin == AssetOrigin.MUNICIPALITY_OWNED
        assert asset.status == AssetStatus.DEPLOYED
        assert asset.municipality_id == municipality_a.pk
        assignment = Assignment.objects.get(asset=asset)
        assert assignment.valid_from == asset.acquisition_date and assignment.valid_to is None
    assert ObjectChange.objects.filter(content_type__model="buyoutitem").count() == 3
    assert ObjectChange.objects.filter(content_type__model="asset").count() == 3


def test_valuation_book_values_and_total(registered, buyout):
    valuation = buyout_valuation(buyout=buyout)
    lines = {line.asset_tag: line for line in valuation.lines}
    assert lines["OLD-1"].age_months == 22
    assert lines["OLD-1"].book_value == Decimal("6333.33")
    assert lines["OLD-1"].remaining_months == 38
    assert lines["OLD-2"].book_value == Decimal("0.00") and lines["OLD-2"].remaining_months == 0
    # 36-month life overridden with a reason; 12 months old: 12000 - 10800 × 12/36 = 8400
    assert lines["OLD-3"].useful_life_months == 36 and lines["OLD-3"].life_overridden
    assert lines["OLD-3"].book_value == Decimal("8400.00")
    assert valuation.total == Decimal("14733.33")
    assert valuation.total == sum(line.book_value for line in valuation.lines)
    assert not valuation.frozen


@pytest.mark.parametrize(
    ("extra", "field", "words"),
    [
        ({"acquisition_cost": Decimal("-1")}, "acquisition_cost", "negative"),
        (
            {"acquisition_date": "tomorrow"},  # as the code sees it when the test runs
            "acquisition_date",
            "future",
        ),
        (
            {"acquisition_date": datetime.date(2026, 1, 2)},
            "acquisition_date",
            "after the valuation",
        ),
        ({"residual_value": Decimal("10001")}, "residual_value", "above the acquisition cost"),
        ({"residual_value": Decimal("-5")}, "residual_value", "negative"),
        ({"useful_life_months": 72, "life_override_reason": "x"}, "useful_life_months", "60"),
        ({"useful_life_months": 0, "life_override_reason": "x"}, "useful_life_months", "between"),
        ({"useful_life_months": 36}, "life_override_reason", "reason"),
        ({"asset_tag": ""}, "asset_tag", "required"),
    ],
)
def test_bad_rows_are_refused_naming_row_and_field(buyout, laptop, extra, field, words):
    good = row(laptop, "OK-1", datetime.date(2023, 1, 1), "10000")
    if extra.get("acquisition_date") == "tomorrow":
        # Not at collection time: a run that crosses midnight would see today's date.
        extra = {"acquisition_date": buyout_today() + datetime.timedelta(days=1)}
    bad = {**row(laptop, "BAD-1", datetime.date(2023, 1, 1), "10000"), **extra}
    with pytest.raises(ValidationError) as raised:
        register_equipment(buyout=buyout, rows=[good, bad])
    messages = raised.value.message_dict[field]
    assert messages[0].startswith("Row 2:")
    assert words in messages[0]
    assert not Asset.objects.exists() and not BuyoutItem.objects.exists()


def test_duplicate_tags_and_serials(buyout, laptop, registered):
    rows = [
        row(laptop, "OLD-1", datetime.date(2023, 1, 1), "100"),  # already registered
        row(laptop, "NEW-1", datetime.date(2023, 1, 1), "100"),
        row(laptop, "NEW-1", datetime.date(2023, 1, 1), "100", serial_number="SN-X"),
    ]
    with pytest.raises(ValidationError) as raised:
        register_equipment(buyout=buyout, rows=rows)
    errors = raised.value.message_dict
    assert errors["asset_tag"] == [
        "Row 1: Asset tag OLD-1 is already registered.",
        "Row 3: Duplicate of row 2.",
    ]
    assert errors["serial_number"] == ["Row 1: Serial number SN-OLD-1 is already registered."]


def test_service_area_of_another_municipality_is_refused(buyout, laptop, service_area_b):
    with pytest.raises(ValidationError) as raised:
        register_equipment(
            buyout=buyout,
            rows=[row(laptop, "X", datetime.date(2023, 1, 1), "100", service_area=service_area_b)],
        )
    assert "service_area" in raised.value.message_dict


def test_registering_is_set_based(buyout, laptop, django_assert_max_num_queries):
    # A fixed number, whatever the rows (tests/leasing/test_buyout_queries.py compares
    # 3 and 30): reads, one INSERT per table (on SQLite two reads to take its ids) and
    # the change log.
    rows = [row(laptop, f"T{n}", datetime.date(2022, 1, 1), "5000") for n in range(40)]
    steady_query_state()
    with django_assert_max_num_queries(20):
        register_equipment(buyout=buyout, rows=rows)
    assert BuyoutItem.objects.filter(buyout=buyout).count() == 40


def test_valuation_is_one_query(registered, buyout, django_assert_num_queries):
    with django_assert_num_queries(1):
        buyout_valuation(buyout=buyout)


def test_override_life_with_reason(registered, buyout):
    item = BuyoutItem.objects.get(asset__asset_tag="OLD-1")
    with pytest.raises(ValidationError) as raised:
        update_item(item=item, changes={"useful_life_months": 48})
    assert "life_override_reason" in raised.value.message_dict
    update_item(item=item, changes={"useful_life_months": 48, "life_override_reason": "Heavy use"})
    line = next(line for line in buyout_valuation(buyout=buyout).lines if line.asset_tag == "OLD-1")
    # 10000 × (1 - 22/48) = 5416.666… → 5416.67
    assert line.book_value == Decimal("5416.67")


def test_add_existing_assets(buyout, laptop, municipality_a, municipality_b):
    own = factories.make_asset(
        laptop,
        municipality=municipality_a,
        origin=AssetOrigin.MUNICIPALITY_OWNED,
        acquisition_date=datetime.date(2023, 1, 1),
        acquisition_cost=Decimal("6000"),
    )
    other = factories.make_asset(
        laptop, municipality=municipality_b, origin=AssetOrigin.MUNICIPALITY_OWNED
    )
    ours = factories.make_asset(laptop, municipality=municipality_a, origin=AssetOrigin.PURCHASED)
    with pytest.raises(ValidationError) as raised:
        add_assets(buyout=buyout, assets=[own, other, ours])
    messages = raised.value.message_dict["assets"]
    assert messages[0].startswith("Row 2:") and "not held by" in messages[0]
    assert messages[1].startswith("Row 3:") and "not owned by the municipality" in messages[1]
    items = add_assets(buyout=buyout, assets=[own])
    assert items[0].acquisition_cost == Decimal("6000")
    with pytest.raises(ValidationError, match="already in a buyout"):
        add_assets(buyout=buyout, assets=[own])


def test_agree_freezes_the_valuation_and_keeps_the_signed_copy(registered, buyout, finance_user):
    with acting_as(finance_user, label="test"):
        agreed = agree_buyout(buyout=buyout, agreed_on=datetime.date(2026, 1, 10))
    assert agreed.status == BuyoutStatus.AGREED
    assert agreed.agreed_total == Decimal("14733.33")
    assert agreed.agreed_by == finance_user
    items = {i.asset.asset_tag: i for i in BuyoutItem.objects.select_related("asset")}
    assert items["OLD-1"].book_value == Decimal("6333.33") and items["OLD-1"].age_months == 22
    assert items["OLD-1"].useful_life_months == 60  # the default life, frozen

    signed = SignedValuation.objects.get(buyout=buyout)
    content = bytes(signed.content)
    assert signed.sha256 == hashlib.sha256(content).hexdigest()
    assert signed.size == len(content)
    assert verify_signed_valuation(buyout=buyout)
    sheet = load_workbook(io.BytesIO(content)).active
    values = [[c.value for c in r] for r in sheet.iter_rows()]
    total_row = next(r for r in values if r[0] == "Total")
    assert Decimal(str(total_row[11])) == Decimal("14733.33")
    assert ["OLD-1" in r for r in values].count(True) == 1

    # A changed category life no longer moves the agreed valuation.
    laptop = items["OLD-1"].asset.product
    laptop.category.useful_life_months = 24
    laptop.category.save()
    frozen = buyout_valuation(buyout=agreed)
    assert frozen.frozen and frozen.total == Decimal("14733.33")


def test_agreed_buyout_cannot_be_edited(registered, buyout, finance_user, laptop):
    with acting_as(finance_user, label="test"):
        agree_buyout(buyout=buyout)
    item = BuyoutItem.objects.first()
    snapshot = list(BuyoutItem.objects.values())
    attempts = [
        lambda: update_item(item=item, changes={"acquisition_cost": Decimal("1")}),
        lambda: remove_item(item=item),
        lambda: register_equipment(
            buyout=buyout, rows=[row(laptop, "LATE", datetime.date(2023, 1, 1), "1")]
        ),
        lambda: update_buyout(buyout=buyout, changes={"name": "Renamed"}),
        lambda: delete_buyout(buyout=buyout),
        lambda: agree_buyout(buyout=buyout),
    ]
    for attempt in attempts:
        with pytest.raises(ValidationError) as raised:
            attempt()
        assert "agreed" in raised.value.message_dict["status"][0]
        assert finance_user.username in raised.value.message_dict["status"][0]
    assert list(BuyoutItem.objects.values()) == snapshot


def test_agree_needs_items_and_valid_lines(buyout, registered):
    empty = create_buyout(
        municipality=buyout.municipality, name="Empty", valuation_date=VALUATION_DATE
    )
    with pytest.raises(ValidationError) as raised:
        agree_buyout(buyout=empty)
    assert "items" in raised.value.message_dict
    with pytest.raises(ValidationError) as raised:
        agree_buyout(
            buyout=buyout,
            agreed_on=datetime.date.today() + datetime.timedelta(days=3),
        )
    assert "agreed_on" in raised.value.message_dict
    assert Buyout.objects.get(pk=buyout.pk).status == BuyoutStatus.DRAFT


def test_valuation_date_cannot_precede_an_acquisition(registered, buyout):
    with pytest.raises(ValidationError) as raised:
        update_buyout(buyout=buyout, changes={"valuation_date": datetime.date(2024, 12, 1)})
    assert "valuation_date" in raised.value.message_dict


def test_complete_prices_assets_and_records_the_amount_owed(
    registered, buyout, finance_user, municipality_a
):
    agree_buyout(buyout=buyout, agreed_on=datetime.date(2026, 1, 5))
    with pytest.raises(ValidationError) as raised:
        complete_buyout(buyout=buyout, completed_on=datetime.date(2026, 1, 4))
    assert "completed_on" in raised.value.message_dict

    with acting_as(finance_user, label="test"):
        done = complete_buyout(buyout=buyout, completed_on=datetime.date(2026, 2, 1))
    assert done.status == BuyoutStatus.COMPLETED
    assert Buyout.objects.get(pk=buyout.pk).completed_by == finance_user
    assets = Asset.objects.filter(buyout_item__buyout=buyout)
    assert {a.origin for a in assets} == {AssetOrigin.BOUGHT_OUT}
    assert {a.municipality_id for a in assets} == {municipality_a.pk}  # still held by it

    owed = AmountOwed.objects.get(buyout=buyout)
    assert owed.amount == Decimal("14733.33") and owed.municipality == municipality_a
    assert owed.due_month == datetime.date(2026, 2, 1)
    assert owed.settled_reference is None

    prices = {
        (p.asset.asset_tag, p.valid_from): p for p in AssetPrice.objects.select_related("asset")
    }
    first = prices[("OLD-1", datetime.date(2026, 2, 1))]
    # 6 333.33 over the remaining 38 months at 5 %, no residual, + fee 50.
    assert first.term_months == 38 and first.financed_value == Decimal("6333.33")
    assert first.valid_to == datetime.date(2029, 4, 1)
    # Paid in arrears, i = 5 %/12: 6 333.33 × i / (1 − (1 + i)^−38) = 180.5553… → 180.56.
    assert first.capital_part == Decimal("180.56")
    assert first.amount == Decimal("230.56")
    after = prices[("OLD-1", datetime.date(2029, 4, 1))]
    assert after.amount == Decimal("50.00") and after.capital_part == 0 and after.valid_to is None
    # Fully depreciated: the fee only, from completion.
    paid = prices[("OLD-2", datetime.date(2026, 2, 1))]
    assert paid.amount == Decimal("50.00") and paid.valid_to is None
    # With a residual: recovered down to it over the remaining 24 months.
    tablet = prices[("OLD-3", datetime.date(2026, 2, 1))]
    assert tablet.term_months == 24 and tablet.residual_value == Decimal("1200.00")

    with pytest.raises(ValidationError, match="completed"):
        complete_buyout(buyout=buyout)
    # Billing reads a whole month in one query.
    march = list(
        asset_prices_overlapping(start=datetime.date(2026, 3, 1), end=datetime.date(2026, 4, 1))
    )
    assert len(march) == 3
    assert asset_price_map(day=datetime.date(2030, 1, 1))[first.asset_id].amount == Decimal("50.00")


def test_complete_needs_agreement_and_lease_models(registered, buyout, laptop):
    with pytest.raises(ValidationError) as raised:
        complete_buyout(buyout=buyout)
    assert "status" in raised.value.message_dict
    agree_buyout(buyout=buyout)
    laptop.category.lease_model = None
    laptop.category.save()
    with pytest.raises(ValidationError) as raised:
        complete_buyout(buyout=buyout)
    assert "Laptops" in raised.value.message_dict["lease_model"][0]
    assert not AssetPrice.objects.exists() and not AmountOwed.objects.exists()
    assert Buyout.objects.get(pk=buyout.pk).status == BuyoutStatus.AGREED


def test_delete_draft_keeps_assets(registered, buyout):
    delete_buyout(buyout=buyout)
    assert not Buyout.objects.exists() and not BuyoutItem.objects.exists()
    assert Asset.objects.count() == 3


def months_to_first_of_month(acquired: datetime.date, first: datetime.date) -> int:
    """Whole months from ``acquired`` to ``first`` (the 1st of a month): the calendar
    months between them, less the one not yet completed unless acquired on a 1st."""
    assert first.day == 1
    months = (first.year - acquired.year) * 12 + first.month - acquired.month
    return months - (1 if acquired.day > 1 else 0)


def test_valuation_is_straight_line_rounded_per_line(buyout, laptop):
    # Many dates, one rule: cost × (60 − age) / 60, no residual, each line to the øre
    # (half up), the total their sum.
    rows = [
        row(
            laptop,
            f"A{n}",
            datetime.date(2021, 1, 1) + datetime.timedelta(days=23 * n),
            f"{1000 + 37 * n}.{n % 100:02d}",
        )
        for n in range(80)
    ]
    register_equipment(buyout=buyout, rows=rows)
    valuation = buyout_valuation(buyout=buyout)
    ages = [months_to_first_of_month(r["acquisition_date"], VALUATION_DATE) for r in rows]
    expected = [
        (Decimal(r["acquisition_cost"]) * (60 - min(age, 60)) / 60).quantize(
            Decimal("0.01"), rounding=ROUND_HALF_UP
        )
        for r, age in zip(rows, ages, strict=True)
    ]
    lines = sorted(valuation.lines, key=lambda line: int(line.asset_tag[1:]))
    assert [line.age_months for line in lines] == ages
    assert [line.book_value for line in lines] == expected
    assert valuation.total == sum(expected)
    # Two lines by hand: A0 acquired 1 January 2021, 60 months old on 1 January 2026 —
    # written off; A40 acquired 10 July 2023 (+920 days) for 2 480.40, 29 whole months
    # old: 2 480.40 × 31 / 60 = 1 281.54.
    assert (lines[0].age_months, lines[0].book_value) == (60, Decimal("0.00"))
    assert (lines[40].age_months, lines[40].book_value) == (29, Decimal("1281.54"))


def test_a_failed_write_leaves_nothing_behind(buyout, laptop, monkeypatch):
    # All or nothing also when the database refuses a write half-way: the assets and
    # assignments already inserted are rolled back with the items.
    original = drafting.insert_objects

    def fail_on_items(objects):
        if objects and isinstance(objects[0], BuyoutItem):
            raise RuntimeError("disk full")
        original(objects)

    monkeypatch.setattr(drafting, "insert_objects", fail_on_items)
    assets, assignments, changes = (
        Asset.objects.count(),
        Assignment.objects.count(),
        ObjectChange.objects.count(),
    )
    with pytest.raises(RuntimeError):
        register_equipment(
            buyout=buyout, rows=[row(laptop, "HALF", datetime.date(2023, 1, 1), "100")]
        )
    assert Asset.objects.count() == assets and Assignment.objects.count() == assignments
    assert ObjectChange.objects.count() == changes
    assert not BuyoutItem.objects.exists()

"""Rating: proration, price layers, exact splits, missing prices, idempotent reruns."""

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from samdrift.agreements.services import create_agreement, set_agreed_price
from samdrift.billing.choices import ChargeSource
from samdrift.billing.models import BillingPeriod, BillingRun, Charge, Invoice
from samdrift.billing.services.one_offs import add_one_off_charge
from samdrift.billing.services.runs import bill_period
from samdrift.catalogue.choices import ServiceUnit
from samdrift.catalogue.services import publish_price
from samdrift.finance.money import round_to_ore
from samdrift.inventory.models import UsageRecord
from samdrift.inventory.services import assign_asset, end_subscription, subscribe
from tests import factories
from tests.worlds import money

D = datetime.date
NOV = D(2026, 11, 1)


def charges(**filters):
    return list(Charge.objects.filter(**filters).order_by("pk"))


def test_a_full_month_bills_every_asset_and_user_at_list_price(world):
    run = bill_period(month=NOV)
    assert run.charge_count == 6
    laptop_charges = charges(source=ChargeSource.ASSET)
    assert [c.amount for c in laptop_charges] == [money("328.69")] * 3
    assert all(c.days_active == 30 and c.days_in_month == 30 for c in laptop_charges)
    fjordvik = Invoice.objects.get(municipality=world.fjordvik)
    assert fjordvik.net_total == money("957.38")


def test_every_invoice_sums_to_its_lines_and_its_charges(world):
    bill_period(month=NOV)
    for invoice in Invoice.objects.all():
        lines = list(invoice.lines.all())
        assert sum(line.net_amount for line in lines) == invoice.net_total
        assert sum(line.vat_amount for line in lines) == invoice.vat_total
        assert invoice.net_total + invoice.vat_total == invoice.gross_total
        assert sum(c.amount for c in invoice.charges.all()) == invoice.net_total
        for line in lines:
            assert line.quantity * line.unit_price == line.net_amount


def test_a_move_on_day_10_gives_two_charges_that_add_up_to_one_month(world):
    asset = world.assets[0]
    # 31 days at 100.01: 9/31 and 22/31 rounded on their own would give 29.04 + 70.98.
    odd = factories.make_product(name="Odd device")
    factories.make_price(amount="100.0100", valid_from=D(2025, 1, 1), product=odd)
    asset.product = odd
    asset.save()
    assign_asset(
        asset=asset,
        municipality=world.fjordvik,
        service_area=world.health,
        valid_from=D(2026, 12, 10),
    )
    bill_period(month=D(2026, 12, 1))
    pieces = charges(asset=asset)
    assert [(c.service_area_id, c.days_active) for c in pieces] == [
        (world.school.pk, 9),
        (world.health.pk, 22),
    ]
    assert sum(c.amount for c in pieces) == money("100.01")


def test_a_price_change_mid_month_prices_each_day_by_the_version_in_force(world):
    publish_price(product=world.laptop, amount=Decimal("400.00"), valid_from=D(2026, 11, 16))
    bill_period(month=NOV)
    pieces = charges(asset=world.assets[0])
    assert [(c.unit_price, c.days_active) for c in pieces] == [
        (Decimal("328.6900"), 15),
        (Decimal("400.0000"), 15),
    ]
    exact = Decimal("328.69") * 15 / 30 + Decimal("400") * 15 / 30
    assert sum(c.amount for c in pieces) == round_to_ore(exact) == money("364.35")


def test_an_agreed_price_overrides_the_list_price_while_the_agreement_is_in_force(world):
    agreement = create_agreement(
        municipality=world.elvdal, name="Avtale 2026", valid_from=D(2026, 11, 11)
    )
    set_agreed_price(agreement=agreement, service=world.workplace, amount=Decimal("120.00"))
    bill_period(month=NOV)
    elvdal = charges(municipality=world.elvdal, source=ChargeSource.SUBSCRIPTION)
    assert [(c.unit_price, c.days_active) for c in elvdal] == [
        (Decimal("150.0000"), 10),
        (Decimal("120.0000"), 20),
    ]
    fjordvik = charges(municipality=world.fjordvik, source=ChargeSource.SUBSCRIPTION)
    assert {c.unit_price for c in fjordvik} == {Decimal("150.0000")}


def test_a_person_leaving_ends_their_user_services(world):
    person = world.persons[2]
    person.active_to = D(2026, 11, 21)
    person.save()
    bill_period(month=NOV)
    (charge,) = charges(person=person, source=ChargeSource.SUBSCRIPTION)
    assert charge.days_active == 20
    assert charge.amount == money("100.00")


def test_usage_and_one_off_charges_are_billed(world):
    pages = factories.make_service(name="Printing", unit=ServiceUnit.PER_PAGE)
    factories.make_price(amount="0.0850", valid_from=D(2025, 1, 1), service=pages)
    UsageRecord.objects.create(
        service=pages,
        municipality=world.fjordvik,
        service_area=world.school,
        month=NOV,
        quantity=Decimal("12345"),
    )
    add_one_off_charge(
        municipality=world.elvdal,
        description="Installation, 3 hours",
        date=D(2026, 11, 5),
        quantity=Decimal("3"),
        unit_price=Decimal("950.00"),
    )
    bill_period(month=NOV)
    (usage,) = charges(source=ChargeSource.USAGE)
    assert usage.amount == money("1049.33")  # 12 345 × 0.085 = 1049.325, half up
    (one_off,) = charges(source=ChargeSource.ONE_OFF)
    assert one_off.amount == money("2850.00")
    assert (
        Invoice.objects.get(municipality=world.elvdal)
        .lines.filter(description="Installation, 3 hours")
        .exists()
    )


def test_a_missing_price_is_named_and_changes_nothing(world):
    bare = factories.make_product(name="Unpriced tablet")
    factories.make_price(amount="99.00", valid_from=D(2026, 11, 20), product=bare)
    asset = factories.make_asset(bare, asset_tag="TAB-1")
    assign_asset(asset=asset, municipality=world.elvdal, valid_from=D(2026, 1, 1))
    with pytest.raises(ValidationError) as error:
        bill_period(month=NOV)
    text = " ".join(error.value.message_dict["month"])
    assert "Unpriced tablet" in text
    assert "2026-11-01–2026-11-19" in text
    assert "TAB-1" in text and "Elvdal" in text
    assert not BillingPeriod.objects.exists()
    assert not Charge.objects.exists() and not BillingRun.objects.exists()


def test_rerunning_an_open_month_gives_the_same_charges_and_hash(world):
    first = bill_period(month=NOV)
    before = [
        (c.municipality_id, c.asset_id, c.subscription_id, c.amount, c.days_active)
        for c in Charge.objects.order_by("source", "source_id")
    ]
    invoice_ids = set(Invoice.objects.values_list("pk", flat=True))
    second = bill_period(month=NOV)
    after = [
        (c.municipality_id, c.asset_id, c.subscription_id, c.amount, c.days_active)
        for c in Charge.objects.order_by("source", "source_id")
    ]
    assert second.content_hash == first.content_hash
    assert second.input_hash == first.input_hash and len(first.input_hash) == 64
    assert after == before
    assert Charge.objects.count() == first.charge_count
    assert set(Invoice.objects.values_list("pk", flat=True)) == invoice_ids


def test_a_changed_input_changes_the_hash(world):
    first = bill_period(month=NOV)
    end_subscription(subscription=world.persons[0].subscriptions.get(), on=D(2026, 11, 15))
    second = bill_period(month=NOV)
    assert second.content_hash != first.content_hash
    assert second.input_hash != first.input_hash


def test_a_one_off_subscription_is_billed_once_in_its_start_month(world):
    setup = factories.make_service(name="Setup fee", unit=ServiceUnit.ONE_OFF)
    factories.make_price(amount="500.00", valid_from=D(2025, 1, 1), service=setup)
    subscribe(
        service=setup, municipality=world.elvdal, valid_from=D(2026, 11, 3), quantity=Decimal("2")
    )
    bill_period(month=NOV)
    (charge,) = charges(service=setup)
    assert charge.amount == money("1000.00")


def test_a_bought_out_asset_is_priced_by_its_own_price(world):
    from samdrift.leasing.models import AssetPrice

    asset = world.assets[1]
    AssetPrice.objects.create(
        asset=asset,
        valid_from=D(2026, 11, 16),
        amount=Decimal("210.00"),
        capital_part=Decimal("160.00"),
        service_fee=Decimal("50.00"),
    )
    bill_period(month=NOV)
    pieces = charges(asset=asset)
    assert [(c.unit_price, c.days_active) for c in pieces] == [
        (Decimal("328.6900"), 15),
        (Decimal("210.0000"), 15),
    ]
    assert sum(c.amount for c in pieces) == round_to_ore(
        Decimal("328.69") / 2 + Decimal("210.00") / 2
    )


def test_the_whole_month_shortcut_rates_exactly_as_piece_by_piece(world, monkeypatch):
    """Assets and subscriptions held the whole month at one price are looked up instead of
    rated piece by piece; with the shortcut switched off the run must be identical (the
    same charges, lines and content hash), for agreed prices and quantities too."""
    from samdrift.billing.rating.rater import Rater

    agreement = create_agreement(municipality=world.elvdal, name="Avtale", valid_from=D(2026, 1, 1))
    set_agreed_price(agreement=agreement, product=world.laptop, amount=Decimal("299.995"))
    set_agreed_price(agreement=agreement, service=world.workplace, amount=Decimal("120.005"))
    subscribe(
        service=world.workplace,
        municipality=world.elvdal,
        service_area=world.elvdal_care,
        valid_from=D(2026, 1, 1),
        quantity=Decimal("2.5"),
    )
    mover = world.assets[0]
    assign_asset(
        asset=mover,
        municipality=world.fjordvik,
        service_area=world.health,
        valid_from=D(2026, 11, 10),
    )
    tablet = factories.make_product(name="Tablet")
    factories.make_price(amount="100.0100", valid_from=D(2025, 1, 1), product=tablet)
    publish_price(product=tablet, amount=Decimal("110.00"), valid_from=D(2026, 11, 16))
    assign_asset(
        asset=factories.make_asset(tablet), municipality=world.elvdal, valid_from=D(2026, 1, 1)
    )

    def snapshot():
        charges = Charge.objects.order_by("source", "source_id", "valid_from").values_list(
            "municipality_id", "service_area_id", "asset_id", "subscription_id", "source_id",
            "unit_price", "quantity", "days_active", "valid_from", "valid_to", "amount", "vat_rate",
        )  # fmt: skip
        lines = Invoice.objects.order_by("pk").values_list("net_total", "vat_total", "content_hash")
        return list(charges), list(lines)

    looked_up = []
    real_whole_month = Rater._whole_month

    def spy(self, *args):
        found = real_whole_month(self, *args)
        looked_up.append(found is not None)
        return found

    monkeypatch.setattr(Rater, "_whole_month", spy)
    fast = bill_period(month=NOV)
    with_shortcut = snapshot()
    assert sum(looked_up) >= 5  # two laptops (one agreed) and three subscriptions at least
    monkeypatch.setattr(Rater, "_whole_month", lambda self, *args: None)
    slow = bill_period(month=NOV)
    assert slow.content_hash == fast.content_hash
    assert snapshot() == with_shortcut
    amounts = {row[3]: row[10] for row in with_shortcut[0] if row[3] is not None}
    assert Decimal("300.01") in amounts.values()  # 2.5 × 120.005 = 300.0125, rounded once
    assert money("120.01") in amounts.values()  # the agreed price, half up


def test_a_rerun_keeps_the_charges_of_invoices_that_come_out_the_same(world):
    first = bill_period(month=NOV)
    before = dict(Charge.objects.values_list("pk", "run_id"))
    again = bill_period(month=NOV)
    assert again.timings["rewritten invoices"] == 0
    assert again.content_hash == first.content_hash and again.charge_count == 6
    assert dict(Charge.objects.values_list("pk", "run_id")) == before  # not rewritten
    assert set(Invoice.objects.values_list("run_id", flat=True)) == {again.pk}
    # Only Elvdal's inputs change: only its invoice is rewritten, by the new run.
    subscribe(service=world.workplace, municipality=world.elvdal, valid_from=D(2026, 11, 20))
    third = bill_period(month=NOV)
    assert third.timings["rewritten invoices"] == 1 and third.charge_count == 7
    fjordvik = Invoice.objects.get(municipality=world.fjordvik)
    elvdal = Invoice.objects.get(municipality=world.elvdal)
    kept = dict(Charge.objects.filter(invoice=fjordvik).values_list("pk", "run_id"))
    assert kept == {pk: run for pk, run in before.items() if pk in kept} and len(kept) == 4
    assert set(Charge.objects.filter(invoice=elvdal).values_list("run_id", flat=True)) == {third.pk}
    assert sum(Charge.objects.filter(invoice=elvdal).values_list("amount", flat=True)) == (
        elvdal.net_total
    )
    assert elvdal.net_total == money("328.69") + money("150.00") + money("55.00")  # 11/30


def test_a_rewritten_invoice_rates_a_moved_asset_with_all_its_pieces(world):
    """An asset moved from Fjordvik to Elvdal on day 10: its two pieces are rounded
    together. When only Elvdal's invoice is rewritten, the asset is rated whole again, so
    Elvdal's piece is the same as in the first pass (the run checks it by hash). Rated
    alone, 22/31 of 100.0103 = 70.97505… would round to 70.98; together with Fjordvik's
    9 days, the month rounds to 100.01 and the øre goes to Fjordvik's larger remainder."""
    odd = factories.make_product(name="Odd device")
    factories.make_price(amount="100.0103", valid_from=D(2025, 1, 1), product=odd)
    asset = factories.make_asset(odd)
    assign_asset(asset=asset, municipality=world.fjordvik, valid_from=D(2026, 1, 1))
    assign_asset(asset=asset, municipality=world.elvdal, valid_from=D(2026, 12, 10))
    month = D(2026, 12, 1)
    bill_period(month=month)
    pieces = dict(Charge.objects.filter(asset=asset).values_list("municipality_id", "amount"))
    assert pieces == {world.fjordvik.pk: money("29.04"), world.elvdal.pk: money("70.97")}
    subscribe(service=world.workplace, municipality=world.elvdal, valid_from=D(2026, 12, 1))
    rerun = bill_period(month=month)
    assert rerun.timings["rewritten invoices"] == 1
    assert dict(Charge.objects.filter(asset=asset).values_list("municipality_id", "amount")) == (
        pieces
    )

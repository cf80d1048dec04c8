"""Issuing, numbering, closing, credit notes, adjustments, cost pools and buyout credits."""

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from samdrift.billing.choices import ChargeSource, InvoiceStatus, PeriodStatus
from samdrift.billing.models import BillingPeriod, Charge, CreditNote, Invoice, InvoiceLine
from samdrift.billing.selectors import pool_summary
from samdrift.billing.services.credits import create_credit_note
from samdrift.billing.services.issuing import issue_invoice, issue_period
from samdrift.billing.services.periods import close_period
from samdrift.billing.services.pools import create_allocation_key, create_cost_pool
from samdrift.billing.services.runs import bill_period
from samdrift.inventory.services import assign_asset
from samdrift.leasing.models import AmountOwed
from tests import factories
from tests.worlds import money

D = datetime.date
OCT, NOV, DEC = D(2026, 10, 1), D(2026, 11, 1), D(2026, 12, 1)


def bill_and_close(month, issue_date=None):
    bill_period(month=month)
    issue_period(month=month, issue_date=issue_date or month)
    close_period(month=month)


def snapshot(period_month):
    period = BillingPeriod.objects.get(month=period_month)
    return (
        sorted(Charge.objects.filter(period=period).values_list("pk", "amount", "service_area_id")),
        sorted(
            Invoice.objects.filter(period=period).values_list(
                "pk", "number", "net_total", "vat_total", "status"
            )
        ),
        sorted(InvoiceLine.objects.filter(invoice__period=period).values_list("pk", "net_amount")),
    )


def test_issuing_numbers_invoices_gaplessly_and_freezes_them(world):
    bill_period(month=NOV)
    invoices = issue_period(month=NOV, issue_date=D(2026, 12, 1))
    assert [i.number for i in invoices] == ["SD-2026-000001", "SD-2026-000002"]
    assert [i.municipality for i in invoices] == [world.fjordvik, world.elvdal]
    first = invoices[0]
    assert first.due_date == D(2026, 12, 31)
    assert first.kid.startswith(world.fjordvik.number + "26")
    # An issued invoice keeps its charges when its open period is re-run.
    before = snapshot(NOV)
    bill_period(month=NOV)
    assert snapshot(NOV) == before


def test_issuing_an_invoice_twice_is_refused_and_changes_nothing(world):
    bill_period(month=NOV)
    invoice = Invoice.objects.get(municipality=world.fjordvik)
    issue_invoice(invoice=invoice, issue_date=D(2026, 12, 1))
    with pytest.raises(ValidationError) as error:
        issue_invoice(invoice=invoice, issue_date=D(2026, 12, 2))
    assert "SD-2026-000001" in str(error.value)
    invoice.refresh_from_db()
    assert invoice.issue_date == D(2026, 12, 1)
    other = issue_invoice(invoice=Invoice.objects.get(municipality=world.elvdal))
    assert other.sequence == 2


def test_a_month_cannot_be_billed_before_its_predecessor_is_closed(world):
    bill_period(month=OCT)
    with pytest.raises(ValidationError) as error:
        bill_period(month=NOV)
    assert "October 2026 is still open" in str(error.value)
    assert not BillingPeriod.objects.filter(month=NOV).exists()
    with pytest.raises(ValidationError) as error:
        bill_period(month=DEC)
    assert "November 2026 has not been billed" in str(error.value)


def test_closing_needs_every_invoice_issued_and_a_closed_month_never_changes(world):
    bill_period(month=OCT)
    with pytest.raises(ValidationError) as error:
        close_period(month=OCT)
    assert "Fjordvik" in str(error.value)
    issue_period(month=OCT, issue_date=D(2026, 11, 1))
    period = close_period(month=OCT)
    assert period.status == PeriodStatus.CLOSED
    with pytest.raises(ValidationError) as error:
        bill_period(month=OCT)
    assert "closed" in str(error.value)


def test_a_backdated_reassignment_is_billed_as_adjustments_next_month(world):
    bill_and_close(OCT)
    closed_before = snapshot(OCT)
    asset = world.assets[0]  # Fjordvik, school, all October billed to the school
    assign_asset(
        asset=asset,
        municipality=world.fjordvik,
        service_area=world.health,
        valid_from=D(2026, 10, 10),
    )
    run = bill_period(month=NOV)
    assert snapshot(OCT) == closed_before
    october = BillingPeriod.objects.get(month=OCT)
    adjustments = list(Charge.objects.filter(adjusts_period=october).order_by("amount"))
    # 22 of 31 days move from the school to health: credited there, charged here.
    moved = money("233.26")  # 328.69 × 22/31, the larger piece of the exact split
    assert [(c.service_area_id, c.amount) for c in adjustments] == [
        (world.school.pk, -moved),
        (world.health.pk, moved),
    ]
    assert run.adjustment_count == 2
    invoice = Invoice.objects.get(period__month=NOV, municipality=world.fjordvik)
    lines = invoice.lines.filter(adjusts_period=october)
    # The invoice's language (Norwegian Bokmål by default), whoever ran the billing.
    assert {line.description for line in lines} == {"Standard laptop 14in – korreksjon for 2026-10"}
    assert sum(line.net_amount for line in lines) == 0
    # Running again bills nothing twice.
    rerun = bill_period(month=NOV)
    assert rerun.adjustment_count == 2 and rerun.content_hash == run.content_hash
    issue_period(month=NOV, issue_date=D(2026, 12, 1))
    close_period(month=NOV)
    bill_period(month=DEC)
    assert not Charge.objects.filter(period__month=DEC, adjusts_period=october).exists()


def test_a_backdated_leave_credits_the_closed_month(world):
    bill_and_close(OCT)
    person = world.persons[2]
    person.active_to = D(2026, 10, 21)
    person.save()
    bill_period(month=NOV)
    (credit,) = Charge.objects.filter(adjusts_period__month=OCT)
    assert credit.person == person and credit.source == ChargeSource.SUBSCRIPTION
    assert credit.amount == -money("53.23")  # 150 × 11/31 days no longer active
    assert credit.days_active == -11


def test_a_full_credit_note_credits_what_remains_and_no_more(world):
    bill_period(month=NOV)
    invoice = issue_period(month=NOV, issue_date=D(2026, 12, 1))[0]
    line = invoice.lines.order_by("line_number").first()
    partial = create_credit_note(
        invoice=invoice, reason="Wrong laptop", amounts={line.pk: Decimal("100.00")}
    )
    assert partial.number == "SDK-2026-000001" or partial.number.startswith("SDK-")
    assert partial.net_total == money("100.00") and partial.vat_total == money("25.00")
    with pytest.raises(ValidationError) as error:
        create_credit_note(invoice=invoice, reason="Again", amounts={line.pk: Decimal("228.70")})
    assert "more than remains" in str(error.value)
    assert CreditNote.objects.count() == 1
    full = create_credit_note(invoice=invoice, reason="Cancelled")
    assert partial.net_total + full.net_total == invoice.net_total
    assert partial.vat_total + full.vat_total == invoice.vat_total
    with pytest.raises(ValidationError):
        create_credit_note(invoice=invoice, reason="Once more")


def test_a_draft_cannot_be_credited(world):
    bill_period(month=NOV)
    invoice = Invoice.objects.first()
    with pytest.raises(ValidationError):
        create_credit_note(invoice=invoice, reason="No")
    assert not CreditNote.objects.exists()


def test_a_pool_of_three_million_split_one_third_equal_two_thirds_population(world):
    third = factories.make_municipality(name="Havøy", number="4603", population=12345)
    key = create_allocation_key(
        name="1/3 likt + 2/3 innbyggere",
        measured_on=D(2026, 1, 1),
        parts={"equal": Decimal(1), "population": Decimal(2)},
    )
    create_cost_pool(
        name="Felles driftskostnader",
        monthly_amount=Decimal("3000000.00"),
        key=key,
        valid_from=D(2026, 1, 1),
    )
    bill_period(month=NOV)
    shares = dict(
        Charge.objects.filter(source=ChargeSource.COST_POOL).values_list(
            "municipality_id", "amount"
        )
    )
    assert sum(shares.values()) == money("3000000.00")
    population = {world.fjordvik.pk: 60000, world.elvdal.pk: 1500, third.pk: 12345}
    total_population = sum(population.values())
    for municipality_id, share in shares.items():
        exact = (
            Decimal(1000000) / 3 * 1
            + Decimal(2000000) * population[municipality_id] / total_population
        )
        assert abs(share - exact) < Decimal("0.01")
    (summary,) = pool_summary(period=BillingPeriod.objects.get(month=NOV))
    assert summary.allocated == money("3000000.00") and summary.unallocated == 0


def test_a_pool_split_on_to_service_areas_sums_to_each_municipality_share(world):
    key = create_allocation_key(
        name="Fixed",
        measured_on=D(2026, 1, 1),
        parts={"fixed": Decimal(1)},
        weights={"fixed": {world.fjordvik: Decimal("60"), world.elvdal: Decimal("30")}},
    )
    create_cost_pool(
        name="Lisenser",
        monthly_amount=Decimal("1000.01"),
        key=key,
        valid_from=D(2026, 1, 1),
        split_to_service_areas=True,
    )
    bill_period(month=NOV)
    rows = list(
        Charge.objects.filter(source=ChargeSource.COST_POOL).values_list(
            "municipality_id", "service_area_id", "amount"
        )
    )
    fjordvik = [amount for m, _area, amount in rows if m == world.fjordvik.pk]
    assert len(fjordvik) == 2  # the school and health, one person each
    assert sum(fjordvik) == money("600.01")  # 60 % of 1000.01 gets the left-over øre
    assert sum(amount for *_rest, amount in rows) == money("900.01")
    (summary,) = pool_summary(period=BillingPeriod.objects.get(month=NOV))
    assert summary.unallocated == money("100.00")


def test_an_amount_owed_is_credited_and_settled_when_issued(world):
    owed = AmountOwed.objects.create(
        municipality=world.elvdal,
        amount=Decimal("12000.00"),
        due_month=NOV,
        description="Buyout of 12 laptops",
    )
    bill_period(month=NOV)
    (credit,) = Charge.objects.filter(source=ChargeSource.BUYOUT)
    assert credit.amount == -money("12000.00") and credit.vat_rate == 0
    invoice = Invoice.objects.get(municipality=world.elvdal)
    assert invoice.net_total == money("478.69") - money("12000.00")
    issue_invoice(invoice=invoice, issue_date=D(2026, 12, 1))
    owed.refresh_from_db()
    assert owed.settled_reference == "SD-2026-000001"


def test_rating_needs_the_same_number_of_queries_for_more_assets(
    world, django_assert_max_num_queries
):
    bill_period(month=OCT)
    issue_period(month=OCT, issue_date=D(2026, 11, 1))
    close_period(month=OCT)
    with django_assert_max_num_queries(80):
        bill_period(month=NOV)  # a first run

    def add_assets(count):
        for _ in range(count):
            asset = factories.make_asset(world.laptop)
            person = factories.make_person(world.elvdal, world.elvdal_care)
            assign_asset(
                asset=asset,
                municipality=world.elvdal,
                service_area=world.elvdal_care,
                person=person,
                valid_from=D(2026, 11, 1),
            )

    # Reruns that find Elvdal's invoice changed: rate, then rate and write Elvdal again.
    add_assets(1)
    with django_assert_max_num_queries(120) as few:
        bill_period(month=NOV)
    baseline = len(few.captured_queries)
    add_assets(25)
    with django_assert_max_num_queries(baseline) as many:
        bill_period(month=NOV)
    assert Charge.objects.filter(period__month=NOV).count() == 6 + 1 + 25
    assert len(many.captured_queries) <= baseline


def test_invoice_statuses(world):
    bill_period(month=NOV)
    assert set(Invoice.objects.values_list("status", flat=True)) == {InvoiceStatus.DRAFT}


def test_invoice_texts_follow_the_invoice_language_not_the_runners(world, settings):
    """An adjustment's line text is in SAMDRIFT_INVOICE_LANGUAGE whatever language the
    billing was run in; the person running it still gets their own messages."""
    from django.utils import translation

    bill_and_close(OCT)
    assign_asset(
        asset=world.assets[0],
        municipality=world.fjordvik,
        service_area=world.health,
        valid_from=D(2026, 10, 10),
    )
    texts = {}
    for language in ("nb", "en"):
        settings.SAMDRIFT_INVOICE_LANGUAGE = language
        for runner in ("en", "nb"):
            with translation.override(runner):
                bill_period(month=NOV)
            lines = InvoiceLine.objects.filter(adjusts_period__month=OCT)
            texts[(language, runner)] = {line.description for line in lines}
    norwegian = {"Standard laptop 14in – korreksjon for 2026-10"}
    english = {"Standard laptop 14in – adjustment for 2026-10"}
    assert texts == {
        ("nb", "en"): norwegian,
        ("nb", "nb"): norwegian,
        ("en", "en"): english,
        ("en", "nb"): english,
    }


@pytest.mark.parametrize(("value", "starts"), [("de", False), ("en", True), ("", True)])
def test_an_unknown_invoice_language_stops_the_start_and_names_the_choices(tmp_path, value, starts):
    import subprocess
    import sys

    from tests.own_database import base_env

    env = {**base_env(tmp_path), "SAMDRIFT_INVOICE_LANGUAGE": value}
    script = "import django; django.setup(); from django.conf import settings; "
    script += "print(settings.SAMDRIFT_INVOICE_LANGUAGE)"
    done = subprocess.run(
        [sys.executable, "-c", script],
        env={**env, "DJANGO_SETTINGS_MODULE": "samdrift.settings"},
        capture_output=True,
        text=True,
        timeout=60,
    )
    if starts:
        assert (done.returncode, done.stdout.strip()) == (0, value or "nb"), done.stderr
    else:
        assert done.returncode != 0
        assert "SAMDRIFT_INVOICE_LANGUAGE='de': use one of en, nb." in done.stderr

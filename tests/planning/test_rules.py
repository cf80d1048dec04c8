"""The due-date rule (planning.rules): a small fleet built by hand, each device's due date
and reason worked out here, and the database filter ``due_before`` checked against the
Python rule over generated devices (hypothesis)."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.db import transaction
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from samdrift.inventory.choices import AssetStatus
from samdrift.inventory.models import Asset
from samdrift.planning.choices import DueReason, RuleBasis
from samdrift.planning.models import ProductSupport, ReplacementRule
from samdrift.planning.rules import Due, RuleBook, in_service, months_threshold
from tests import factories

D = datetime.date


class Fleet:
    """Laptops replaced at the end of their 36-month lease (the G1 reaches its end of
    support on 14 October 2025, the G2 replaces both), phones after 13 months, tablets by
    lease term with no lease model, printers without a rule."""

    def __init__(self):
        lease = factories.make_lease_model(term_months=36)
        self.laptops = factories.make_category(name="Laptops", lease_model=lease)
        self.phones = factories.make_category(name="Phones")
        self.tablets = factories.make_category(name="Tablets")
        self.printers = factories.make_category(name="Printers")
        self.g1 = factories.make_product(self.laptops, name="Laptop G1")
        self.g2 = factories.make_product(self.laptops, name="Laptop G2")
        self.phone = factories.make_product(self.phones, name="Phone")
        self.tablet = factories.make_product(self.tablets, name="Tablet")
        self.printer = factories.make_product(self.printers, name="Printer")
        ReplacementRule.objects.create(
            category=self.laptops, basis=RuleBasis.LEASE_TERM, replacement_product=self.g2
        )
        ReplacementRule.objects.create(
            category=self.phones, basis=RuleBasis.MAX_AGE, max_age_months=13
        )
        ReplacementRule.objects.create(category=self.tablets, basis=RuleBasis.LEASE_TERM)
        ProductSupport.objects.create(
            product=self.g1, what="Windows 10", end_of_support=D(2025, 10, 14)
        )


@pytest.fixture
def fleet(db):
    return Fleet()


def due(book, product, *, acquired=None, lease_end=None, warranty=None, planned=None):
    return book.due(product.pk, acquired, lease_end, warranty, planned)


def test_one_reason_each(fleet):
    book = RuleBook()
    # Acquired 1 March 2024: the lease term would end 1 March 2027, support ends first.
    assert due(book, fleet.g1, acquired=D(2024, 3, 1)) == Due(D(2025, 10, 14), "end_of_support")
    # No end of support: acquisition + 36 months.
    assert due(book, fleet.g2, acquired=D(2024, 3, 1)) == Due(D(2027, 3, 1), "lease_term")
    # The device's own lease end wins over acquisition + term, earlier or later.
    assert due(book, fleet.g2, acquired=D(2024, 3, 1), lease_end=D(2026, 12, 15)) == Due(
        D(2026, 12, 15), "lease_term"
    )
    assert due(book, fleet.g2, acquired=D(2024, 3, 1), lease_end=D(2027, 9, 1)) == Due(
        D(2027, 9, 1), "lease_term"
    )
    # Only a lease end, no acquisition date.
    assert due(book, fleet.g2, lease_end=D(2026, 2, 1)) == Due(D(2026, 2, 1), "lease_term")
    # A planned replacement before everything else.
    assert due(book, fleet.g2, acquired=D(2024, 3, 1), planned=D(2026, 6, 1)) == Due(
        D(2026, 6, 1), "planned"
    )
    # Maximum age 13 months; warranty ending earlier wins.
    assert due(book, fleet.phone, acquired=D(2024, 6, 1)) == Due(D(2025, 7, 1), "max_age")
    assert due(book, fleet.phone, acquired=D(2024, 6, 1), warranty=D(2025, 6, 1)) == Due(
        D(2025, 6, 1), "warranty"
    )
    assert due(book, fleet.phone, acquired=D(2024, 6, 1), warranty=D(2025, 8, 1)) == Due(
        D(2025, 7, 1), "max_age"
    )


def test_month_ends_are_clamped(fleet):
    book = RuleBook()
    # 31 January 2023 + 13 months = 29 February 2024 (leap year); + 13 from 2024: 28 Feb 2025.
    assert due(book, fleet.phone, acquired=D(2023, 1, 31)).on == D(2024, 2, 29)
    assert due(book, fleet.phone, acquired=D(2024, 1, 31)).on == D(2025, 2, 28)
    # 30 November 2022 + 36 months = 30 November 2025; 31 May 2023 + 36 = 31 May 2026.
    assert due(book, fleet.g2, acquired=D(2022, 11, 30)).on == D(2025, 11, 30)
    assert due(book, fleet.g2, acquired=D(2023, 5, 31)).on == D(2026, 5, 31)
    # A 1-month rule on 31 January: the last day of February.
    ReplacementRule.objects.filter(category=fleet.phones).update(max_age_months=1)
    assert due(RuleBook(), fleet.phone, acquired=D(2025, 1, 31)).on == D(2025, 2, 28)


def test_ties_go_to_the_reason_listed_first(fleet):
    book = RuleBook()
    eos = D(2025, 10, 14)
    assert due(book, fleet.g1, acquired=D(2024, 3, 1), planned=eos).reason == "planned"
    assert due(book, fleet.g1, lease_end=eos).reason == "end_of_support"
    assert due(book, fleet.g1, warranty=eos, lease_end=D(2030, 1, 1)).reason == "end_of_support"
    assert due(book, fleet.g2, lease_end=D(2026, 1, 1), warranty=D(2026, 1, 1)) == Due(
        D(2026, 1, 1), "lease_term"
    )
    assert due(book, fleet.phone, acquired=D(2024, 6, 1), warranty=D(2025, 7, 1)) == Due(
        D(2025, 7, 1), "max_age"
    )
    everything = due(
        book, fleet.g1, acquired=D(2022, 10, 14), lease_end=eos, warranty=eos, planned=eos
    )
    assert everything == Due(eos, "planned")
    # The order of the reasons is DueReason's.
    assert list(DueReason.values) == [
        "planned",
        "end_of_support",
        "lease_term",
        "max_age",
        "warranty",
    ]


def test_no_rule_gives_no_due_date(fleet):
    book = RuleBook()
    assert due(book, fleet.printer, acquired=D(2015, 1, 1)) is None
    assert due(book, fleet.printer, warranty=D(2026, 4, 1)) == Due(D(2026, 4, 1), "warranty")
    assert due(book, fleet.printer, planned=D(2027, 4, 1)) == Due(D(2027, 4, 1), "planned")
    # A lease-term rule without a lease model: only the device's own lease end counts.
    assert due(book, fleet.tablet, acquired=D(2015, 1, 1)) is None
    assert due(book, fleet.tablet, lease_end=D(2026, 3, 1)) == Due(D(2026, 3, 1), "lease_term")
    # A laptop without any date: the lease rule has nothing to count from.
    assert due(book, fleet.g2) is None


def test_due_of_an_asset_and_its_label(fleet):
    asset = factories.make_asset(fleet.g2, acquisition_date=D(2024, 3, 1), warranty_end=None)
    found = RuleBook().due_of(asset)
    assert found == Due(D(2027, 3, 1), "lease_term")
    assert found.reason_label == "Lease term ends"


def test_lease_term_override(fleet):
    book = RuleBook(lease_term_months=48)
    assert due(book, fleet.g2, acquired=D(2024, 3, 1)) == Due(D(2028, 3, 1), "lease_term")
    # The scenario's term replaces the device's own lease end where it can count.
    assert due(book, fleet.g2, acquired=D(2024, 3, 1), lease_end=D(2026, 12, 15)) == Due(
        D(2028, 3, 1), "lease_term"
    )
    assert due(book, fleet.g2, lease_end=D(2026, 12, 15)) == Due(D(2026, 12, 15), "lease_term")
    # A lease-term category without a lease model gets the scenario's term too.
    assert due(book, fleet.tablet, acquired=D(2024, 1, 31)) == Due(D(2028, 1, 31), "lease_term")
    # Maximum-age rules and ends of support are not the lease's.
    assert due(book, fleet.phone, acquired=D(2024, 6, 1)) == Due(D(2025, 7, 1), "max_age")
    assert due(book, fleet.g1, acquired=D(2024, 3, 1)) == Due(D(2025, 10, 14), "end_of_support")


def test_rule_for(fleet):
    book = RuleBook()
    g1 = book.rule_for(fleet.g1.pk)
    assert (g1.end_of_support, g1.basis, g1.months, g1.replacement_id) == (
        D(2025, 10, 14),
        "lease_term",
        36,
        fleet.g2.pk,
    )
    phone = book.rule_for(fleet.phone.pk)
    assert (phone.basis, phone.months, phone.replacement_id) == ("max_age", 13, fleet.phone.pk)
    printer = book.rule_for(fleet.printer.pk)
    assert (printer.basis, printer.months, printer.replacement_id) == (None, None, fleet.printer.pk)
    assert RuleBook(lease_term_months=48).rule_for(fleet.g2.pk).months == 48


def test_the_rule_book_reads_one_query(fleet, django_assert_num_queries):
    with django_assert_num_queries(1):
        RuleBook()


@pytest.mark.parametrize(
    ("day", "months"),
    [
        (D(2026, 2, 28), 1),  # from 28 January (29–31 January + 1 month clamp to 28 Feb)
        (D(2026, 3, 1), 1),
        (D(2026, 3, 31), 1),
        (D(2024, 2, 29), 13),
        (D(2026, 1, 15), 36),
    ],
)
def test_months_threshold_is_the_first_day_old_enough(day, months):
    from samdrift.finance.depreciation import add_months

    threshold = months_threshold(day, months)
    assert add_months(threshold, months) >= day
    assert add_months(threshold - datetime.timedelta(days=1), months) < day


def test_months_threshold_by_hand():
    # Devices acquired 28–31 January 2026 are all 1 month old on 28 February 2026.
    assert months_threshold(D(2026, 2, 28), 1) == D(2026, 1, 28)
    assert months_threshold(D(2026, 3, 1), 1) == D(2026, 2, 1)
    assert months_threshold(D(2024, 2, 29), 13) == D(2023, 1, 29)


def test_due_before_on_the_hand_built_fleet(fleet, municipality_a):
    make = factories.make_asset
    status = AssetStatus.DEPLOYED
    early = make(fleet.g1, acquisition_date=D(2024, 3, 1), status=status)  # 14 Oct 2025
    leased = make(fleet.g2, acquisition_date=D(2024, 3, 1), status=status)  # 1 Mar 2027
    phone = make(fleet.phone, acquisition_date=D(2024, 1, 31), status=status)  # 28 Feb 2025
    warranty = make(fleet.printer, warranty_end=D(2025, 12, 31), status=status)
    make(fleet.printer, acquisition_date=D(2010, 1, 1), status=status)  # never due
    make(fleet.g1, acquisition_date=D(2024, 3, 1), status=AssetStatus.IN_STOCK)  # not in service
    book = RuleBook()

    def due_ids(day):
        return set(
            Asset.objects.filter(in_service() & book.due_before(day)).values_list("pk", flat=True)
        )

    assert due_ids(D(2025, 2, 28)) == set()
    assert due_ids(D(2025, 3, 1)) == {phone.pk}
    assert due_ids(D(2025, 10, 15)) == {phone.pk, early.pk}
    assert due_ids(D(2026, 1, 1)) == {phone.pk, early.pk, warranty.pk}
    assert due_ids(D(2027, 3, 1)) == {phone.pk, early.pk, warranty.pk}
    assert due_ids(D(2027, 3, 2)) == {phone.pk, early.pk, warranty.pk, leased.pk}


# The filter and the Python rule agree ----------------------------------------------------

DAYS = st.one_of(
    st.dates(min_value=D(2020, 1, 1), max_value=D(2030, 12, 31)),
    # Month ends and their neighbours, where clamping happens.
    st.builds(
        lambda year, month, back: (
            D(year + month // 12, month % 12 + 1, 1) - datetime.timedelta(days=back)
        ),
        st.integers(2021, 2029),
        st.integers(1, 12),
        st.integers(0, 3),
    ),
)
MAYBE_DAY = st.one_of(st.none(), DAYS)
DEVICE = st.tuples(
    st.integers(0, 4),  # which product
    MAYBE_DAY,  # acquisition
    MAYBE_DAY,  # lease end
    MAYBE_DAY,  # warranty end
    MAYBE_DAY,  # planned replacement
    st.sampled_from([AssetStatus.DEPLOYED, AssetStatus.IN_REPAIR, AssetStatus.RETIRED]),
)


@pytest.fixture(scope="module")
def property_fleet(django_db_setup, django_db_blocker):
    from tests.worlds import rolled_back

    with rolled_back(django_db_blocker):
        yield Fleet()


@settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    devices=st.lists(DEVICE, min_size=1, max_size=12),
    day=DAYS,
    override=st.sampled_from([None, 1, 24, 48]),
)
def test_due_before_selects_exactly_the_devices_due_before_the_day(
    property_fleet, db, devices, day, override
):
    products = [
        property_fleet.g1,
        property_fleet.g2,
        property_fleet.phone,
        property_fleet.tablet,
        property_fleet.printer,
    ]
    with transaction.atomic():
        assets = Asset.objects.bulk_create(
            Asset(
                product=products[index],
                asset_tag=f"P{n}",
                acquisition_date=acquired,
                lease_end=lease_end,
                warranty_end=warranty,
                planned_replacement=planned,
                status=status,
                acquisition_cost=Decimal("1000"),
            )
            for n, (index, acquired, lease_end, warranty, planned, status) in enumerate(devices)
        )
        book = RuleBook(lease_term_months=override)
        expected = set()
        for asset in assets:
            found = book.due_of(asset)
            if asset.status != AssetStatus.RETIRED and found is not None and found.on < day:
                expected.add(asset.pk)
        selected = set(
            Asset.objects.filter(in_service() & book.due_before(day)).values_list("pk", flat=True)
        )
        assert selected == expected
        transaction.set_rollback(True)

"""The fleet figures kept in ``planning.figures`` equal the direct computation — the
scanning queries the overview ran before (kept here as the oracle) — for every role's
scope, after each kind of change: assignment, import, billing run, price publication,
buyout, status change and retirement, lifecycle bulk actions, deletion, a new day and a
changed replacement rule."""

from __future__ import annotations

import datetime
import io
from collections import defaultdict
from decimal import Decimal

import pytest
from django.db.models import Case, Count, IntegerField, Value, When
from django.urls import reverse
from django.utils import timezone

from samdrift.billing.services.runs import bill_period
from samdrift.core.permissions import restrict
from samdrift.dashboard.selectors import overview
from samdrift.finance.depreciation import add_months
from samdrift.inventory.choices import IN_SERVICE, AssetEventKind, AssetStatus
from samdrift.inventory.filtersets import AssetFilterSet, in_service
from samdrift.inventory.models import Asset
from samdrift.inventory.services import (
    assign_asset,
    change_asset_status,
    correct_assignment,
    create_asset,
    end_assignment,
    reassign_service_area,
    record_asset_event,
    record_events_in_bulk,
    set_planned_replacement,
    update_asset,
)
from samdrift.leasing.buyouts.agreeing import agree_buyout
from samdrift.leasing.buyouts.completion import complete_buyout
from samdrift.organisations.models import Municipality, ServiceArea
from samdrift.planning import figures
from samdrift.planning.choices import RuleBasis
from samdrift.planning.filtersets import DueDeviceFilterSet
from samdrift.planning.models import FleetFigure, FleetFigureStamp, ProductSupport, ReplacementRule
from samdrift.planning.plan import due_per_month
from samdrift.planning.rules import RuleBook
from samdrift.ui.cards import card
from samdrift.ui.lists import count_of
from samdrift.ui.panels import counts as panel_counts
from tests import factories
from tests.factories import ASSET_COLUMNS, import_rows
from tests.worlds import scope_users

pytestmark = pytest.mark.django_db
D = datetime.date
TODAY = D(2026, 1, 15)


# The oracle: what the overview computed by scanning the assets -------------------------------


def _assets_grouped(assets, day):
    age_whens = [
        When(acquisition_date__gt=add_months(day, -12 * (years + 1)), then=Value(years))
        for years in range(figures.AGE_BUCKETS - 1)
    ]
    return (
        assets.annotate(
            age=Case(
                When(acquisition_date__isnull=True, then=Value(-1)),
                *age_whens,
                default=Value(figures.AGE_BUCKETS - 1),
                output_field=IntegerField(),
            ),
        )
        .values("product__category__name", "status", "age")
        .annotate(n=Count("pk"))
        .order_by()
    )


def scanned(user, day: datetime.date) -> dict:
    assets = restrict(Asset.objects.all(), user)
    rules = RuleBook()
    by_category_status: dict = defaultdict(lambda: defaultdict(int))
    ages: dict = defaultdict(int)
    for row in _assets_grouped(assets, day):
        by_category_status[row["product__category__name"]][row["status"]] += row["n"]
        if row["status"] in IN_SERVICE:
            ages[row["age"]] += row["n"]
    until = add_months(day, 12)
    months = [add_months(day.replace(day=1), i) for i in range(13)]
    due = due_per_month(assets=assets, day=day, until=until, rules=rules)
    soon = day + datetime.timedelta(days=90)

    def counted(filterset_class, params):
        kwargs = {"rules": rules} if filterset_class is DueDeviceFilterSet else None
        return card(
            user=user,
            url_name="planning:due_devices"
            if filterset_class is DueDeviceFilterSet
            else "inventory:asset_list",
            filterset_class=filterset_class,
            params=params,
            filterset_kwargs=kwargs,
        ).count

    return {
        "assets_total": counted(AssetFilterSet, {}),
        "assets_in_service": counted(AssetFilterSet, in_service()),
        "by_category_status": {k: dict(v) for k, v in sorted(by_category_status.items())},
        "ages": [(b, ages.get(b, 0)) for b in range(figures.AGE_BUCKETS)],
        "age_unknown": ages.get(-1, 0),
        "due_by_month": [(m, due.get(m, 0)) for m in months],
        "due_total": counted(DueDeviceFilterSet, {"after": day, "before": until}),
        "overdue": counted(DueDeviceFilterSet, {"before": day}),
        "due_soon": counted(DueDeviceFilterSet, {"after": day, "before": soon}),
        "leases_ending": counted(AssetFilterSet, {**in_service(), "lease_end_before": soon}),
    }


def summed(user, day: datetime.date) -> dict:
    found = overview(user=user, day=day)
    keys = [
        "assets_total",
        "assets_in_service",
        "by_category_status",
        "ages",
        "age_unknown",
        "due_by_month",
        "due_total",
        "overdue",
    ]
    result = {key: found[key] for key in keys}
    result["due_soon"] = found["due_soon"].count
    result["leases_ending"] = found["leases_ending"].count
    return result


# A fleet with something in every bucket --------------------------------------------------------


@pytest.fixture
def fleet(small_world):
    w = small_world
    lease = factories.make_lease_model()
    tablets = factories.make_category(name="Tablets", code="tablet", lease_model=lease)
    ReplacementRule.objects.create(category=tablets, basis=RuleBasis.LEASE_TERM)
    ReplacementRule.objects.create(
        category=w.laptop.category, basis=RuleBasis.MAX_AGE, max_age_months=48
    )
    tablet = factories.make_product(tablets, name="Tablet 11in")
    old = factories.make_product(w.laptop.category, name="Old laptop")
    ProductSupport.objects.create(product=old, end_of_support=D(2026, 2, 10))
    w.tablet, w.old = tablet, old
    holders = [
        (w.municipality_a, w.area_a),
        (w.municipality_a, w.area_a2),
        (w.municipality_a, None),
        (w.municipality_b, w.area_b),
    ]
    n = 0
    for acquired in (D(2020, 5, 3), D(2022, 1, 16), D(2022, 3, 31), D(2023, 1, 14), D(2025, 2, 1)):
        for product in (w.laptop, tablet, old):
            for municipality, area in holders:
                n += 1
                fields = {"acquisition_date": acquired}
                if product == tablet and n % 2:
                    fields["lease_start"] = acquired
                    fields["lease_end"] = add_months(acquired, 36)
                if n % 5 == 0:
                    fields["warranty_end"] = add_months(acquired, 40)
                if n % 7 == 0:
                    fields["planned_replacement"] = TODAY + datetime.timedelta(days=n * 3 - 40)
                asset = create_asset(product=product, asset_tag=f"F{n:03d}", **fields)
                assign_asset(
                    asset=asset, municipality=municipality, service_area=area, valid_from=acquired
                )
                if n % 6 == 0:
                    change_asset_status(asset=asset, status=AssetStatus.IN_REPAIR)
    create_asset(product=tablet, asset_tag="POOL1", acquisition_date=D(2025, 6, 1))
    create_asset(product=w.laptop, asset_tag="POOL2", status=AssetStatus.ORDERED)
    create_asset(product=w.laptop, asset_tag="NODATE", acquisition_date=None)
    w.users = scope_users(w)
    figures.rebuild(day=TODAY)
    # Every scope's figures read once, so remembered (``fleet_figures``): each test's
    # check after a change would fail on figures remembered past it.
    for user in w.users:
        summed(user, TODAY)
        for municipality in (w.municipality_a, w.municipality_b):
            municipality_summed(user, municipality.pk, TODAY)
    return w


def municipality_scanned(user, municipality_id: int, day: datetime.date) -> dict:
    """The municipality page's figures counted directly: the devices due within a year
    and overdue (the due list's count) and its assets per category (a grouping)."""
    rules = RuleBook()

    def due(params):
        return card(
            user=user,
            url_name="planning:due_devices",
            filterset_class=DueDeviceFilterSet,
            params={"municipality": municipality_id, **params},
            filterset_kwargs={"rules": rules},
        ).count

    assets = restrict(Asset.objects.filter(municipality_id=municipality_id), user)
    return {
        "due": due({"after": day, "before": add_months(day, 12)}),
        "overdue": due({"before": day}),
        "by_category": {
            row["product__category__name"]: row["n"]
            for row in assets.values("product__category__name").annotate(n=Count("pk"))
        },
    }


def municipality_summed(user, municipality_id: int, day: datetime.date) -> dict:
    fleet = figures.fleet_figures(
        user=user, day=day, rules=RuleBook(), municipality_id=municipality_id
    )
    return {
        "due": fleet.due_between(day, figures.due_until(day)),
        "overdue": fleet.overdue,
        "by_category": fleet.by_category(figures.category_names()),
    }


# The municipality and service-area lists' and the municipality page's asset counts:
# (page, holder model, the asset field that names the holder).
HOLDER_COUNTS = (
    ("organisations:municipality_list", Municipality, "municipality"),
    ("organisations:service_area_list", ServiceArea, "service_area"),
    ("organisations:municipality_detail", ServiceArea, "service_area"),
)


def holder_counts_kept(user, page: str, model) -> dict:
    """The ``assets_count`` the page shows per row (``ui.panels.counts``: kept figures)."""
    rows = restrict(model.objects.all(), user).annotate(**panel_counts(page, user))
    return dict(rows.values_list("pk", "assets_count"))


def holder_counts_scanned(user, model, field: str) -> dict:
    """The same counted over the assets the user may see (the inventory's ``count_of``)."""
    rows = restrict(model.objects.all(), user).annotate(n=count_of(Asset, field, user))
    return dict(rows.values_list("pk", "n"))


def assert_kept(world, day: datetime.date = TODAY) -> None:
    for user in world.users:
        assert summed(user, day) == scanned(user, day), user.role
        for page, model, field in HOLDER_COUNTS:
            kept = holder_counts_kept(user, page, model)
            assert kept == holder_counts_scanned(user, model, field), (user.role, page)
        for municipality in (world.municipality_a, world.municipality_b):
            if not user.sees_all_municipalities and user.municipality_id != municipality.pk:
                continue  # the page is not theirs (404); the last test checks the panel
            assert municipality_summed(user, municipality.pk, day) == municipality_scanned(
                user, municipality.pk, day
            ), (user.role, municipality.name)


def test_counted_figures_equal_the_scan_for_every_scope(fleet):
    assert_kept(fleet)
    operator, contact_a, manager_a, contact_b = fleet.users
    assert summed(operator, TODAY)["overdue"] > 0
    assert summed(operator, TODAY)["leases_ending"] > 0
    # Tenancy: a contact's figures are their own municipality's, a manager's their area's.
    total = Asset.objects.count()
    a = Asset.objects.filter(municipality=fleet.municipality_a).count()
    assert summed(operator, TODAY)["assets_total"] == total
    assert summed(contact_a, TODAY)["assets_total"] == a
    assert summed(manager_a, TODAY)["assets_total"] == (
        Asset.objects.filter(service_area=fleet.area_a).count()
    )
    assert summed(contact_b, TODAY)["assets_total"] == (
        Asset.objects.filter(municipality=fleet.municipality_b).count()
    )
    # The lists' asset counts from the kept figures: each holder's own, within the scope.
    for page, model, _field in HOLDER_COUNTS:
        sql = str(model.objects.annotate(**panel_counts(page, operator)).query)
        assert "planning_fleetfigure" in sql and "inventory_asset" not in sql, page
    areas = holder_counts_kept(manager_a, "organisations:municipality_detail", ServiceArea)
    assert areas == {fleet.area_a.pk: Asset.objects.filter(service_area=fleet.area_a).count()}
    assert areas[fleet.area_a.pk] > 0
    by_municipality = holder_counts_kept(operator, "organisations:municipality_list", Municipality)
    assert by_municipality[fleet.municipality_a.pk] == a
    assert holder_counts_kept(contact_b, "organisations:municipality_list", Municipality) == {
        fleet.municipality_b.pk: Asset.objects.filter(municipality=fleet.municipality_b).count()
    }


def test_the_municipality_page_reads_the_summary(fleet, rf):
    """The municipality page's panels (planning's due cards, the inventory's assets per
    category) sum the summary of that municipality: the numbers of the lists they link
    to, and nothing of another municipality."""
    from samdrift.inventory.panels import municipality_assets
    from samdrift.planning.panels import municipality_categories, municipality_links

    today = timezone.localdate()
    operator, contact_a, manager_a, contact_b = fleet.users
    for user in (operator, contact_a, manager_a):
        request = rf.get("/")
        request.user = user
        links = municipality_links(request, fleet.municipality_a, {})
        assets = municipality_assets(request, fleet.municipality_a, {})
        expected = municipality_scanned(user, fleet.municipality_a.pk, today)
        assert links["cards"]["due"].count == expected["due"]
        assert links["cards"]["overdue"].count == expected["overdue"]
        assert {r["product__category__name"]: r["n"] for r in assets["assets_by_category"]} == (
            expected["by_category"]
        )
        assert sum(expected["by_category"].values()) > 0
        assert links["cards"]["overdue"].url.startswith(reverse("planning:due_devices"))
    # Fjordvik's figures are not Elvdal's (whose contact gets a 404 for the page anyway).
    assert municipality_categories(user=contact_b, municipality_id=fleet.municipality_a.pk) == []


def test_the_summary_is_small_and_read_without_counting_again(fleet, django_assert_num_queries):
    assert FleetFigure.objects.count() < Asset.objects.count()
    overview(user=fleet.users[0], day=TODAY)
    figures._remembered.clear()
    # The rules, the stamp, the sum, the product categories, the persons card.
    with django_assert_num_queries(5):
        overview(user=fleet.users[1], day=TODAY)
    # Remembered by the scope and the figures' version: the sum is not read again.
    with django_assert_num_queries(4):
        overview(user=fleet.users[1], day=TODAY)
    assert summed(fleet.users[1], TODAY) == scanned(fleet.users[1], TODAY)


def test_the_remembered_figures_are_each_scopes_own(fleet):
    operator, contact_a, manager_a, _contact_b = fleet.users
    assert summed(operator, TODAY) != summed(contact_a, TODAY) != summed(manager_a, TODAY)
    # A manager moved to the other municipality: its figures, not the old area's.
    manager_a.municipality = fleet.municipality_b
    manager_a.service_area = fleet.area_b
    manager_a.save()
    assert summed(manager_a, TODAY) == scanned(manager_a, TODAY)
    assert summed(manager_a, TODAY)["assets_total"] == (
        Asset.objects.filter(service_area=fleet.area_b).count()
    )


def test_after_assignments(fleet):
    pool = Asset.objects.get(asset_tag="POOL1")
    assign_asset(
        asset=pool,
        municipality=fleet.municipality_b,
        service_area=fleet.area_b,
        valid_from=D(2026, 1, 2),
    )
    moved = Asset.objects.filter(municipality=fleet.municipality_a).first()
    assign_asset(
        asset=moved,
        municipality=fleet.municipality_b,
        service_area=fleet.area_b,
        valid_from=TODAY,
    )
    assert_kept(fleet)
    end_assignment(asset=Asset.objects.get(pk=pool.pk), on=TODAY)
    assert_kept(fleet)
    history = Asset.objects.get(pk=moved.pk).assignments.order_by("valid_from").last()
    correct_assignment(assignment=history, reason="Entered on the wrong asset", void=True)
    assert_kept(fleet)
    reassign_service_area(
        assets=Asset.objects.filter(service_area=fleet.area_a),
        service_area=fleet.area_a2,
        on=D(2026, 1, 10),
        today=TODAY,
    )
    assert_kept(fleet)


def test_after_status_changes_retirement_and_bulk_actions(fleet):
    held = Asset.objects.filter(municipality=fleet.municipality_a, status=AssetStatus.DEPLOYED)
    change_asset_status(asset=held[0], status=AssetStatus.RETIRED, on=TODAY)
    record_asset_event(
        asset=held[0], kind=AssetEventKind.SENT_TO_REPAIR, on=TODAY, reason="Broken screen"
    )
    assert_kept(fleet)
    record_events_in_bulk(
        assets=Asset.objects.filter(municipality=fleet.municipality_b),
        kind=AssetEventKind.RETIRED,
        on=TODAY,
        reason="End of life",
        today=TODAY,
    )
    assert_kept(fleet)
    set_planned_replacement(
        assets=Asset.objects.filter(service_area=fleet.area_a2), on=D(2026, 3, 3)
    )
    update_asset(asset=held[1], changes={"acquisition_date": D(2019, 1, 1), "lease_end": None})
    assert_kept(fleet)


def test_after_saves_and_deletes_outside_the_services(fleet):
    asset = Asset.objects.filter(municipality=fleet.municipality_a).first()
    asset.warranty_end = TODAY - datetime.timedelta(days=1)
    asset.save()
    stray = factories.make_asset(fleet.tablet, asset_tag="STRAY")
    assert_kept(fleet)
    stray.delete()
    assert_kept(fleet)


def test_after_an_import(fleet):
    rows = [ASSET_COLUMNS] + [
        [f"IMP{i}", f"SNIMP{i}", "Tablet 11in", "Tablets", "In stock"] for i in range(4)
    ]
    result = import_rows("assets", rows, municipality=fleet.municipality_a)
    assert not result.errors and Asset.objects.filter(asset_tag__startswith="IMP").count() == 4
    assert_kept(fleet)


def test_after_a_buyout(fleet, finance_user):
    buyout = factories.make_buyout_draft(
        fleet.municipality_b, fleet.tablet, ["BUY1", "BUY2"], acquired=D(2021, 9, 9)
    )
    assert_kept(fleet)
    agree_buyout(buyout=buyout, agreed_on=D(2026, 1, 5))
    complete_buyout(buyout=buyout, completed_on=D(2026, 1, 10))
    assert_kept(fleet)


def test_after_a_billing_run_and_a_price_publication(fleet):
    factories.make_price(amount="99.00", valid_from=D(2020, 1, 1), product=fleet.tablet)
    factories.make_price(amount="150.00", valid_from=D(2020, 1, 1), product=fleet.old)
    bill_period(month=D(2025, 12, 1))
    assert_kept(fleet)


def test_a_new_day_or_new_rules_count_everything_again(fleet):
    assert_kept(fleet, TODAY + datetime.timedelta(days=1))
    assert FleetFigureStamp.objects.get().as_of == TODAY + datetime.timedelta(days=1)
    rule = ReplacementRule.objects.get(category=fleet.laptop.category)
    rule.max_age_months = 30
    rule.save()
    ProductSupport.objects.filter(product=fleet.old).update(end_of_support=D(2027, 1, 1))
    assert_kept(fleet)


def test_the_command_counts_again(fleet):
    from django.core.management import call_command

    FleetFigure.objects.all().delete()
    call_command("fleet_figures", "--on", TODAY.isoformat(), stdout=io.StringIO())
    assert_kept(fleet)


def test_due_between_refuses_a_span_that_is_not_of_buckets():
    found = figures.FleetFigures(as_of=TODAY, rows=[])
    assert found.due_between(TODAY, figures.due_until(TODAY)) == 0
    with pytest.raises(ValueError):
        found.due_between(TODAY, TODAY + datetime.timedelta(days=3))
    assert Decimal(0) == 0

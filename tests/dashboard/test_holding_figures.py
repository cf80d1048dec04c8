"""The monthly cost from the holdings kept in ``planning.holdings`` equals the direct
computation (``leasing.prices.priced_holdings`` over the assignments and subscriptions,
kept as the reference) for an operator, a contact and a manager, after each kind of
change: assignment, subscription start, change and end, a person leaving, an import, a
buyout's own prices, a price publication and a new day."""

from __future__ import annotations

import datetime
import io
from dataclasses import astuple
from decimal import Decimal

import pytest
from django.core.management import call_command
from django.utils import timezone

from samdrift.catalogue.services import publish_price
from samdrift.core.permissions import restrict
from samdrift.dashboard import selectors
from samdrift.dashboard.selectors import monthly_cost
from samdrift.inventory.choices import AssetOrigin
from samdrift.inventory.models import Asset, Assignment, Subscription
from samdrift.inventory.services import assign_asset, end_assignment
from samdrift.inventory.services.subscriptions import end_subscription, subscribe
from samdrift.leasing.buyouts.agreeing import agree_buyout
from samdrift.leasing.buyouts.completion import complete_buyout
from samdrift.leasing.prices import priced_holdings
from samdrift.organisations.services import end_person
from samdrift.planning import holdings
from samdrift.planning.models import HoldingFigure, HoldingFigureStamp
from tests import factories
from tests.factories import ASSET_COLUMNS, PERSON_COLUMNS, import_rows
from tests.worlds import scope_users

pytestmark = pytest.mark.django_db
D = datetime.date
TODAY = D(2026, 1, 15)


def direct(user, day, municipality_id=None):
    """The reference: ``monthly_cost`` for a day that is not today groups the
    assignments and subscriptions directly."""
    assert day != timezone.localdate()
    return monthly_cost(user=user, day=day, municipality_id=municipality_id)


def kept(user, day, municipality_id=None):
    """What ``monthly_cost`` answers for today — from the summary, remembered per scope
    and version (``selectors._kept_cost``) — for ``day``. Every test below asks it
    before and after a change, so a result remembered past a change would fail them."""
    return selectors._kept_cost(user=user, day=day, municipality_id=municipality_id)


def lines(cost):
    """The cost lines, comparable: SQLite gives the direct grouping's own price without
    its scale (50 for 50.00), the same amount."""
    return sorted(
        repr(tuple(v.normalize() if isinstance(v, Decimal) else v for v in astuple(line)))
        for line in cost.lines
    )


def assert_kept(world, day=TODAY):
    for user in world.users:
        expected, found = direct(user, day), kept(user, day)
        assert lines(found) == lines(expected), user.role
        assert found.total == expected.total
        assert found.unpriced_items == expected.unpriced_items
    municipality = world.municipality_a.pk
    operator = world.users[0]
    assert lines(kept(operator, day, municipality)) == lines(direct(operator, day, municipality))


@pytest.fixture
def holding(small_world):
    w = small_world
    w.users = scope_users(w, second_municipality=False)
    # Not charged: the municipality's own equipment; unpriced: a product without a price.
    owned = factories.make_asset(w.laptop, asset_tag="OWN1", origin=AssetOrigin.MUNICIPALITY_OWNED)
    assign_asset(asset=owned, municipality=w.municipality_a, valid_from=D(2025, 3, 1))
    leased = factories.make_category(
        name="Tablets", code="tablet", lease_model=factories.make_lease_model()
    )
    w.tablet = factories.make_product(leased, name="Tablet")
    tablet = factories.make_asset(w.tablet, asset_tag="TAB1")
    assign_asset(
        asset=tablet, municipality=w.municipality_a, service_area=w.area_a2, valid_from=TODAY
    )
    w.storage = factories.make_service(name="Storage", code="storage")
    factories.make_price(amount="12.50", valid_from=D(2020, 1, 1), service=w.storage)
    subscribe(
        service=w.storage,
        municipality=w.municipality_a,
        service_area=w.area_a,
        quantity=Decimal("2.5"),
        valid_from=D(2025, 1, 1),
    )
    holdings.rebuild(day=TODAY)
    return w


def test_kept_cost_equals_the_direct_computation_for_every_scope(holding):
    assert_kept(holding)
    operator, contact, manager = holding.users
    assert kept(operator, TODAY).total > kept(contact, TODAY).total > 0
    # Tenancy: a contact sees their municipality's lines, a manager their area's.
    assert {line.municipality_id for line in kept(contact, TODAY).lines} == {
        holding.municipality_a.pk
    }
    assert {line.service_area_id for line in kept(manager, TODAY).lines} == {holding.area_a.pk}
    assert kept(operator, TODAY).unpriced_items == ["Tablet"]
    assert HoldingFigure.objects.count() < Assignment.objects.count() + Subscription.objects.count()


def test_after_assignments(holding):
    asset = factories.make_asset(holding.laptop, asset_tag="NEW1")
    assign_asset(
        asset=asset,
        municipality=holding.municipality_b,
        service_area=holding.area_b,
        valid_from=D(2026, 1, 2),
    )
    assign_asset(
        asset=asset,
        municipality=holding.municipality_a,
        service_area=holding.area_a,
        valid_from=TODAY,
    )
    assert_kept(holding)
    end_assignment(asset=Asset.objects.get(pk=holding.assets_a[1].pk), on=TODAY)
    assert_kept(holding)


def test_after_subscriptions_start_change_and_end(holding):
    started = subscribe(
        service=holding.service,
        municipality=holding.municipality_a,
        service_area=holding.area_a,
        quantity=Decimal(3),
        valid_from=D(2026, 1, 1),
    )
    assert_kept(holding)
    started.quantity = Decimal(4)  # a change saved outside the services (the admin)
    started.save()
    assert_kept(holding)
    end_subscription(subscription=started, on=TODAY)
    assert_kept(holding)
    Subscription.objects.get(service=holding.storage).delete()
    assert_kept(holding)


def test_after_a_person_leaves(holding):
    before = kept(holding.users[0], TODAY).total
    end_person(person=holding.person_a, on=D(2026, 1, 10))
    assert_kept(holding)
    assert kept(holding.users[0], TODAY).total == before - Decimal("250.00")


def test_after_persons_leave_by_import(holding):
    before = kept(holding.users[0], TODAY).total
    person = holding.person_a
    rows = [
        PERSON_COLUMNS,
        [person.username, person.first_name, person.last_name, "01.01.2023", "10.01.2026"],
    ]
    result = import_rows("persons", rows, municipality=holding.municipality_a, update=True)
    assert result.updated == 1, result.errors
    assert_kept(holding)
    assert kept(holding.users[0], TODAY).total == before - Decimal("250.00")


def test_after_an_import(holding):
    rows = [ASSET_COLUMNS] + [
        [f"IMP{i}", f"SNIMP{i}", "Standard laptop 14in", "Laptops", "In stock"] for i in range(3)
    ]
    result = import_rows("assets", rows, municipality=holding.municipality_a)
    assert not result.errors
    assert_kept(holding)


def test_after_a_buyout_with_own_prices(holding, finance_user):
    buyout = factories.make_buyout_draft(
        holding.municipality_a, holding.tablet, ["BUY1", "BUY2"], acquired=D(2021, 9, 9)
    )
    assert_kept(holding)
    agree_buyout(buyout=buyout, agreed_on=D(2026, 1, 5))
    complete_buyout(buyout=buyout, completed_on=D(2026, 1, 10))
    found = kept(holding.users[0], TODAY)
    assert "own" in {line.price_source for line in found.lines}
    assert_kept(holding)


def test_prices_published_later_count_without_a_recount(holding):
    publish_price(amount=Decimal("500.00"), valid_from=D(2025, 1, 1), product=holding.tablet)
    publish_price(amount=Decimal("1300.00"), valid_from=TODAY, product=holding.laptop)
    assert_kept(holding)
    assert kept(holding.users[0], TODAY).unpriced_items == []


def test_a_new_day_counts_everything_again(holding):
    ending = Subscription.objects.get(service=holding.storage)
    end_subscription(subscription=ending, on=TODAY + datetime.timedelta(days=1))
    tomorrow = TODAY + datetime.timedelta(days=1)
    assert_kept(holding, tomorrow)
    assert HoldingFigureStamp.objects.get().as_of == tomorrow
    assert not HoldingFigure.objects.filter(service=holding.storage).exists()


def test_the_command_counts_again(holding):
    HoldingFigure.objects.all().delete()
    call_command("fleet_figures", "--on", TODAY.isoformat(), stdout=io.StringIO())
    assert_kept(holding)


def test_monthly_cost_of_today_reads_the_summary(holding, django_assert_num_queries):
    today = timezone.localdate()
    monthly_cost(user=holding.users[0], day=today)  # counts the summary for today
    assert HoldingFigureStamp.objects.get().as_of == today
    for user in holding.users:
        reference = selectors._costed(
            today,
            priced_holdings(
                day=today,
                assignments=restrict(Assignment.objects.all(), user),
                subscriptions=restrict(Subscription.objects.all(), user),
            ),
        )
        # The stamp, the list and agreed prices, the items' names: what the cost is
        # remembered by; then, the first time for the scope, the summed rows.
        selectors._remembered.clear()
        with django_assert_num_queries(6):
            found = monthly_cost(user=user, day=today)
        assert lines(found) == lines(reference)
        assert found.total == reference.total > 0
        with django_assert_num_queries(5):
            assert monthly_cost(user=user, day=today) is found


def test_the_remembered_cost_follows_names_prices_and_scope(holding):
    operator, contact, manager = holding.users
    before = kept(operator, TODAY)
    assert kept(operator, TODAY) is before  # nothing changed: remembered
    # Each scope its own: the contact's and the manager's are not the operator's.
    assert kept(contact, TODAY).total < before.total
    assert {line.service_area_id for line in kept(manager, TODAY).lines} == {holding.area_a.pk}
    assert len(kept(manager, TODAY).lines) < len(kept(contact, TODAY).lines)
    municipality = holding.municipality_a.pk
    assert kept(operator, TODAY, municipality).total == kept(contact, TODAY).total
    # A renamed product: the lines carry the new name.
    holding.tablet.name = "Nettbrett"
    holding.tablet.save()
    assert "Nettbrett" in {line.item_name for line in kept(operator, TODAY).lines}
    assert kept(operator, TODAY).unpriced_items == ["Nettbrett"]
    # A price published for today: the tablet is priced at once, without a recount.
    publish_price(amount=Decimal("99.00"), valid_from=TODAY, product=holding.tablet)
    after = kept(operator, TODAY)
    assert after.total == before.total + Decimal("99.00")
    assert after.unpriced_items == []
    assert_kept(holding)
    # The manager moved to the other municipality: their scope, not their old figures.
    manager.municipality = holding.municipality_b
    manager.service_area = holding.area_b
    manager.save()
    moved = kept(manager, TODAY)
    assert {line.municipality_id for line in moved.lines} <= {holding.municipality_b.pk}
    assert lines(moved) == lines(direct(manager, TODAY))


def test_the_overview_cost_tables_show_each_holder_escaped(holding):
    """The overview's "as numbers" tables (written in Python, ``dashboard.views``): a row
    per municipality, linked to its page, and per service area, names escaped, amounts
    as the invoice's money in bokmål; the amounts from the direct computation."""
    import html
    import re

    from django.urls import reverse

    holding.municipality_a.name = 'Fjord <i>&</i> "vik"'
    holding.municipality_a.save()
    holding.area_a.name = "<script>alert(1)</script>"
    holding.area_a.save()
    today = timezone.localdate()
    operator = holding.users[0]
    reference = selectors._costed(
        today,
        priced_holdings(
            day=today,
            assignments=Assignment.objects.all(),
            subscriptions=Subscription.objects.all(),
        ),
    )
    client = factories.client_for(operator)
    client.cookies["django_language"] = "nb"
    page = client.get("/").content.decode()
    assert "<script>alert(1)</script>" not in page
    bodies = re.findall(r"<tbody>(.*?)</tbody>", page, re.S)
    cost_rows = re.findall(
        r'<tr><td><a href="([^"]+)">(.*?)</a></td><td class="num">(.*?)</td></tr>', bodies[0]
    )

    def amount(text: str) -> Decimal:  # "3 984,75 kr" (bokmål) as a number
        shown = html.unescape(text)
        assert shown.endswith("kr"), shown
        return Decimal(re.sub(r"[^\d,-]", "", shown).replace(",", "."))

    names = {
        holding.municipality_a.pk: "Fjord &lt;i&gt;&amp;&lt;/i&gt; &quot;vik&quot;",
        holding.municipality_b.pk: html.escape(holding.municipality_b.name),
    }
    expected = {
        (reverse("organisations:municipality_detail", args=[mid]), names[mid], total)
        for mid, total in reference.by_municipality().items()
    }
    assert len(expected) == 2
    assert {(url, name, amount(money)) for url, name, money in cost_rows} == expected
    area_rows = re.findall(
        r'<tr><td>(.*?)</td><td>(.*?)</td><td class="num">(.*?)</td></tr>', bodies[1]
    )
    areas = {html.unescape(area): amount(total) for _m, area, total in area_rows}
    assert (
        areas["<script>alert(1)</script>"]
        == reference.by_service_area()[(holding.municipality_a.pk, holding.area_a.pk)]
    )
    assert len(area_rows) == len(reference.by_service_area())

"""The home page's notifications (ui.notifications): what each role is told, counted by
hand here (not by the providers), for their own municipality only, hidden when zero."""

from __future__ import annotations

import datetime
from types import SimpleNamespace

import pytest
from django.urls import reverse
from django.utils import timezone

from samdrift.billing.choices import InvoiceStatus
from samdrift.billing.models import BillingPeriod, Invoice
from samdrift.core.choices import Role
from samdrift.gains import notifications as gains_notifications
from samdrift.imports.models import ImportStatus, ImportUpload
from samdrift.inventory.figures import assets_changed
from samdrift.inventory.models import Asset
from samdrift.ordering.choices import OrderState
from samdrift.ordering.models import Order
from samdrift.ui import notifications
from samdrift.ui.notifications import Notification
from tests import factories
from tests.factories import client_for
from tests.gains.world import build_gains_world

D = datetime.date
pytestmark = pytest.mark.django_db


def counts(user, today=None) -> dict[str, int]:
    today = today or timezone.localdate()
    return {n.key: n.count for n in notifications.collect(user, today)}


@pytest.fixture
def users(world):
    a, b = world.municipality_a, world.municipality_b
    return SimpleNamespace(
        operator=factories.make_user(Role.OPERATOR),
        finance=factories.make_user(Role.FINANCE),
        contact_a=factories.make_user(Role.MUNICIPALITY, municipality=a),
        contact_b=factories.make_user(Role.MUNICIPALITY, municipality=b),
        manager_a=factories.make_user(Role.SERVICE_AREA, municipality=a, service_area=world.area_a),
        reader_a=factories.make_user(Role.READ_ONLY, municipality=a),
    )


# The registry ------------------------------------------------------------------------


def test_every_app_registers_its_providers():
    assert set(notifications.registered()) >= {
        "billing.drafts",
        "imports.failed",
        "planning.overdue",
        "planning.due",
        "leasing.ending",
        "ordering.approve",
        "ordering.accept",
        "ordering.deliver",
        "gains.unmeasured",
        "servicedesk.breached",
    }


def test_zero_and_none_are_hidden_and_order_kept(monkeypatch):
    monkeypatch.setattr(notifications, "_providers", {})
    notifications.register("b", lambda u, d, s: Notification("b", 2, "/b"), order=2)
    notifications.register("a", lambda u, d, s: Notification("a", 1, "/a"), order=1)
    notifications.register("zero", lambda u, d, s: Notification("z", 0, "/z"))
    notifications.register("none", lambda u, d, s: None)
    shown = notifications.collect(object(), D(2026, 1, 1))
    assert [(n.key, n.count) for n in shown] == [("a", 1), ("b", 2)]


def test_an_empty_world_notifies_nobody(users):
    # The small world: no drafts, failures, due dates, lease ends, orders or gains.
    for user in vars(users).values():
        assert counts(user) == {}, user.role


# Billing ------------------------------------------------------------------------------


def _invoices(world):
    may = BillingPeriod.objects.create(month=D(2026, 5, 1))
    june = BillingPeriod.objects.create(month=D(2026, 6, 1))
    for period, municipality, status in (
        (may, world.municipality_a, InvoiceStatus.DRAFT),
        (may, world.municipality_b, InvoiceStatus.DRAFT),
        (june, world.municipality_a, InvoiceStatus.DRAFT),
    ):
        Invoice.objects.create(period=period, municipality=municipality, status=status)
    return may, june


def test_draft_invoices_for_those_who_run_billing(world, users):
    _invoices(world)
    assert counts(users.operator)["billing.drafts"] == 3
    assert counts(users.finance)["billing.drafts"] == 3
    for user in (users.contact_a, users.manager_a, users.reader_a):
        assert "billing.drafts" not in counts(user)
    # Drafts in two months: the months' list.
    shown = {n.key: n for n in notifications.collect(users.finance, timezone.localdate())}
    assert shown["billing.drafts"].url == reverse("billing:period_list")


def test_drafts_in_one_month_open_that_month(world, users):
    _may, june = _invoices(world)
    Invoice.objects.filter(period=june).delete()
    shown = {n.key: n for n in notifications.collect(users.operator, timezone.localdate())}
    assert shown["billing.drafts"].count == 2
    assert shown["billing.drafts"].url == reverse("billing:period_detail", args=["2026-05"])


# Imports ------------------------------------------------------------------------------


def _upload(user, status, days_ago=0):
    upload = ImportUpload.objects.create(
        user=user,
        kind="assets",
        filename="f.csv",
        size=1,
        sha256="0" * 64,
        on=D(2026, 1, 1),
        status=status,
    )
    created = timezone.now() - datetime.timedelta(days=days_ago)
    ImportUpload.objects.filter(pk=upload.pk).update(created=created)
    return upload


def test_failed_imports_are_the_users_own_and_recent(world, users):
    _upload(users.operator, ImportStatus.FAILED)
    _upload(users.operator, ImportStatus.FAILED, days_ago=5)
    _upload(users.operator, ImportStatus.FAILED, days_ago=45)  # too old
    _upload(users.operator, ImportStatus.APPLIED)
    _upload(users.finance, ImportStatus.FAILED)
    assert counts(users.operator)["imports.failed"] == 2
    assert counts(users.finance)["imports.failed"] == 1
    assert "imports.failed" not in counts(users.contact_a)


def test_the_failed_imports_link_lists_them(world, users):
    mine = _upload(users.operator, ImportStatus.FAILED)
    applied = _upload(users.operator, ImportStatus.APPLIED)
    shown = {n.key: n for n in notifications.collect(users.operator, timezone.localdate())}
    page = client_for(users.operator).get(shown["imports.failed"].url).content.decode()
    assert str(mine.pk) in page
    assert str(applied.pk) not in page


# Planning and leasing -----------------------------------------------------------------


def _dates(world, field, days_a, days_b):
    today = timezone.localdate()
    for assets, days in ((world.assets_a, days_a), (world.assets_b, days_b)):
        for asset, offset in zip(assets, days, strict=False):
            if offset is not None:
                value = today + datetime.timedelta(days=offset)
                Asset.objects.filter(pk=asset.pk).update(**{field: value})
    # A bulk update sends no signal: as every writer of assets, say what changed.
    assets_changed(municipality_ids={world.municipality_a.pk, world.municipality_b.pk})


def test_due_and_overdue_devices_per_municipality_and_area(world, users):
    # A: overdue by 10 days, due in 30, due in 200 (outside 90); B: due in 89.
    _dates(world, "planned_replacement", [-10, 30, 200], [89])
    assert counts(users.operator)["planning.overdue"] == 1
    assert counts(users.operator)["planning.due"] == 2
    assert counts(users.contact_a)["planning.overdue"] == 1
    assert counts(users.contact_a)["planning.due"] == 1
    assert "planning.overdue" not in counts(users.contact_b)
    assert counts(users.contact_b)["planning.due"] == 1
    # The small world puts every device of A in area_a (the manager's).
    assert counts(users.manager_a)["planning.due"] == 1


def test_leases_ending_soon_or_ended(world, users):
    # A: ended 5 days ago, ends in 89 days, ends in 91 (outside); B: ends in 10 days.
    for asset in world.assets_a + world.assets_b:
        Asset.objects.filter(pk=asset.pk).update(lease_start=D(2020, 1, 1))
    _dates(world, "lease_end", [-5, 89, 91], [10])
    assert counts(users.operator)["leasing.ending"] == 3
    assert counts(users.contact_a)["leasing.ending"] == 2
    assert counts(users.contact_b)["leasing.ending"] == 1


def test_the_links_open_the_counted_rows(world, users):
    _dates(world, "planned_replacement", [-10, 30, 200], [89])
    client = client_for(users.contact_a)
    for n in notifications.collect(users.contact_a, timezone.localdate()):
        page = client.get(n.url)
        assert page.status_code == 200, n.key


# Ordering -----------------------------------------------------------------------------


def _order(world, state, municipality, created_by, area=None):
    return Order.objects.create(
        number=f"O-{factories.next_number()}",
        municipality=municipality,
        service_area=area,
        created_by=created_by,
        state=state,
    )


def test_orders_to_approve_accept_and_deliver(world, users):
    someone_a = factories.make_user(Role.MUNICIPALITY, municipality=world.municipality_a)
    a, b = world.municipality_a, world.municipality_b
    _order(world, OrderState.SUBMITTED, a, someone_a, world.area_a)
    _order(world, OrderState.SUBMITTED, a, someone_a, world.area_a2)
    _order(world, OrderState.SUBMITTED, a, users.contact_a, world.area_a)  # own: not self
    _order(world, OrderState.SUBMITTED, b, users.contact_b)
    _order(world, OrderState.APPROVED, a, someone_a)
    _order(world, OrderState.APPROVED, b, users.contact_b)
    _order(world, OrderState.ACCEPTED, a, someone_a)
    _order(world, OrderState.PARTLY_DELIVERED, b, users.contact_b)
    _order(world, OrderState.DELIVERED, b, users.contact_b)
    assert counts(users.contact_a)["ordering.approve"] == 2
    # The manager: area_a's two (the contact's own is not the manager's), not area_a2's.
    assert counts(users.manager_a)["ordering.approve"] == 2
    assert "ordering.approve" not in counts(users.contact_b)  # their own order
    operator = counts(users.operator)
    assert operator["ordering.accept"] == 2
    assert operator["ordering.deliver"] == 2
    assert "ordering.approve" not in operator
    assert not {"ordering.accept", "ordering.deliver"} & set(counts(users.contact_a))


# Gains --------------------------------------------------------------------------------


def test_gains_without_a_measurement_this_quarter(world, users):
    gains = build_gains_world(world.municipality_a, world.municipality_b)
    # 15 June 2026, Q2 (tests/gains/world.py): Fjordvik's licences, quality and pilot
    # gains are expected in 2026 and none was measured since 1 April; Elvdal's licences
    # were not, its avoided cost was (31 May).
    june = D(2026, 6, 15)
    assert counts(users.contact_a, june)["gains.unmeasured"] == 3
    assert counts(users.contact_b, june)["gains.unmeasured"] == 1
    # Q1 2026 on 31 March: Fjordvik's licences were measured that day; Elvdal's avoided
    # cost (31 May) is not yet measured then.
    march = D(2026, 3, 31)
    assert counts(users.contact_a, march)["gains.unmeasured"] == 2
    assert counts(users.contact_b, march)["gains.unmeasured"] == 2
    # Not for a manager (whole-municipality money), a reader, or those who see all.
    for user in (users.manager_a, users.reader_a, users.operator, users.finance):
        assert "gains.unmeasured" not in counts(user, june), user.role
    assert gains.havbygd  # its share is not Fjordvik's or Elvdal's


def test_quarter_start():
    assert gains_notifications.quarter_start(D(2026, 6, 30)) == D(2026, 4, 1)
    assert gains_notifications.quarter_start(D(2026, 1, 1)) == D(2026, 1, 1)
    assert gains_notifications.quarter_start(D(2026, 12, 31)) == D(2026, 10, 1)


# The home page ------------------------------------------------------------------------


def test_the_home_page_shows_them_with_links(world, users):
    _dates(world, "planned_replacement", [-10, 30, 200], [89])
    html = client_for(users.contact_a).get(reverse("home")).content.decode()
    assert 'data-testid="notification-planning.overdue"' in html
    assert 'data-testid="notification-planning.due"' in html
    assert "notification-leasing.ending" not in html  # zero: hidden
    empty = client_for(users.contact_b).get(reverse("home")).content.decode()
    assert "notification-planning.overdue" not in empty


def test_nothing_to_tell_no_section(world, users):
    html = client_for(users.operator).get(reverse("home")).content.decode()
    assert 'data-testid="notifications"' not in html


# The home page's queries: 18 before the notifications (19 for a manager; the active
# persons card is the kept figures' stamp and their sum, not one count of every person), then one
# count per notification the role is asked for (planning's overdue and due in 90 days
# and leasing's leases ending reuse the overview's sums of the fleet figures):
# operator  +5  drafts, failed imports, to accept, to deliver,
#               any outage for the SLA breaches (none here: nothing computed)
# finance   +2  drafts, failed imports
# contact   +3  to approve, gains, any outage for the SLA breaches
# manager   +1  to approve
# reader    +0
HOME_QUERIES = {
    "operator": 23,
    "finance": 20,
    "contact": 21,
    "manager": 20,
    "reader": 18,
}


@pytest.mark.parametrize("role", sorted(HOME_QUERIES))
def test_home_page_query_count(role, world, users, django_assert_num_queries):
    user = {
        "operator": users.operator,
        "finance": users.finance,
        "contact": users.contact_a,
        "manager": users.manager_a,
        "reader": users.reader_a,
    }[role]
    client = client_for(user)
    client.get(reverse("home"))  # the session, once
    # Something to tell everybody, so the counts are of a page that shows them.
    _dates(world, "planned_replacement", [-10, 30, 200], [89])
    with django_assert_num_queries(HOME_QUERIES[role]):
        assert client.get(reverse("home")).status_code == 200

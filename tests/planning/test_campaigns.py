"""Replacement campaigns (planning.campaigns): which devices a criterion takes in, with
their holders and due dates; bad input refused by field with nothing saved; progress read
from deliveries, hand-made assignments, open orders and retirements; per municipality, for
what a user may see; a fixed number of statements whatever the number of devices."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext

from samdrift.core.actor import acting_as
from samdrift.core.choices import Role
from samdrift.core.models import ObjectChange
from samdrift.core.permissions import restrict
from samdrift.inventory.choices import AssetStatus
from samdrift.inventory.models import Asset
from samdrift.inventory.services import assign_asset, change_asset_status
from samdrift.ordering.choices import LineKind
from samdrift.ordering.models import Bundle, BundlePart, CatalogueOffer, Order
from samdrift.ordering.services import (
    accept_order,
    add_line,
    approve_order,
    cancel_order,
    create_order,
    deliver_line,
    submit_order,
)
from samdrift.planning.campaigns import (
    campaign_progress,
    close_campaign,
    create_campaign,
    progress_counts,
    progress_total,
    refresh_progress,
)
from samdrift.planning.choices import CampaignCriterion, CampaignState
from samdrift.planning.models import Campaign, CampaignDevice, ProductSupport, ReplacementRule
from tests import factories

D = datetime.date
START = D(2026, 9, 1)
EOS = D(2026, 10, 14)
DEPLOYED = AssetStatus.DEPLOYED


class World:
    """Fjordvik (school area: a teacher and a nurse) and Elvdal (one person). Laptops are
    replaced after 48 months; the G1's support ends on 14 October 2026 and the G2 replaces
    it; phones are another category. Devices of the G1: the teacher's, the nurse's, a class
    set (school area, no person), one held by Fjordvik alone, Elvdal's person's, and one in
    stock; the teacher has a G2 too."""

    def __init__(self, a, b, school, elvdal_area):
        self.a, self.b, self.school, self.elvdal_area = a, b, school, elvdal_area
        laptops = factories.make_category(name="Laptops")
        phones = factories.make_category(name="Phones")
        self.g1 = factories.make_product(laptops, name="G1")
        self.g2 = factories.make_product(laptops, name="G2")
        self.phone = factories.make_product(phones, name="Phone")
        factories.make_price(amount="300.00", valid_from=D(2025, 1, 1), product=self.g2)
        factories.make_price(amount="150.00", valid_from=D(2025, 1, 1), product=self.phone)
        CatalogueOffer.objects.create(product=self.g2)
        CatalogueOffer.objects.create(product=self.phone)
        ReplacementRule.objects.create(category=laptops, max_age_months=48)
        ProductSupport.objects.create(product=self.g1, what="Windows 10", end_of_support=EOS)
        self.teacher = factories.make_person(a, school)
        self.nurse = factories.make_person(a, school)
        self.elvdal_person = factories.make_person(b, elvdal_area)

        def device(product, municipality, area=None, person=None, **fields):
            values = {"status": DEPLOYED, "acquisition_date": D(2022, 1, 10)}
            values.update(fields)
            return factories.make_asset(
                product, municipality=municipality, service_area=area, person=person, **values
            )

        self.teachers = device(self.g1, a, school, self.teacher)
        self.nurses = device(self.g1, a, school, self.nurse, acquisition_date=D(2023, 5, 1))
        self.class_set = device(self.g1, a, school)
        self.town_hall = device(self.g1, a)
        self.elvdals = device(self.g1, b, elvdal_area, self.elvdal_person)
        self.in_stock = factories.make_asset(self.g1, acquisition_date=D(2022, 1, 10))
        self.teachers_g2 = device(self.g2, a, school, self.teacher, acquisition_date=D(2024, 3, 1))
        self.operator = factories.make_user(Role.OPERATOR, username="planner")
        self.manager = factories.make_user(
            Role.SERVICE_AREA, municipality=a, service_area=school, username="school-manager"
        )
        self.contact = factories.make_user(Role.MUNICIPALITY, municipality=a, username="fjordvik")

    def campaign(self, **fields):
        values = {
            "name": "Windows 10",
            "criterion": CampaignCriterion.END_OF_SUPPORT,
            "criterion_date": EOS,
            "starts_on": START,
        }
        values.update(fields)
        with acting_as(self.operator):
            return create_campaign(**values)

    def order(self, *, person=None, service_area="school", state="accepted", product=None):
        """An order of Fjordvik for one device of ``product`` (the G2), taken to ``state``."""
        area = self.school if service_area == "school" else None
        with acting_as(self.manager if area else self.contact):
            order = create_order(municipality=self.a, service_area=area)
            line = add_line(
                order=order, kind=LineKind.PRODUCT, product=product or self.g2, person=person
            )
            submit_order(order=order)
        if state != "submitted":
            with acting_as(self.contact if area else self.manager):
                approve_order(order=order)
            with acting_as(self.operator):
                accept_order(order=order)
        return order, line


@pytest.fixture
def world(collaboration, municipality_a, municipality_b, service_area_a, service_area_b):
    return World(municipality_a, municipality_b, service_area_a, service_area_b)


def members(campaign):
    return {
        d.asset_id: (d.municipality_id, d.service_area_id, d.person_id, d.due_on, d.due_reason)
        for d in CampaignDevice.objects.filter(campaign=campaign)
    }


def test_end_of_support_takes_in_the_devices_in_service_with_holder_and_due_date(world):
    w = world
    campaign = w.campaign(target_date=D(2027, 6, 30), description="Before support ends")
    assert (campaign.name, campaign.state, campaign.created_by) == (
        "Windows 10",
        "open",
        w.operator,
    )
    # Each device's own due date: 48 months from 10 January 2022 come before the end of
    # support; the nurse's, acquired in May 2023, falls due when its support ends.
    eos, aged = (EOS, "end_of_support"), (D(2026, 1, 10), "max_age")
    assert members(campaign) == {
        w.teachers.pk: (w.a.pk, w.school.pk, w.teacher.pk, *aged),
        w.nurses.pk: (w.a.pk, w.school.pk, w.nurse.pk, *eos),
        w.class_set.pk: (w.a.pk, w.school.pk, None, *aged),
        w.town_hall.pk: (w.a.pk, None, None, *aged),
        w.elvdals.pk: (w.b.pk, w.elvdal_area.pk, w.elvdal_person.pk, *aged),
    }
    assert progress_counts(campaign) == {"pending": 5, "ordered": 0, "replaced": 0, "retired": 0}
    # One summary row stands for the membership.
    summary = ObjectChange.objects.filter(object_repr__contains="took in 5 devices")
    assert summary.count() == 1


def test_other_criteria_and_one_municipality(world):
    w = world
    elvdal = w.campaign(name="Elvdal", municipality=w.b)
    assert set(members(elvdal)) == {w.elvdals.pk}
    chosen = w.campaign(name="G2s", criterion=CampaignCriterion.PRODUCTS, products=[w.g2])
    assert set(members(chosen)) == {w.teachers_g2.pk}
    assert list(chosen.products.all()) == [w.g2]
    # 48 months from 10 January 2022 is 10 January 2026: due before 2026-02-01 are the
    # three devices acquired then (the nurse's G1 falls to its end of support instead).
    due = w.campaign(
        name="Due", criterion=CampaignCriterion.DUE_BEFORE, criterion_date=D(2026, 2, 1)
    )
    assert members(due) == {
        pk: (municipality, area, person, D(2026, 1, 10), "max_age")
        for pk, municipality, area, person in [
            (w.teachers.pk, w.a.pk, w.school.pk, w.teacher.pk),
            (w.class_set.pk, w.a.pk, w.school.pk, None),
            (w.town_hall.pk, w.a.pk, None, None),
            (w.elvdals.pk, w.b.pk, w.elvdal_area.pk, w.elvdal_person.pk),
        ]
    }
    # Products narrow a dated criterion.
    narrowed = w.campaign(name="Narrow", products=[w.g1.pk], municipality=w.a)
    assert set(members(narrowed)) == {w.teachers.pk, w.nurses.pk, w.class_set.pk, w.town_hall.pk}
    with pytest.raises(ValidationError):
        w.campaign(name="Nothing", products=[w.g2.pk])


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"name": "  "}, "name"),
        ({"name": "Windows 10"}, "name"),  # taken (made first below)
        ({"criterion": "everything"}, "criterion"),
        ({"criterion_date": None}, "criterion_date"),
        ({"criterion": CampaignCriterion.DUE_BEFORE, "criterion_date": None}, "criterion_date"),
        ({"criterion": CampaignCriterion.PRODUCTS}, "products"),
        ({"products": [999999]}, "products"),
        ({"starts_on": None}, "starts_on"),
        ({"target_date": D(2026, 8, 31)}, "target_date"),
        # No device in service meets it: refused, not an empty campaign.
        ({"criterion_date": D(2026, 10, 13)}, "criterion_date"),
        (
            {"criterion": CampaignCriterion.DUE_BEFORE, "criterion_date": D(2020, 1, 1)},
            "criterion_date",
        ),
        ({"criterion": CampaignCriterion.PRODUCTS, "products": "phone"}, "products"),
    ],
)
def test_bad_input_names_the_field_and_saves_nothing(world, fields, field):
    w = world
    w.campaign()
    before = (Campaign.objects.count(), CampaignDevice.objects.count())
    if fields.get("products") == "phone":
        fields["products"] = [w.phone]
    values = {"name": "Another"}
    values.update(fields)
    with pytest.raises(ValidationError) as raised:
        w.campaign(**values)
    assert field in raised.value.message_dict
    assert (Campaign.objects.count(), CampaignDevice.objects.count()) == before


def test_the_empty_campaign_message_says_why(world):
    with pytest.raises(ValidationError) as raised:
        world.campaign(criterion_date=D(2026, 1, 1))
    assert "campaign would be empty" in raised.value.message_dict["criterion_date"][0]


def test_progress_from_deliveries_assignments_orders_and_retirements(world):
    w = world
    campaign = w.campaign()
    # The teacher's replacement was ordered and delivered: a G2 from stock, 1 October.
    _delivered, delivered_line = w.order(person=w.teacher)
    new_laptop = factories.make_asset(w.g2)
    with acting_as(w.operator):
        deliver_line(line=delivered_line, on=D(2026, 10, 1), asset=new_laptop)
    # The nurse's is ordered (submitted, not yet delivered).
    _ordered, nurse_line = w.order(person=w.nurse, state="submitted")
    # The class set: a G2 handed to the school area by hand on 1 November.
    by_hand = factories.make_asset(w.g2)
    assign_asset(asset=by_hand, municipality=w.a, service_area=w.school, valid_from=D(2026, 11, 1))
    # The town hall's device is retired.
    change_asset_status(asset=w.town_hall, status=AssetStatus.RETIRED, on=D(2026, 11, 15))
    # Elvdal's person got a G2 before the campaign started and a phone after: neither counts.
    early = factories.make_asset(w.g2)
    assign_asset(asset=early, municipality=w.b, person=w.elvdal_person, valid_from=D(2026, 8, 31))
    phone = factories.make_asset(w.phone)
    assign_asset(asset=phone, municipality=w.b, person=w.elvdal_person, valid_from=D(2026, 10, 1))

    counts = refresh_progress(campaign)
    assert counts == {"pending": 1, "ordered": 1, "replaced": 2, "retired": 1}
    got = {
        d.asset_id: (d.progress, d.replaced_by_id, d.replaced_on, d.order_line_id)
        for d in CampaignDevice.objects.filter(campaign=campaign)
    }
    assert got == {
        w.teachers.pk: ("replaced", new_laptop.pk, D(2026, 10, 1), delivered_line.pk),
        w.nurses.pk: ("ordered", None, None, nurse_line.pk),
        w.class_set.pk: ("replaced", by_hand.pk, D(2026, 11, 1), None),
        w.town_hall.pk: ("retired", None, None, None),
        w.elvdals.pk: ("pending", None, None, None),
    }
    campaign.refresh_from_db()
    assert campaign.progress_checked_at is not None


def test_what_does_not_count_as_progress(world):
    w = world
    campaign = w.campaign()
    # An order created before the campaign started, one for a phone, a cancelled one.
    old, _line = w.order(person=w.teacher, state="submitted")
    Order.objects.filter(pk=old.pk).update(
        created=datetime.datetime(2026, 8, 1, tzinfo=datetime.UTC)
    )
    w.order(person=w.nurse, state="submitted", product=w.phone)
    cancelled, _line = w.order(person=w.teacher, state="submitted")
    with acting_as(w.manager):
        cancel_order(order=cancelled, reason="Not needed")
    # A campaign device handed on is not a new one: the class set's G1 goes to the nurse.
    assign_asset(
        asset=w.class_set,
        municipality=w.a,
        service_area=w.school,
        person=w.nurse,
        valid_from=D(2026, 11, 2),
    )
    # A G2 for someone in the school area does not replace the area's device without a
    # person; one in Elvdal does not replace Fjordvik's device held by Fjordvik alone.
    other = factories.make_person(w.a, w.school)
    assign_asset(
        asset=factories.make_asset(w.g2),
        municipality=w.a,
        service_area=w.school,
        person=other,
        valid_from=D(2026, 10, 1),
    )
    assign_asset(asset=factories.make_asset(w.g2), municipality=w.b, valid_from=D(2026, 10, 1))
    assert refresh_progress(campaign) == {"pending": 5, "ordered": 0, "replaced": 0, "retired": 0}


def test_a_bundle_with_a_device_of_the_category_counts_as_ordered(world):
    w = world
    campaign = w.campaign()
    bundle = Bundle.objects.create(name="Teacher workstation", code="teacher")
    BundlePart.objects.create(bundle=bundle, product=w.g2, quantity=1)
    BundlePart.objects.create(bundle=bundle, product=w.phone, quantity=1)
    with acting_as(w.manager):
        order = create_order(municipality=w.a, service_area=w.school)
        line = add_line(order=order, kind=LineKind.BUNDLE, bundle=bundle, person=w.teacher)
        submit_order(order=order)
    assert refresh_progress(campaign)["ordered"] == 1
    assert CampaignDevice.objects.get(campaign=campaign, asset=w.teachers).order_line == line


def test_a_device_without_a_person_is_ordered_for_through_its_service_area(world):
    w = world
    campaign = w.campaign()
    _order, line = w.order(person=None, state="submitted")
    counts = refresh_progress(campaign)
    assert counts["ordered"] == 1
    assert CampaignDevice.objects.get(campaign=campaign, asset=w.class_set).order_line == line


def test_a_refresh_starts_over(world):
    w = world
    campaign = w.campaign()
    laptop = factories.make_asset(w.g2)
    assign_asset(
        asset=laptop,
        municipality=w.a,
        person=w.teacher,
        service_area=w.school,
        valid_from=D(2026, 10, 1),
    )
    assert refresh_progress(campaign)["replaced"] == 1
    # Entered by mistake: the assignment is corrected away; the device is pending again.
    laptop.assignments.all().delete()
    assert refresh_progress(campaign)["replaced"] == 0


def test_progress_per_municipality_for_what_the_user_sees(world, municipality_b):
    w = world
    campaign = w.campaign()
    change_asset_status(asset=w.town_hall, status=AssetStatus.RETIRED, on=D(2026, 11, 15))
    laptop = factories.make_asset(w.g2)
    assign_asset(
        asset=laptop,
        municipality=w.a,
        person=w.teacher,
        service_area=w.school,
        valid_from=D(2026, 10, 1),
    )
    refresh_progress(campaign)
    rows = campaign_progress(campaign, restrict(CampaignDevice.objects.all(), w.operator))
    assert [(r.name, r.counts, r.total, r.done, r.done_percent) for r in rows] == [
        ("Elvdal", {"pending": 1, "ordered": 0, "replaced": 0, "retired": 0}, 1, 0, Decimal("0.0")),
        (
            "Fjordvik",
            {"pending": 2, "ordered": 0, "replaced": 1, "retired": 1},
            4,
            2,
            Decimal("50.0"),
        ),
    ]
    total = progress_total(rows)
    assert (total.total, total.done, total.done_percent) == (5, 2, Decimal("40.0"))
    elvdal = factories.make_user(Role.MUNICIPALITY, municipality=municipality_b)
    rows = campaign_progress(campaign, restrict(CampaignDevice.objects.all(), elvdal))
    assert [r.name for r in rows] == ["Elvdal"]


def test_close(world):
    w = world
    campaign = w.campaign()
    change_asset_status(asset=w.town_hall, status=AssetStatus.RETIRED, on=D(2026, 11, 15))
    closed = close_campaign(campaign)
    assert closed.state == CampaignState.CLOSED
    assert progress_counts(closed)["retired"] == 1
    with pytest.raises(ValidationError) as raised:
        refresh_progress(closed)
    assert "state" in raised.value.message_dict
    with pytest.raises(ValidationError):
        close_campaign(closed)


def refresh_statements(campaign):
    with CaptureQueriesContext(connection) as queries:
        refresh_progress(campaign)
    return len(queries)


def test_statements_do_not_grow_with_the_devices(world):
    w = world
    small = w.campaign(name="One", criterion=CampaignCriterion.PRODUCTS, products=[w.g2])
    for n in range(30):
        factories.make_asset(w.g1, municipality=w.a, status=DEPLOYED, asset_tag=f"MORE{n}")
    large = w.campaign(name="Many")
    assert CampaignDevice.objects.filter(campaign=large).count() == 35
    # Each with a change to write: the teacher's G2 and the town hall's G1 retired.
    for device in (w.teachers_g2, w.town_hall):
        change_asset_status(asset=device, status=AssetStatus.RETIRED, on=D(2026, 11, 15))
    # Savepoint; devices, assignments, order lines; the changed rows and their summary
    # (content type cached); the campaign and its change row; savepoint released.
    assert refresh_statements(small) == refresh_statements(large) == 9
    with CaptureQueriesContext(connection) as queries:
        w.campaign(name="Again", criterion_date=EOS + datetime.timedelta(days=1))
    creating = len(queries)
    for n in range(30):
        factories.make_asset(w.g1, municipality=w.b, status=DEPLOYED, asset_tag=f"EVEN{n}")
    with CaptureQueriesContext(connection) as queries:
        w.campaign(name="Again 2", criterion_date=EOS + datetime.timedelta(days=1))
    assert len(queries) == creating
    assert Asset.objects.count() > 60

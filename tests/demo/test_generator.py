"""The small demo is realistic and consistent: what a user of the demo would rely on."""

import itertools
from collections import Counter, defaultdict
from decimal import Decimal

import pytest
from django.contrib.auth import authenticate
from django.contrib.contenttypes.models import ContentType
from django.test import RequestFactory

from samdrift.catalogue.models import PriceVersion, Product, Service
from samdrift.core.choices import Role
from samdrift.core.models import ObjectChange, User
from samdrift.core.tokens import digest
from samdrift.core.validators import validate_organisation_number
from samdrift.demo.context import DEMO_MARKER, add_months
from samdrift.inventory.choices import AssetOrigin, AssetStatus
from samdrift.inventory.models import Asset, Assignment, Subscription, UsageRecord
from samdrift.inventory.selectors import holder_on
from samdrift.organisations.choices import LocationKind, PersonKind, ServiceAreaKind
from samdrift.organisations.models import Collaboration, Location, Municipality, Person, ServiceArea
from tests.demo.conftest import PASSWORD, TODAY

pytestmark = pytest.mark.django_db


def test_counts_are_in_the_small_range(demo):
    assert Collaboration.objects.count() == 1
    assert Municipality.objects.count() == 6
    assert 500 <= Person.objects.count() <= 900
    assert 800 <= Asset.objects.count() <= 2000
    assert Assignment.objects.count() >= Asset.objects.filter(status="deployed").count()
    assert Subscription.objects.count() >= Person.objects.count() * 0.9
    assert UsageRecord.objects.count() > 1000
    # The context reports what was written.
    assert demo.counts["inventory.Asset"] == Asset.objects.count()
    assert demo.counts["organisations.Person"] == Person.objects.count()


def test_the_region_is_valid_and_varied(demo):
    municipalities = list(Municipality.objects.all())
    populations = sorted(m.population for m in municipalities)
    assert populations[0] == 1_500 and populations[-1] == 60_000
    assert len({m.organisation_number for m in municipalities}) == 6
    for municipality in [*municipalities, Collaboration.objects.get()]:
        municipality.full_clean()  # mod-11 org number, 4-digit number, bank account …
    for municipality in municipalities:
        validate_organisation_number(municipality.organisation_number)
        assert len(municipality.number) == 4 and municipality.number.isdigit()
        assert municipality.peppol_endpoint == f"0192:{municipality.organisation_number}"
        assert municipality.invoice_reference
        kinds = set(municipality.service_areas.values_list("kind", flat=True))
        assert {
            ServiceAreaKind.EDUCATION,
            ServiceAreaKind.HEALTH_CARE,
            ServiceAreaKind.ADMINISTRATION,
            ServiceAreaKind.TECHNICAL,
            ServiceAreaKind.CULTURE,
        } <= kinds
        site_kinds = set(municipality.locations.values_list("kind", flat=True))
        assert {
            LocationKind.TOWN_HALL,
            LocationKind.SCHOOL,
            LocationKind.KINDERGARTEN,
            LocationKind.NURSING_HOME,
            LocationKind.HEALTH_CENTRE,
            LocationKind.DEPOT,
            LocationKind.LIBRARY,
        } <= site_kinds
    for area in ServiceArea.objects.all():
        area.full_clean()
    for location in Location.objects.all():
        location.full_clean()


def test_people_are_valid_and_of_every_kind(demo):
    persons = list(Person.objects.select_related("service_area", "location"))
    assert {p.kind for p in persons} == {
        PersonKind.EMPLOYEE,
        PersonKind.PUPIL,
        PersonKind.POLITICIAN,
    }
    left = [p for p in persons if p.active_to is not None]
    assert left and all(p.active_to > p.active_from for p in left)
    for person in persons[::25]:
        person.full_clean()  # unique username per municipality, areas and sites its own
    for person in persons:
        assert person.service_area.municipality_id == person.municipality_id
        assert person.location is None or person.location.municipality_id == person.municipality_id


def test_prices_change_on_1_january_this_year(demo):
    this_year = TODAY.replace(month=1, day=1)
    last_day_of_last_year = this_year.replace(year=this_year.year - 1, month=12, day=31)
    items = [("product", p) for p in Product.objects.all()]
    items += [("service", s) for s in Service.objects.all()]
    assert len(items) >= 20
    for field, item in items:
        versions = list(PriceVersion.objects.filter(**{field: item}).order_by("valid_from"))
        # Contiguous history: each version ends the day the next begins; the last is open.
        for earlier, later in itertools.pairwise(versions):
            assert earlier.valid_to == later.valid_from
        assert versions[-1].valid_to is None
        now = [v for v in versions if v.valid_from <= TODAY and v.valid_to is None]
        before = [
            v for v in versions if v.valid_from <= last_day_of_last_year < (v.valid_to or TODAY)
        ]
        assert now[0].valid_from == this_year
        assert now[0].amount != before[0].amount, item
        assert all(v.amount >= 0 for v in versions)
    assert isinstance(PriceVersion.objects.first().amount, Decimal)


def test_assignment_history_is_consistent(demo):
    """Written as assign_asset would: consecutive periods, the asset mirroring the open one."""
    assets = {asset.pk: asset for asset in Asset.objects.all()}
    persons = {p.pk: p for p in Person.objects.all()}
    areas = dict(ServiceArea.objects.values_list("pk", "municipality_id"))
    sites = dict(Location.objects.values_list("pk", "municipality_id"))
    history = defaultdict(list)
    for assignment in Assignment.objects.order_by("asset_id", "valid_from"):
        history[assignment.asset_id].append(assignment)
    for asset_id, asset in assets.items():
        periods = history.get(asset_id, [])
        for earlier, later in itertools.pairwise(periods):
            assert earlier.valid_to is not None and earlier.valid_to <= later.valid_from
        for period in periods:
            assert period.valid_to is None or period.valid_to > period.valid_from
            assert period.valid_from <= TODAY
            if period.service_area_id:
                assert areas[period.service_area_id] == period.municipality_id
            if period.location_id:
                assert sites[period.location_id] == period.municipality_id
            if period.person_id:
                person = persons[period.person_id]
                assert person.municipality_id == period.municipality_id
                assert person.is_active_on(period.valid_from), (asset, period)
        open_period = periods[-1] if periods and periods[-1].valid_to is None else None
        if open_period is None:
            assert asset.status not in (AssetStatus.DEPLOYED, AssetStatus.IN_REPAIR), asset
            assert asset.municipality_id is None and asset.person_id is None
        else:
            assert asset.status in (AssetStatus.DEPLOYED, AssetStatus.IN_REPAIR), asset
            assert (
                asset.municipality_id,
                asset.service_area_id,
                asset.person_id,
                asset.location_id,
            ) == (
                open_period.municipality_id,
                open_period.service_area_id,
                open_period.person_id,
                open_period.location_id,
            )
        if asset.status == AssetStatus.ORDERED:
            assert asset.acquisition_date is None and not periods
        else:
            assert asset.acquisition_date is not None and asset.acquisition_date <= TODAY
    sample = next(a for a in assets.values() if a.status == AssetStatus.DEPLOYED)
    assert holder_on(asset=sample, day=TODAY).municipality_id == sample.municipality_id


def test_the_served_demo_has_no_holder_check_left_to_do(demo):
    # The day is written down, so the first request of the served demo does not look at
    # every asset; and that is right: no asset's holder differs from its assignment.
    from samdrift.inventory.holders import refreshed_on, stale_assets

    assert refreshed_on() == TODAY
    assert not stale_assets(on=TODAY).exists()


def test_the_history_has_the_events_a_demo_should_show(demo):
    statuses = Counter(Asset.objects.values_list("status", flat=True))
    assert {
        AssetStatus.DEPLOYED,
        AssetStatus.IN_STOCK,
        AssetStatus.IN_REPAIR,
        AssetStatus.RETIRED,
        AssetStatus.DISPOSED,
    } <= set(statuses)
    origins = set(Asset.objects.values_list("origin", flat=True))
    assert {AssetOrigin.PURCHASED, AssetOrigin.LEASED, AssetOrigin.BOUGHT_OUT} <= origins
    leased = Asset.objects.filter(origin=AssetOrigin.LEASED).first()
    assert leased.lessor and leased.lease_end > leased.lease_start
    # Moves: an asset held in turn by different people or service areas.
    moves = 0
    history = defaultdict(list)
    for asset_id, area_id, person_id in Assignment.objects.order_by(
        "asset_id", "valid_from"
    ).values_list("asset_id", "service_area_id", "person_id"):
        history[asset_id].append((area_id, person_id))
    for periods in history.values():
        moves += sum(1 for a, b in itertools.pairwise(periods) if a != b)
    assert moves >= 10
    window_start = add_months(TODAY, -36)
    assert Assignment.objects.filter(valid_from__gte=window_start).count() > 100
    assert Asset.objects.filter(planned_replacement__gt=TODAY).exists()
    device_names = set(Asset.objects.values_list("product__category__code", flat=True))
    assert {
        "laptop",
        "desktop",
        "phone",
        "tablet",
        "printer-a3",
        "printer-a4",
        "copier",
        "switch",
    } <= device_names


def test_subscriptions_follow_people_sites_and_applications(demo):
    workplace = Service.objects.get(code="user-workplace")
    employees = Person.objects.filter(
        kind=PersonKind.EMPLOYEE, active_to__isnull=True, active_from__lte=TODAY
    )
    subscribed = set(
        Subscription.objects.filter(service=workplace, valid_to__isnull=True).values_list(
            "person_id", flat=True
        )
    )
    assert set(employees.values_list("pk", flat=True)) == subscribed
    network = Service.objects.get(code="network-site")
    assert Subscription.objects.filter(service=network).count() == Location.objects.count()
    for municipality in Municipality.objects.all():
        codes = set(
            Subscription.objects.filter(
                municipality=municipality, person=None, location=None
            ).values_list("service__code", flat=True)
        )
        assert {"app-case", "app-hr", "app-ehr", "app-school"} <= codes
    for subscription in Subscription.objects.all()[:50]:
        subscription.full_clean()


def test_usage_is_measured_per_printer_and_month(demo):
    pages = UsageRecord.objects.filter(service__code="print-mono")
    assert pages.count() > 500
    assert not pages.filter(month__day__gt=1).exists()
    assert not pages.filter(month__gte=TODAY.replace(day=1)).exists()  # whole months only
    assert not pages.filter(asset__isnull=True).exists()
    assert pages.values("asset").distinct().count() > 20
    assert UsageRecord.objects.filter(service__code="hours").exists()
    references = list(UsageRecord.objects.values_list("reference", flat=True))
    assert len(references) == len(set(references))


def test_big_tables_get_a_summary_change_row_per_batch(demo):
    """One row per model and municipality instead of one per generated object."""
    for model in (Person, Asset, Assignment, Subscription):
        content_type = ContentType.objects.get_for_model(model)
        # (The ordering step's deliveries and returns go through the services, which
        # log each asset, assignment and subscription they touch, as in real use.)
        # (The planning step's campaign adds a batch of laptops per member, its own rows.)
        rows = ObjectChange.objects.filter(
            content_type=content_type, message__startswith=DEMO_MARKER
        )
        batches = 3 if model in (Asset, Assignment) else 1
        assert (
            Municipality.objects.count() <= rows.count() <= batches * Municipality.objects.count()
        )
        assert set(rows.values_list("municipality_id", flat=True)) == set(
            Municipality.objects.values_list("pk", flat=True)
        )
    # The small reference tables are logged object by object.
    municipality_type = ContentType.objects.get_for_model(Municipality)
    assert ObjectChange.objects.filter(content_type=municipality_type).count() == 6


def test_every_role_has_a_login_that_works(demo):
    roles = Counter(User.objects.values_list("role", flat=True))
    assert roles[Role.MUNICIPALITY] == Municipality.objects.count()
    assert roles[Role.OPERATOR] == roles[Role.FINANCE] == roles[Role.READ_ONLY] == 1
    assert roles[Role.SERVICE_AREA] == 1
    for entry in demo.logins:
        user = authenticate(
            RequestFactory().post("/login/"), username=entry["username"], password=PASSWORD
        )
        assert user is not None, entry["username"]
        user.full_clean(exclude=["password"])
    admin = User.objects.get(username="admin")
    assert admin.is_operator and admin.is_staff
    assert admin.api_tokens.get().digest == digest(demo.api_token)
    for municipality in Municipality.objects.all():
        assert User.objects.filter(role=Role.MUNICIPALITY, municipality=municipality).exists()


def test_single_sign_on_groups_grant_what_the_demo_logins_have(demo):
    """Each demo login but the auditor has a mapped group whose grant is that login's own
    role and binding, so an operator sees in the admin what turning sign-on on needs."""
    from samdrift.accounts.models import SignOnMapping
    from samdrift.accounts.services import resolve_grant

    mappings = list(SignOnMapping.objects.all())
    for mapping in mappings:
        mapping.full_clean()
    granted = {resolve_grant([m.value]) for m in mappings}
    logins = {
        (user.role, user.municipality_id, user.service_area_id)
        for user in User.objects.exclude(role=Role.READ_ONLY)
    }
    assert granted == logins
    assert len(mappings) == len(logins) == Municipality.objects.count() + 3
    assert demo.counts["accounts.SignOnMapping"] == len(mappings)


def test_every_member_has_its_contacts_by_function(demo):
    from samdrift.organisations.choices import ContactFunction
    from samdrift.organisations.models import MunicipalityContact

    for municipality in Municipality.objects.all():
        contacts = list(MunicipalityContact.objects.filter(municipality=municipality))
        assert sorted(c.function for c in contacts) == sorted(
            [
                ContactFunction.INVOICE_RECIPIENT,
                ContactFunction.ICT_CONTACT,
                ContactFunction.BUDGET_OWNER,
                ContactFunction.AGREEMENT_OWNER,
            ]
        )
        for contact in contacts:
            contact.full_clean()  # a valid e-mail and phone, as the form would demand
            assert contact.email.endswith(".kommune.no")
    assert demo.counts["organisations.MunicipalityContact"] == MunicipalityContact.objects.count()

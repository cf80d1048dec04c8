"""One FilterSet per model, shared by the API, the UI lists and the exports."""

import datetime

import django_filters

from samdrift.core.choices import Role
from samdrift.core.filtersets import (
    ChangeLoggedFilterSet,
    SamdriftFilterSet,
    ScopedModelChoiceFilter,
)
from samdrift.core.models import User
from samdrift.organisations.choices import (
    ContactFunction,
    LocationKind,
    PersonKind,
    ServiceAreaKind,
)
from samdrift.organisations.models import (
    Location,
    Municipality,
    MunicipalityContact,
    Person,
    ServiceArea,
)
from samdrift.organisations.search import search_persons
from samdrift.organisations.selectors import active_persons_on


class MunicipalityFilterSet(ChangeLoggedFilterSet):
    search_fields = ("name", "number", "organisation_number")
    joined_after = django_filters.DateFilter(field_name="joined_on", lookup_expr="gte")
    joined_before = django_filters.DateFilter(field_name="joined_on", lookup_expr="lt")

    class Meta:
        model = Municipality
        fields = ["number", "organisation_number"]


class MunicipalityContactFilterSet(ChangeLoggedFilterSet):
    search_fields = ("name", "email", "phone", "note")
    municipality = ScopedModelChoiceFilter(model=Municipality)
    function = django_filters.ChoiceFilter(choices=ContactFunction.choices)

    class Meta:
        model = MunicipalityContact
        fields = ["municipality", "function"]


class ServiceAreaFilterSet(ChangeLoggedFilterSet):
    search_fields = ("name", "cost_centre")
    municipality = ScopedModelChoiceFilter(model=Municipality)
    kind = django_filters.ChoiceFilter(choices=ServiceAreaKind.choices)

    class Meta:
        model = ServiceArea
        fields = ["municipality", "kind", "cost_centre", "active"]


class LocationFilterSet(ChangeLoggedFilterSet):
    search_fields = ("name", "street", "city")
    municipality = ScopedModelChoiceFilter(model=Municipality)
    kind = django_filters.ChoiceFilter(choices=LocationKind.choices)

    class Meta:
        model = Location
        fields = ["municipality", "kind"]


class PersonFilterSet(ChangeLoggedFilterSet):
    search = staticmethod(search_persons)  # on the search index, ranked
    search_fields = ("username", "first_name", "last_name", "email", "employee_number")
    municipality = ScopedModelChoiceFilter(model=Municipality)
    service_area = ScopedModelChoiceFilter(model=ServiceArea)
    location = ScopedModelChoiceFilter(model=Location)
    kind = django_filters.ChoiceFilter(choices=PersonKind.choices)
    active_on = django_filters.DateFilter(method="filter_active_on", label="Active on")
    active_from_after = django_filters.DateFilter(field_name="active_from", lookup_expr="gte")
    active_from_before = django_filters.DateFilter(field_name="active_from", lookup_expr="lt")

    class Meta:
        model = Person
        fields = ["municipality", "service_area", "location", "kind", "username"]

    def filter_active_on(self, queryset, name, value):
        return queryset.filter(active_persons_on(value))


class UserFilterSet(SamdriftFilterSet):
    """The operators' user list (no API: logins are not data a municipality exchanges)."""

    search_fields = ("username", "first_name", "last_name", "email")
    role = django_filters.ChoiceFilter(choices=Role.choices)
    municipality = ScopedModelChoiceFilter(model=Municipality)

    class Meta:
        model = User
        fields = ["role", "municipality", "is_active"]


# Filter parameters of the person list that number cards link to (``ui.cards``).


def active_persons(day: datetime.date) -> dict:
    return {"active_on": day}

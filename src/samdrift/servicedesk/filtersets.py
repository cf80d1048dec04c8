"""One FilterSet per model, shared by the API, the UI lists and the exports.

Every relational filter is scoped to what the user may see (``core.filtersets``): a
municipality user naming another municipality gets a 404, as for an id that does not
exist. The outage list's ``municipality`` filter means "the outages that concern it":
those of all municipalities and those naming it.
"""

from __future__ import annotations

import django_filters
from django.db.models import Exists, OuterRef, Q
from django.utils.translation import gettext_lazy as _

from samdrift.catalogue.models import Service
from samdrift.core.filtersets import ChangeLoggedFilterSet, ScopedModelChoiceFilter
from samdrift.organisations.models import Municipality
from samdrift.servicedesk.choices import IncidentSource, IncidentState, Priority
from samdrift.servicedesk.models import Incident, Outage


class IncidentFilterSet(ChangeLoggedFilterSet):
    search_fields = ("number", "title")
    municipality = ScopedModelChoiceFilter(model=Municipality, label=_("Municipality"))
    service = ScopedModelChoiceFilter(model=Service, label=_("Service"))
    priority = django_filters.TypedChoiceFilter(
        choices=Priority.choices, coerce=int, label=_("Priority")
    )
    state = django_filters.ChoiceFilter(choices=IncidentState.choices, label=_("State"))
    source = django_filters.ChoiceFilter(choices=IncidentSource.choices, label=_("Source"))
    opened_from = django_filters.DateFilter(
        field_name="opened_at", lookup_expr="date__gte", label=_("Opened from")
    )
    opened_to = django_filters.DateFilter(
        field_name="opened_at", lookup_expr="date__lte", label=_("Opened to")
    )
    unresolved = django_filters.BooleanFilter(
        field_name="resolved_at", lookup_expr="isnull", label=_("Not resolved")
    )

    class Meta:
        model = Incident
        fields = ["municipality", "service", "priority", "state", "source"]


class OutageFilterSet(ChangeLoggedFilterSet):
    search_fields = ("description", "reference", "service__name")
    service = ScopedModelChoiceFilter(model=Service, label=_("Service"))
    municipality = ScopedModelChoiceFilter(
        model=Municipality,
        field_name="municipalities",
        method="filter_municipality",
        label=_("Municipality"),
    )
    planned = django_filters.BooleanFilter(label=_("Planned maintenance"))
    # The outages that overlap the days from … to (Oslo time), ongoing ones included.
    from_date = django_filters.DateFilter(method="filter_from_date", label=_("From"))
    to_date = django_filters.DateFilter(
        field_name="started_at", lookup_expr="date__lte", label=_("To")
    )

    class Meta:
        model = Outage
        fields = ["service", "planned"]

    def filter_municipality(self, queryset, name, value):
        """The outages that concern ``value``: those of all, and those naming it."""
        named = Outage.municipalities.through.objects.filter(
            outage_id=OuterRef("pk"), municipality_id=value.pk
        )
        return queryset.filter(Q(all_municipalities=True) | Exists(named))

    def filter_from_date(self, queryset, name, value):
        """Outages going on that day or later: ended that day or later, or ongoing."""
        return queryset.filter(Q(ended_at__isnull=True) | Q(ended_at__date__gte=value))

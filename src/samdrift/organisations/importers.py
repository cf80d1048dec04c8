"""Importers for a municipality's service areas, locations and persons, and the lookups
other importers use to resolve references to them (by name, cost centre, username).

Natural keys, within the municipality: a service area's name, a location's name, a
person's username (all matched ignoring case; an exact match wins).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from samdrift.core.importing.columns import Column, field_column
from samdrift.core.importing.importer import ModelImporter
from samdrift.core.importing.parsing import Choice, Name, Text
from samdrift.core.importing.references import fetch_in
from samdrift.core.importing.results import note_unknown
from samdrift.core.importing.rows import Row
from samdrift.organisations.choices import LocationKind, PersonKind, ServiceAreaKind
from samdrift.organisations.models import Location, Person, ServiceArea
from samdrift.organisations.signals import persons_changed

SERVICE_AREA_KIND_ALIASES = {
    ServiceAreaKind.EDUCATION: ("Oppvekst", "Skole", "Utdanning", "Oppvekst og utdanning"),
    ServiceAreaKind.HEALTH_CARE: ("Helse", "Helse og omsorg", "Omsorg", "Helse og velferd"),
    ServiceAreaKind.ADMINISTRATION: ("Administrasjon", "Sentraladministrasjon", "Stab"),
    ServiceAreaKind.TECHNICAL: ("Teknisk", "Tekniske tjenester", "Teknisk drift"),
    ServiceAreaKind.CULTURE: ("Kultur", "Kultur og fritid"),
    ServiceAreaKind.OTHER: ("Annet", "Andre"),
}
LOCATION_KIND_ALIASES = {
    LocationKind.TOWN_HALL: ("Rådhus", "Rådhuset"),
    LocationKind.SCHOOL: ("Skole", "Grunnskole", "Ungdomsskole", "Barneskole"),
    LocationKind.KINDERGARTEN: ("Barnehage",),
    LocationKind.NURSING_HOME: ("Sykehjem", "Omsorgssenter", "Bo- og omsorgssenter"),
    LocationKind.HEALTH_CENTRE: ("Helsestasjon", "Legekontor", "Helsesenter"),
    LocationKind.DEPOT: ("Lager", "Depot"),
    LocationKind.LIBRARY: ("Bibliotek",),
    LocationKind.OFFICE: ("Kontor",),
    LocationKind.OTHER: ("Annet", "Annen"),
}
PERSON_KIND_ALIASES = {
    PersonKind.EMPLOYEE: ("Ansatt", "Tilsatt", "Staff"),
    PersonKind.PUPIL: ("Elev", "Student"),
    PersonKind.POLITICIAN: ("Politiker", "Folkevalgt"),
    PersonKind.OTHER: ("Annen", "Annet"),
}

# Snipe-IT's "Department" is the nearest thing it has to a service area.
SERVICE_AREA_ALIASES = (
    "Tjenesteområde",
    "Sektor",
    "Virksomhetsområde",
    "Område",
    "Enhet",
    "Department",
)
COST_CENTRE_ALIASES = ("Cost center", "Kostnadssted", "Koststed", "Ansvar", "Ansvarsnummer")
LOCATION_ALIASES = ("Lokasjon", "Sted", "Site", "Arbeidssted", "Plassering", "Lokalitet")
USERNAME_ALIASES = ("Brukernavn", "User name", "Login", "Brukerid", "Bruker-id", "Account")


def service_area_column(**kwargs) -> Column:
    return Column(
        "service_area",
        gettext_lazy("Service area"),
        Name(100),
        aliases=SERVICE_AREA_ALIASES,
        help_text=gettext_lazy("Its name or its cost centre; it must exist."),
        **kwargs,
    )


def service_area_cost_centre_column() -> Column:
    return Column(
        "service_area_cost_centre",
        gettext_lazy("Service area cost centre"),
        Text(20),
        aliases=("Service area cost center", "Cost centre", *COST_CENTRE_ALIASES),
        help_text=gettext_lazy("Another way to name the service area (as the exports do)."),
    )


def location_column(**kwargs) -> Column:
    return Column(
        "location",
        gettext_lazy("Location"),
        Name(150),
        aliases=LOCATION_ALIASES,
        help_text=gettext_lazy("Its name; created when new (unless strict)."),
        **kwargs,
    )


class MunicipalityLookups:
    """A municipality's service areas and locations in memory (two queries), persons by
    username on demand (one query per 20,000 usernames), and the locations to create."""

    def __init__(self, municipality) -> None:
        self.municipality = municipality
        self.service_areas = list(ServiceArea.objects.filter(municipality=municipality))
        self._area_by_name = {}
        self._area_by_cost_centre = {}
        for area in self.service_areas:
            self._area_by_name.setdefault(area.name.casefold(), area)
            self._area_by_cost_centre.setdefault(area.cost_centre.casefold(), area)
        self.locations: dict[str, Location] = {}
        for location in Location.objects.filter(municipality=municipality):
            self.locations.setdefault(location.name.casefold(), location)
        self.new_locations: dict[str, Location] = {}
        self.persons: dict[str, Person] = {}
        self._person_by_id: dict[int, Person] = {}
        self._area_by_id: dict[int, ServiceArea] | None = None
        self._location_by_id: dict[int, Location] | None = None

    def service_area_by_id(self, pk: int | None) -> ServiceArea | None:
        if pk is None:
            return None
        if self._area_by_id is None:
            self._area_by_id = {a.pk: a for a in self.service_areas}
        return self._area_by_id.get(pk)

    def location_by_id(self, pk: int | None) -> Location | None:
        if pk is None:
            return None
        if self._location_by_id is None:
            self._location_by_id = {loc.pk: loc for loc in self.locations.values()}
        return self._location_by_id.get(pk)

    def person_by_id(self, pk: int | None) -> Person | None:
        return self._person_by_id.get(pk) if pk is not None else None

    def load_persons_by_id(self, ids: Iterable[int | None]) -> None:
        """Fetch these persons too (those stored rows refer to), unless already here."""
        missing = {pk for pk in ids if pk is not None and pk not in self._person_by_id}
        queryset = Person.objects.filter(municipality=self.municipality)
        for person in fetch_in(queryset, "pk", missing):
            self._person_by_id[person.pk] = person

    def service_area(self, text: str) -> ServiceArea | None:
        folded = text.casefold()
        return self._area_by_name.get(folded) or self._area_by_cost_centre.get(folded)

    def service_area_by_cost_centre(self, text: str) -> ServiceArea | None:
        return self._area_by_cost_centre.get(text.casefold())

    def location(self, name: str) -> Location | None:
        folded = name.casefold()
        return self.locations.get(folded) or self.new_locations.get(folded)

    def add_location(self, name: str) -> Location:
        location = Location(municipality=self.municipality, name=name)
        self.new_locations[name.casefold()] = location
        return location

    def load_persons(self, usernames: Iterable[str], *, with_related: bool = False) -> None:
        """Fetch the persons with these usernames (ignoring case) into ``persons``."""
        named = {u for u in usernames if u}
        wanted = {u.casefold() for u in named}
        if not wanted:
            return
        queryset = Person.objects.filter(municipality=self.municipality)
        # Usernames are matched ignoring case, which an IN (…) cannot do portably; the
        # municipality's (id, username) pairs are few enough to match in memory.
        ids = [
            pk
            for pk, username in queryset.values_list("pk", "username")
            if username.casefold() in wanted
        ]
        if with_related:
            queryset = queryset.select_related("service_area", "location")
        for person in fetch_in(queryset, "pk", ids):
            folded = person.username.casefold()
            current = self.persons.get(folded)
            # Two stored usernames differing in case only: the exact one wins.
            if current is None or (person.username in named and current.username not in named):
                self.persons[folded] = person
            self._person_by_id[person.pk] = person

    def person(self, username: str) -> Person | None:
        return self.persons.get(username.casefold())


def resolve_service_area(
    importer: ModelImporter | Any, row: Row, lookups: MunicipalityLookups
) -> tuple[bool, ServiceArea | None]:
    """The row's service area from ``service_area`` and/or ``service_area_cost_centre``.

    Returns (ok, area); an unknown name is an error (service areas are never created by
    an import: each has a cost centre that finance must know).
    """
    report = importer.report
    area = None
    ok = True
    name = row.values.get("service_area")
    if name:
        area = lookups.service_area(name)
        if area is None:
            note_unknown(
                report,
                row.line,
                "service_area",
                name,
                lambda: (
                    _("unknown service area “%(name)s” in %(municipality)s; map it to one")
                    % {"name": name, "municipality": lookups.municipality}
                ),
            )
            ok = False
    cost_centre = row.values.get("service_area_cost_centre")
    if cost_centre:
        by_cost_centre = lookups.service_area_by_cost_centre(cost_centre)
        if by_cost_centre is None:
            note_unknown(
                report,
                row.line,
                "service_area_cost_centre",
                cost_centre,
                lambda: (
                    _("no service area has the cost centre “%(code)s” in %(municipality)s")
                    % {"code": cost_centre, "municipality": lookups.municipality}
                ),
            )
            ok = False
        elif area is not None and by_cost_centre.pk != area.pk:
            report.error(
                row.line,
                "service_area_cost_centre",
                _("cost centre “%(code)s” is %(other)s, not %(area)s")
                % {"code": cost_centre, "other": by_cost_centre, "area": area},
            )
            ok = False
        else:
            area = by_cost_centre
    return ok, area


def resolve_location(importer: Any, row: Row, lookups: MunicipalityLookups) -> Any:
    """The row's location: found; created (and listed) unless strict; None when the
    cell is empty; False after reporting an error."""
    if not importer.has("location") or "location" in row.failed:
        return None
    name = row.values.get("location")
    if not name:
        return None
    return find_or_add_location(importer, row, lookups, name, "location")


def find_or_add_location(
    importer: Any, row: Row, lookups: MunicipalityLookups, name: str, key: str
) -> Any:
    """The location named ``name``: found; created (and listed) unless strict; False
    after reporting an error in the column ``key``."""
    location = lookups.location(name)
    if location is not None:
        return location
    if importer.context.strict:
        importer.report.error(
            row.line,
            key,
            _("unknown location “%(name)s” (strict: locations are not created)") % {"name": name},
        )
        return False
    importer.report.will_create(_("locations"), name)
    return lookups.add_location(name)


class ServiceAreaImporter(ModelImporter):
    kind = "service-areas"
    label = gettext_lazy("Service areas")
    model = ServiceArea
    key_description = gettext_lazy("name, within the municipality")
    direct_fields = ("name", "cost_centre", "kind", "active")
    columns = (
        field_column(
            ServiceArea,
            "name",
            required=True,
            aliases=("Service area", *SERVICE_AREA_ALIASES, "Navn"),
        ),
        field_column(ServiceArea, "cost_centre", aliases=COST_CENTRE_ALIASES),
        field_column(
            ServiceArea,
            "kind",
            aliases=("Type", "Art"),
            parser=Choice(ServiceAreaKind, SERVICE_AREA_KIND_ALIASES),
        ),
        field_column(ServiceArea, "active", aliases=("Aktiv",)),
    )

    def stored_objects(self, keys):
        return ServiceArea.objects.filter(municipality=self.context.municipality)

    def plan(self, rows: list[Row]) -> None:
        self.duplicates(rows, "cost_centre", self.field_label("cost_centre"))
        self.areas = list(self.stored_objects([]))
        super().plan(rows)

    def resolve(self, row, wanted, existing) -> bool:
        cost_centre = wanted.get("cost_centre")
        if not cost_centre:
            return True
        holder = next(
            (a for a in self.areas if a.cost_centre.casefold() == cost_centre.casefold()), None
        )
        if holder is not None and (existing is None or holder.pk != existing.pk):
            self.report.error(
                row.line,
                "cost_centre",
                _("cost centre “%(code)s” is already used by the service area “%(area)s”")
                % {"code": cost_centre, "area": holder},
            )
            return False
        return True


class LocationImporter(ModelImporter):
    kind = "locations"
    label = gettext_lazy("Locations")
    model = Location
    key_description = gettext_lazy("name, within the municipality")
    direct_fields = ("name", "kind", "street", "postal_code", "city")
    columns = (
        field_column(
            Location,
            "name",
            required=True,
            aliases=("Location", *LOCATION_ALIASES, "Navn"),
            parser=Name(150),
        ),
        field_column(
            Location,
            "kind",
            aliases=("Type", "Art"),
            parser=Choice(LocationKind, LOCATION_KIND_ALIASES),
        ),
        field_column(Location, "street", aliases=("Address", "Adresse", "Gateadresse", "Street")),
        field_column(
            Location, "postal_code", aliases=("Postnummer", "Postnr", "Zip", "Postal code")
        ),
        field_column(Location, "city", aliases=("Poststed", "By", "Town")),
    )

    def stored_objects(self, keys):
        return Location.objects.filter(municipality=self.context.municipality)


def split_full_name(full_name: str) -> tuple[str, str]:
    """ "Kari Nordmann" → ("Kari", "Nordmann"); "Nordmann, Kari" → ("Kari", "Nordmann")."""
    full_name = " ".join(full_name.split())
    if "," in full_name:
        last, _comma, first = full_name.partition(",")
        return first.strip(), last.strip()
    first, _space, last = full_name.rpartition(" ")
    if not first:
        return last, ""
    return first, last


class PersonImporter(ModelImporter):
    kind = "persons"
    label = gettext_lazy("Persons")
    model = Person
    key_field = "username"
    key_description = gettext_lazy("username, within the municipality")
    direct_fields = (
        "username",
        "first_name",
        "last_name",
        "email",
        "kind",
        "employee_number",
        "active_from",
        "active_to",
    )
    columns = (
        field_column(Person, "username", required=True, aliases=USERNAME_ALIASES),
        field_column(Person, "first_name", aliases=("Fornavn", "Given name", "First")),
        field_column(Person, "last_name", aliases=("Etternavn", "Surname", "Family name", "Last")),
        Column(
            "full_name",
            gettext_lazy("Full name"),
            Text(201),
            aliases=("Name", "Navn", "Fullt navn", "Display name", "Visningsnavn"),
            help_text=gettext_lazy("Split into first and last name when those are not given."),
        ),
        field_column(Person, "email", aliases=("E-mail", "Email", "E-post", "Epost", "Mail")),
        field_column(
            Person, "kind", aliases=("Type", "Art"), parser=Choice(PersonKind, PERSON_KIND_ALIASES)
        ),
        field_column(
            Person,
            "employee_number",
            aliases=(
                "Employee Number",
                "Employee No.",
                "Ansattnummer",
                "Ansattnr",
                "Employee id",
                "Ressursnummer",
            ),
        ),
        service_area_column(),
        service_area_cost_centre_column(),
        location_column(),
        field_column(
            Person,
            "active_from",
            aliases=("Start date", "Startdato", "Ansatt fra", "Aktiv fra", "Fra", "From"),
            help_text=gettext_lazy("Empty for a new person: the import's date."),
        ),
        field_column(
            Person,
            "active_to",
            aliases=("End date", "Sluttdato", "Aktiv til", "Til", "To"),
        ),
    )

    def stored_objects(self, keys):
        # With service area and location: the comparison reads them.
        self.lookups.load_persons(keys, with_related=True)
        return self.lookups.persons.values()

    def plan(self, rows: list[Row]) -> None:
        self.lookups = MunicipalityLookups(self.context.municipality)
        super().plan(rows)

    def wanted_values(self, row: Row) -> dict[str, Any]:
        wanted = super().wanted_values(row)
        full_name = row.values.get("full_name")
        if full_name:
            first, last = split_full_name(full_name)
            if not wanted.get("first_name"):
                wanted["first_name"] = first[:100]
            if not wanted.get("last_name") and last:
                wanted["last_name"] = last[:100]
        return wanted

    def resolve(self, row, wanted, existing) -> bool:
        ok = True
        if self.has("service_area") or self.has("service_area_cost_centre"):
            ok, area = resolve_service_area(self, row, self.lookups)
            wanted["service_area"] = area
        if self.has("location"):
            location = resolve_location(self, row, self.lookups)
            if location is False:
                ok = False
            elif "location" not in row.failed:
                wanted["location"] = location
        if existing is None and "active_from" not in wanted:
            wanted["active_from"] = self.context.on
        start = wanted.get("active_from", getattr(existing, "active_from", None))
        end = wanted.get("active_to", getattr(existing, "active_to", None))
        if start and end and end <= start:
            self.report.error(
                row.line,
                "active_to" if "active_to" in wanted else "active_from",
                _("“active to” (%(end)s) must be after “active from” (%(start)s)")
                % {"end": end.isoformat(), "start": start.isoformat()},
            )
            ok = False
        return ok

    def apply(self) -> None:
        super().apply()
        if self.changed_objects:
            # Persons updated in bulk send no post_save: one leaving changes what the
            # holdings kept for the monthly cost charge (planning.holdings).
            persons_changed.send(sender=Person, municipality_ids={self.context.municipality.pk})

    def related_writes(self) -> None:
        # New locations first: bulk_create then hands their ids to the persons naming them.
        new_locations = list(self.lookups.new_locations.values())
        self.write_total += len(new_locations)
        self.create(Location, new_locations)


__all__ = [
    "LocationImporter",
    "MunicipalityLookups",
    "PersonImporter",
    "ServiceAreaImporter",
    "resolve_location",
    "resolve_service_area",
    "split_full_name",
]

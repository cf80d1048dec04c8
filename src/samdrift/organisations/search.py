"""How persons are searched (``search_persons``: the person list's and the API's ``q``,
and the holder of a device), and what the global search (``ui.search``) finds of
organisations: persons, municipalities and service areas, each restricted to what the
user may see.

Persons are found on their search index (``PERSON_INDEX``, ``core.search``): every word
of the query is found in the name, username, e-mail or employee number ("kari nord"
finds Kari Nordmann, "mann" finds her too). Municipalities and service areas are small
tables, matched as before."""

from __future__ import annotations

from urllib.parse import urlencode

from django.db.models import Case, IntegerField, Q, QuerySet, Value, When
from django.urls import reverse

from samdrift.core.listparam import pk_among
from samdrift.core.permissions import restrict
from samdrift.core.search import (
    FirstMatches,
    SearchIndex,
    collect_words,
    fixed_columns,
    icontains_any,
    register_index,
    sql_of,
    terms,
)
from samdrift.organisations.models import Municipality, Person, ServiceArea
from samdrift.ui.search import SearchHit

PERSON_FIELDS = ("first_name", "last_name", "username", "email", "employee_number")

# The names apart from the rest, so that a device's holder is found by name alone.
PERSON_INDEX = register_index(
    SearchIndex(
        "organisations_person",
        {
            "names": ("first_name", "last_name"),
            "other": ("username", "email", "employee_number"),
        },
        own_indexes=("names",),
    )
)
HOLDER_COLUMNS = ("names",)
HOLDER_FIELDS = ("first_name", "last_name")
# What ``restrict`` fixes of a user's persons (``core.search.fixed_columns``).
SCOPE_COLUMNS = ("municipality_id", "service_area_id")


def person_term(term: str) -> Q:
    """Persons with ``term`` in any searched field."""
    if len(term) < 2:
        return icontains_any(term, PERSON_FIELDS)
    return PERSON_INDEX.condition(term)


def holder_ids(term: str, municipality_id: int | None = None) -> tuple[str, list]:
    """(sql, params) of the ids of the persons with ``term`` in their names: the holders
    a device search looks for; of ``municipality_id`` only, when given.

    A device search restricted to one municipality looks among its persons only: a
    device's holder is always a member of the device's municipality (an assignment
    checks it, and ``Person.clean`` refuses to move a holder away). "Moe" is in the
    names of 15,700 persons of the large demo, some 300 of them in one municipality."""
    scope = {} if municipality_id is None else {"municipality_id": municipality_id}
    if len(term) < 2:
        holders = Person.objects.filter(icontains_any(term, HOLDER_FIELDS), **scope)
        return sql_of(holders.values("pk"))
    return PERSON_INDEX.ids_matching(term, columns=HOLDER_COLUMNS, scope=scope)


def search_persons(
    queryset: QuerySet[Person], query: str, *, first: FirstMatches | None = None
) -> QuerySet[Person]:
    """The persons of ``queryset`` (already restricted) matching every word of
    ``query``, ranked: the username or employee number equal to the query first, then
    names and usernames beginning with its first word, then the rest by name.

    ``first``: rank only the first ``first.limit`` persons the index finds with the
    first word (``core.search.FirstMatches``; as ``inventory.search.search_assets``),
    unless the query has several words and one of them is in few enough persons to
    collect whole (``core.search.collect_words``)."""
    words = terms(query)
    if not words:
        return queryset
    whole, beginning = " ".join(words), words[0]
    words_left = words
    if first is not None and len(beginning) >= 2:
        scope = fixed_columns(queryset, SCOPE_COLUMNS)
        found, complete, collected = collect_words(
            Person._meta.db_table,
            [word for word in words if len(word) >= 2],
            lambda word: PERSON_INDEX.ids_matching(word, scope=scope),
            scope,
            first,
        )
        if not complete:
            first.more = True
            found = found[: first.limit]
            # A username equal to the query (rank 0) may lie beyond the first ``first``:
            # found on the (municipality, username) unique index, one look-up per
            # municipality (a username alone has no index: a scan of every person).
            # An employee number is 10 digits, found among few: not looked up again.
            exact = queryset.filter(
                username__in={whole, whole.lower()},
                municipality_id__in=Municipality.objects.values("pk"),
            )
            found += list(exact.values_list("pk", flat=True)[: first.limit])
        queryset = queryset.filter(pk_among(Person, found)) if found else queryset.none()
        words_left = [word for word in words if word != collected]
    for term in words_left:
        queryset = queryset.filter(person_term(term))
    rank = Case(
        When(Q(username__iexact=whole) | Q(employee_number=whole), then=Value(0)),
        When(
            Q(last_name__istartswith=beginning)
            | Q(first_name__istartswith=beginning)
            | Q(username__istartswith=beginning),
            then=Value(1),
        ),
        default=Value(2),
        output_field=IntegerField(),
    )
    return queryset.annotate(search_rank=rank).order_by(
        "search_rank", "last_name", "first_name", "pk"
    )


def find_persons(user, query: str, limit: int) -> list[SearchHit]:
    found = search_persons(restrict(Person.objects.all(), user), query, first=FirstMatches())
    persons = found.select_related("municipality", "service_area")
    return [
        SearchHit(
            title=person.full_name,
            detail=" · ".join(
                part
                for part in (person.username, person.email, str(person.service_area or ""))
                if part
            ),
            url=reverse("organisations:person_detail", args=[person.pk]),
        )
        for person in persons[:limit]
    ]


def find_municipalities(user, query: str, limit: int) -> list[SearchHit]:
    municipalities = restrict(Municipality.objects.all(), user).filter(
        Q(name__icontains=query) | Q(number=query) | Q(organisation_number=query)
    )
    return [
        SearchHit(
            title=municipality.name,
            detail=municipality.number,
            url=reverse("organisations:municipality_detail", args=[municipality.pk]),
            exact=municipality.number == query,
        )
        for municipality in municipalities.order_by("name")[:limit]
    ]


def find_service_areas(user, query: str, limit: int) -> list[SearchHit]:
    areas = (
        restrict(ServiceArea.objects.all(), user)
        .filter(Q(name__icontains=query) | Q(cost_centre=query))
        .select_related("municipality")
    )
    return [
        SearchHit(
            title=area.name,
            detail=f"{area.municipality.name} · {area.cost_centre}",
            # No page of its own: the list, filtered to it.
            url=reverse("organisations:service_area_list")
            + "?"
            + urlencode({"municipality": area.municipality_id, "q": area.name}),
        )
        for area in areas.order_by("municipality__name", "name")[:limit]
    ]


def list_url(url_name: str):
    """``more_url`` for ``ui.search.register``: the list of ``url_name`` searched for ``q``."""
    return lambda query: reverse(url_name) + "?" + urlencode({"q": query})


def register() -> None:
    from django.utils.translation import gettext_lazy as _

    from samdrift.ui.search import register

    register(
        "persons",
        _("Persons"),
        find_persons,
        more_url=list_url("organisations:person_list"),
        order=20,
    )
    register(
        "municipalities",
        _("Municipalities"),
        find_municipalities,
        more_url=list_url("organisations:municipality_list"),
        order=40,
    )
    register(
        "service_areas",
        _("Service areas"),
        find_service_areas,
        more_url=list_url("organisations:service_area_list"),
        order=50,
    )

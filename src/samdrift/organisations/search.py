"""What the global search (``ui.search``) finds of organisations: persons, municipalities
and service areas, each restricted to what the user may see.

Matching is by prefix of each word (``istartswith``), not anywhere in the text: "kari
nord" finds Kari Nordmann; a word must begin a name, a username or an e-mail. The tables
are small next to the devices (persons are the largest, one per employee)."""

from __future__ import annotations

from functools import reduce
from operator import and_, or_
from urllib.parse import urlencode

from django.db.models import Q, QuerySet
from django.urls import reverse

from samdrift.core.permissions import restrict
from samdrift.organisations.models import Municipality, Person, ServiceArea
from samdrift.ui.search import SearchHit

PERSON_FIELDS = ("first_name", "last_name", "username", "email", "employee_number")


def words_q(query: str, fields: tuple[str, ...], *, prefix: str = "") -> Q:
    """Every word of ``query`` begins one of ``fields`` (under ``prefix__``)."""
    return reduce(
        and_,
        (
            reduce(or_, (Q(**{f"{prefix}{field}__istartswith": word}) for field in fields))
            for word in query.split()
        ),
    )


def persons_matching(user, query: str) -> QuerySet[Person]:
    """The persons ``user`` may see whose name, username, e-mail or employee number the
    words of ``query`` begin (also used by the device search for a holder's name)."""
    return restrict(Person.objects.all(), user).filter(words_q(query, PERSON_FIELDS))


def find_persons(user, query: str, limit: int) -> list[SearchHit]:
    persons = persons_matching(user, query).select_related("municipality", "service_area")
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
        for person in persons.order_by("last_name", "first_name", "pk")[:limit]
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

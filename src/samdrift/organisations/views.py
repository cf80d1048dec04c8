"""Pages for municipalities, service areas, locations, persons and users (logins).

Every page starts from ``restrict``: a municipality's users see their own municipality
only, and another municipality's URL is a 404. Operators may create and edit
municipalities, service areas, locations and persons (the writes go through
``organisations.services``) and users (``core.services.save_user``); no other role sees
the user pages.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db import IntegrityError
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from samdrift.core.models import User
from samdrift.core.permissions import can_write, restrict
from samdrift.core.services import save_user
from samdrift.core.validators import parse_id
from samdrift.organisations.figures import active_person_counts
from samdrift.organisations.filtersets import (
    LocationFilterSet,
    MunicipalityContactFilterSet,
    MunicipalityFilterSet,
    PersonFilterSet,
    ServiceAreaFilterSet,
    UserFilterSet,
    active_persons,
)
from samdrift.organisations.forms import (
    LocationForm,
    MunicipalityContactForm,
    MunicipalityForm,
    PersonForm,
    ServiceAreaForm,
    UserForm,
)
from samdrift.organisations.models import (
    Location,
    Municipality,
    MunicipalityContact,
    Person,
    ServiceArea,
)
from samdrift.organisations.selectors import active_persons_on
from samdrift.organisations.services import (
    save_location,
    save_municipality,
    save_municipality_contact,
    save_person,
    save_service_area,
)
from samdrift.organisations.tables import (
    CONTACT_TABLE,
    LOCATION_TABLE,
    MUNICIPALITY_TABLE,
    PERSON_TABLE,
    SERVICE_AREA_TABLE,
    USER_TABLE,
)
from samdrift.ui.cards import card, counted_card
from samdrift.ui.forms import add_service_errors
from samdrift.ui.lists import ObjectListView, count_of
from samdrift.ui.panels import counts, render_panels
from samdrift.ui.permissions import WriteRequiredMixin, get_restricted_or_404, require_write


class MunicipalityListView(ObjectListView):
    model = Municipality
    filterset_class = MunicipalityFilterSet
    table = MUNICIPALITY_TABLE
    title = gettext_lazy("Municipalities")
    filter_fields = ["q", "joined_after", "joined_before"]
    create_url_name = "organisations:municipality_create"
    filter_labels = {
        "joined_after": gettext_lazy("Joined on or after"),
        "joined_before": gettext_lazy("Joined before"),
    }

    def get_queryset(self):
        user = self.request.user
        return Municipality.objects.annotate(
            persons_count=count_of(Person, "municipality", user),
            **counts("organisations:municipality_list", user),
        )


class ContactListView(ObjectListView):
    """The municipalities' contact persons by function (whom to send what); a
    municipality's users see their own municipality's, operators edit."""

    model = MunicipalityContact
    filterset_class = MunicipalityContactFilterSet
    table = CONTACT_TABLE
    title = gettext_lazy("Municipality contacts")
    filter_fields = ["q", "municipality", "function"]
    create_url_name = "organisations:contact_create"

    def prepare_rows(self, rows: list) -> None:
        if can_write(self.request.user, MunicipalityContact):
            for contact in rows:
                contact.edit_url = reverse("organisations:contact_edit", args=[contact.pk])


class ServiceAreaListView(ObjectListView):
    model = ServiceArea
    filterset_class = ServiceAreaFilterSet
    table = SERVICE_AREA_TABLE
    title = gettext_lazy("Service areas")
    filter_fields = ["q", "municipality", "kind", "active"]
    create_url_name = "organisations:service_area_create"

    def get_queryset(self):
        user = self.request.user
        return ServiceArea.objects.annotate(
            persons_count=count_of(Person, "service_area", user),
            **counts("organisations:service_area_list", user),
        )


class LocationListView(ObjectListView):
    model = Location
    filterset_class = LocationFilterSet
    table = LOCATION_TABLE
    title = gettext_lazy("Locations")
    filter_fields = ["q", "municipality", "kind"]
    create_url_name = "organisations:location_create"


class PersonListView(ObjectListView):
    model = Person
    filterset_class = PersonFilterSet
    table = PERSON_TABLE
    title = gettext_lazy("Persons")
    filter_fields = ["q", "municipality", "service_area", "kind", "active_on"]
    filter_labels = {"active_on": gettext_lazy("Active on")}
    create_url_name = "organisations:person_create"


class UserListView(WriteRequiredMixin, ObjectListView):
    """The logins, their roles and municipalities: for operators only (the model has no
    other writer, so ``WriteRequiredMixin`` refuses every other role)."""

    model = User
    write_model = User
    filterset_class = UserFilterSet
    table = USER_TABLE
    title = gettext_lazy("Users")
    filter_fields = ["q", "role", "municipality", "is_active"]
    filter_labels = {"is_active": gettext_lazy("Active")}
    create_url_name = "organisations:user_create"


@login_required
def municipality_detail(request, pk: int):
    """The municipality's facts, service areas and persons; the assets it holds and what
    they cost a month are panels of the apps that own them (``ui.panels``)."""
    user = request.user
    municipality = get_restricted_or_404(Municipality.objects.all(), user, pk=pk)
    today = timezone.localdate()
    # Active today, as the person list linked from each row and the card counts: from the
    # kept figures (organisations.figures), else counted here.
    kept = active_person_counts(user=user, municipality_id=municipality.pk, day=today)
    areas = restrict(ServiceArea.objects.filter(municipality=municipality), user)
    if kept is None:
        areas = areas.annotate(
            persons_count=count_of(Person, "service_area", user, active_persons_on(today))
        )
    service_areas = list(
        areas.annotate(**counts("organisations:municipality_detail", user)).order_by("name")
    )
    if kept is not None:
        for area in service_areas:
            area.persons_count = kept.get(area.pk, 0)
    persons = restrict(Person.objects.filter(municipality=municipality), user)
    contacts = restrict(MunicipalityContact.objects.filter(municipality=municipality), user)
    recent_persons = list(
        persons.select_related("service_area").order_by("-active_from", "-pk")[:10]
    )
    # The card counts the list it links to (ui.cards), for this municipality.
    params = {"municipality": municipality.pk, **active_persons(today)}
    if kept is not None:
        persons_active = counted_card(
            count=sum(kept.values()), url_name="organisations:person_list", params=params
        )
    else:
        persons_active = card(
            user=user,
            url_name="organisations:person_list",
            filterset_class=PersonFilterSet,
            params=params,
        )
    return render(
        request,
        "organisations/municipality_detail.html",
        {
            "municipality": municipality,
            "service_areas": service_areas,
            "persons_total": persons.count(),
            "persons_active": persons_active,
            "recent_persons": recent_persons,
            "contacts": list(contacts.order_by("function", "name")),
            "panels": render_panels(
                "organisations:municipality_detail",
                request,
                municipality,
                {"service_areas": service_areas},
            ),
            "today": today,
            "can_edit": can_write(user, Municipality),
        },
    )


@login_required
def location_detail(request, pk: int):
    """A location's facts and how many persons work there."""
    user = request.user
    location = get_restricted_or_404(Location.objects.select_related("municipality"), user, pk=pk)
    persons = restrict(Person.objects.filter(location=location), user)
    return render(
        request,
        "organisations/location_detail.html",
        {
            "location": location,
            "persons_total": persons.count(),
            "can_edit": can_write(user, Location),
        },
    )


@login_required
def person_detail(request, pk: int):
    """The person's facts; what the person holds is a panel of the inventory."""
    user = request.user
    person = get_restricted_or_404(
        Person.objects.select_related("municipality", "service_area", "location"), user, pk=pk
    )
    return render(
        request,
        "organisations/person_detail.html",
        {
            "person": person,
            "panels": render_panels("organisations:person_detail", request, person),
            "can_edit": can_write(user, Person),
        },
    )


def _form_page(request, *, form, template: str, title: str, obj=None):
    status = 400 if form.is_bound and form.errors else 200
    return render(request, template, {"form": form, "title": title, "object": obj}, status=status)


def _save(request, form, save, *, success_message: str):
    """Save a valid ModelForm's instance through ``save`` (its service); None when it
    refused."""
    try:
        instance = save(form.instance)
    except (ValidationError, IntegrityError) as error:
        add_service_errors(form, error)
        return None
    messages.success(request, success_message % {"object": instance})
    return instance


def _object_form(
    request,
    *,
    model,
    pk: int | None,
    form_class,
    save,
    template: str,
    titles: tuple[str, str],
    done,
    success_message: str | None = None,
):
    """The one body of the create/edit pages: the writer's check, the object (restricted,
    404 when not visible), the form bound to it and the user, the write through ``save``
    (its service, ``save(instance, form)``), and back to ``done(saved)`` (a URL).

    A ``?municipality=<id>`` preselects the municipality of a new object, and is how htmx
    reloads the service area and location choices when the municipality changes."""
    user = request.user
    require_write(user, model)
    obj = get_restricted_or_404(model.objects.all(), user, pk=pk) if pk else None
    title = titles[1] if obj else titles[0]
    if request.method == "POST":
        form = form_class(request.POST, instance=obj, user=user)
        if form.is_valid():
            saved = _save(
                request,
                form,
                lambda instance: save(instance, form),
                success_message=success_message or _("Saved %(object)s."),
            )
            if saved is not None:
                return redirect(done(saved))
    else:
        municipality = parse_id(request.GET.get("municipality"))
        initial = {"municipality": municipality} if municipality is not None else {}
        form = form_class(instance=obj, user=user, initial=initial)
    return _form_page(request, form=form, template=template, title=title, obj=obj)


@login_required
def service_area_edit(request, pk: int | None = None):
    return _object_form(
        request,
        model=ServiceArea,
        pk=pk,
        form_class=ServiceAreaForm,
        save=lambda area, form: save_service_area(service_area=area),
        template="organisations/service_area_form.html",
        titles=(_("New service area"), _("Edit service area")),
        done=lambda area: reverse("organisations:municipality_detail", args=[area.municipality_id]),
    )


@login_required
def person_edit(request, pk: int | None = None):
    return _object_form(
        request,
        model=Person,
        pk=pk,
        form_class=PersonForm,
        save=lambda person, form: save_person(person=person),
        template="organisations/person_form.html",
        titles=(_("New person"), _("Edit person")),
        done=lambda person: reverse("organisations:person_detail", args=[person.pk]),
    )


@login_required
def municipality_edit(request, pk: int | None = None):
    return _object_form(
        request,
        model=Municipality,
        pk=pk,
        form_class=MunicipalityForm,
        save=lambda municipality, form: save_municipality(municipality=municipality),
        template="organisations/municipality_form.html",
        titles=(_("New municipality"), _("Edit municipality")),
        done=lambda m: reverse("organisations:municipality_detail", args=[m.pk]),
    )


@login_required
def contact_edit(request, pk: int | None = None):
    return _object_form(
        request,
        model=MunicipalityContact,
        pk=pk,
        form_class=MunicipalityContactForm,
        save=lambda contact, form: save_municipality_contact(contact=contact),
        template="organisations/contact_form.html",
        titles=(_("New contact"), _("Edit contact")),
        done=lambda c: reverse("organisations:municipality_detail", args=[c.municipality_id]),
    )


@login_required
def location_edit(request, pk: int | None = None):
    return _object_form(
        request,
        model=Location,
        pk=pk,
        form_class=LocationForm,
        save=lambda location, form: save_location(location=location),
        template="organisations/location_form.html",
        titles=(_("New location"), _("Edit location")),
        done=lambda location: reverse("organisations:location_detail", args=[location.pk]),
    )


@login_required
def user_edit(request, pk: int | None = None):
    """Create or edit a login (operators only). The role's binding to a municipality and
    service area is ``User.clean``'s rule, checked by the form and again by the service;
    an empty password on edit keeps the old one."""
    return _object_form(
        request,
        model=User,
        pk=pk,
        form_class=UserForm,
        save=lambda login, form: save_user(
            user=login, password=form.cleaned_data.get("password1") or None
        ),
        template="organisations/user_form.html",
        titles=(_("New user"), _("Edit user")),
        done=lambda login: reverse("organisations:user_list"),
        success_message=_("Saved user %(object)s."),
    )

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
from samdrift.organisations.filtersets import (
    LocationFilterSet,
    MunicipalityFilterSet,
    PersonFilterSet,
    ServiceAreaFilterSet,
    UserFilterSet,
    active_persons,
)
from samdrift.organisations.forms import (
    LocationForm,
    MunicipalityForm,
    PersonForm,
    ServiceAreaForm,
    UserForm,
)
from samdrift.organisations.models import Location, Municipality, Person, ServiceArea
from samdrift.organisations.selectors import active_persons_on
from samdrift.organisations.services import (
    save_location,
    save_municipality,
    save_person,
    save_service_area,
)
from samdrift.organisations.tables import (
    LOCATION_TABLE,
    MUNICIPALITY_TABLE,
    PERSON_TABLE,
    SERVICE_AREA_TABLE,
    USER_TABLE,
)
from samdrift.ui.cards import card
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
    service_areas = list(
        restrict(ServiceArea.objects.filter(municipality=municipality), user)
        .annotate(
            # As the person list linked from the row counts: active today.
            persons_count=count_of(Person, "service_area", user, active_persons_on(today)),
            **counts("organisations:municipality_detail", user),
        )
        .order_by("name")
    )
    persons = restrict(Person.objects.filter(municipality=municipality), user)
    recent_persons = list(
        persons.select_related("service_area").order_by("-active_from", "-pk")[:10]
    )
    # The card counts the list it links to (ui.cards), for this municipality.
    persons_active = card(
        user=user,
        url_name="organisations:person_list",
        filterset_class=PersonFilterSet,
        params={"municipality": municipality.pk, **active_persons(today)},
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


@login_required
def service_area_edit(request, pk: int | None = None):
    user = request.user
    require_write(user, ServiceArea)
    area = get_restricted_or_404(ServiceArea.objects.all(), user, pk=pk) if pk else None
    title = _("Edit service area") if area else _("New service area")
    if request.method == "POST":
        form = ServiceAreaForm(request.POST, instance=area, user=user)
        if form.is_valid():
            saved = _save(
                request,
                form,
                lambda area: save_service_area(service_area=area),
                success_message=_("Saved %(object)s."),
            )
            if saved is not None:
                url = reverse("organisations:municipality_detail", args=[saved.municipality_id])
                return redirect(url)
    else:
        initial = {"municipality": request.GET.get("municipality")} if not area else None
        form = ServiceAreaForm(instance=area, user=user, initial=initial)
    return _form_page(
        request, form=form, template="organisations/service_area_form.html", title=title, obj=area
    )


@login_required
def person_edit(request, pk: int | None = None):
    user = request.user
    require_write(user, Person)
    person = get_restricted_or_404(Person.objects.all(), user, pk=pk) if pk else None
    title = _("Edit person") if person else _("New person")
    if request.method == "POST":
        form = PersonForm(request.POST, instance=person, user=user)
        if form.is_valid():
            saved = _save(
                request,
                form,
                lambda person: save_person(person=person),
                success_message=_("Saved %(object)s."),
            )
            if saved is not None:
                return redirect("organisations:person_detail", pk=saved.pk)
    else:
        municipality = request.GET.get("municipality", "")
        # htmx reloads the service area and location choices with ?municipality=<id>.
        initial = {"municipality": municipality} if municipality.isdigit() else {}
        form = PersonForm(instance=person, user=user, initial=initial)
    return _form_page(
        request, form=form, template="organisations/person_form.html", title=title, obj=person
    )


@login_required
def municipality_edit(request, pk: int | None = None):
    user = request.user
    require_write(user, Municipality)
    municipality = get_restricted_or_404(Municipality.objects.all(), user, pk=pk) if pk else None
    title = _("Edit municipality") if municipality else _("New municipality")
    if request.method == "POST":
        form = MunicipalityForm(request.POST, instance=municipality)
        if form.is_valid():
            saved = _save(
                request,
                form,
                lambda municipality: save_municipality(municipality=municipality),
                success_message=_("Saved %(object)s."),
            )
            if saved is not None:
                return redirect("organisations:municipality_detail", pk=saved.pk)
    else:
        form = MunicipalityForm(instance=municipality)
    return _form_page(
        request,
        form=form,
        template="organisations/municipality_form.html",
        title=title,
        obj=municipality,
    )


@login_required
def location_edit(request, pk: int | None = None):
    user = request.user
    require_write(user, Location)
    location = get_restricted_or_404(Location.objects.all(), user, pk=pk) if pk else None
    title = _("Edit location") if location else _("New location")
    if request.method == "POST":
        form = LocationForm(request.POST, instance=location, user=user)
        if form.is_valid():
            saved = _save(
                request,
                form,
                lambda location: save_location(location=location),
                success_message=_("Saved %(object)s."),
            )
            if saved is not None:
                return redirect("organisations:location_detail", pk=saved.pk)
    else:
        municipality = request.GET.get("municipality", "")
        initial = {"municipality": municipality} if municipality.isdigit() else {}
        form = LocationForm(instance=location, user=user, initial=initial)
    return _form_page(
        request, form=form, template="organisations/location_form.html", title=title, obj=location
    )


@login_required
def user_edit(request, pk: int | None = None):
    """Create or edit a login (operators only). The role's binding to a municipality and
    service area is ``User.clean``'s rule, checked by the form and again by the service."""
    operator = request.user
    require_write(operator, User)
    login = get_restricted_or_404(User.objects.all(), operator, pk=pk) if pk else None
    title = _("Edit user") if login else _("New user")
    if request.method == "POST":
        form = UserForm(request.POST, instance=login, user=operator)
        if form.is_valid():
            password = form.cleaned_data.get("password1") or None
            saved = _save(
                request,
                form,
                lambda login: save_user(user=login, password=password),
                success_message=_("Saved user %(object)s."),
            )
            if saved is not None:
                return redirect("organisations:user_list")
    else:
        municipality = request.GET.get("municipality", "")
        # htmx reloads the service area choices with ?municipality=<id>.
        initial = {"municipality": municipality} if municipality.isdigit() else {}
        form = UserForm(instance=login, user=operator, initial=initial)
    return _form_page(
        request, form=form, template="organisations/user_form.html", title=title, obj=login
    )

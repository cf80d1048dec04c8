"""The collaboration, its member municipalities, their service areas, sites and people."""

from __future__ import annotations

from typing import ClassVar

from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from samdrift.core.choices import Role
from samdrift.core.membership import foreign_member_errors
from samdrift.core.models import ChangeLoggedModel
from samdrift.core.validators import (
    validate_bank_account,
    validate_municipality_number,
    validate_organisation_number,
)
from samdrift.organisations.choices import (
    ContactFunction,
    LocationKind,
    PersonKind,
    ServiceAreaKind,
)


class Collaboration(ChangeLoggedModel):
    """The shared ICT organisation itself; one per install. It is the seller on invoices."""

    name = models.CharField(_("name"), max_length=200)
    organisation_number = models.CharField(
        _("organisation number"), max_length=9, validators=[validate_organisation_number]
    )
    vat_registered = models.BooleanField(_("registered for VAT"), default=True)
    bank_account = models.CharField(
        _("bank account"), max_length=11, validators=[validate_bank_account]
    )
    invoice_series = models.CharField(
        _("invoice series"),
        max_length=10,
        default="SD",
        help_text=_("Prefix of invoice numbers, e.g. SD gives SD-2026-000001."),
    )
    currency = models.CharField(_("currency"), max_length=3, default="NOK", editable=False)
    time_zone = models.CharField(
        _("time zone"), max_length=40, default="Europe/Oslo", editable=False
    )
    street = models.CharField(_("street address"), max_length=200, blank=True)
    postal_code = models.CharField(_("postal code"), max_length=10, blank=True)
    city = models.CharField(_("city"), max_length=100, blank=True)
    email = models.EmailField(_("e-mail"), blank=True)
    payment_terms_days = models.PositiveSmallIntegerField(_("payment terms (days)"), default=30)

    write_roles: ClassVar[frozenset[str]] = frozenset({Role.OPERATOR})

    class Meta:
        verbose_name = _("collaboration")
        verbose_name_plural = _("collaborations")

    def __str__(self) -> str:
        return self.name

    @classmethod
    def get(cls) -> Collaboration | None:
        return cls.objects.order_by("pk").first()


class Municipality(ChangeLoggedModel):
    """A member municipality of the collaboration."""

    name = models.CharField(_("name"), max_length=100, unique=True)
    number = models.CharField(
        _("municipality number"),
        max_length=4,
        unique=True,
        validators=[validate_municipality_number],
    )
    organisation_number = models.CharField(
        _("organisation number"),
        max_length=9,
        unique=True,
        validators=[validate_organisation_number],
    )
    population = models.PositiveIntegerField(
        _("population"), help_text=_("Statistics Norway figure at 1 January.")
    )
    population_date = models.DateField(_("population counted on"), null=True, blank=True)
    peppol_endpoint = models.CharField(
        _("Peppol endpoint"),
        max_length=50,
        blank=True,
        help_text=_("Scheme and id, e.g. 0192:964338531. Empty: the organisation number."),
    )
    invoice_reference = models.CharField(
        _("invoice reference"),
        max_length=100,
        blank=True,
        help_text=_("The buyer reference the municipality wants on its invoices."),
    )
    joined_on = models.DateField(_("joined on"))
    street = models.CharField(_("street address"), max_length=200, blank=True)
    postal_code = models.CharField(_("postal code"), max_length=10, blank=True)
    city = models.CharField(_("city"), max_length=100, blank=True)
    contact_email = models.EmailField(_("contact e-mail"), blank=True)

    municipality_path: ClassVar[str | None] = "pk"

    class Meta:
        verbose_name = _("municipality")
        verbose_name_plural = _("municipalities")
        ordering = ["number"]

    def __str__(self) -> str:
        return self.name

    @property
    def peppol_endpoint_id(self) -> str:
        """The endpoint id without scheme; defaults to the organisation number."""
        if self.peppol_endpoint:
            return self.peppol_endpoint.split(":", 1)[-1]
        return self.organisation_number


validate_phone = RegexValidator(
    r"^\+?[0-9][0-9 ()-]{3,28}$",
    _("Enter a phone number: digits, spaces, ( ) and -, with an optional leading +."),
)


class MunicipalityContact(ChangeLoggedModel):
    """A person at a member municipality whom the collaboration deals with, by function:
    who receives the invoices, who is the ICT contact, who owns the budget. Kept apart
    from logins (``User``): a contact need not sign in, and a login need not be one."""

    municipality = models.ForeignKey(
        Municipality,
        verbose_name=_("municipality"),
        on_delete=models.PROTECT,
        related_name="contacts",
    )
    name = models.CharField(_("name"), max_length=150)
    function = models.CharField(
        pgettext_lazy("contact person", "function"),
        max_length=30,
        choices=ContactFunction.choices,
        default=ContactFunction.OTHER,
    )
    email = models.EmailField(_("e-mail"), blank=True)
    phone = models.CharField(_("phone"), max_length=30, blank=True, validators=[validate_phone])
    note = models.CharField(_("note"), max_length=300, blank=True)

    municipality_path: ClassVar[str | None] = "municipality"

    class Meta:
        verbose_name = _("municipality contact")
        verbose_name_plural = _("municipality contacts")
        ordering = ["municipality__number", "function", "name"]
        constraints = [
            models.UniqueConstraint(
                fields=["municipality", "function", "name"],
                name="municipality_contact_unique_function_name",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        super().clean()
        if not self.email and not self.phone:
            raise ValidationError({"email": _("Give an e-mail address or a phone number.")})


class ServiceArea(ChangeLoggedModel):
    """A sector inside one municipality with its own cost centre; invoices break down by it."""

    municipality = models.ForeignKey(
        Municipality,
        verbose_name=_("municipality"),
        on_delete=models.PROTECT,
        related_name="service_areas",
    )
    name = models.CharField(_("name"), max_length=100)
    kind = models.CharField(
        _("kind"), max_length=20, choices=ServiceAreaKind.choices, default=ServiceAreaKind.OTHER
    )
    cost_centre = models.CharField(_("cost centre"), max_length=20)
    active = models.BooleanField(_("active"), default=True)

    municipality_path: ClassVar[str | None] = "municipality"
    service_area_path: ClassVar[str | None] = "pk"

    class Meta:
        verbose_name = _("service area")
        verbose_name_plural = _("service areas")
        ordering = ["municipality__number", "name"]
        constraints = [
            models.UniqueConstraint(
                fields=["municipality", "name"], name="service_area_unique_name"
            ),
            models.UniqueConstraint(
                fields=["municipality", "cost_centre"], name="service_area_unique_cost_centre"
            ),
        ]

    def __str__(self) -> str:
        return self.name


class Location(ChangeLoggedModel):
    """A site in one municipality: a town hall, a school, a nursing home."""

    municipality = models.ForeignKey(
        Municipality,
        verbose_name=_("municipality"),
        on_delete=models.PROTECT,
        related_name="locations",
    )
    name = models.CharField(_("name"), max_length=150)
    kind = models.CharField(
        _("kind"), max_length=20, choices=LocationKind.choices, default=LocationKind.OTHER
    )
    street = models.CharField(_("street address"), max_length=200, blank=True)
    postal_code = models.CharField(_("postal code"), max_length=10, blank=True)
    city = models.CharField(_("city"), max_length=100, blank=True)

    municipality_path: ClassVar[str | None] = "municipality"

    class Meta:
        verbose_name = _("location")
        verbose_name_plural = _("locations")
        ordering = ["municipality__number", "name"]
        constraints = [
            models.UniqueConstraint(fields=["municipality", "name"], name="location_unique_name"),
        ]

    def __str__(self) -> str:
        return self.name


class Person(ChangeLoggedModel):
    """An end user of ICT: an employee, a pupil account holder, a politician."""

    municipality = models.ForeignKey(
        Municipality,
        verbose_name=_("municipality"),
        on_delete=models.PROTECT,
        related_name="persons",
        db_index=False,  # the (municipality, …) indexes below serve it: one less to write
    )
    service_area = models.ForeignKey(
        ServiceArea,
        verbose_name=_("service area"),
        on_delete=models.PROTECT,
        related_name="persons",
        null=True,
        blank=True,
        db_index=False,  # the (service_area, last_name, …) index serves it
    )
    location = models.ForeignKey(
        Location,
        verbose_name=_("location"),
        on_delete=models.SET_NULL,
        related_name="persons",
        null=True,
        blank=True,
    )
    username = models.CharField(_("username"), max_length=150)
    first_name = models.CharField(_("first name"), max_length=100)
    last_name = models.CharField(_("last name"), max_length=100)
    email = models.EmailField(_("e-mail"), blank=True)
    kind = models.CharField(
        _("kind"), max_length=20, choices=PersonKind.choices, default=PersonKind.EMPLOYEE
    )
    employee_number = models.CharField(_("employee number"), max_length=30, blank=True)
    active_from = models.DateField(_("active from"))
    active_to = models.DateField(
        _("active to"),
        null=True,
        blank=True,
        help_text=_("First day no longer active (periods are half-open). Empty: still active."),
    )

    municipality_path: ClassVar[str | None] = "municipality"
    service_area_path: ClassVar[str | None] = "service_area"

    class Meta:
        verbose_name = _("person")
        verbose_name_plural = _("persons")
        ordering = ["last_name", "first_name", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["municipality", "username"], name="person_unique_username"
            ),
            models.CheckConstraint(
                condition=Q(active_to__isnull=True) | Q(active_to__gt=models.F("active_from")),
                name="person_active_to_after_from",
            ),
        ]
        # The list's default order is (last_name, first_name, id): for everyone, for a
        # contact (municipality first) and for a manager (service area first), so a page
        # is read in order from an index instead of sorting 500,000 persons.
        indexes = [
            models.Index(fields=["municipality", "service_area"]),
            models.Index(fields=["last_name", "first_name", "id"], name="person_name_idx"),
            models.Index(
                fields=["municipality", "last_name", "first_name", "id"],
                name="person_muni_name_idx",
            ),
            models.Index(
                fields=["service_area", "last_name", "first_name", "id"],
                name="person_area_name_idx",
            ),
            # The municipality page's "recently started" ten, read backwards from it
            # (PostgreSQL, the largest municipality of the large demo: 101 ms → 0.1 ms).
            models.Index(
                fields=["municipality", "active_from", "id"], name="person_muni_started_idx"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.first_name} {self.last_name} ({self.username})"

    @property
    def full_name(self) -> str:
        return f"{self.first_name} {self.last_name}"

    def clean(self) -> None:
        super().clean()
        errors = {}
        if self.active_to and self.active_from and self.active_to <= self.active_from:
            errors["active_to"] = _("Must be after 'active from' (%(date)s).") % {
                "date": self.active_from.isoformat()
            }
        if self.municipality_id:
            errors.update(
                foreign_member_errors(
                    municipality=self.municipality,
                    service_area=self.service_area if self.service_area_id else None,
                    location=self.location if self.location_id else None,
                )
            )
        if self._moves_with_devices():
            errors["municipality"] = _(
                "%(person)s holds devices of their municipality; return or reassign them "
                "before moving the person to another municipality."
            ) % {"person": self.full_name}
        if errors:
            raise ValidationError(errors)

    def _moves_with_devices(self) -> bool:
        """Whether this edit moves a holder of devices to another municipality: one with
        an assignment in force today or dated ahead (the device's holder on that day).
        Refused: a device's holder is a member of its municipality (as an assignment
        checks), which the device search relies on to look for holders among that
        municipality's persons only (``inventory.search``)."""
        if self.pk is None or not self.municipality_id:
            return False
        before = Person.objects.filter(pk=self.pk).values_list("municipality_id", flat=True)
        if before.first() in (None, self.municipality_id):
            return False
        today = timezone.localdate()
        held = self.assignments.filter(Q(valid_to__isnull=True) | Q(valid_to__gt=today))
        return held.exclude(municipality_id=self.municipality_id).exists()

    def is_active_on(self, day) -> bool:
        return self.active_from <= day and (self.active_to is None or day < self.active_to)

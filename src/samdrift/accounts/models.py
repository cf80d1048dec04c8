"""Who may sign in through single sign-on, and as what.

A provider's claims never choose a role or a municipality by themselves: an operator maps
values of one claim (``SAMDRIFT_OIDC_GROUPS_CLAIM``, e.g. Entra ID's ``groups``, which only
the provider's administrators set) to a grant here, and a sign-in whose values match no
mapping gets no access.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

from samdrift.core.choices import Role
from samdrift.core.membership import foreign_member_errors
from samdrift.core.models import ChangeLoggedModel

# Roles that see every municipality: a mapping to them names no municipality.
ALL_MUNICIPALITY_ROLES = (Role.OPERATOR, Role.FINANCE)


class SignOnMapping(ChangeLoggedModel):
    """One value of the provider's groups claim and what it grants: a role, and for a
    municipality's staff their municipality (and service area). Change-logged: who gave
    which group what access, and when."""

    value = models.CharField(
        _("claim value"),
        max_length=200,
        unique=True,
        help_text=_(
            "A value of the groups claim the provider sends (SAMDRIFT_OIDC_GROUPS_CLAIM), "
            "e.g. the object id of a Microsoft Entra ID group."
        ),
    )
    description = models.CharField(
        _("description"),
        max_length=200,
        blank=True,
        help_text=_("What the value is, e.g. the group's name at the provider."),
    )
    role = models.CharField(_("role"), max_length=20, choices=Role.choices)
    municipality = models.ForeignKey(
        "organisations.Municipality",
        verbose_name=_("municipality"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="sign_on_mappings",
        help_text=_(
            "Required for municipality contacts and service-area managers; a read-only "
            "mapping without one reads every municipality."
        ),
    )
    service_area = models.ForeignKey(
        "organisations.ServiceArea",
        verbose_name=_("service area"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="sign_on_mappings",
        help_text=_("Required for service-area managers."),
    )

    municipality_path = "municipality"
    service_area_path = "service_area"

    class Meta:
        verbose_name = _("single sign-on mapping")
        verbose_name_plural = _("single sign-on mappings")
        ordering = ["value"]

    def __str__(self) -> str:
        return self.description or self.value

    def clean(self) -> None:
        super().clean()
        if self.role in ALL_MUNICIPALITY_ROLES and self.municipality_id:
            raise ValidationError(
                {"municipality": _("Operators and finance see every municipality: leave it empty.")}
            )
        if self.role in (Role.MUNICIPALITY, Role.SERVICE_AREA) and not self.municipality_id:
            raise ValidationError({"municipality": _("This role needs a municipality.")})
        if self.role == Role.SERVICE_AREA and not self.service_area_id:
            raise ValidationError({"service_area": _("This role needs a service area.")})
        if self.role != Role.SERVICE_AREA and self.service_area_id:
            raise ValidationError(
                {"service_area": _("Only service-area managers are bound to a service area.")}
            )
        if self.service_area_id and self.municipality_id:
            errors = foreign_member_errors(
                municipality=self.municipality, service_area=self.service_area
            )
            if errors:
                raise ValidationError(errors)

    @property
    def grant(self) -> tuple[str, int | None, int | None]:
        return (self.role, self.municipality_id, self.service_area_id)


class SignOnIdentity(models.Model):
    """The login a person of the provider signs in as: matched by the provider's stable
    subject (``SAMDRIFT_OIDC_USER_CLAIM``, ``sub`` by default), never by e-mail or name,
    which change and can be handed to someone else."""

    user = models.OneToOneField(
        "core.User",
        verbose_name=_("user"),
        on_delete=models.CASCADE,
        related_name="sign_on_identity",
    )
    subject = models.CharField(_("subject"), max_length=255, unique=True)
    # Made inactive by a sign-on that matched no mapping (not by an operator): a later
    # sign-on with a mapped group makes it active again; an operator's deactivation stays.
    suspended = models.BooleanField(_("suspended by single sign-on"), default=False)
    # The groups claim of the last sign-on: a mapping changed or deleted by an operator is
    # applied at once to the logins it concerns, not only at their next sign-on.
    groups = models.JSONField(_("groups at the last sign-on"), default=list, blank=True)
    first_seen = models.DateTimeField(_("first sign-on"), auto_now_add=True)
    last_seen = models.DateTimeField(_("last sign-on"), null=True, blank=True)

    class Meta:
        verbose_name = _("single sign-on identity")
        verbose_name_plural = _("single sign-on identities")

    def __str__(self) -> str:
        return f"{self.user} ({self.subject})"

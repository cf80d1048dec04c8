"""The service desk's facts: incidents and outages, imported or entered; how a source's
values map to municipalities and services; and each month's SLA report with its credits.

The report's figures are always computed from the incidents and outages
(``servicedesk.sla``); approving a month freezes a copy of them, and its credits go to
billing. Nothing here is a counter kept up to date by hand.
"""

from __future__ import annotations

from typing import ClassVar

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Exists, OuterRef, Q
from django.utils.translation import gettext_lazy as _

from samdrift.core.choices import OPERATORS_ONLY
from samdrift.core.models import ChangeLoggedModel, RelationsLoggedModel
from samdrift.servicedesk.choices import (
    IncidentSource,
    IncidentState,
    MappedColumn,
    PauseReason,
    Priority,
)


def order_errors(instance, *pairs: tuple[str, str, object]) -> dict[str, str]:
    """Each later instant that lies before the earlier one it follows, as a field error."""
    errors = {}
    for earlier_name, later_name, message in pairs:
        earlier, later = getattr(instance, earlier_name), getattr(instance, later_name)
        if earlier is not None and later is not None and later < earlier:
            errors[later_name] = message
    return errors


class Incident(ChangeLoggedModel):
    """One incident of a municipality, measured against the service level of its service.

    ``pauses`` are the periods the clock stood still, as ``[reason, start, end]`` (ISO
    instants; end empty while still paused); which reasons pause is the agreement's choice.
    """

    source = models.CharField(
        _("source"), max_length=20, choices=IncidentSource.choices, default=IncidentSource.MANUAL
    )
    number = models.CharField(_("number"), max_length=40)
    municipality = models.ForeignKey(
        "organisations.Municipality",
        verbose_name=_("municipality"),
        on_delete=models.PROTECT,
        related_name="incidents",
    )
    service = models.ForeignKey(
        "catalogue.Service",
        verbose_name=_("service"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="incidents",
        help_text=_("Empty: not measured against a service level."),
    )
    title = models.CharField(_("title"), max_length=300, blank=True)
    category = models.CharField(_("category"), max_length=150, blank=True)
    priority = models.PositiveSmallIntegerField(_("priority"), choices=Priority.choices)
    state = models.CharField(_("state"), max_length=20, choices=IncidentState.choices)
    opened_at = models.DateTimeField(_("opened"))
    responded_at = models.DateTimeField(_("first response"), null=True, blank=True)
    resolved_at = models.DateTimeField(_("resolved"), null=True, blank=True)
    closed_at = models.DateTimeField(_("closed"), null=True, blank=True)
    pauses = models.JSONField(_("pauses"), default=list, blank=True)
    events = models.PositiveIntegerField(
        _("events"), default=0, help_text=_("Rows of the event log it was read from.")
    )

    municipality_path: ClassVar[str | None] = "municipality"
    write_roles: ClassVar[frozenset[str]] = OPERATORS_ONLY

    class Meta:
        verbose_name = _("incident")
        verbose_name_plural = _("incidents")
        ordering = ["-opened_at", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["source", "number"], name="incident_unique_number"),
            models.CheckConstraint(
                condition=Q(resolved_at__isnull=True) | Q(resolved_at__gte=models.F("opened_at")),
                name="incident_resolved_after_opened",
            ),
        ]
        indexes = [
            models.Index(fields=["municipality", "opened_at"], name="incident_muni_opened"),
            models.Index(fields=["opened_at"], name="incident_opened"),
        ]

    def __str__(self) -> str:
        return self.number

    def clean(self) -> None:
        super().clean()
        errors = order_errors(
            self,
            ("opened_at", "responded_at", _("The first response is before the opening.")),
            ("opened_at", "resolved_at", _("The incident is resolved before it was opened.")),
            ("opened_at", "closed_at", _("The incident is closed before it was opened.")),
        )
        for pause in self.pauses or []:
            if not (isinstance(pause, list | tuple) and len(pause) == 3) or pause[0] not in (
                PauseReason.values
            ):
                errors["pauses"] = _("A pause is [reason, start, end].")
                break
        if errors:
            raise ValidationError(errors)


class Outage(RelationsLoggedModel):
    """A service down for all municipalities or some, planned (maintenance) or not."""

    service = models.ForeignKey(
        "catalogue.Service",
        verbose_name=_("service"),
        on_delete=models.PROTECT,
        related_name="outages",
    )
    all_municipalities = models.BooleanField(_("all municipalities"), default=True)
    municipalities = models.ManyToManyField(
        "organisations.Municipality",
        verbose_name=_("municipalities"),
        blank=True,
        related_name="outages",
        help_text=_("The municipalities affected, when not all."),
    )
    started_at = models.DateTimeField(_("start"))
    ended_at = models.DateTimeField(_("end"), null=True, blank=True, help_text=_("Empty: ongoing."))
    planned = models.BooleanField(_("planned maintenance"), default=False)
    announced_at = models.DateTimeField(
        _("announced"),
        null=True,
        blank=True,
        help_text=_("When planned maintenance was announced to the municipalities."),
    )
    description = models.CharField(_("description"), max_length=300)
    reference = models.CharField(_("reference"), max_length=100, blank=True)

    municipality_path: ClassVar[str | None] = None
    tenant_private: ClassVar[bool] = True
    write_roles: ClassVar[frozenset[str]] = OPERATORS_ONLY
    # Logged with the row (``servicedesk.services.outages`` writes them): the change log
    # says who changed which municipalities an outage concerns.
    logged_relations: ClassVar[tuple[str, ...]] = ("municipalities",)

    class Meta:
        verbose_name = _("outage")
        verbose_name_plural = _("outages")
        ordering = ["-started_at", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(ended_at__isnull=True) | Q(ended_at__gt=models.F("started_at")),
                name="outage_ends_after_start",
            )
        ]
        indexes = [models.Index(fields=["started_at"], name="outage_started")]

    def __str__(self) -> str:
        return f"{self.service}: {self.description}"

    @classmethod
    def visible_to_municipality(cls, queryset, municipality_id: int):
        """The outages that concern the municipality: those of all, and its own."""
        own = cls.municipalities.through.objects.filter(
            outage_id=OuterRef("pk"), municipality_id=municipality_id
        )
        return queryset.filter(Q(all_municipalities=True) | Exists(own))

    def clean(self) -> None:
        super().clean()
        if self.started_at and self.ended_at and self.ended_at <= self.started_at:
            raise ValidationError({"ended_at": _("The outage ends before it starts.")})
        if self.announced_at and not self.planned:
            raise ValidationError(
                {"announced_at": _("Only planned maintenance is announced; tick “planned”.")}
            )


class SourceMapping(ChangeLoggedModel):
    """What a value in a column of a source's export means: the municipality, the
    service, or both (e.g. company “Fjordvik kommune” → Fjordvik; category “E-post” →
    the e-mail service). Kept by the operators; used by every import of that source."""

    source = models.CharField(_("source"), max_length=20, choices=IncidentSource.choices)
    column = models.CharField(_("column"), max_length=30, choices=MappedColumn.choices)
    value = models.CharField(_("value"), max_length=200)
    municipality = models.ForeignKey(
        "organisations.Municipality",
        verbose_name=_("municipality"),
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
    )
    service = models.ForeignKey(
        "catalogue.Service",
        verbose_name=_("service"),
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
    )

    municipality_path: ClassVar[str | None] = None
    tenant_private: ClassVar[bool] = True
    write_roles: ClassVar[frozenset[str]] = OPERATORS_ONLY

    class Meta:
        verbose_name = _("source mapping")
        verbose_name_plural = _("source mappings")
        ordering = ["source", "column", "value"]
        constraints = [
            models.UniqueConstraint(
                fields=["source", "column", "value"], name="source_mapping_unique_value"
            ),
            models.CheckConstraint(
                condition=Q(municipality__isnull=False) | Q(service__isnull=False),
                name="source_mapping_means_something",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_source_display()} {self.get_column_display()} “{self.value}”"

    def clean(self) -> None:
        super().clean()
        if self.municipality_id is None and self.service_id is None:
            raise ValidationError(
                {"municipality": _("Map the value to a municipality, a service, or both.")}
            )


class ReportStatus(models.TextChoices):
    APPROVED = "approved", _("Approved")


class SlaReport(ChangeLoggedModel):
    """A municipality's month, approved by an operator: ``figures`` is the frozen copy of
    the report as approved (the live report is always computed; a later change shows as a
    difference against this copy). Re-approving replaces the copy and the credits not yet
    billed."""

    municipality = models.ForeignKey(
        "organisations.Municipality",
        verbose_name=_("municipality"),
        on_delete=models.PROTECT,
        related_name="sla_reports",
    )
    month = models.DateField(_("month"), help_text=_("The first day of the month."))
    status = models.CharField(
        _("status"), max_length=20, choices=ReportStatus.choices, default=ReportStatus.APPROVED
    )
    figures = models.JSONField(_("figures"), default=dict)
    approved_at = models.DateTimeField(_("approved"))
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("approved by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,  # approved by the system: the demo, a command
        related_name="+",
    )

    municipality_path: ClassVar[str | None] = "municipality"
    write_roles: ClassVar[frozenset[str]] = OPERATORS_ONLY

    class Meta:
        verbose_name = _("approved SLA report")
        verbose_name_plural = _("approved SLA reports")
        ordering = ["-month", "municipality__number"]
        constraints = [
            models.UniqueConstraint(
                fields=["municipality", "month"], name="sla_report_one_per_month"
            ),
            models.CheckConstraint(condition=Q(month__day=1), name="sla_report_first_of_month"),
        ]

    def __str__(self) -> str:
        return f"{self.municipality} {self.month:%Y-%m}"


class ServiceCredit(ChangeLoggedModel):
    """A credit an approved report gives a municipality for one service: ``percent`` of
    what the service was charged that month. Billing turns it into a credit line on the
    municipality's next invoice, once (the charge names this row)."""

    report = models.ForeignKey(
        SlaReport, verbose_name=_("report"), on_delete=models.CASCADE, related_name="credits"
    )
    municipality = models.ForeignKey(
        "organisations.Municipality",
        verbose_name=_("municipality"),
        on_delete=models.PROTECT,
        related_name="service_credits",
    )
    service = models.ForeignKey(
        "catalogue.Service",
        verbose_name=_("service"),
        on_delete=models.PROTECT,
        related_name="service_credits",
    )
    month = models.DateField(_("month"))
    availability = models.DecimalField(_("availability (%)"), max_digits=7, decimal_places=3)
    target = models.DecimalField(_("target (%)"), max_digits=6, decimal_places=3)
    percent = models.DecimalField(_("credit (%)"), max_digits=5, decimal_places=2)
    billed_in = models.CharField(
        _("billed in"),
        max_length=60,
        blank=True,
        help_text=_(
            "The invoice that credited it (set by billing through "
            "servicedesk.services.reports.mark_credits_billed); a billed credit is never "
            "changed by a re-approval."
        ),
    )

    municipality_path: ClassVar[str | None] = "municipality"
    write_roles: ClassVar[frozenset[str]] = OPERATORS_ONLY

    class Meta:
        verbose_name = _("service credit")
        verbose_name_plural = _("service credits")
        ordering = ["-month", "municipality_id", "service_id"]
        constraints = [
            models.UniqueConstraint(
                fields=["municipality", "service", "month"], name="service_credit_once"
            )
        ]

    def __str__(self) -> str:
        return f"{self.service} {self.month:%Y-%m}: {self.percent} %"

    @property
    def billed(self) -> bool:
        return bool(self.billed_in)

"""Billing periods (calendar months) and the runs that rate them."""

from __future__ import annotations

from decimal import Decimal
from typing import ClassVar

from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

from samdrift.billing.choices import (
    PeriodStatus,
    RunStatus,
)
from samdrift.catalogue.models import FINANCE_ROLES
from samdrift.core.models import ChangeLoggedModel
from samdrift.core.money import MoneyField
from samdrift.ui.formatting import format_moment, format_month


class BillingPeriod(ChangeLoggedModel):
    """A calendar month of billing: open (rated and re-rated at will) until closed.

    ``rated_through`` is when the inputs were read for the charges billed in this period;
    inputs changed after it are checked for differences once the period is closed.
    """

    month = models.DateField(_("month"), unique=True, help_text=_("The first day of the month."))
    status = models.CharField(
        _("status"), max_length=10, choices=PeriodStatus.choices, default=PeriodStatus.OPEN
    )
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    rated_through = models.DateTimeField(_("inputs read at"), null=True, blank=True)

    write_roles: ClassVar[frozenset[str]] = FINANCE_ROLES

    class Meta:
        verbose_name = _("billing period")
        verbose_name_plural = _("billing periods")
        ordering = ["-month"]

    def __str__(self) -> str:
        return self.name

    @property
    def label(self) -> str:
        """The month's key in URLs, files and forms: ``2026-11``."""
        return f"{self.month:%Y-%m}"

    @property
    def name(self) -> str:
        """The month as people read it, in the active language: "november 2026"."""
        return format_month(self.month)

    @property
    def is_closed(self) -> bool:
        return self.status == PeriodStatus.CLOSED

    def clean(self) -> None:
        super().clean()
        if self.month and self.month.day != 1:
            raise ValidationError({"month": _("Give the first day of the month, e.g. 2026-11-01.")})


class BillingRun(models.Model):
    """One rating of a period: when, by whom, what it read and produced, and how long.

    ``input_hash`` covers every input row the rating read; ``content_hash`` every charge
    of the period (without row ids, issued invoices included). The same inputs give the
    same charges, so two runs over the same inputs show the same hashes.
    """

    period = models.ForeignKey(
        BillingPeriod, verbose_name=_("period"), on_delete=models.PROTECT, related_name="runs"
    )
    started_at = models.DateTimeField(_("started at"))
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)
    status = models.CharField(
        _("status"), max_length=10, choices=RunStatus.choices, default=RunStatus.SUCCEEDED
    )
    actor = models.CharField(_("actor"), max_length=150, blank=True)
    input_hash = models.CharField(
        _("inputs' content hash"),
        max_length=64,
        blank=True,
        help_text=_("SHA-256 over every input row the run read (prices, holdings, usage …)."),
    )
    content_hash = models.CharField(_("content hash"), max_length=64, blank=True)
    charge_count = models.PositiveIntegerField(_("charges"), default=0)
    adjustment_count = models.PositiveIntegerField(_("adjustment charges"), default=0)
    invoice_count = models.PositiveIntegerField(_("draft invoices"), default=0)
    line_count = models.PositiveIntegerField(_("invoice lines"), default=0)
    net_total = MoneyField(_("net total of drafts"), default=Decimal("0"))
    timings = models.JSONField(_("timings (seconds)"), default=dict, blank=True)

    # A run's totals span every municipality: only roles that see all of them read it.
    municipality_path: ClassVar[str | None] = None
    tenant_private: ClassVar[bool] = True
    write_roles: ClassVar[frozenset[str]] = FINANCE_ROLES

    class Meta:
        verbose_name = _("billing run")
        verbose_name_plural = _("billing runs")
        ordering = ["-started_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.period} @ {format_moment(self.started_at)}"

    @property
    def duration_seconds(self) -> float | None:
        if self.finished_at is None:
            return None
        return (self.finished_at - self.started_at).total_seconds()

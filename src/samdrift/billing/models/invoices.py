"""Invoices (one per municipality and period) and their lines."""

from __future__ import annotations

from decimal import Decimal
from typing import ClassVar

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from samdrift.billing.choices import (
    ChargeSource,
    InvoiceStatus,
    VatCategory,
)
from samdrift.billing.models.allocation import CostPool
from samdrift.billing.models.fields import vat_rate_field
from samdrift.billing.models.periods import BillingPeriod, BillingRun
from samdrift.catalogue.models import FINANCE_ROLES
from samdrift.core.models import ChangeLoggedModel
from samdrift.core.money import MoneyField


class Invoice(ChangeLoggedModel):
    """One municipality's invoice for one period. A draft is replaced by each run; issuing
    gives it the next number of its series and freezes it. It is never deleted: a wrong
    invoice is corrected by a credit note."""

    period = models.ForeignKey(
        BillingPeriod, verbose_name=_("period"), on_delete=models.PROTECT, related_name="invoices"
    )
    municipality = models.ForeignKey(
        "organisations.Municipality",
        verbose_name=_("municipality"),
        on_delete=models.PROTECT,
        related_name="invoices",
    )
    run = models.ForeignKey(
        BillingRun,
        verbose_name=_("billing run"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="invoices",
    )
    status = models.CharField(
        _("status"), max_length=10, choices=InvoiceStatus.choices, default=InvoiceStatus.DRAFT
    )
    series = models.CharField(_("series"), max_length=10, blank=True)
    fiscal_year = models.PositiveSmallIntegerField(_("year of the number"), null=True, blank=True)
    sequence = models.PositiveIntegerField(_("sequence"), null=True, blank=True)
    number = models.CharField(_("number"), max_length=30, null=True, blank=True, unique=True)
    issue_date = models.DateField(_("issue date"), null=True, blank=True)
    due_date = models.DateField(_("due date"), null=True, blank=True)
    issued_at = models.DateTimeField(_("issued at"), null=True, blank=True)
    kid = models.CharField(_("KID"), max_length=25, blank=True)
    buyer_reference = models.CharField(_("buyer reference"), max_length=100, blank=True)
    net_total = MoneyField(_("net total"), default=Decimal("0"))
    vat_total = MoneyField(_("VAT"), default=Decimal("0"))
    gross_total = MoneyField(_("total including VAT"), default=Decimal("0"))
    charge_count = models.PositiveIntegerField(_("charges"), default=0)
    content_hash = models.CharField(_("content hash"), max_length=64, blank=True)

    municipality_path: ClassVar[str | None] = "municipality"
    write_roles: ClassVar[frozenset[str]] = FINANCE_ROLES

    class Meta:
        verbose_name = _("invoice")
        verbose_name_plural = _("invoices")
        ordering = ["-period__month", "municipality__number"]
        constraints = [
            models.UniqueConstraint(
                fields=["period", "municipality"], name="invoice_unique_period_municipality"
            ),
            models.UniqueConstraint(
                fields=["series", "fiscal_year", "sequence"],
                condition=Q(sequence__isnull=False),
                name="invoice_unique_series_sequence",
            ),
            models.CheckConstraint(
                condition=Q(status=InvoiceStatus.DRAFT) | Q(number__isnull=False),
                name="invoice_issued_has_number",
            ),
        ]

    def __str__(self) -> str:
        if self.number:
            return self.number
        return f"{_('Draft')} {self.period} {self.municipality}"

    @property
    def is_issued(self) -> bool:
        return self.status == InvoiceStatus.ISSUED


class InvoiceLine(models.Model):
    """The charges of one invoice for one service area and item, summed.

    ``units`` is what was used (device-months, pages); ``quantity`` × ``unit_price`` is
    the net amount exactly (as EHF requires): the unit price when that multiplies out to
    the øre, else one lot (±1) at the net amount. VAT is the line's exact share of its VAT
    category's total on the invoice.
    """

    invoice = models.ForeignKey(
        Invoice, verbose_name=_("invoice"), on_delete=models.CASCADE, related_name="lines"
    )
    line_number = models.PositiveIntegerField(_("line"))
    service_area = models.ForeignKey(
        "organisations.ServiceArea",
        verbose_name=_("service area"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    source = models.CharField(_("source"), max_length=12, choices=ChargeSource.choices)
    product = models.ForeignKey(
        "catalogue.Product", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    service = models.ForeignKey(
        "catalogue.Service", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    cost_pool = models.ForeignKey(
        CostPool, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    description = models.CharField(_("description"), max_length=250)
    adjusts_period = models.ForeignKey(
        BillingPeriod,
        verbose_name=_("adjusts period"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    units = models.DecimalField(_("units used"), max_digits=18, decimal_places=4)
    quantity = models.DecimalField(_("quantity"), max_digits=18, decimal_places=4)
    unit_code = models.CharField(_("unit code"), max_length=3, default="C62")
    unit_price = models.DecimalField(_("unit price"), max_digits=16, decimal_places=4)
    net_amount = MoneyField(_("net amount"))
    vat_rate = vat_rate_field(default=None)
    vat_category = models.CharField(_("VAT category"), max_length=2, choices=VatCategory.choices)
    vat_exemption_reason = models.CharField(_("VAT exemption reason"), max_length=200, blank=True)
    vat_amount = MoneyField(_("VAT"))
    charge_count = models.PositiveIntegerField(_("charges"))

    municipality_path: ClassVar[str | None] = "invoice__municipality"
    service_area_path: ClassVar[str | None] = "service_area"

    class Meta:
        verbose_name = _("invoice line")
        verbose_name_plural = _("invoice lines")
        ordering = ["invoice_id", "line_number"]
        constraints = [
            models.UniqueConstraint(
                fields=["invoice", "line_number"], name="invoice_line_unique_number"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.line_number}: {self.description}"

    @property
    def gross_amount(self) -> Decimal:
        return self.net_amount + self.vat_amount

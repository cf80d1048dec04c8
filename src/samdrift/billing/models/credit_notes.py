"""Credit notes correcting issued invoices, and their lines."""

from __future__ import annotations

from typing import ClassVar

from django.db import models
from django.utils.translation import gettext_lazy as _

from samdrift.billing.choices import (
    VatCategory,
)
from samdrift.billing.models.fields import vat_rate_field
from samdrift.billing.models.invoices import Invoice, InvoiceLine
from samdrift.catalogue.models import FINANCE_ROLES
from samdrift.core.models import ChangeLoggedModel
from samdrift.core.money import MoneyField


class CreditNote(ChangeLoggedModel):
    """A correction of an issued invoice, in full or in part; numbered when made, in its
    own series. What is credited can never exceed what remains of the invoice."""

    invoice = models.ForeignKey(
        Invoice, verbose_name=_("invoice"), on_delete=models.PROTECT, related_name="credit_notes"
    )
    series = models.CharField(_("series"), max_length=10)
    fiscal_year = models.PositiveSmallIntegerField(_("year of the number"))
    sequence = models.PositiveIntegerField(_("sequence"))
    number = models.CharField(_("number"), max_length=30, unique=True)
    issue_date = models.DateField(_("issue date"))
    reason = models.CharField(_("reason"), max_length=300)
    net_total = MoneyField(_("net total"))
    vat_total = MoneyField(_("VAT"))
    gross_total = MoneyField(_("total including VAT"))

    municipality_path: ClassVar[str | None] = "invoice__municipality"
    write_roles: ClassVar[frozenset[str]] = FINANCE_ROLES

    class Meta:
        verbose_name = _("credit note")
        verbose_name_plural = _("credit notes")
        ordering = ["-issue_date", "-sequence"]
        constraints = [
            models.UniqueConstraint(
                fields=["series", "fiscal_year", "sequence"],
                name="credit_note_unique_series_sequence",
            ),
        ]

    def __str__(self) -> str:
        return self.number


class CreditNoteLine(models.Model):
    """The part of one invoice line that a credit note credits (same sign as the line)."""

    credit_note = models.ForeignKey(
        CreditNote, verbose_name=_("credit note"), on_delete=models.CASCADE, related_name="lines"
    )
    invoice_line = models.ForeignKey(
        InvoiceLine,
        verbose_name=_("invoice line"),
        on_delete=models.PROTECT,
        related_name="credits",
    )
    line_number = models.PositiveIntegerField(_("line"))
    description = models.CharField(_("description"), max_length=250)
    quantity = models.DecimalField(_("quantity"), max_digits=18, decimal_places=4)
    unit_code = models.CharField(_("unit code"), max_length=3, default="C62")
    unit_price = models.DecimalField(_("unit price"), max_digits=16, decimal_places=4)
    net_amount = MoneyField(_("net amount"))
    vat_rate = vat_rate_field(default=None)
    vat_category = models.CharField(_("VAT category"), max_length=2, choices=VatCategory.choices)
    vat_exemption_reason = models.CharField(_("VAT exemption reason"), max_length=200, blank=True)
    vat_amount = MoneyField(_("VAT"))

    municipality_path: ClassVar[str | None] = "credit_note__invoice__municipality"
    # The area of the invoice line credited: a service-area manager sees their area's part.
    service_area_path: ClassVar[str | None] = "invoice_line__service_area"

    class Meta:
        verbose_name = _("credit note line")
        verbose_name_plural = _("credit note lines")
        ordering = ["credit_note_id", "line_number"]

    def __str__(self) -> str:
        return f"{self.line_number}: {self.description}"

"""Charges: one-off charges entered by hand, and the charge rows a run writes."""

from __future__ import annotations

from decimal import Decimal
from typing import ClassVar

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from samdrift.billing.choices import (
    ChargeSource,
)
from samdrift.billing.models.allocation import CostPool
from samdrift.billing.models.fields import signed_unit_price_field, vat_rate_field
from samdrift.billing.models.invoices import Invoice
from samdrift.billing.models.periods import BillingPeriod, BillingRun
from samdrift.catalogue.models import FINANCE_ROLES
from samdrift.core.models import ChangeLoggedModel
from samdrift.core.money import MoneyField
from samdrift.ui.formatting import format_day


def _unchecked_reference(to, *, null: bool = True, related_name: str = "+") -> models.ForeignKey:
    """A charge's reference to a row it names: no index of its own (the indexes of
    ``Charge`` serve the look-ups) and no database constraint (see ``Charge``)."""
    return models.ForeignKey(
        to,
        on_delete=models.PROTECT,
        null=null,
        related_name=related_name,
        db_index=False,
        db_constraint=False,
    )


class OneOffCharge(ChangeLoggedModel):
    """An entered charge: hours of work, an installation fee. Billed in the month of ``date``
    (or, when that month is closed, as an adjustment in the next open month)."""

    municipality = models.ForeignKey(
        "organisations.Municipality",
        verbose_name=_("municipality"),
        on_delete=models.PROTECT,
        related_name="one_off_charges",
    )
    service_area = models.ForeignKey(
        "organisations.ServiceArea",
        verbose_name=_("service area"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="one_off_charges",
    )
    person = models.ForeignKey(
        "organisations.Person",
        verbose_name=_("person"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="one_off_charges",
    )
    asset = models.ForeignKey(
        "inventory.Asset",
        verbose_name=_("asset"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="one_off_charges",
    )
    service = models.ForeignKey(
        "catalogue.Service",
        verbose_name=_("service"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="one_off_charges",
    )
    description = models.CharField(_("description"), max_length=200)
    date = models.DateField(_("date"), help_text=_("When the work was done or the fee arose."))
    quantity = models.DecimalField(
        _("quantity"), max_digits=12, decimal_places=3, default=Decimal("1")
    )
    unit_price = signed_unit_price_field(_("unit price"))
    vat_rate = vat_rate_field()
    vat_exemption_reason = models.CharField(_("VAT exemption reason"), max_length=200, blank=True)
    reference = models.CharField(_("reference"), max_length=100, blank=True)

    municipality_path: ClassVar[str | None] = "municipality"
    service_area_path: ClassVar[str | None] = "service_area"
    write_roles: ClassVar[frozenset[str]] = FINANCE_ROLES

    class Meta:
        verbose_name = _("one-off charge")
        verbose_name_plural = _("one-off charges")
        ordering = ["-date", "pk"]
        indexes = [models.Index(fields=["date"])]

    def __str__(self) -> str:
        return f"{self.description} ({format_day(self.date)})"

    def clean(self) -> None:
        super().clean()
        if self.vat_rate == 0 and not self.vat_exemption_reason.strip():
            raise ValidationError(
                {"vat_exemption_reason": _("A charge without VAT needs the exemption reason.")}
            )


class Charge(models.Model):
    """The atomic priced fact: who (municipality, service area, person), what (asset,
    subscription, item), which days, at what price, how much, and from which source row.

    Written in bulk by a billing run and never edited; draft charges are replaced by the
    next run of an open period. An adjustment charge carries the period it corrects.
    Foreign keys to the inputs carry no database constraint or index of their own, so that
    a run can write a million rows quickly; the indexes below serve the drill-downs.
    """

    # No database constraints on these either: a run writes its charges in the same
    # transaction that creates (or locks) the period, run and invoices they name, and a
    # per-row foreign-key check would cost more than writing the row (the COPY floor is
    # measured without one). Deleting those rows is refused by the ORM (PROTECT).
    period = _unchecked_reference(BillingPeriod, null=False, related_name="charges")
    run = _unchecked_reference(BillingRun, null=False)
    invoice = _unchecked_reference(Invoice, null=False, related_name="charges")
    municipality = _unchecked_reference("organisations.Municipality", null=False)
    service_area = _unchecked_reference("organisations.ServiceArea")
    person = _unchecked_reference("organisations.Person")  # a partial index below
    asset = _unchecked_reference("inventory.Asset")  # a partial index below
    subscription = _unchecked_reference("inventory.Subscription")
    source = models.CharField(_("source"), max_length=12, choices=ChargeSource.choices)
    source_id = models.BigIntegerField(_("source row"))
    product = _unchecked_reference("catalogue.Product")
    service = _unchecked_reference("catalogue.Service")
    cost_pool = _unchecked_reference(CostPool)
    description = models.CharField(_("description"), max_length=200, blank=True)
    quantity = models.DecimalField(_("quantity"), max_digits=14, decimal_places=3)
    unit_price = signed_unit_price_field(_("unit price"))
    days_active = models.SmallIntegerField(_("days active"), null=True)
    days_in_month = models.SmallIntegerField(_("days in month"), null=True)
    valid_from = models.DateField(_("from"), null=True)
    valid_to = models.DateField(_("to (exclusive)"), null=True)
    amount = MoneyField(_("amount"))
    vat_rate = vat_rate_field(default=None)
    # a partial index below
    adjusts_period = _unchecked_reference(BillingPeriod, related_name="adjustment_charges")

    municipality_path: ClassVar[str | None] = "municipality"
    service_area_path: ClassVar[str | None] = "service_area"

    class Meta:
        verbose_name = _("charge")
        verbose_name_plural = _("charges")
        ordering = ["invoice_id", "id"]
        # Every index costs a run about a tenth of its writing time. Person, asset and the
        # adjusted period are looked up by value only (filters, the adjustment check), so
        # their indexes leave out the rows without one: nearly every charge has no
        # adjusted period, a third no person or asset. Both engines use a partial index
        # for ``column = value``.
        indexes = [
            models.Index(fields=["invoice", "service_area"], name="charge_invoice_area"),
            # A municipality's own list in its default order (invoice, id): without it a
            # contact's charge list scanned every municipality's millions of charges.
            models.Index(fields=["municipality", "invoice", "id"], name="charge_muni_invoice"),
            models.Index(fields=["period", "source", "source_id"], name="charge_period_source"),
            models.Index(
                fields=["person"], condition=Q(person__isnull=False), name="charge_person"
            ),
            models.Index(fields=["asset"], condition=Q(asset__isnull=False), name="charge_asset"),
            models.Index(
                fields=["adjusts_period"],
                condition=Q(adjusts_period__isnull=False),
                name="charge_adjusts_period",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.description}: {self.amount}"

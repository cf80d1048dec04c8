"""Billing: periods, runs, charges, cost pools, invoices and credit notes.

The flow: a ``BillingRun`` rates an open ``BillingPeriod`` (a calendar month) into
``Charge`` rows — the atomic priced facts — and groups them into one draft ``Invoice`` per
municipality with ``InvoiceLine`` rows per service area × item. Issuing numbers an invoice
and freezes it; a ``CreditNote`` corrects it. Closing a period freezes it for good; a later
change dated inside it is billed as adjustment charges in the next open period.
"""

from __future__ import annotations

from decimal import Decimal
from typing import ClassVar

from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from samdrift.billing.choices import (
    AllocationBasis,
    ChargeSource,
    InvoiceStatus,
    PeriodStatus,
    RunStatus,
    VatCategory,
)
from samdrift.catalogue.models import FINANCE_ROLES, STANDARD_VAT_RATE
from samdrift.core.dating import period_constraint
from samdrift.core.models import ChangeLoggedModel
from samdrift.core.money import MoneyField


def vat_rate_field(**kwargs) -> models.DecimalField:
    kwargs.setdefault("default", STANDARD_VAT_RATE)
    return models.DecimalField(
        _("VAT rate (%)"),
        max_digits=5,
        decimal_places=2,
        validators=[MinValueValidator(Decimal("0")), MaxValueValidator(Decimal("100"))],
        **kwargs,
    )


def signed_unit_price_field(verbose_name, **kwargs) -> models.DecimalField:
    """A price per unit that may be negative (a credit), four decimals like list prices."""
    return models.DecimalField(verbose_name, max_digits=14, decimal_places=4, **kwargs)


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
        return f"{self.month:%Y-%m}"

    @property
    def label(self) -> str:
        return f"{self.month:%Y-%m}"

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
        return f"{self.period} @ {self.started_at:%Y-%m-%d %H:%M:%S}"

    @property
    def duration_seconds(self) -> float | None:
        if self.finished_at is None:
            return None
        return (self.finished_at - self.started_at).total_seconds()


class AllocationKey(ChangeLoggedModel):
    """How a shared cost is split between municipalities: one or more weighted parts
    (e.g. 1 part equal shares + 2 parts population), measured on ``measured_on``.

    Measured weights are stored (``AllocationWeight``) the first time the key is used, so a
    past month splits the same way whenever it is re-rated.
    """

    name = models.CharField(_("name"), max_length=150, unique=True)
    description = models.TextField(_("description"), blank=True)
    measured_on = models.DateField(
        _("measured on"), help_text=_("The date the population, persons or devices are counted.")
    )
    measured_at = models.DateTimeField(_("weights stored at"), null=True, blank=True)

    write_roles: ClassVar[frozenset[str]] = FINANCE_ROLES

    class Meta:
        verbose_name = _("allocation key")
        verbose_name_plural = _("allocation keys")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class AllocationKeyPart(ChangeLoggedModel):
    """One basis of a key with its relative share: "1/3 equal + 2/3 population" is two
    parts with shares 1 and 2. Shares are normalised, so 1 and 2 mean exactly 1/3 and 2/3."""

    key = models.ForeignKey(
        AllocationKey, verbose_name=_("key"), on_delete=models.CASCADE, related_name="parts"
    )
    basis = models.CharField(_("basis"), max_length=12, choices=AllocationBasis.choices)
    share = models.DecimalField(
        _("share"),
        max_digits=12,
        decimal_places=6,
        validators=[MinValueValidator(Decimal("0.000001"))],
        help_text=_("Relative weight of this part within the key."),
    )

    write_roles: ClassVar[frozenset[str]] = FINANCE_ROLES

    class Meta:
        verbose_name = _("allocation key part")
        verbose_name_plural = _("allocation key parts")
        ordering = ["key_id", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["key", "basis"], name="allocation_part_unique_basis"),
            models.CheckConstraint(condition=Q(share__gt=0), name="allocation_part_share_gt_0"),
        ]

    def __str__(self) -> str:
        return f"{self.key}: {self.share} × {self.get_basis_display()}"


class AllocationWeight(ChangeLoggedModel):
    """The weight of one municipality (or one of its service areas) in a key part.

    Entered for fixed percentages and custom weights; stored by measuring for the other
    bases. Rows with a service area and no part are the persons per service area used to
    split a municipality's share on to its service areas.
    """

    key = models.ForeignKey(
        AllocationKey, verbose_name=_("key"), on_delete=models.CASCADE, related_name="weights"
    )
    part = models.ForeignKey(
        AllocationKeyPart,
        verbose_name=_("part"),
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="weights",
    )
    municipality = models.ForeignKey(
        "organisations.Municipality",
        verbose_name=_("municipality"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    service_area = models.ForeignKey(
        "organisations.ServiceArea",
        verbose_name=_("service area"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    weight = models.DecimalField(
        _("weight"),
        max_digits=20,
        decimal_places=6,
        validators=[MinValueValidator(Decimal("0"))],
        help_text=_("For fixed percentages: the percentage (0–100)."),
    )

    write_roles: ClassVar[frozenset[str]] = FINANCE_ROLES

    class Meta:
        verbose_name = _("allocation weight")
        verbose_name_plural = _("allocation weights")
        ordering = ["key_id", "part_id", "municipality__number", "service_area_id"]
        constraints = [
            models.CheckConstraint(condition=Q(weight__gte=0), name="allocation_weight_gte_0"),
            models.UniqueConstraint(
                fields=["part", "municipality"],
                condition=Q(part__isnull=False),
                name="allocation_weight_unique_part_municipality",
            ),
            models.UniqueConstraint(
                fields=["key", "service_area"],
                condition=Q(part__isnull=True),
                name="allocation_weight_unique_key_service_area",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.key} / {self.municipality_id}: {self.weight}"


class CostPool(ChangeLoggedModel):
    """A shared monthly cost no single device or user causes (data centre, licences for
    all, staff), split by an allocation key, first to municipalities and optionally on to
    their service areas by persons. What the key does not cover is shown as unallocated.

    The monthly amount is not edited once billed: end the pool and start a new one.
    """

    name = models.CharField(_("name"), max_length=150)
    description = models.TextField(_("description"), blank=True)
    monthly_amount = MoneyField(_("monthly amount"), validators=[MinValueValidator(Decimal("0"))])
    key = models.ForeignKey(
        AllocationKey,
        verbose_name=_("allocation key"),
        on_delete=models.PROTECT,
        related_name="pools",
    )
    split_to_service_areas = models.BooleanField(
        _("split on to service areas"),
        default=False,
        help_text=_("Split each municipality's share on to its service areas by persons."),
    )
    vat_rate = vat_rate_field()
    vat_exemption_reason = models.CharField(_("VAT exemption reason"), max_length=200, blank=True)
    valid_from = models.DateField(_("valid from"))
    valid_to = models.DateField(_("valid to"), null=True, blank=True)

    write_roles: ClassVar[frozenset[str]] = FINANCE_ROLES

    class Meta:
        verbose_name = _("cost pool")
        verbose_name_plural = _("cost pools")
        ordering = ["name", "valid_from"]
        constraints = [
            period_constraint("cost_pool_valid_to_after_from"),
            models.CheckConstraint(
                condition=Q(monthly_amount__gte=0), name="cost_pool_amount_gte_0"
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        super().clean()
        if self.vat_rate == 0 and not self.vat_exemption_reason.strip():
            raise ValidationError(
                {"vat_exemption_reason": _("A cost without VAT needs the exemption reason.")}
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
        return f"{self.description} ({self.date.isoformat()})"

    def clean(self) -> None:
        super().clean()
        if self.vat_rate == 0 and not self.vat_exemption_reason.strip():
            raise ValidationError(
                {"vat_exemption_reason": _("A charge without VAT needs the exemption reason.")}
            )


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
    period = models.ForeignKey(
        BillingPeriod,
        on_delete=models.PROTECT,
        related_name="charges",
        db_index=False,
        db_constraint=False,
    )
    run = models.ForeignKey(
        BillingRun, on_delete=models.PROTECT, related_name="+", db_index=False, db_constraint=False
    )
    invoice = models.ForeignKey(
        Invoice,
        on_delete=models.PROTECT,
        related_name="charges",
        db_index=False,
        db_constraint=False,
    )
    municipality = models.ForeignKey(
        "organisations.Municipality",
        on_delete=models.PROTECT,
        related_name="+",
        db_index=False,
        db_constraint=False,
    )
    service_area = models.ForeignKey(
        "organisations.ServiceArea",
        on_delete=models.PROTECT,
        null=True,
        related_name="+",
        db_index=False,
        db_constraint=False,
    )
    person = models.ForeignKey(
        "organisations.Person",
        on_delete=models.PROTECT,
        null=True,
        related_name="+",
        db_index=False,  # a partial index below
        db_constraint=False,
    )
    asset = models.ForeignKey(
        "inventory.Asset",
        on_delete=models.PROTECT,
        null=True,
        related_name="+",
        db_index=False,  # a partial index below
        db_constraint=False,
    )
    subscription = models.ForeignKey(
        "inventory.Subscription",
        on_delete=models.PROTECT,
        null=True,
        related_name="+",
        db_index=False,
        db_constraint=False,
    )
    source = models.CharField(_("source"), max_length=12, choices=ChargeSource.choices)
    source_id = models.BigIntegerField(_("source row"))
    product = models.ForeignKey(
        "catalogue.Product",
        on_delete=models.PROTECT,
        null=True,
        related_name="+",
        db_index=False,
        db_constraint=False,
    )
    service = models.ForeignKey(
        "catalogue.Service",
        on_delete=models.PROTECT,
        null=True,
        related_name="+",
        db_index=False,
        db_constraint=False,
    )
    cost_pool = models.ForeignKey(
        CostPool,
        on_delete=models.PROTECT,
        null=True,
        related_name="+",
        db_index=False,
        db_constraint=False,
    )
    description = models.CharField(_("description"), max_length=200, blank=True)
    quantity = models.DecimalField(_("quantity"), max_digits=14, decimal_places=3)
    unit_price = signed_unit_price_field(_("unit price"))
    days_active = models.SmallIntegerField(_("days active"), null=True)
    days_in_month = models.SmallIntegerField(_("days in month"), null=True)
    valid_from = models.DateField(_("from"), null=True)
    valid_to = models.DateField(_("to (exclusive)"), null=True)
    amount = MoneyField(_("amount"))
    vat_rate = vat_rate_field(default=None)
    adjusts_period = models.ForeignKey(
        BillingPeriod,
        on_delete=models.PROTECT,
        null=True,
        related_name="adjustment_charges",
        db_index=False,  # a partial index below
        db_constraint=False,
    )

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


class DocumentCounter(models.Model):
    """The last number given in a series and year. Issuing locks this row
    (``select_for_update``) inside its transaction, so numbers are gapless and unique even
    when two issue requests race: the second waits for the first to commit."""

    series = models.CharField(_("series"), max_length=10)
    year = models.PositiveSmallIntegerField(_("year"))
    last_number = models.PositiveIntegerField(_("last number"), default=0)

    class Meta:
        verbose_name = _("document counter")
        verbose_name_plural = _("document counters")
        constraints = [
            models.UniqueConstraint(fields=["series", "year"], name="document_counter_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.series}-{self.year}: {self.last_number}"


def document_number(*, series: str, year: int, sequence: int) -> str:
    """The number printed on an invoice or credit note: ``FRI-2026-000007``."""
    return f"{series}-{year}-{sequence:06d}"


def credit_note_series(collaboration) -> str:
    """Credit notes are numbered in their own series: the invoice series with a K."""
    return f"{collaboration.invoice_series}K"[:10]

"""Leasing: lease models, price-list publications, and buyouts of a municipality's
existing equipment with the assets' own prices and the amounts owed for them.

The tables keep their old names (``catalogue_*``, ``inventory_*``): the models moved
here from ``catalogue`` and ``inventory`` without copying data (migration 0001).
"""

from __future__ import annotations

from decimal import Decimal
from typing import ClassVar

from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from samdrift.catalogue.models import FINANCE_ROLES
from samdrift.core.dating import period_constraint
from samdrift.core.models import ChangeLoggedModel
from samdrift.core.money import MoneyField, non_negative
from samdrift.inventory.models import Asset
from samdrift.leasing.choices import BuyoutStatus, PaymentTiming, PublicationKind
from samdrift.ui.formatting import format_day


class LeaseModel(ChangeLoggedModel):
    """How a category of equipment is financed: an annuity over a term, plus a service fee."""

    name = models.CharField(_("name"), max_length=100, unique=True)
    term_months = models.PositiveSmallIntegerField(
        _("term (months)"), validators=[MinValueValidator(1), MaxValueValidator(120)]
    )
    annual_rate = models.DecimalField(
        _("annual interest rate"),
        max_digits=7,
        decimal_places=6,
        validators=[MinValueValidator(Decimal("0")), MaxValueValidator(Decimal("1"))],
        help_text=_("As a fraction: 0.05 is 5 % a year."),
    )
    residual_percent = models.DecimalField(
        _("residual value (%)"),
        max_digits=5,
        decimal_places=2,
        default=Decimal("0"),
        validators=[MinValueValidator(Decimal("0")), MaxValueValidator(Decimal("100"))],
    )
    monthly_service_fee = MoneyField(
        _("monthly service fee"), default=Decimal("0"), validators=non_negative()
    )
    payment_timing = models.CharField(
        _("payments"), max_length=10, choices=PaymentTiming.choices, default=PaymentTiming.ARREARS
    )

    write_roles: ClassVar[frozenset[str]] = FINANCE_ROLES

    class Meta:
        db_table = "catalogue_leasemodel"  # moved from catalogue, table kept
        verbose_name = _("lease model")
        verbose_name_plural = _("lease models")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class PriceListPublication(ChangeLoggedModel):
    """One publication of new price versions: the yearly recalculation of product lease
    prices, or an indexation of service prices by an index (e.g. the municipal deflator).

    It records what was published, from when, on which index values and by whom; the
    versions themselves are ordinary ``PriceVersion`` rows whose note names the
    publication. Written by ``leasing.pricing``, never edited.
    """

    kind = models.CharField(_("kind"), max_length=20, choices=PublicationKind.choices)
    year = models.PositiveSmallIntegerField(_("price year"))
    valid_from = models.DateField(_("valid from"))
    index_name = models.CharField(_("index"), max_length=100, blank=True)
    old_index = models.DecimalField(
        _("old index value"), max_digits=12, decimal_places=4, null=True, blank=True
    )
    new_index = models.DecimalField(
        _("new index value"), max_digits=12, decimal_places=4, null=True, blank=True
    )
    versions_created = models.PositiveIntegerField(_("price versions created"), default=0)
    published_by = models.ForeignKey(
        "core.User",
        verbose_name=_("published by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    note = models.CharField(_("note"), max_length=200, blank=True)

    write_roles: ClassVar[frozenset[str]] = FINANCE_ROLES

    class Meta:
        db_table = "catalogue_pricelistpublication"  # moved from catalogue, table kept
        verbose_name = _("price-list publication")
        verbose_name_plural = _("price-list publications")
        ordering = ["-valid_from", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(old_index__isnull=True) | Q(old_index__gt=0),
                name="price_list_publication_old_index_gt_0",
            ),
            models.CheckConstraint(
                condition=Q(new_index__isnull=True) | Q(new_index__gt=0),
                name="price_list_publication_new_index_gt_0",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.year} ({format_day(self.valid_from)})"


# --- Buyouts: taking over a municipality's existing equipment ---------------------------


class Buyout(ChangeLoggedModel):
    """Taking over one municipality's existing equipment at book value.

    draft (items may be added, changed, removed) → agreed (the valuation is frozen, the
    signed-off XLSX copy is kept in ``SignedValuation``; nothing may change any more) →
    completed (the assets are owned by the collaboration with origin "bought out", get
    their own ``AssetPrice`` and the agreed total is recorded as ``AmountOwed`` to the
    municipality). Every step is a service in ``leasing.buyouts``.
    """

    municipality = models.ForeignKey(
        "organisations.Municipality",
        verbose_name=_("municipality"),
        on_delete=models.PROTECT,
        related_name="buyouts",
    )
    name = models.CharField(_("name"), max_length=150)
    valuation_date = models.DateField(
        _("valuation date"), help_text=_("Book values are computed on this day (the takeover).")
    )
    status = models.CharField(
        _("status"), max_length=10, choices=BuyoutStatus.choices, default=BuyoutStatus.DRAFT
    )
    note = models.TextField(_("note"), blank=True)
    agreed_on = models.DateField(_("agreed on"), null=True, blank=True)
    agreed_by = models.ForeignKey(
        "core.User",
        verbose_name=_("agreed by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    agreed_total = MoneyField(
        _("agreed total"),
        null=True,
        blank=True,
        help_text=_("The sum of the frozen per-asset book values at agreement."),
    )
    completed_on = models.DateField(_("completed on"), null=True, blank=True)
    completed_by = models.ForeignKey(
        "core.User",
        verbose_name=_("completed by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )

    municipality_path: ClassVar[str | None] = "municipality"
    write_roles: ClassVar[frozenset[str]] = FINANCE_ROLES

    class Meta:
        db_table = "inventory_buyout"  # moved from inventory, table kept
        verbose_name = _("buyout")
        verbose_name_plural = _("buyouts")
        ordering = ["-valuation_date", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(agreed_total__isnull=True) | Q(agreed_total__gte=0),
                name="buyout_agreed_total_gte_0",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def is_locked(self) -> bool:
        return self.status != BuyoutStatus.DRAFT


class BuyoutItem(ChangeLoggedModel):
    """One asset in a buyout, with the basis of its valuation.

    The valuation basis (acquisition date and cost, residual, useful life) is kept here,
    copied from the asset when it is added, so the agreed valuation never moves if the
    asset register is corrected later. ``useful_life_months`` empty means the product's
    (category's) useful life; a different life needs ``life_override_reason``.
    ``age_months`` and ``book_value`` are frozen when the buyout is agreed.
    """

    buyout = models.ForeignKey(
        Buyout, verbose_name=_("buyout"), on_delete=models.CASCADE, related_name="items"
    )
    asset = models.OneToOneField(
        Asset, verbose_name=_("asset"), on_delete=models.PROTECT, related_name="buyout_item"
    )
    acquisition_date = models.DateField(_("acquisition date"))
    acquisition_cost = MoneyField(_("acquisition cost"), validators=non_negative())
    residual_value = MoneyField(
        _("residual value"), default=Decimal("0"), validators=non_negative()
    )
    useful_life_months = models.PositiveSmallIntegerField(
        _("useful life (months)"),
        null=True,
        blank=True,
        validators=[MinValueValidator(1), MaxValueValidator(60)],
        help_text=_("Empty: the product's useful life. At most 60 months."),
    )
    life_override_reason = models.CharField(
        _("reason for the useful life"), max_length=200, blank=True
    )
    age_months = models.PositiveSmallIntegerField(_("age (months)"), null=True, blank=True)
    book_value = MoneyField(_("book value"), null=True, blank=True)

    municipality_path: ClassVar[str | None] = "buyout__municipality"
    write_roles: ClassVar[frozenset[str]] = FINANCE_ROLES

    class Meta:
        db_table = "inventory_buyoutitem"  # moved from inventory, table kept
        verbose_name = _("buyout item")
        verbose_name_plural = _("buyout items")
        ordering = ["buyout_id", "asset__asset_tag"]
        constraints = [
            models.CheckConstraint(
                condition=Q(acquisition_cost__gte=0), name="buyout_item_acquisition_cost_gte_0"
            ),
            models.CheckConstraint(
                condition=Q(residual_value__gte=0)
                & Q(residual_value__lte=models.F("acquisition_cost")),
                name="buyout_item_residual_value_within_cost",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.buyout_id}: {self.asset_id}"


class SignedValuation(ChangeLoggedModel):
    """The signed-off copy of an agreed buyout's valuation (XLSX), kept unchangeable:
    written once when the buyout is agreed, with the SHA-256 of its bytes."""

    buyout = models.OneToOneField(
        Buyout,
        verbose_name=_("buyout"),
        on_delete=models.PROTECT,
        related_name="signed_valuation",
    )
    file_name = models.CharField(_("file name"), max_length=200)
    content = models.BinaryField(_("content"))
    sha256 = models.CharField(_("SHA-256"), max_length=64)
    size = models.PositiveIntegerField(_("size (bytes)"))

    municipality_path: ClassVar[str | None] = "buyout__municipality"
    changelog_exclude: ClassVar[frozenset[str]] = frozenset({"created", "last_updated", "content"})

    class Meta:
        db_table = "inventory_signedvaluation"  # moved from inventory, table kept
        verbose_name = _("signed valuation")
        verbose_name_plural = _("signed valuations")

    def __str__(self) -> str:
        return self.file_name


class AssetPrice(ChangeLoggedModel):
    """An asset's own monthly price, effective-dated ``[valid_from, valid_to)``.

    Bought-out assets are not priced from their product's list price but from what the
    collaboration paid for them: ``capital_part`` is the annuity of ``financed_value``
    (the buyout value) down to ``residual_value`` over ``term_months`` (the asset's
    remaining life) at ``annual_rate``, plus the category's ``service_fee``; ``amount``
    is their sum, rounded to the øre. When the remaining life is over the asset is paid
    for and a second, open-ended row charges the service fee alone.

    Billing rule: for the days an ``AssetPrice`` row covers, an asset is charged
    ``amount`` (prorated by days); an asset without one is charged its product's
    ``PriceVersion``. ``leasing.buyouts.selectors.asset_prices_overlapping`` reads them
    for a whole period in one query.
    """

    asset = models.ForeignKey(
        Asset, verbose_name=_("asset"), on_delete=models.PROTECT, related_name="prices"
    )
    valid_from = models.DateField(_("valid from"))
    valid_to = models.DateField(_("valid to"), null=True, blank=True)
    amount = MoneyField(_("monthly price"), validators=non_negative())
    capital_part = MoneyField(_("capital part"), validators=non_negative())
    service_fee = MoneyField(_("service fee"), validators=non_negative())
    financed_value = MoneyField(
        _("financed value"), default=Decimal("0"), validators=non_negative()
    )
    residual_value = MoneyField(
        _("residual value"), default=Decimal("0"), validators=non_negative()
    )
    term_months = models.PositiveSmallIntegerField(_("term (months)"), null=True, blank=True)
    annual_rate = models.DecimalField(
        _("annual interest rate"), max_digits=7, decimal_places=6, default=Decimal("0")
    )
    buyout_item = models.ForeignKey(
        BuyoutItem,
        verbose_name=_("buyout item"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="prices",
    )
    note = models.CharField(_("note"), max_length=200, blank=True)

    municipality_path: ClassVar[str | None] = "asset__municipality"
    service_area_path: ClassVar[str | None] = "asset__service_area"
    write_roles: ClassVar[frozenset[str]] = FINANCE_ROLES

    class Meta:
        db_table = "inventory_assetprice"  # moved from inventory, table kept
        verbose_name = _("asset price")
        verbose_name_plural = _("asset prices")
        ordering = ["asset_id", "valid_from"]
        constraints = [
            period_constraint("asset_price_valid_to_after_from"),
            models.UniqueConstraint(
                fields=["asset", "valid_from"], name="asset_price_unique_asset_start"
            ),
        ]
        indexes = [models.Index(fields=["valid_from", "valid_to"])]

    def __str__(self) -> str:
        until = format_day(self.valid_to) if self.valid_to else "…"
        return f"{self.asset_id}: {self.amount} ({format_day(self.valid_from)}–{until})"

    def clean(self) -> None:
        # Checked here, not as a database constraint: SQLite compares NUMERIC sums as
        # floating point, so 210.58 + 50.00 would not equal 260.58 there.
        super().clean()
        if (
            self.amount is not None
            and self.capital_part is not None
            and self.service_fee is not None
            and self.amount != self.capital_part + self.service_fee
        ):
            raise ValidationError(
                {"amount": _("The monthly price must be the capital part plus the service fee.")}
            )


class AmountOwed(ChangeLoggedModel):
    """Money the collaboration owes a municipality, e.g. the sum of a completed buyout.

    Billing turns it into a credit line on the municipality's invoice for ``due_month``
    (or the first open period after it) and then fills ``settled_reference`` (the invoice
    or credit-note number) and ``settled_on``; an unsettled row has both empty.
    """

    municipality = models.ForeignKey(
        "organisations.Municipality",
        verbose_name=_("municipality"),
        on_delete=models.PROTECT,
        related_name="amounts_owed",
    )
    amount = MoneyField(_("amount"), help_text=_("Owed to the municipality, excluding VAT."))
    due_month = models.DateField(
        _("due in month"), help_text=_("First day of the billing month it is credited in.")
    )
    description = models.CharField(_("description"), max_length=200)
    buyout = models.OneToOneField(
        Buyout,
        verbose_name=_("buyout"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="amount_owed",
    )
    # NULL means "not settled yet": billing selects unsettled rows with __isnull=True.
    settled_reference = models.CharField(  # noqa: DJ001
        _("settled by"), max_length=100, null=True, blank=True, db_index=True
    )
    settled_on = models.DateField(_("settled on"), null=True, blank=True)

    municipality_path: ClassVar[str | None] = "municipality"
    write_roles: ClassVar[frozenset[str]] = FINANCE_ROLES

    class Meta:
        db_table = "inventory_amountowed"  # moved from inventory, table kept
        verbose_name = _("amount owed to a municipality")
        verbose_name_plural = _("amounts owed to municipalities")
        ordering = ["due_month", "municipality_id"]
        constraints = [
            models.CheckConstraint(condition=Q(amount__gt=0), name="amount_owed_amount_gt_0"),
        ]
        indexes = [models.Index(fields=["due_month", "settled_reference"])]

    def __str__(self) -> str:
        return f"{self.municipality_id}: {self.amount} ({self.due_month:%Y-%m})"

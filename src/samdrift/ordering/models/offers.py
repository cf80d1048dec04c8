"""What may be ordered: catalogue offers, bundles and their parts, restrictions to
named municipalities, and each municipality's approval rule."""

from __future__ import annotations

from typing import ClassVar

from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from samdrift.core.choices import OPERATORS_ONLY, Role
from samdrift.core.models import ChangeLoggedModel
from samdrift.core.money import MoneyField, non_negative


def one_item_constraint(name: str) -> models.CheckConstraint:
    """Exactly one of product and service is set."""
    return models.CheckConstraint(
        condition=(
            Q(product__isnull=False, service__isnull=True)
            | Q(product__isnull=True, service__isnull=False)
        ),
        name=name,
    )


def _item_error(instance) -> dict[str, str]:
    if bool(instance.product_id) == bool(instance.service_id):
        return {"product": _("Choose either a product or a service.")}
    return {}


# What may be ordered --------------------------------------------------------------------


class CatalogueOffer(ChangeLoggedModel):
    """A product or service the municipalities may order from the standard catalogue.

    The catalogue's own models are not edited: an item is orderable when it has an
    active offer (and its product or service is active). ``OfferRestriction`` rows limit
    an offer to some municipalities; without any, every member may order it.
    """

    product = models.OneToOneField(
        "catalogue.Product",
        verbose_name=_("product"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="offer",
    )
    service = models.OneToOneField(
        "catalogue.Service",
        verbose_name=_("service"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="offer",
    )
    standard = models.BooleanField(_("standard"), default=True)
    active = models.BooleanField(_("active"), default=True)
    lead_time_days = models.PositiveSmallIntegerField(
        _("lead time (days)"), default=10, help_text=_("Expected days from acceptance to delivery.")
    )
    one_off_fee = MoneyField(
        _("one-off fee"),
        null=True,
        blank=True,
        validators=non_negative(),
        help_text=_("Charged once per unit delivered, e.g. installation. Empty: none."),
    )
    note = models.CharField(_("note"), max_length=200, blank=True)

    write_roles: ClassVar[frozenset[str]] = OPERATORS_ONLY

    class Meta:
        verbose_name = _("catalogue offer")
        verbose_name_plural = _("catalogue offers")
        ordering = ["pk"]
        constraints = [one_item_constraint("catalogue_offer_one_item")]

    def __str__(self) -> str:
        return str(self.item)

    @property
    def item(self):
        return self.product if self.product_id else self.service

    def clean(self) -> None:
        super().clean()
        errors = _item_error(self)
        if errors:
            raise ValidationError(errors)


class Bundle(ChangeLoggedModel):
    """Several items ordered as one ("Teacher workstation": laptop, dock, monitor, office
    licence). Its monthly price is the sum of its parts' prices for the ordering
    municipality on the day (``ordering.selectors.bundle_prices``), never stored."""

    name = models.CharField(_("name"), max_length=150, unique=True)
    code = models.SlugField(_("code"), max_length=40, unique=True)
    description = models.TextField(_("description"), blank=True)
    lead_time_days = models.PositiveSmallIntegerField(_("lead time (days)"), default=10)
    one_off_fee = MoneyField(_("one-off fee"), null=True, blank=True, validators=non_negative())
    active = models.BooleanField(_("active"), default=True)

    write_roles: ClassVar[frozenset[str]] = OPERATORS_ONLY

    class Meta:
        verbose_name = _("bundle")
        verbose_name_plural = _("bundles")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class BundlePart(ChangeLoggedModel):
    """One product or service in a bundle, in a quantity."""

    bundle = models.ForeignKey(
        Bundle, verbose_name=_("bundle"), on_delete=models.CASCADE, related_name="parts"
    )
    product = models.ForeignKey(
        "catalogue.Product",
        verbose_name=_("product"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="bundle_parts",
    )
    service = models.ForeignKey(
        "catalogue.Service",
        verbose_name=_("service"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="bundle_parts",
    )
    quantity = models.PositiveSmallIntegerField(
        _("quantity"), default=1, validators=[MinValueValidator(1)]
    )

    write_roles: ClassVar[frozenset[str]] = OPERATORS_ONLY

    class Meta:
        verbose_name = _("bundle part")
        verbose_name_plural = _("bundle parts")
        ordering = ["bundle_id", "pk"]
        constraints = [
            one_item_constraint("bundle_part_one_item"),
            models.CheckConstraint(condition=Q(quantity__gte=1), name="bundle_part_quantity_gte_1"),
        ]

    def __str__(self) -> str:
        return f"{self.item} × {self.quantity}"

    @property
    def item(self):
        return self.product if self.product_id else self.service

    def clean(self) -> None:
        super().clean()
        errors = _item_error(self)
        if errors:
            raise ValidationError(errors)


class OfferRestriction(ChangeLoggedModel):
    """ "Only these municipalities may order it": an offer or bundle with restriction rows
    is orderable only by the municipalities named; one without is open to every member."""

    offer = models.ForeignKey(
        CatalogueOffer,
        verbose_name=_("offer"),
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="restrictions",
    )
    bundle = models.ForeignKey(
        Bundle,
        verbose_name=_("bundle"),
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="restrictions",
    )
    municipality = models.ForeignKey(
        "organisations.Municipality",
        verbose_name=_("municipality"),
        on_delete=models.CASCADE,
        related_name="offer_restrictions",
    )

    municipality_path: ClassVar[str | None] = "municipality"
    write_roles: ClassVar[frozenset[str]] = OPERATORS_ONLY

    class Meta:
        verbose_name = _("offer restriction")
        verbose_name_plural = _("offer restrictions")
        constraints = [
            models.CheckConstraint(
                condition=(
                    Q(offer__isnull=False, bundle__isnull=True)
                    | Q(offer__isnull=True, bundle__isnull=False)
                ),
                name="offer_restriction_one_target",
            ),
            models.UniqueConstraint(
                fields=["offer", "municipality"], name="offer_restriction_unique_offer"
            ),
            models.UniqueConstraint(
                fields=["bundle", "municipality"], name="offer_restriction_unique_bundle"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.offer or self.bundle} → {self.municipality_id}"


# Who approves -----------------------------------------------------------------------------


class ApprovalRule(ChangeLoggedModel):
    """A municipality's approval rule. Without one: a single approval by a budget owner
    suffices and nobody approves their own order.

    An order whose added monthly cost exceeds ``contact_approval_above`` needs two
    approvals by two different people, one of them the municipality contact.
    """

    municipality = models.OneToOneField(
        "organisations.Municipality",
        verbose_name=_("municipality"),
        on_delete=models.CASCADE,
        related_name="approval_rule",
    )
    contact_approval_above = MoneyField(
        _("contact approval above (per month)"),
        null=True,
        blank=True,
        validators=non_negative(),
        help_text=_(
            "Orders adding more than this per month need the municipality contact's "
            "approval as well. Empty: never."
        ),
    )
    allow_self_approval = models.BooleanField(_("allow approving one's own orders"), default=False)

    municipality_path: ClassVar[str | None] = "municipality"
    write_roles: ClassVar[frozenset[str]] = frozenset({Role.MUNICIPALITY})

    class Meta:
        verbose_name = _("approval rule")
        verbose_name_plural = _("approval rules")

    def __str__(self) -> str:
        return str(self.municipality_id)


# Orders -------------------------------------------------------------------------------------

"""One product's lease price: the annuity of its cost under its category's lease model,
plus the model's monthly service fee (DESIGN.md, "Lease price")."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from samdrift.core.money import round_to_ore
from samdrift.finance.annuity import annuity_payment
from samdrift.finance.money import ZERO
from samdrift.leasing.choices import PaymentTiming
from samdrift.leasing.models import LeaseModel

HUNDRED = Decimal(100)


@dataclass(frozen=True)
class LeasePrice:
    """A monthly lease price: the capital part (annuity, rounded to the øre) and the fee."""

    capital: Decimal
    service_fee: Decimal

    @property
    def amount(self) -> Decimal:
        return self.capital + self.service_fee


def lease_price(*, cost: Decimal, lease_model: LeaseModel) -> LeasePrice:
    """The monthly price of equipment costing ``cost`` under ``lease_model``.

    The residual value is ``cost × residual_percent / 100``; payments in advance are the
    arrears annuity discounted one month (``finance.annuity``). Raises ValidationError
    naming the field for a negative cost, a rate of −100 % or less, or a term below one
    month. A saved lease model's rate is 0 or more (its field says so); a negative rate
    above −100 % is a planning scenario's assumption, and the annuity holds for it.
    """
    errors = {}
    if cost is None or cost < 0:
        errors["standard_cost"] = _("The acquisition cost cannot be negative (%(cost)s).") % {
            "cost": cost
        }
    if lease_model.annual_rate <= -1:
        errors["annual_rate"] = _("The interest rate must be above −100 %.")
    if lease_model.term_months is None or lease_model.term_months < 1:
        errors["term_months"] = _("The lease term must be at least one month.")
    if not (ZERO <= lease_model.residual_percent <= HUNDRED):
        errors["residual_percent"] = _("The residual value must be between 0 and 100 %.")
    if lease_model.monthly_service_fee < 0:
        errors["monthly_service_fee"] = _("The service fee cannot be negative.")
    if errors:
        raise ValidationError(errors)
    payment = annuity_payment(
        present_value=cost,
        annual_rate=lease_model.annual_rate,
        months=lease_model.term_months,
        residual_value=cost * lease_model.residual_percent / HUNDRED,
        in_advance=lease_model.payment_timing == PaymentTiming.ADVANCE,
    )
    return LeasePrice(capital=round_to_ore(payment), service_fee=lease_model.monthly_service_fee)

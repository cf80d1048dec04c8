"""Scenarios: the baseline's assumptions copied and changed, computed beside the baseline.

Services write (keyword-only after the scenario, validated first, one transaction, the
change log written by the models' saves); ``comparison`` reads what ``compute_scenario``
stored. A scenario's assumptions:

- ``years`` (1–5), ``index_percent`` (prices and pools each January), ``growth_percent``
  (more devices each January), ``pool_growth_percent`` (every pool, on top of the index)
  or a pool's own rate (``set_pool_change``);
- ``lease_term_months`` / ``annual_rate_percent``: the lease term and rate of devices
  bought from now (replacements, growth, members that join), priced by
  ``leasing.pricing.lease_price``; the term also moves the due date of devices replaced
  after their lease term (``planning.rules.RuleBook``);
- members joining or leaving (``add_member``; ``planning.forecast_members`` says how they
  are estimated and settled).

Bad input raises ``ValidationError`` naming the field, and nothing is saved.
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from samdrift.billing.models import CostPool
from samdrift.core.actor import current_actor
from samdrift.core.services import save_object
from samdrift.finance.money import ORE, ZERO
from samdrift.organisations.models import Municipality
from samdrift.planning.choices import MemberChange
from samdrift.planning.forecast import first_month, forecast_pair
from samdrift.planning.models import (
    MAX_YEARS,
    Scenario,
    ScenarioMember,
    ScenarioPoolChange,
    ScenarioResult,
)

HUNDRED = Decimal(100)
# The assumptions a scenario copies from the baseline and ``update_scenario`` may change.
ASSUMPTIONS = (
    "years",
    "index_percent",
    "growth_percent",
    "lease_term_months",
    "annual_rate_percent",
    "pool_growth_percent",
)
EDITABLE = ("name", "description", *ASSUMPTIONS)


def _user():
    return current_actor().resolved_user()


def baseline() -> Scenario:
    """The baseline scenario, made with the default assumptions the first time."""
    with transaction.atomic():
        existing = Scenario.objects.select_for_update().filter(is_baseline=True).first()
        if existing is not None:
            return existing
        return save_object(
            instance=Scenario(
                name=_("Baseline"),
                description=_("Today's fleet, prices and members, with the yearly index."),
                is_baseline=True,
                created_by=_user(),
            )
        )


def _assumption_errors(values: dict) -> dict[str, str]:
    """Field errors of assumption values (those given)."""
    errors = {}
    if "years" in values and (
        values["years"] is None or not 1 <= int(values["years"]) <= MAX_YEARS
    ):
        errors["years"] = _("Give a number of years from 1 to %(max)s.") % {"max": MAX_YEARS}
    term = values.get("lease_term_months")
    if term is not None and term < 1:
        errors["lease_term_months"] = _("The lease term must be at least one month.")
    rate = values.get("annual_rate_percent")
    if rate is not None and rate <= -HUNDRED:
        errors["annual_rate_percent"] = _("The interest rate must be above −100 %.")
    for name in ("index_percent", "growth_percent", "pool_growth_percent"):
        value = values.get(name)
        if name in values and value is None:
            errors[name] = _("Give a percentage (0 for none).")
        elif value is not None and value <= -HUNDRED:
            errors[name] = _("A yearly change must be above −100 %.")
    return errors


def copy_baseline(*, name: str, description: str = "") -> Scenario:
    """A new scenario with the baseline's assumptions and pool changes."""
    base = baseline()
    with transaction.atomic():
        scenario = save_object(
            instance=Scenario(
                name=name,
                description=description,
                created_by=_user(),
                **{field_name: getattr(base, field_name) for field_name in ASSUMPTIONS},
            )
        )
        for change in ScenarioPoolChange.objects.filter(scenario=base).order_by("pk"):
            save_object(
                instance=ScenarioPoolChange(
                    scenario=scenario, pool_id=change.pool_id, growth_percent=change.growth_percent
                )
            )
    return scenario


def _stale(scenario: Scenario) -> None:
    """Its stored results no longer follow from its assumptions: they are removed."""
    ScenarioResult.objects.filter(scenario=scenario).delete()
    if scenario.computed_at is not None:
        scenario.computed_at = None
        scenario.computed_from = None
        scenario.save(update_fields=["computed_at", "computed_from", "last_updated"])


def update_scenario(scenario: Scenario, **fields) -> Scenario:
    """Change a scenario's name, description or assumptions (``ASSUMPTIONS``)."""
    unknown = sorted(set(fields) - set(EDITABLE))
    if unknown:
        raise ValidationError({name: _("Not an assumption of a scenario.") for name in unknown})
    errors = _assumption_errors(fields)
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        save_object(instance=scenario, changes=fields)
        if set(fields) & set(ASSUMPTIONS):
            _stale(scenario)
    return scenario


def add_member(
    scenario: Scenario,
    *,
    change: str,
    on: datetime.date,
    municipality: Municipality | None = None,
    name: str = "",
    population: int | None = None,
    persons: int | None = None,
    devices: int | None = None,
) -> ScenarioMember:
    """A municipality joining (by name, with its population, or its persons and
    devices) or a member leaving, from the first day of ``on``'s month."""
    errors = {}
    if scenario.is_baseline:
        errors["change"] = _("The baseline has today's members; copy it to change them.")
    if change not in MemberChange.values:
        errors["change"] = _("Choose whether the municipality joins or leaves.")
    for field_name, value in (
        ("population", population),
        ("persons", persons),
        ("devices", devices),
    ):
        if value is not None and value < 0:
            errors[field_name] = _("Cannot be negative.")
    if change == MemberChange.JOINS:
        if population is None and (persons is None or devices is None):
            errors.setdefault(
                "population", _("Give the population, or both the persons and the devices.")
            )
        name = (name or "").strip()
        taken = Municipality.objects.filter(name__iexact=name).exists() or (
            ScenarioMember.objects.filter(scenario=scenario, name__iexact=name).exists()
        )
        if name and taken:
            errors["name"] = _("“%(name)s” is already a member in this scenario.") % {"name": name}
        municipality = None
    elif change == MemberChange.LEAVES:
        if municipality is None:
            errors["municipality"] = _("Choose the member that leaves.")
        elif ScenarioMember.objects.filter(
            scenario=scenario, change=MemberChange.LEAVES, municipality=municipality
        ).exists():
            errors["municipality"] = _("%(name)s already leaves in this scenario.") % {
                "name": municipality.name
            }
        name, population, persons, devices = "", None, None, None
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        member = save_object(
            instance=ScenarioMember(
                scenario=scenario,
                change=change,
                on=on,
                municipality=municipality,
                name=name,
                population=population,
                persons=persons,
                devices=devices,
            )
        )
        _stale(scenario)
    return member


def remove_member(member: ScenarioMember) -> None:
    """Take a member change out of its scenario."""
    with transaction.atomic():
        scenario = member.scenario
        member.delete()
        _stale(scenario)


def set_pool_change(
    scenario: Scenario, *, pool: CostPool, growth_percent: Decimal | None
) -> ScenarioPoolChange | None:
    """A cost pool's own yearly growth in the scenario (None: back to the scenario's
    rate for every pool)."""
    if growth_percent is not None and growth_percent <= -HUNDRED:
        raise ValidationError({"growth_percent": _("A yearly change must be above −100 %.")})
    with transaction.atomic():
        existing = ScenarioPoolChange.objects.filter(scenario=scenario, pool=pool).first()
        _stale(scenario)
        if growth_percent is None:
            if existing is not None:
                existing.delete()
            return None
        if existing is not None:
            return save_object(instance=existing, changes={"growth_percent": growth_percent})
        return save_object(
            instance=ScenarioPoolChange(scenario=scenario, pool=pool, growth_percent=growth_percent)
        )


def compute_scenario(scenario: Scenario, *, start: datetime.date | None = None) -> None:
    """Compute the scenario and the baseline from next month (one read of the inputs)
    and store both, per municipality and month, in place of its earlier results."""
    start = first_month(start)
    baseline_forecasts, scenario_forecasts = forecast_pair(scenario, start=start)
    base = {(item.municipality_id, item.name): item for item in baseline_forecasts}
    rows = []
    for item in scenario_forecasts:
        before = base.get((item.municipality_id, item.name))
        for k, month in enumerate(item.months):
            rows.append(
                ScenarioResult(
                    scenario=scenario,
                    municipality_id=item.municipality_id,
                    name=item.name,
                    month=month.month,
                    baseline=before.months[k].total if before is not None else ZERO,
                    amount=month.total,
                    settlement=month.settlement,
                )
            )
    with transaction.atomic():
        ScenarioResult.objects.filter(scenario=scenario).delete()
        ScenarioResult.objects.bulk_create(rows, batch_size=2000)
        scenario.computed_at = timezone.now()
        scenario.computed_from = start
        scenario.save(update_fields=["computed_at", "computed_from", "last_updated"])


@dataclass
class YearComparison:
    year: int
    baseline: Decimal
    scenario: Decimal
    settlement: Decimal = ZERO

    @property
    def difference(self) -> Decimal:
        return self.scenario - self.baseline

    @property
    def difference_percent(self) -> Decimal | None:
        return _percent(self.difference, self.baseline)


@dataclass
class ComparisonRow:
    """One municipality (or one joining) over the scenario's years."""

    name: str
    municipality_id: int | None
    baseline_total: Decimal = ZERO
    scenario_total: Decimal = ZERO
    settlement: Decimal = ZERO
    years: list[YearComparison] = field(default_factory=list)

    @property
    def difference(self) -> Decimal:
        return self.scenario_total - self.baseline_total

    @property
    def difference_percent(self) -> Decimal | None:
        return _percent(self.difference, self.baseline_total)


def _percent(difference: Decimal, base: Decimal) -> Decimal | None:
    return (difference * HUNDRED / base).quantize(ORE) if base else None


def comparison(scenario: Scenario) -> list[ComparisonRow]:
    """The stored results side by side with the baseline, per municipality (sorted by
    name) and calendar year; empty until computed. One query."""
    rows: dict[tuple, ComparisonRow] = {}
    years: dict[tuple, dict[int, YearComparison]] = defaultdict(dict)
    for municipality_id, name, month, base, amount, settlement in (
        ScenarioResult.objects.filter(scenario=scenario)
        .order_by("name", "month")
        .values_list("municipality_id", "name", "month", "baseline", "amount", "settlement")
    ):
        key = (name, municipality_id)
        row = rows.get(key)
        if row is None:
            row = rows[key] = ComparisonRow(name=name, municipality_id=municipality_id)
        row.baseline_total += base
        row.scenario_total += amount
        row.settlement += settlement
        year = years[key].get(month.year)
        if year is None:
            year = years[key][month.year] = YearComparison(month.year, ZERO, ZERO)
        year.baseline += base
        year.scenario += amount
        year.settlement += settlement
    for key, row in rows.items():
        row.years = [years[key][year] for year in sorted(years[key])]
    return list(rows.values())


def comparison_total(rows: list[ComparisonRow]) -> ComparisonRow:
    """All municipalities together (a table's last row)."""
    total = ComparisonRow(name=_("Total"), municipality_id=None)
    years: dict[int, YearComparison] = {}
    for row in rows:
        total.baseline_total += row.baseline_total
        total.scenario_total += row.scenario_total
        total.settlement += row.settlement
        for year in row.years:
            summed = years.setdefault(year.year, YearComparison(year.year, ZERO, ZERO))
            summed.baseline += year.baseline
            summed.scenario += year.scenario
            summed.settlement += year.settlement
    total.years = [years[year] for year in sorted(years)]
    return total

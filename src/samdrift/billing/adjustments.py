"""Adjustments: changes dated inside a closed period, billed as differences later.

A closed period never changes. When a run rates the current period it also looks, for
every closed period, at the inputs changed since that period's charges were computed
(``BillingPeriod.rated_through``): assignments, assets and their own prices, price
versions, agreements, subscriptions, persons, usage, one-off charges, cost pools and their
keys, and rows deleted since (from the change log). The subjects those changes touch (an
asset, a subscription, a usage record, a one-off charge, a pool) are re-rated for the
closed period from history and compared with everything billed for them for that period so
far — the original charges plus earlier adjustments. Only the difference is billed, as
adjustment charges in the current period that name the period they correct.

Comparing with all that was billed makes the check idempotent: once a difference is
billed (and issued) it is no longer a difference, however often the check runs again.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass, field

from django.contrib.contenttypes.models import ContentType
from django.db.models import Q

from samdrift.agreements.models import AgreedPrice, ServiceAgreement
from samdrift.billing.choices import ChargeSource, InvoiceStatus, PeriodStatus
from samdrift.billing.models import (
    AllocationKey,
    AllocationKeyPart,
    AllocationWeight,
    BillingPeriod,
    Charge,
    CostPool,
    OneOffCharge,
)
from samdrift.billing.rating.facts import (
    FACT_FIELDS,
    Fact,
    PriceProblem,
    Scope,
)
from samdrift.billing.rating.rater import Rater
from samdrift.catalogue.models import PriceVersion, Product, Service
from samdrift.core.choices import ChangeAction
from samdrift.core.dating import overlapping
from samdrift.core.models import ObjectChange
from samdrift.finance.money import ZERO
from samdrift.finance.proration import month_bounds
from samdrift.inventory.models import Asset, Assignment, Subscription, UsageRecord
from samdrift.leasing.models import AssetPrice
from samdrift.organisations.models import Person


def _deleted(model, since, attribute: str = "id") -> list[int]:
    """Ids (or another attribute) of ``model`` rows deleted after ``since``, from the log."""
    content_type = ContentType.objects.get_for_model(model)
    rows = ObjectChange.objects.filter(
        content_type=content_type, action=ChangeAction.DELETE, time__gt=since
    ).values_list("object_id", "prechange_data")
    if attribute == "id":
        return [object_id for object_id, _data in rows]
    return [data[attribute] for _object_id, data in rows if data and data.get(attribute)]


@dataclass
class ChangedInputs:
    """What changed after ``since``, as subqueries (nothing is loaded here)."""

    since: object
    month: object

    def __post_init__(self):
        since = self.since
        start, end = month_bounds(self.month)
        self.products = PriceVersion.objects.filter(
            last_updated__gt=since, product__isnull=False
        ).values("product_id")
        self.product_rows = Product.objects.filter(last_updated__gt=since).values("pk")
        self.services = PriceVersion.objects.filter(
            last_updated__gt=since, service__isnull=False
        ).values("service_id")
        self.service_rows = Service.objects.filter(last_updated__gt=since).values("pk")
        self.municipalities = list(
            ServiceAgreement.objects.filter(last_updated__gt=since).values_list(
                "municipality_id", flat=True
            )
        ) + list(
            AgreedPrice.objects.filter(last_updated__gt=since).values_list(
                "agreement__municipality_id", flat=True
            )
        )
        deleted_agreement_prices = _deleted(AgreedPrice, since, "agreement_id")
        if deleted_agreement_prices:
            self.municipalities += list(
                ServiceAgreement.objects.filter(pk__in=deleted_agreement_prices).values_list(
                    "municipality_id", flat=True
                )
            )
        self.municipalities = sorted(set(self.municipalities))
        self.deleted_assignment_assets = _deleted(Assignment, since, "asset_id")
        self.deleted_subscriptions = _deleted(Subscription, since)
        self.deleted_usage = _deleted(UsageRecord, since)
        self.deleted_one_offs = _deleted(OneOffCharge, since)
        self.start, self.end = start, end

    def asset_q(self, field: str) -> Q:
        since = self.since
        return (
            Q(
                **{
                    f"{field}__in": Assignment.objects.filter(last_updated__gt=since).values(
                        "asset_id"
                    )
                }
            )
            | Q(**{f"{field}__in": Asset.objects.filter(last_updated__gt=since).values("pk")})
            | Q(
                **{
                    f"{field}__in": AssetPrice.objects.filter(last_updated__gt=since).values(
                        "asset_id"
                    )
                }
            )
            | Q(**{f"{field}__in": self.deleted_assignment_assets})
            | Q(
                **{
                    f"{field}__in": Asset.objects.filter(
                        Q(product_id__in=self.products) | Q(product_id__in=self.product_rows)
                    ).values("pk")
                }
            )
            | Q(
                **{
                    f"{field}__in": Assignment.objects.filter(
                        overlapping(self.start, self.end),
                        municipality_id__in=self.municipalities,
                    ).values("asset_id")
                }
            )
        )

    def subscription_q(self, field: str) -> Q:
        since = self.since
        changed = Subscription.objects.filter(
            Q(last_updated__gt=since)
            | Q(person_id__in=Person.objects.filter(last_updated__gt=since).values("pk"))
            | Q(service_id__in=self.services)
            | Q(service_id__in=self.service_rows)
            | Q(municipality_id__in=self.municipalities)
        ).values("pk")
        return Q(**{f"{field}__in": changed}) | Q(**{f"{field}__in": self.deleted_subscriptions})

    def usage_q(self, field: str) -> Q:
        changed = UsageRecord.objects.filter(
            Q(last_updated__gt=self.since)
            | Q(month=self.start, service_id__in=self.services)
            | Q(month=self.start, service_id__in=self.service_rows)
            | Q(month=self.start, municipality_id__in=self.municipalities)
        ).values("pk")
        return Q(**{f"{field}__in": changed}) | Q(**{f"{field}__in": self.deleted_usage})

    def one_off_q(self, field: str) -> Q:
        changed = OneOffCharge.objects.filter(last_updated__gt=self.since).values("pk")
        return Q(**{f"{field}__in": changed}) | Q(**{f"{field}__in": self.deleted_one_offs})

    def pool_q(self, field: str) -> Q:
        since = self.since
        keys = (
            AllocationKey.objects.filter(
                Q(last_updated__gt=since)
                | Q(
                    pk__in=AllocationKeyPart.objects.filter(last_updated__gt=since).values("key_id")
                )
                | Q(pk__in=AllocationWeight.objects.filter(last_updated__gt=since).values("key_id"))
            )
        ).values("pk")
        changed = CostPool.objects.filter(Q(last_updated__gt=since) | Q(key_id__in=keys)).values(
            "pk"
        )
        return Q(**{f"{field}__in": changed})


def anything_changed(since) -> bool:
    """Did any billing input change after ``since``? (A dozen EXISTS queries.)"""
    models = [
        Assignment,
        Asset,
        AssetPrice,
        PriceVersion,
        Product,
        Service,
        ServiceAgreement,
        AgreedPrice,
        Subscription,
        Person,
        UsageRecord,
        OneOffCharge,
        CostPool,
        AllocationKey,
        AllocationKeyPart,
        AllocationWeight,
    ]
    if any(model.objects.filter(last_updated__gt=since).exists() for model in models):
        return True
    content_types = [
        ContentType.objects.get_for_model(model)
        for model in (Assignment, Subscription, UsageRecord, OneOffCharge, AgreedPrice)
    ]
    return ObjectChange.objects.filter(
        content_type__in=content_types, action=ChangeAction.DELETE, time__gt=since
    ).exists()


def subject_key(fact: Fact) -> tuple:
    """What a charge is compared by: its source subject and where it was billed."""
    source = fact.source
    if source == ChargeSource.ASSET:
        subject = fact.asset
    elif source == ChargeSource.SUBSCRIPTION:
        subject = fact.subscription
    else:
        subject = fact.source_id
    return (
        source,
        subject,
        fact.municipality,
        fact.service_area,
        fact.person,
        fact.product,
        fact.service,
        fact.cost_pool,
        fact.description,
        fact.vat_rate,
    )


@dataclass
class AdjustmentCheck:
    """The adjustment check of one run; ``problems`` holds missing prices found while
    re-rating closed periods."""

    current: BillingPeriod
    problems: list[PriceProblem] = field(default_factory=list)
    checked_periods: list[str] = field(default_factory=list)

    def facts(self) -> Iterator[tuple[Fact, int]]:
        """(adjustment fact, id of the period it corrects), oldest period first."""
        closed = list(
            BillingPeriod.objects.filter(
                status=PeriodStatus.CLOSED, month__lt=self.current.month
            ).order_by("month")
        )
        watermarks = [
            p.rated_through or p.closed_at for p in closed if p.rated_through or p.closed_at
        ]
        if not watermarks or not anything_changed(min(watermarks)):
            return
        for period in closed:
            since = period.rated_through or period.closed_at
            if since is None or not anything_changed(since):
                continue
            self.checked_periods.append(period.label)
            yield from ((fact, period.pk) for fact in self._period_differences(period, since))

    def _period_differences(self, period: BillingPeriod, since) -> Iterator[Fact]:
        changed = ChangedInputs(since=since, month=period.month)
        scope = Scope(
            assignments=changed.asset_q("asset_id"),
            subscriptions=changed.subscription_q("pk"),
            usage=changed.usage_q("pk"),
            one_offs=changed.one_off_q("pk"),
            pools=changed.pool_q("pk"),
            amounts_owed=False,
            sla_credits=False,
        )
        rater = Rater(month=period.month, scope=scope)
        should: dict[tuple, list[Fact]] = defaultdict(list)
        for fact in rater.facts():
            should[subject_key(fact)].append(fact)
        self.problems.extend(rater.problems)

        billed_filter = (
            (Q(source=ChargeSource.ASSET) & changed.asset_q("asset_id"))
            | (Q(source=ChargeSource.SUBSCRIPTION) & changed.subscription_q("subscription_id"))
            | (Q(source=ChargeSource.USAGE) & changed.usage_q("source_id"))
            | (Q(source=ChargeSource.ONE_OFF) & changed.one_off_q("source_id"))
            | (Q(source=ChargeSource.COST_POOL) & changed.pool_q("source_id"))
        )
        attnames = [Charge._meta.get_field(name).attname for name in FACT_FIELDS]
        billed: dict[tuple, list[Fact]] = defaultdict(list)
        for row in (
            Charge.objects.filter(
                Q(period=period, adjusts_period__isnull=True) | Q(adjusts_period=period)
            )
            .filter(billed_filter)
            # The current period's drafts are being replaced by this run (a rerun rates
            # before it deletes them): what they say was billed is not billed yet.
            .exclude(period=self.current, invoice__status=InvoiceStatus.DRAFT)
            .order_by("pk")
            .values_list(*attnames)
        ):
            fact = Fact._make(row)
            billed[subject_key(fact)].append(fact)

        start, end = month_bounds(period.month)
        for key in sorted(set(should) | set(billed), key=_sortable):
            now = should.get(key, [])
            before = billed.get(key, [])
            difference = sum((f.amount for f in now), ZERO) - sum((f.amount for f in before), ZERO)
            if difference == 0:
                continue
            days_now = [f.days_active for f in now if f.days_active is not None]
            days_before = [f.days_active for f in before if f.days_active is not None]
            yield (now or before)[0]._replace(
                days_active=(
                    sum(days_now) - sum(days_before) if (days_now or days_before) else None
                ),
                valid_from=start,
                valid_to=end,
                amount=difference,
            )


def _sortable(key: tuple) -> tuple:
    return tuple((value is None, "" if value is None else str(value)) for value in key)

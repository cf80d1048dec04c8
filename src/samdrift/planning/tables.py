"""The columns of the planning lists and their exports (one place per model)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from samdrift.ui import formatting
from samdrift.ui.tables import Column, Table, id_link


class ProgressColumn(Column):
    """A share done as a bar with its figure written beside it (never the bar alone)."""

    def render(self, obj: Any) -> str:
        value = self.value(obj)
        if value is None:
            return format_html("{}", "–")
        return format_html(
            '<progress max="100" value="{}" aria-hidden="true"></progress> {} %',
            value,
            formatting.format_number(value, 0),
        )


CAMPAIGN_TABLE = Table(
    columns=[
        Column("name", _("Name"), order_by=("name",), link=id_link("planning:campaign_detail")),
        Column("criterion", _("Criterion"), kind="choice", order_by=("criterion",)),
        Column("criterion_date", _("Date"), kind="date", order_by=("criterion_date",)),
        Column(
            "municipality",
            _("Municipality"),
            accessor="municipality.name",
            order_by=("municipality__name",),
        ),
        Column("starts_on", _("Starts on"), kind="date", order_by=("starts_on",)),
        Column("target_date", _("Target date"), kind="date", order_by=("target_date",)),
        Column("state", _("State"), kind="choice", order_by=("state",)),
        Column("device_count", _("Devices"), kind="number", order_by=("device_count",)),
        Column("done_count", _("Done"), kind="number", order_by=("done_count",)),
        ProgressColumn("done_percent", _("Progress"), kind="number", places=0),
        Column("description", _("Description"), in_table=False),
    ],
    default_sort="-starts_on",
    select_related=("municipality",),
    export_name="campaigns",
)

CAMPAIGN_DEVICE_TABLE = Table(
    columns=[
        Column(
            "asset_tag",
            _("Asset tag"),
            accessor="asset.asset_tag",
            order_by=("asset__asset_tag",),
            link=id_link("inventory:asset_detail", "asset_id"),
        ),
        Column(
            "product",
            _("Product"),
            accessor="asset.product.name",
            order_by=("asset__product__name",),
        ),
        Column(
            "municipality",
            _("Municipality"),
            accessor="municipality.name",
            order_by=("municipality__name",),
            link=id_link("organisations:municipality_detail", "municipality_id"),
        ),
        Column(
            "service_area",
            _("Service area"),
            accessor="service_area.name",
            order_by=("service_area__name",),
        ),
        Column("person", _("Person"), accessor="person.username", in_table=False),
        Column("due_on", _("Due"), kind="date", order_by=("due_on",)),
        Column("due_reason", _("Reason"), kind="choice", order_by=("due_reason",)),
        Column("progress", _("Progress"), kind="choice", order_by=("progress",)),
        Column("replaced_by", _("Replaced by"), accessor="replaced_by.asset_tag"),
        Column("replaced_on", _("Replaced on"), kind="date", order_by=("replaced_on",)),
    ],
    default_sort="due_on",
    select_related=("asset__product", "municipality", "service_area", "person", "replaced_by"),
    export_name="campaign-devices",
)


@dataclass(frozen=True)
class ComputedColumn(Column):
    """A column whose value is computed from the row by ``compute`` (the due date and
    its reason: the rule applied to the row's dates, for the rows shown or exported)."""

    compute: Callable[[Any], Any] | None = None

    def value(self, obj: Any) -> Any:
        return self.compute(obj) if self.compute is not None else None


def due_device_table(rules, replacements: dict[int, Any]) -> Table:
    """The devices due, with each one's due date and reason by ``rules`` (a
    ``planning.rules.RuleBook``) and its standard replacement (``replacements``: the
    replacing products by id)."""

    def due(asset):
        return rules.due_of(asset)

    def due_on(asset):
        found = due(asset)
        return found.on if found else None

    def reason(asset):
        found = due(asset)
        return found.reason_label if found else ""

    def reason_code(asset):
        found = due(asset)
        return found.reason if found else ""

    def replacement(asset):
        return replacements.get(rules.rule_for(asset.product_id).replacement_id)

    def replacement_name(asset):
        product = replacement(asset)
        return product.name if product else ""

    def replacement_cost(asset):
        product = replacement(asset)
        return product.standard_cost if product else None

    return Table(
        columns=[
            Column(
                "asset_tag",
                _("Asset tag"),
                order_by=("asset_tag",),
                link=id_link("inventory:asset_detail"),
            ),
            Column("product", _("Product"), accessor="product.name", order_by=("product__name",)),
            Column(
                "category",
                _("Category"),
                accessor="product.category.name",
                order_by=("product__category__name",),
            ),
            Column(
                "municipality",
                _("Municipality"),
                accessor="municipality.name",
                order_by=("municipality__name",),
                link=id_link("organisations:municipality_detail", "municipality_id"),
            ),
            Column(
                "service_area",
                _("Service area"),
                accessor="service_area.name",
                order_by=("service_area__name",),
            ),
            Column("person", _("Person"), accessor="person.username", in_table=False),
            Column("acquisition_date", _("Acquired"), kind="date", order_by=("acquisition_date",)),
            ComputedColumn("due_on", _("Due"), kind="date", compute=due_on),
            ComputedColumn("due_reason", _("Reason"), compute=reason, in_export=False),
            ComputedColumn("due_reason", _("Reason"), compute=reason_code, in_table=False),
            ComputedColumn("replacement", _("Replacement"), compute=replacement_name),
            ComputedColumn("replacement_cost", _("Cost"), kind="money", compute=replacement_cost),
        ],
        default_sort="acquisition_date",
        select_related=("product__category", "municipality", "service_area", "person"),
        export_name="devices-due",
    )


# A forecast's months, as exported (``planning.forecast.MonthCost``).
FORECAST_MONTH_COLUMNS = [
    Column("month", _("Month"), kind="date"),
    Column("devices", _("Devices"), kind="money"),
    Column("subscriptions", _("Subscriptions"), kind="money"),
    Column("usage", _("Usage"), kind="money"),
    Column("usage_estimate", _("Usage (estimated)"), kind="money"),
    Column("one_offs", _("One-off charges"), kind="money"),
    Column("pools", _("Shared costs"), kind="money"),
    Column("credits", _("Credits"), kind="money"),
    Column("total", _("Total"), kind="money"),
]

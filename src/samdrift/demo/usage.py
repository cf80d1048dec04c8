"""Demo step "usage": what was measured each month: pages per printer (black and white
and colour, from the meter readings) and hours of work per municipality.

Only whole months already past are measured, over the three-year history window.
"""

from __future__ import annotations

from decimal import Decimal

from samdrift.demo.bulk import insert_rows
from samdrift.demo.context import DemoContext, month_starts
from samdrift.finance.depreciation import add_months
from samdrift.inventory.models import UsageRecord

COLUMNS = (
    "id", "service_id", "municipality_id", "service_area_id", "person_id", "location_id",
    "asset_id", "month", "quantity", "reference", "note", "created", "last_updated",
)  # fmt: skip

# Typical pages a month, and the colour share, per kind of printer.
PAGES = {"printer-a4": (650, 0.30), "printer-a3": (3_000, 0.20), "copier": (9_000, 0.10)}
# Fewer pages in the holidays: July almost nothing, June, August and December less.
SEASON = {6: 0.8, 7: 0.25, 8: 0.8, 12: 0.75}


def generate(ctx: DemoContext) -> None:
    # Measured months: from the start of the window to the last whole month.
    months = month_starts(ctx.history_start, ctx.today)
    for municipality in ctx.municipalities:
        rng = ctx.rng("usage", municipality.number)
        rows = []
        for printer in ctx.printers.get(municipality.pk, ()):
            rows += _printed_pages(ctx, rng, printer, months)
        rows += _hours_of_work(ctx, rng, municipality, months)
        _insert_usage(ctx, municipality, rows)
        ctx.summary(
            UsageRecord, len(rows), "monthly usage records (printed pages, hours)", municipality
        )


def _printed_pages(ctx: DemoContext, rng, printer, months: list) -> list[tuple]:
    """Black-and-white and colour pages of one printer per month it stood there."""
    mono = ctx.services["print-mono"].pk
    colour = ctx.services["print-colour"].pk
    typical, colour_share = PAGES[printer.category]
    level = rng.uniform(0.4, 1.6)  # some printers are busy, some hardly used
    rows = []
    for month in months:
        # Measured only for months the printer stood there the whole month.
        if printer.since > month or (
            printer.until is not None and printer.until < add_months(month, 1)
        ):
            continue
        pages = int(typical * level * SEASON.get(month.month, 1.0) * rng.uniform(0.8, 1.2))
        colour_pages = int(pages * colour_share * rng.uniform(0.5, 1.5))
        period = f"{month:%Y-%m}"
        rows.append(
            (
                mono,
                printer.service_area_id,
                printer.location_id,
                printer.id,
                month,
                Decimal(pages - colour_pages),
                f"meter:{printer.asset_tag}:{period}",
            )
        )
        if colour_pages:
            rows.append(
                (
                    colour,
                    printer.service_area_id,
                    printer.location_id,
                    printer.id,
                    month,
                    Decimal(colour_pages),
                    f"meter-colour:{printer.asset_tag}:{period}",
                )
            )
    return rows


def _hours_of_work(ctx: DemoContext, rng, municipality, months: list) -> list[tuple]:
    """Hours of work on request, a few per month, more for larger members."""
    hours = ctx.services["hours"].pk
    area_ids = sorted({area.pk for area in ctx.service_areas[municipality.pk].values()})
    rows = []
    for month in months:
        if month < municipality.joined_on:
            continue
        if rng.random() < 0.7:
            amount = (
                Decimal(max(1, round(municipality.population / 4_000 * rng.uniform(0.3, 2.0) * 2)))
                / 2
            )
            rows.append(
                (
                    hours,
                    rng.choice(area_ids),
                    None,
                    None,
                    month,
                    amount,
                    f"tickets:{municipality.number}:{month:%Y-%m}",
                )
            )
    return rows


def _insert_usage(ctx: DemoContext, municipality, rows: list[tuple]) -> None:
    first_id = ctx.ids.take(UsageRecord, len(rows))
    stamp = ctx.stamp
    insert_rows(
        UsageRecord,
        COLUMNS,
        (
            (
                first_id + offset,
                service_id,
                municipality.pk,
                area_id,
                None,
                location_id,
                asset_id,
                month,
                quantity,
                reference,
                "",
                stamp,
                stamp,
            )
            for offset, (
                service_id,
                area_id,
                location_id,
                asset_id,
                month,
                quantity,
                reference,
            ) in enumerate(rows)
        ),
    )

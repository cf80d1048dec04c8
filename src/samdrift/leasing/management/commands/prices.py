"""``samdrift prices``: the yearly price list from the command line.

    samdrift prices calculate --year 2027                 # old vs new, effect per municipality
    samdrift prices calculate --year 2027 --publish [--from 2027-01-01]
    samdrift prices index --year 2027 --old-index 100 --new-index 104.3 \\
        [--name "Kommunal deflator"] [--publish] [--from DATE]
    samdrift prices publications                          # what was published, when

Without ``--publish`` nothing is written. Publishing creates new price versions from the
date (1 January of the year by default) and never edits an existing one; the change log
records it as done by ``cli:<user>``.
"""

from __future__ import annotations

import datetime
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser
from rich.console import Console
from rich.table import Table

from samdrift.finance.parsing import AmountError, parse_amount
from samdrift.leasing.models import PriceListPublication
from samdrift.leasing.pricing.indexation import (
    IndexationCalculation,
    calculate_indexation,
    publish_indexation,
)
from samdrift.leasing.pricing.price_list import (
    PriceListCalculation,
    calculate_price_list,
    publish_price_list,
)


def money(value: Decimal | None, places: int = 2) -> str:
    if value is None:
        return "–"
    return f"{value:,.{places}f}".replace(",", " ")


def unit_price(value: Decimal | None) -> str:
    """Two decimals, or four for a price finer than the øre (0.0850 per page)."""
    if value is None:
        return "–"
    return money(value, 2 if value == value.quantize(Decimal("0.01")) else 4)


def percent(value: Decimal | None) -> str:
    return "–" if value is None else f"{value:+.2f} %"


def iso_date(text: str) -> datetime.date:
    try:
        return datetime.date.fromisoformat(text)
    except ValueError:
        raise CommandError(f"--from: {text!r} is not a date; use YYYY-MM-DD.") from None


def decimal(text: str) -> Decimal:
    """A number as imports read it (``finance.parsing.parse_amount``: 1 234,50, 1.234,50)."""
    try:
        return parse_amount(text)
    except AmountError:
        raise CommandError(f"{text!r} is not a number.") from None


def columns(title: str, *, left: tuple[str, ...], right: tuple[str, ...]) -> Table:
    """A table whose ``left`` columns are text and ``right`` columns figures."""
    table = Table(title=title)
    for name in left:
        table.add_column(name, justify="left")
    for name in right:
        table.add_column(name, justify="right")
    return table


def validation_message(error: ValidationError) -> str:
    if hasattr(error, "error_dict"):
        return "\n".join(
            f"{field}: {message}"
            for field, messages in error.message_dict.items()
            for message in messages
        )
    return "\n".join(error.messages)


class Command(BaseCommand):
    help = "Calculate, compare and publish the yearly price list; index service prices."

    def add_arguments(self, parser: CommandParser) -> None:
        subcommands = parser.add_subparsers(dest="subcommand", required=True)

        calculate = subcommands.add_parser(
            "calculate", help="product lease prices for a year: old vs new, effect per municipality"
        )
        calculate.add_argument("--year", type=int, required=True)
        calculate.add_argument("--from", dest="valid_from", type=iso_date, default=None)
        calculate.add_argument(
            "--publish", action="store_true", help="publish the changed prices as new versions"
        )
        calculate.add_argument("--note", default="")

        index = subcommands.add_parser(
            "index", help="index service prices by new/old index (e.g. the municipal deflator)"
        )
        index.add_argument("--year", type=int, required=True)
        index.add_argument("--old-index", type=decimal, required=True)
        index.add_argument("--new-index", type=decimal, required=True)
        index.add_argument("--name", default="", help="the index, e.g. 'Kommunal deflator'")
        index.add_argument("--from", dest="valid_from", type=iso_date, default=None)
        index.add_argument("--publish", action="store_true")
        index.add_argument("--note", default="")

        subcommands.add_parser("publications", help="list past publications")

    def handle(self, *args, **options) -> None:
        # No markup: a product called "Laptop [14in]" is printed as it is named.
        self.console = Console(file=self.stdout._out, width=140, highlight=False, markup=False)
        try:
            if options["subcommand"] == "calculate":
                self.calculate(options)
            elif options["subcommand"] == "index":
                self.index(options)
            else:
                self.publications()
        except ValidationError as error:
            raise CommandError(validation_message(error)) from None

    def calculate(self, options) -> None:
        calculation = calculate_price_list(year=options["year"], valid_from=options["valid_from"])
        self.print_price_list(calculation)
        if options["publish"]:
            publication = publish_price_list(
                year=options["year"], valid_from=options["valid_from"], note=options["note"]
            )
            self.console.print(
                f"Published {publication.versions_created} new product prices from "
                f"{publication.valid_from.isoformat()} (publication {publication.pk})."
            )
        else:
            self.console.print("Nothing written: add --publish to publish these prices.")

    def index(self, options) -> None:
        kwargs = {
            "year": options["year"],
            "old_index": options["old_index"],
            "new_index": options["new_index"],
            "valid_from": options["valid_from"],
        }
        calculation = calculate_indexation(**kwargs)
        self.print_indexation(calculation)
        if options["publish"]:
            publication = publish_indexation(
                **kwargs, index_name=options["name"], note=options["note"]
            )
            self.console.print(
                f"Published {publication.versions_created} indexed service prices from "
                f"{publication.valid_from.isoformat()} (publication {publication.pk})."
            )
        else:
            self.console.print("Nothing written: add --publish to publish these prices.")

    def print_price_list(self, calculation: PriceListCalculation) -> None:
        table = columns(
            f"Price list {calculation.year} from {calculation.valid_from.isoformat()} "
            "(monthly, NOK excl. VAT)",
            left=("Product", "Category", "Lease model"),
            right=("Standard cost", "Old", "New", "Change", "%"),
        )
        for row in calculation.rows:
            table.add_row(
                row.product,
                row.category,
                row.lease_model or "–",
                money(row.standard_cost),
                unit_price(row.old_amount),
                unit_price(row.new_amount),
                unit_price(row.change),
                percent(row.change_percent),
            )
        self.console.print(table)
        for row in calculation.problems:
            self.console.print(f"{row.product}: {row.problem}")
        self.print_effects(calculation)
        changed, total = len(calculation.publishable_rows), len(calculation.rows)
        self.console.print(f"{changed} of {total} products get a new price.")

    def print_effects(self, calculation: PriceListCalculation) -> None:
        effects = columns(
            "Effect per municipality: its current fleet, per month",
            left=("No.", "Municipality"),
            right=("Devices", "Old", "New", "Change", "%", "Unpriced"),
        )
        for effect in calculation.effects:
            effects.add_row(
                effect.number,
                effect.name,
                str(effect.devices),
                money(effect.old_monthly),
                money(effect.new_monthly),
                money(effect.change),
                percent(effect.change_percent),
                str(effect.unpriced_devices),
            )
        effects.add_section()
        effects.add_row(
            "",
            "Total",
            str(sum(e.devices for e in calculation.effects)),
            money(calculation.total_old_monthly),
            money(calculation.total_new_monthly),
            money(calculation.total_new_monthly - calculation.total_old_monthly),
            percent(calculation.total_change_percent),
            str(sum(e.unpriced_devices for e in calculation.effects)),
        )
        self.console.print(effects)

    def print_indexation(self, calculation: IndexationCalculation) -> None:
        table = columns(
            f"Service prices {calculation.year} from {calculation.valid_from.isoformat()}: "
            f"index {calculation.old_index} → {calculation.new_index}",
            left=("Service", "Code", "Unit"),
            right=("Old", "New", "Change", "%"),
        )
        for row in calculation.rows:
            table.add_row(
                row.service,
                row.code,
                row.unit,
                unit_price(row.old_amount),
                unit_price(row.new_amount),
                unit_price(row.change),
                percent(row.change_percent),
            )
        self.console.print(table)
        for row in calculation.rows:
            if row.problem:
                self.console.print(f"{row.service}: {row.problem}")

    def publications(self) -> None:
        table = Table(title="Price-list publications")
        for name in ["Id", "Kind", "Year", "From", "Index", "Versions", "By", "When"]:
            table.add_column(name)
        for p in PriceListPublication.objects.select_related("published_by")[:50]:
            index = f"{p.index_name} {p.old_index} → {p.new_index}" if p.old_index else ""
            table.add_row(
                str(p.pk),
                str(p.get_kind_display()),
                str(p.year),
                p.valid_from.isoformat(),
                index.strip(),
                str(p.versions_created),
                p.published_by.get_username() if p.published_by else "–",
                p.created.strftime("%Y-%m-%d %H:%M"),
            )
        self.console.print(table)

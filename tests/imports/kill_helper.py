"""Run in a subprocess by test_kill.py against its own database (not the test database);
the digest of every table is tests/own_database.py's:

python -m tests.imports.kill_helper seed      # a municipality, its areas, categories
python -m tests.imports.kill_helper write FILE ROWS [FIRST]   # an asset file
"""

from __future__ import annotations

import csv
import datetime
import sys

from tests.own_database import setup_django


def seed() -> None:
    from decimal import Decimal

    from samdrift.catalogue.models import PriceVersion, Product, ProductCategory
    from samdrift.core.validators import organisation_number_with_check_digit
    from samdrift.organisations.models import Municipality, ServiceArea

    base = 94000000
    while (number := organisation_number_with_check_digit(str(base))) is None:
        base += 1
    municipality = Municipality.objects.create(
        name="Fjordvik",
        number="4601",
        organisation_number=number,
        population=60000,
        joined_on=datetime.date(2024, 1, 1),
    )
    for name, cost_centre in (("Oppvekst", "2000"), ("Helse", "3000")):
        ServiceArea.objects.create(municipality=municipality, name=name, cost_centre=cost_centre)
    laptop = ProductCategory.objects.create(name="Laptop", code="laptop")
    # The models the files name, priced: an import refuses held assets of a product
    # without a price (the next billing run would stop).
    for n in range(5):
        product = Product.objects.create(category=laptop, name=f"Modell {n}")
        PriceVersion.objects.create(
            product=product, amount=Decimal("300.00"), valid_from=datetime.date(2020, 1, 1)
        )


def write(path: str, count: int, first: int = 0) -> None:
    header = ["Asset Tag", "Serial", "Model", "Category", "Status", "Purchase Date"]
    header += ["Purchase Cost", "Checked Out To: Username", "Location", "Service area"]
    with open(path, "w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle, delimiter=";")
        writer.writerow(header)
        for n in range(first, first + count):
            writer.writerow(
                [
                    f"K{n:07d}",
                    f"KS{n:07d}",
                    f"Modell {n % 5}",
                    "Laptop",
                    "Deployed",
                    "01.03.2024",
                    "9 999,50",
                    f"bruker{n % 3000}",
                    f"Skole {n % 40}",
                    "Oppvekst" if n % 2 else "Helse",
                ]
            )


if __name__ == "__main__":
    setup_django()
    command = sys.argv[1]
    if command == "seed":
        seed()
    elif command == "write":
        write(sys.argv[2], int(sys.argv[3]), int(sys.argv[4]) if len(sys.argv) > 4 else 0)

"""Demo step "catalogue": lease models, product categories, products, services and their
price history.

Prices are published once a year on 1 January (the yearly indexation), from three years
back up to this year, so that billing a past month must look up the price then in force.
"""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import NamedTuple

from samdrift.catalogue.choices import ServiceUnit
from samdrift.catalogue.models import PriceVersion, Product, ProductCategory, Service
from samdrift.core.changelog import record_bulk_changes
from samdrift.core.choices import ChangeAction
from samdrift.core.money import round_to_ore, round_unit_price
from samdrift.demo.context import DemoContext
from samdrift.leasing.models import LeaseModel

D = Decimal

# name: (term months, annual rate, residual %, monthly service fee)
LEASE_MODELS = {
    "PC og nettbrett, 36 måneder": (36, D("0.045"), D("10"), D("49.00")),
    "Mobil, 24 måneder": (24, D("0.045"), D("0"), D("19.00")),
    "Skriver, 48 måneder": (48, D("0.040"), D("5"), D("250.00")),
    "Nettverk, 60 måneder": (60, D("0.040"), D("0"), D("120.00")),
}

# code: (name, useful life in months, lease model)
CATEGORIES = {
    "laptop": ("Bærbare PC-er", 48, "PC og nettbrett, 36 måneder"),
    "desktop": ("Stasjonære PC-er", 60, "PC og nettbrett, 36 måneder"),
    "pupil-device": ("Elevenheter", 36, "PC og nettbrett, 36 måneder"),
    "tablet": ("Nettbrett", 36, "PC og nettbrett, 36 måneder"),
    "phone": ("Smarttelefoner", 36, "Mobil, 24 måneder"),
    "printer-a4": ("A4 multifunksjonsskrivere", 60, "Skriver, 48 måneder"),
    "printer-a3": ("A3 multifunksjonsskrivere", 60, "Skriver, 48 måneder"),
    "copier": ("Kopimaskiner", 60, "Skriver, 48 måneder"),
    "switch": ("Nettverkssvitsjer", 60, "Nettverk, 60 måneder"),
    "access-point": ("Trådløse tilgangspunkter", 60, "Nettverk, 60 måneder"),
    "firewall": ("Brannmurer", 60, "Nettverk, 60 måneder"),
}


class ProductSpec(NamedTuple):
    name: str
    category: str
    manufacturer: str
    models: tuple[tuple[int, str], ...]  # (from acquisition year, exact model)
    standard_cost: Decimal
    monthly_price: Decimal  # list price three years back, before indexation
    serial_prefix: str
    host_prefix: str


PRODUCTS: dict[str, ProductSpec] = {
    "laptop": ProductSpec(
        "Standard bærbar PC 14 tommer", "laptop", "Lenovo",
        ((2015, "ThinkPad T14 Gen 1"), (2022, "ThinkPad T14 Gen 3"), (2024, "ThinkPad T14 Gen 5")),
        D("11900.00"), D("395.00"), "PF", "LT",
    ),
    "power-laptop": ProductSpec(
        "Kraftig bærbar PC 16 tommer", "laptop", "Dell",
        ((2015, "Precision 5560"), (2023, "Precision 5680"), (2025, "Precision 5690")),
        D("24500.00"), D("790.00"), "DL", "LT",
    ),
    "desktop": ProductSpec(
        "Kompakt stasjonær PC", "desktop", "HP",
        ((2015, "EliteDesk 800 G6 Mini"), (2023, "Elite Mini 800 G9")),
        D("8900.00"), D("310.00"), "5CG", "PC",
    ),
    "pupil-laptop": ProductSpec(
        "Elev-PC 11 tommer", "pupil-device", "Acer",
        ((2015, "Chromebook 311"), (2023, "Chromebook 511")),
        D("3900.00"), D("135.00"), "NX", "EL",
    ),
    "pupil-tablet": ProductSpec(
        "Elevnettbrett 10 tommer", "tablet", "Apple",
        ((2015, "iPad 9th generation"), (2023, "iPad 10th generation")),
        D("4600.00"), D("155.00"), "F9", "IP",
    ),
    "staff-tablet": ProductSpec(
        "Ansattnettbrett 11 tommer", "tablet", "Samsung",
        ((2015, "Galaxy Tab S7"), (2024, "Galaxy Tab S9")),
        D("7200.00"), D("245.00"), "R5", "TB",
    ),
    "phone": ProductSpec(
        "Smarttelefon", "phone", "Apple",
        ((2015, "iPhone 13"), (2023, "iPhone 15"), (2025, "iPhone 16")),
        D("8400.00"), D("395.00"), "FK", "",
    ),
    "basic-phone": ProductSpec(
        "Smarttelefon, enkel", "phone", "Samsung",
        ((2015, "Galaxy A33"), (2024, "Galaxy A35")),
        D("3600.00"), D("175.00"), "R9", "",
    ),
    "printer-a4": ProductSpec(
        "A4 multifunksjonsskriver", "printer-a4", "HP",
        ((2015, "Color LaserJet MFP M480f"),),
        D("7900.00"), D("450.00"), "CNB", "PRN",
    ),
    "printer-a3": ProductSpec(
        "A3 multifunksjonsskriver", "printer-a3", "Konica Minolta",
        ((2015, "bizhub C300i"), (2024, "bizhub C301i")),
        D("42000.00"), D("1450.00"), "A7P", "PRN",
    ),
    "copier": ProductSpec(
        "Avdelingskopimaskin", "copier", "Ricoh",
        ((2015, "IM C4510"),),
        D("65000.00"), D("2150.00"), "G6R", "PRN",
    ),
    "switch": ProductSpec(
        "Aksessvitsj, 48 porter", "switch", "HPE Aruba",
        ((2015, "CX 6100 48G"), (2024, "CX 6200F 48G")),
        D("18500.00"), D("480.00"), "CN", "SW",
    ),
    "access-point": ProductSpec(
        "Trådløst tilgangspunkt", "access-point", "HPE Aruba",
        ((2015, "AP-515"), (2024, "AP-535")),
        D("5200.00"), D("215.00"), "CNR", "AP",
    ),
    "firewall": ProductSpec(
        "Brannmur for lokasjon", "firewall", "Fortinet",
        ((2015, "FortiGate 60F"),),
        D("14900.00"), D("520.00"), "FGT", "FW",
    ),
}  # fmt: skip


class ServiceSpec(NamedTuple):
    name: str
    unit: str
    monthly_price: Decimal  # three years back, before indexation
    description: str


SERVICES: dict[str, ServiceSpec] = {
    "user-workplace": ServiceSpec(
        "Brukerarbeidsplass (konto, e-post, Office-lisens)", ServiceUnit.PER_USER, D("415.00"),
        "Konto, postboks, kontor- og samhandlingslisenser, brukerstøtte.",
    ),
    "politician-workplace": ServiceSpec(
        "Politikerarbeidsplass", ServiceUnit.PER_USER, D("145.00"),
        "Konto, postboks og møteportal for folkevalgte.",
    ),
    "pupil-account": ServiceSpec(
        "Elevkonto (skoleplattform)", ServiceUnit.PER_USER, D("38.00"),
        "Feide-identitet, læringsplattform og Office-lisens for én elev.",
    ),
    "network-site": ServiceSpec(
        "Nettverk per lokasjon", ServiceUnit.PER_SITE, D("1850.00"),
        "Linje, drift av brannmur og overvåking for én lokasjon.",
    ),
    "print-mono": ServiceSpec(
        "Utskrift per side, svart-hvitt", ServiceUnit.PER_PAGE, D("0.0850"),
        "Toner, service og papirhåndtering per utskrevet side.",
    ),
    "print-colour": ServiceSpec(
        "Utskrift per side, farge", ServiceUnit.PER_PAGE, D("0.4500"),
        "Toner, service og papirhåndtering per utskrevet fargeside.",
    ),
    "hours": ServiceSpec(
        "Timer arbeid", ServiceUnit.PER_HOUR, D("1050.00"),
        "Prosjekt- og konsulentarbeid utover de avtalte tjenestene.",
    ),
    "app-case": ServiceSpec(
        "Drift av sak- og arkivsystem", ServiceUnit.FIXED, D("18500.00"),
        "Drift, oppdateringer og brukerstøtte for sak- og arkivsystemet.",
    ),
    "app-hr": ServiceSpec(
        "Drift av HR- og lønnssystem", ServiceUnit.FIXED, D("9800.00"),
        "Drift av HR-, lønns- og timeregistreringssystemet.",
    ),
    "app-ehr": ServiceSpec(
        "Drift av elektronisk pasientjournal", ServiceUnit.FIXED, D("14200.00"),
        "Drift av journalsystemet for helse og omsorg med integrasjoner.",
    ),
    "app-school": ServiceSpec(
        "Drift av skoleadministrativt system", ServiceUnit.FIXED, D("6900.00"),
        "Drift av elevadministrasjonssystemet.",
    ),
}  # fmt: skip

# Yearly price change on 1 January, by how many years ago (0 = this year). Most prices
# follow the index; devices whose market price fell are lowered instead.
INDEXATION = {2: D("0.045"), 1: D("0.040"), 0: D("0.035")}
PRICE_CUTS = {"pupil-laptop": D("-0.060"), "switch": D("-0.020")}


def price_history(
    base: Decimal, this_year: datetime.date, key: str, per_page: bool
) -> list[tuple[datetime.date, Decimal, str]]:
    """(valid from, price, note) for each year from three years back to this year."""
    versions = [(this_year.replace(year=this_year.year - 3), base, "Listepris")]
    price = base
    for years_ago in (2, 1, 0):
        change = INDEXATION[years_ago]
        if years_ago == 0 and key in PRICE_CUTS:
            change = PRICE_CUTS[key]
        price = price * (1 + change)
        price = round_unit_price(price) if per_page else round_to_ore(price)
        note = f"Årlig endring {change * 100:+.1f} %".replace(".", ",")
        versions.append((this_year.replace(year=this_year.year - years_ago), price, note))
    return versions


def generate(ctx: DemoContext) -> None:
    lease_models = [
        LeaseModel(
            name=name,
            term_months=term,
            annual_rate=rate,
            residual_percent=residual,
            monthly_service_fee=fee,
        )
        for name, (term, rate, residual, fee) in LEASE_MODELS.items()
    ]
    LeaseModel.objects.bulk_create(lease_models)
    ctx.lease_models = {model.name: model for model in lease_models}

    categories = {
        code: ProductCategory(
            name=name,
            code=code,
            useful_life_months=life,
            lease_model=ctx.lease_models[lease_model],
        )
        for code, (name, life, lease_model) in CATEGORIES.items()
    }
    ProductCategory.objects.bulk_create(list(categories.values()))
    ctx.categories = categories

    products = {
        key: Product(
            name=spec.name,
            category=categories[spec.category],
            manufacturer=spec.manufacturer,
            model_number=spec.models[-1][1],
            standard_cost=spec.standard_cost,
        )
        for key, spec in PRODUCTS.items()
    }
    Product.objects.bulk_create(list(products.values()))
    ctx.products = products

    services = {
        code: Service(name=spec.name, code=code, unit=spec.unit, description=spec.description)
        for code, spec in SERVICES.items()
    }
    Service.objects.bulk_create(list(services.values()))
    ctx.services = services

    prices = _price_versions(ctx, products, services)
    PriceVersion.objects.bulk_create(prices)

    for model, rows in (
        (LeaseModel, lease_models),
        (ProductCategory, list(categories.values())),
        (Product, list(products.values())),
        (Service, list(services.values())),
        (PriceVersion, prices),
    ):
        record_bulk_changes(rows, action=ChangeAction.CREATE)
        ctx.counts[model._meta.label] += len(rows)


def _price_versions(
    ctx: DemoContext, products: dict[str, Product], services: dict[str, Service]
) -> list[PriceVersion]:
    """Every product's and service's list prices over the years, each valid until the next."""
    prices: list[PriceVersion] = []
    items = [(key, products[key], None, spec.monthly_price) for key, spec in PRODUCTS.items()]
    items += [(key, None, services[key], spec.monthly_price) for key, spec in SERVICES.items()]
    for key, product, service, base in items:
        per_page = service is not None and service.unit == ServiceUnit.PER_PAGE
        history = price_history(base, ctx.this_year, key, per_page)
        for index, (valid_from, amount, note) in enumerate(history):
            valid_to = history[index + 1][0] if index + 1 < len(history) else None
            prices.append(
                PriceVersion(
                    product=product,
                    service=service,
                    amount=amount,
                    valid_from=valid_from,
                    valid_to=valid_to,
                    note=note,
                )
            )
    return prices

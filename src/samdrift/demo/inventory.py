"""Demo step "inventory": assets and their assignment history.

Devices follow their people: an employee holds a laptop and perhaps a phone, a pupil a
laptop or tablet, a council member a tablet; sites hold printers, shared PCs and network
gear. Over the last three years devices were replaced (the old one retired, later
disposed), handed back when their holder left and handed out again to someone who
started later (a move between persons, often between service areas), parked at a site
as a loan device, sent for repair, or kept in stock. Members that joined late had their
older equipment bought out. Assignments are written exactly as ``assign_asset`` would
leave them: consecutive, never overlapping, the asset row mirroring the open one.

The dates lifecycle planning reads (``planning.rules``): a warranty end on most devices
(three years; laptops bought since Windows 11 became the standard image four years;
desktops, printers, copiers and firewalls five under their service agreements; switches
and access points none: a lifetime warranty); a planned replacement on about one device
in ten (an early replacement the site asked for). Standard laptops bought before then
run Windows 10 and are registered as the product "Standard bærbar PC 14 tommer, Windows 10"
(made here, priced as the standard laptop), so that its end of support
(``demo/planning.py``) finds them.
"""

from __future__ import annotations

import datetime
import functools
from collections import defaultdict, deque
from decimal import Decimal

from samdrift.catalogue.models import PriceVersion, Product
from samdrift.core.changelog import record_bulk_changes
from samdrift.core.choices import ChangeAction
from samdrift.demo.bulk import insert_rows
from samdrift.demo.catalogue import CATEGORIES, LEASE_MODELS, PRODUCTS
from samdrift.demo.context import DemoContext, PrinterRow, random_day
from samdrift.finance.depreciation import add_months
from samdrift.inventory.choices import AssetOrigin, AssetStatus
from samdrift.inventory.models import Asset, Assignment
from samdrift.organisations.choices import LocationKind, PersonKind

ASSET_COLUMNS = (
    "id", "product_id", "asset_tag", "serial_number", "name", "model_name", "status", "origin",
    "acquisition_date", "acquisition_cost", "lessor", "lease_start", "lease_end",
    "planned_replacement", "warranty_end", "notes", "municipality_id", "service_area_id",
    "person_id", "location_id", "created", "last_updated",
)  # fmt: skip
ASSIGNMENT_COLUMNS = (
    "id", "asset_id", "municipality_id", "service_area_id", "person_id", "location_id",
    "valid_from", "valid_to", "note", "created", "last_updated",
)  # fmt: skip

DAY = datetime.timedelta(days=1)
LESSORS = ("Fjord Finans AS", "Nordisk IT-leasing AS")
PRINTERS = frozenset({"printer-a4", "printer-a3", "copier"})

# Chance that an employee of a service area has each personal device.
LAPTOP_SHARE = {
    "administration": 0.97, "education": 0.95, "kindergarten": 0.45, "health": 0.6,
    "nursing": 0.3, "technical": 0.8, "culture": 0.8,
}  # fmt: skip
PHONE_SHARE = {
    "administration": 0.85, "education": 0.45, "kindergarten": 0.6, "health": 0.85,
    "nursing": 0.55, "technical": 0.9, "culture": 0.5,
}  # fmt: skip
TABLET_SHARE = {"health": 0.25, "nursing": 0.1}
POWER_LAPTOP_SHARE = {"technical": 0.3, "administration": 0.05}
REUSE_SHARE = 0.5  # a newcomer gets a handed-back device when one is at hand
REPAIR_SHARE = 0.012
STOCK_SHARE = 0.015
ORDERED_SHARE = 0.004

# Warranty in months by product (None: a lifetime warranty, no end). Three years for most;
# laptops bought from WINDOWS_11_FROM on got four under the new framework agreement.
WARRANTY_MONTHS = {
    "laptop": 36, "power-laptop": 36, "desktop": 60, "pupil-laptop": 36, "pupil-tablet": 36,
    "staff-tablet": 36, "phone": 36, "basic-phone": 36, "printer-a4": 60, "printer-a3": 60,
    "copier": 60, "switch": None, "access-point": None, "firewall": 60,
}  # fmt: skip
LONGER_WARRANTY = {"laptop": 48, "power-laptop": 48}
# Standard laptops bought before this day run Windows 10: the product WINDOWS_10.
WINDOWS_11_FROM = datetime.date(2024, 7, 1)
WINDOWS_10 = "laptop-windows-10"
WINDOWS_10_NAME = "Standard bærbar PC 14 tommer, Windows 10"
# About one device in ten has a planned replacement, this many months before its life ends.
PLANNED_EVERY = 10
PLANNED_EARLY_MONTHS = 6


def _life(product_key: str) -> int:
    return CATEGORIES[PRODUCTS[product_key].category][1]


def _lease_term(product_key: str) -> int:
    return LEASE_MODELS[CATEGORIES[PRODUCTS[product_key].category][2]][0]


class Device:
    """One asset being built: its facts and its assignment history (from, to, service
    area, person, location, note)."""

    __slots__ = ("acquired", "history", "id", "origin", "product", "replaced", "status")

    def __init__(self, asset_id: int, product: str, acquired: datetime.date | None, origin: str):
        self.id = asset_id
        self.product = product
        self.acquired = acquired
        self.origin = origin
        self.status = AssetStatus.IN_STOCK
        self.history: list[list] = []
        self.replaced: Device | None = None  # the device this one took over from

    def hand_out(self, start, end, area_id, person_id, location_id, note: str = "") -> None:
        self.history.append([start, end, area_id, person_id, location_id, note])
        self.status = AssetStatus.DEPLOYED if end is None else AssetStatus.IN_STOCK

    @property
    def holder(self) -> list | None:
        if self.history and self.history[-1][1] is None:
            return self.history[-1]
        return None


class MunicipalityInventory:
    """Builds the devices of one municipality, then writes them in two bulk inserts."""

    def __init__(self, ctx: DemoContext, municipality) -> None:
        self.ctx = ctx
        self.municipality = municipality
        self.rng = ctx.rng("inventory", municipality.number)
        self.today = ctx.today
        self.start = ctx.history_start
        self.joined = municipality.joined_on
        self.devices: list[Device] = []
        self.returned: dict[str, deque] = defaultdict(deque)  # product -> (device, on)

    # -- building -------------------------------------------------------------------------

    def new_device(self, product: str, acquired: datetime.date | None) -> Device:
        origin = AssetOrigin.PURCHASED
        if acquired is not None and acquired < self.joined:
            origin = AssetOrigin.BOUGHT_OUT
        elif (
            acquired is not None
            and acquired.year >= self.today.year - 3
            and self.rng.random() < 0.12
        ):
            origin = AssetOrigin.LEASED
        device = Device(self.ctx.ids.take(Asset), product, acquired, origin)
        self.devices.append(device)
        return device

    def retire(self, device: Device, on: datetime.date) -> None:
        """Out of use from ``on``; most retired devices were disposed of later."""
        recent = (self.today - on).days < 90
        device.status = (
            AssetStatus.RETIRED if recent or self.rng.random() < 0.15 else AssetStatus.DISPOSED
        )

    def lifecycle(
        self, product, held_from, held_to, area_id, person_id, location_id
    ) -> Device | None:
        """The device a holder has from ``held_from`` to ``held_to`` (None: still), with
        the device it replaced when that happened within the history window."""
        rng = self.rng
        held_from = max(held_from, self.joined)
        if held_to is not None and held_to <= held_from:
            return None  # left before the municipality joined
        end = held_to or self.today
        life = _life(product)
        # A newcomer may get a device someone handed back.
        if held_from > self.start and rng.random() < REUSE_SHARE:
            queue = self.returned[product]
            if queue and queue[0][1] < held_from:
                device, _returned_on = queue.popleft()
                device.hand_out(
                    held_from, held_to, area_id, person_id, location_id, "Levert ut igjen"
                )
                return device
        acquired = random_day(rng, max(add_months(end, -life), held_from - 20 * DAY), end - 3 * DAY)
        acquired = min(acquired, self.today - DAY)
        device = self.new_device(product, acquired)
        since = max(acquired + rng.randrange(11) * DAY, held_from)
        if since >= end:
            since = max(held_from, acquired)
        # The device this one replaced, kept on record as retired or disposed.
        if (
            acquired > self.start
            and since > held_from + 30 * DAY
            and rng.random() < self.ctx.size.replaced_kept
        ):
            old_acquired = add_months(acquired, -life) + rng.randrange(-45, 46) * DAY
            old = self.new_device(product, old_acquired)
            old_since = max(old_acquired + rng.randrange(11) * DAY, held_from, self.joined)
            if old_since < since:
                old.hand_out(old_since, since, area_id, person_id, location_id)
                self.retire(old, since)
                device.replaced = old
            else:
                self.devices.pop()  # no room for it in the holder's history
        device.hand_out(since, held_to, area_id, person_id, location_id)
        return device

    def person_devices(self) -> None:
        rng = self.rng
        areas = self.ctx.service_areas[self.municipality.pk]
        area_key_of = {}
        for key, area in areas.items():
            area_key_of.setdefault(area.pk, key)
        persons = self.ctx.persons[self.municipality.pk]
        # Leavers first, in the order they left, so newcomers can get their devices.
        leavers = sorted((p for p in persons if p.active_to is not None), key=lambda p: p.active_to)
        stayers = sorted((p for p in persons if p.active_to is None), key=lambda p: p.active_from)
        school_start_years = add_months(self.today, -48)
        for person in leavers + stayers:
            products = []
            if person.kind == PersonKind.EMPLOYEE:
                key = area_key_of.get(person.service_area_id, "administration")
                if rng.random() < LAPTOP_SHARE.get(key, 0.8):
                    power = rng.random() < POWER_LAPTOP_SHARE.get(key, 0.02)
                    products.append("power-laptop" if power else "laptop")
                if rng.random() < PHONE_SHARE.get(key, 0.6):
                    basic = key in ("nursing", "kindergarten") or rng.random() < 0.3
                    products.append("basic-phone" if basic else "phone")
                if rng.random() < TABLET_SHARE.get(key, 0.03):
                    products.append("staff-tablet")
            elif person.kind == PersonKind.PUPIL:
                # Pupils from year 5 on get a laptop, the youngest a tablet.
                older = person.active_to is not None or person.active_from <= school_start_years
                products.append("pupil-laptop" if older else "pupil-tablet")
            elif rng.random() < 0.9:
                products.append("staff-tablet")
            for product in products:
                device = self.lifecycle(
                    product,
                    person.active_from,
                    person.active_to,
                    person.service_area_id,
                    person.id,
                    person.location_id,
                )
                if device is not None and person.active_to is not None:
                    self.returned[product].append((device, person.active_to))

    def site_devices(self) -> None:
        persons = self.ctx.persons[self.municipality.pk]
        staff = defaultdict(int)
        pupils = defaultdict(int)
        for person in persons:
            if person.active_to is None and person.location_id is not None:
                (pupils if person.kind == PersonKind.PUPIL else staff)[person.location_id] += 1
        for site in self.ctx.locations[self.municipality.pk]:
            n, p = staff[site.pk], pupils[site.pk]
            for product, count in site_equipment(site.kind, n, p).items():
                for _ in range(count):
                    device = self.lifecycle(
                        product, self.joined, None, site.demo_service_area.pk, None, site.pk
                    )
                    if device is not None and product in PRINTERS:
                        self._remember_printer(device)

    def _remember_printer(self, device: Device) -> None:
        printers = self.ctx.printers.setdefault(self.municipality.pk, [])
        for item in filter(None, (device.replaced, device)):
            start, end, area_id, _person, location_id, _note = item.history[-1]
            printers.append(
                PrinterRow(
                    item.id,
                    asset_tag(item.id),
                    PRODUCTS[item.product].category,
                    area_id,
                    location_id,
                    start,
                    end,
                )
            )

    def settle(self) -> None:
        """What happened to handed-back devices nobody took, plus repairs, stock, orders."""
        rng = self.rng
        sites = self.ctx.locations[self.municipality.pk]
        for product, queue in self.returned.items():
            for device, returned_on in queue:
                if device.holder is not None or device.history[-1][1] != returned_on:
                    continue  # handed out again meanwhile
                worn_out = add_months(device.acquired, _life(product)) <= self.today
                if worn_out:
                    self.retire(device, returned_on)
                elif rng.random() < 0.25 and returned_on + 40 * DAY < self.today:
                    # Parked at a site as a loan device: a move to another service area.
                    site = rng.choice(sites)
                    on = returned_on + rng.randrange(5, 40) * DAY
                    device.hand_out(on, None, site.demo_service_area.pk, None, site.pk, "Låneenhet")
                else:
                    device.status = AssetStatus.IN_STOCK
        held = [device for device in self.devices if device.holder is not None]
        for device in held:
            if rng.random() < REPAIR_SHARE:
                device.status = AssetStatus.IN_REPAIR
        per_product = defaultdict(int)
        for device in held:
            per_product[device.product] += 1
        for product, count in sorted(per_product.items()):
            for _ in range(round(count * STOCK_SHARE)):
                self.new_device(product, random_day(rng, self.today - 120 * DAY, self.today - DAY))
            for _ in range(round(count * ORDERED_SHARE)):
                self.new_device(product, None).status = AssetStatus.ORDERED

    # -- writing --------------------------------------------------------------------------

    def write(self) -> tuple[int, int]:
        ctx = self.ctx
        municipality_id = self.municipality.pk
        stamp = ctx.stamp
        product_ids = {key: product.pk for key, product in ctx.products.items()}
        asset_rows = []
        assignment_rows = []
        assignment_count = sum(len(device.history) for device in self.devices)
        next_assignment = ctx.ids.take(Assignment, assignment_count)
        for device in self.devices:
            asset_rows.append(self._asset_row(device, product_ids))
            for start, end, area_id, person_id, location_id, note in device.history:
                assignment_rows.append(
                    (
                        next_assignment,
                        device.id,
                        municipality_id,
                        area_id,
                        person_id,
                        location_id,
                        start,
                        end,
                        note,
                        stamp,
                        stamp,
                    )
                )
                next_assignment += 1
        insert_rows(Asset, ASSET_COLUMNS, asset_rows)
        insert_rows(Assignment, ASSIGNMENT_COLUMNS, assignment_rows)
        return len(asset_rows), len(assignment_rows)

    def _asset_row(self, device, product_ids: dict[str, int]) -> tuple:
        """The asset's row: cost, lease, warranty and planned replacement from when it was
        acquired (the last two drawn from the device, not the random stream: the rest of
        the data stays as it was)."""
        rng = self.rng
        spec = PRODUCTS[device.product]
        acquired = device.acquired
        holder = device.holder
        number = self.municipality.number
        product_id = product_ids[device.product]
        cost = None
        planned = None
        warranty = None
        lessor = ""
        lease_start = lease_end = None
        if acquired is not None:
            cost = acquisition_cost(device.product, rng.randrange(92, 107))
            if device.status != AssetStatus.DISPOSED and device.id % PLANNED_EVERY == 3:
                planned = add_months(acquired, _life(device.product) - PLANNED_EARLY_MONTHS)
            warranty = warranty_end(device.product, acquired)
            if device.product == "laptop" and acquired < WINDOWS_11_FROM:
                product_id = product_ids[WINDOWS_10]
            if device.origin == AssetOrigin.LEASED:
                lessor = LESSORS[device.id % len(LESSORS)]
                lease_start = acquired
                lease_end = add_months(acquired, _lease_term(device.product))
        return (
            device.id,
            product_id,
            asset_tag(device.id),
            serial_number(spec.serial_prefix, rng.randrange(4096), device.id),
            f"{spec.host_prefix}{number}-{device.id:07d}" if spec.host_prefix else "",
            model_of(device.product, acquired.year if acquired else 0),
            device.status,
            device.origin,
            acquired,
            cost,
            lessor,
            lease_start,
            lease_end,
            planned,
            warranty,
            "",
            self.municipality.pk if holder is not None else None,
            holder[2] if holder is not None else None,
            holder[3] if holder is not None else None,
            holder[4] if holder is not None else None,
            self.ctx.stamp,
            self.ctx.stamp,
        )


def site_equipment(kind: str, staff: int, pupils: int) -> dict[str, int]:
    """Shared devices of a site, by product, from how many people work or learn there."""
    people = staff + pupils
    network = {
        "firewall": 1,
        "switch": 1 + people // 120,
        "access-point": 1 + people // 35,
    }
    by_kind = {
        LocationKind.TOWN_HALL: {
            "printer-a3": 1 + staff // 60,
            "printer-a4": 1 + staff // 25,
            "copier": 1,
            "desktop": 1 + staff // 40,
        },
        LocationKind.SCHOOL: {
            "printer-a3": 1 + people // 400,
            "printer-a4": 1 + staff // 20,
            "copier": 1 if pupils >= 200 else 0,
            "desktop": 1 + pupils // 100,
        },
        LocationKind.KINDERGARTEN: {"printer-a4": 1, "desktop": 1},
        LocationKind.NURSING_HOME: {
            "printer-a3": 1,
            "printer-a4": 1 + staff // 30,
            "desktop": 2 + staff // 8,
        },
        LocationKind.HEALTH_CENTRE: {
            "printer-a3": 1,
            "printer-a4": 1 + staff // 15,
            "desktop": 1 + staff // 6,
        },
        LocationKind.DEPOT: {"printer-a4": 1, "desktop": 1 + staff // 15},
        LocationKind.LIBRARY: {"printer-a3": 1, "desktop": 2 + staff // 3},
    }
    shared = by_kind.get(kind, {"printer-a4": 1})
    return {**shared, **network}


def warranty_end(product: str, acquired: datetime.date) -> datetime.date | None:
    months = WARRANTY_MONTHS[product]
    if product in LONGER_WARRANTY and acquired >= WINDOWS_11_FROM:
        months = LONGER_WARRANTY[product]
    return add_months(acquired, months) if months else None


def windows_10_laptop(ctx: DemoContext) -> Product:
    """The standard laptop as bought before Windows 11: no longer offered, priced as the
    standard laptop (its price history copied), so billing charges the same."""
    laptop = ctx.products["laptop"]
    product = Product(
        name=WINDOWS_10_NAME,
        category=laptop.category,
        manufacturer=laptop.manufacturer,
        model_number="ThinkPad T14 Gen 3",
        description="Kjører Windows 10; byttes med standard bærbar PC med Windows 11.",
        standard_cost=laptop.standard_cost,
        is_standard=False,
    )
    product.save()  # change-logged by the save
    prices = [
        PriceVersion(
            product=product,
            amount=version.amount,
            valid_from=version.valid_from,
            valid_to=version.valid_to,
            note=version.note,
        )
        for version in PriceVersion.objects.filter(product=laptop).order_by("valid_from")
    ]
    PriceVersion.objects.bulk_create(prices)
    record_bulk_changes(prices, action=ChangeAction.CREATE)
    ctx.counts[Product._meta.label] += 1
    ctx.counts[PriceVersion._meta.label] += len(prices)
    return product


def asset_tag(asset_id: int) -> str:
    return f"FRI{asset_id:07d}"


def serial_number(prefix: str, noise: int, asset_id: int) -> str:
    """A manufacturer-like serial, unique because it holds the asset id (in hex). The id
    comes first so that serials arrive in index order: inserting a million random keys
    into the unique index would be far slower."""
    return f"{prefix}{asset_id:07X}{noise:03X}"


@functools.cache
def acquisition_cost(product: str, percent: int) -> Decimal:
    """What one unit cost: the standard cost give or take a few per cent, whole kroner."""
    return (PRODUCTS[product].standard_cost * percent / 100).quantize(Decimal("1"))


@functools.cache
def model_of(product: str, year: int) -> str:
    """The exact model a product was delivered as in a year (the newest one by then)."""
    models = PRODUCTS[product].models
    return next((model for since, model in reversed(models) if since <= year), models[0][1])


def generate(ctx: DemoContext) -> None:
    ctx.products[WINDOWS_10] = windows_10_laptop(ctx)
    for municipality in ctx.municipalities:
        inventory = MunicipalityInventory(ctx, municipality)
        inventory.person_devices()
        inventory.site_devices()
        inventory.settle()
        assets, assignments = inventory.write()
        ctx.summary(Asset, assets, "assets (with those in stock and on order)", municipality)
        ctx.summary(Assignment, assignments, "assignments over three years", municipality)


def settle_holders(ctx: DemoContext) -> None:
    """Check every asset's holder against its assignment in force (the demo writes them
    equal; this finds none to move) and write the day down, so that the served demo's
    first request does not do that check itself (``inventory.holders``)."""
    from samdrift.inventory.holders import record_refresh, refresh_holders

    refresh_holders(on=ctx.today)
    record_refresh(ctx.today)

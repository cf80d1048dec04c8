"""Importers for assets (with who holds them) and measured usage quantities.

Assets are matched on asset tag, or on serial number when the tag is not given or not
known. Columns of Snipe-IT's asset export are understood (Company, Name, Asset Tag,
Category, Manufacturer, Model, Model Number, Location, Purchase Date, Purchase Cost,
Checked Out To: Username, Serial, Status, Notes …), so a municipality leaving Snipe-IT
brings its file unchanged. As Snipe-IT's importer does, the products (models), persons
and locations a file names that do not exist yet are created — listed in the dry run —
unless the import is strict.

Holding follows ``inventory.services.assign_asset``: an asset in use (deployed or in
repair) is held by the municipality (and the row's service area, person, location) from
the row's assignment date, or the import's date; a change of holder closes the open
assignment on that date and opens a new one; a date inside the history is refused, as
the past is never rewritten. Assets in stock, ordered, retired or disposed are held by
no one. The asset's holder fields are kept in step with its open assignment.
"""

from __future__ import annotations

import datetime
import re
from collections import defaultdict
from typing import Any

from django.db import models
from django.db.models.functions import Upper
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.utils.translation import gettext_lazy as _lazy

from samdrift.catalogue.importers import (
    MANUFACTURER_ALIASES,
    MODEL_NUMBER_ALIASES,
    CatalogueLookups,
    category_column,
    unknown_category,
)
from samdrift.catalogue.models import Product, Service
from samdrift.core.dating import overlapping
from samdrift.core.importing.columns import Column, field_column
from samdrift.core.importing.importer import SKIP, Importer, empty_value
from samdrift.core.importing.parsing import Choice, Date, Email, Month, Name, Text, squash
from samdrift.core.importing.references import fetch_in
from samdrift.core.importing.results import CREATED, UNCHANGED, UPDATED
from samdrift.core.importing.rows import Row
from samdrift.core.importing.writing import InstanceFactory
from samdrift.inventory.choices import (
    ASSET_TRANSITIONS,
    OUT_OF_SERVICE,
    AssetOrigin,
    AssetStatus,
)
from samdrift.inventory.models import Asset, Assignment, UsageRecord
from samdrift.organisations.importers import (
    USERNAME_ALIASES,
    MunicipalityLookups,
    location_column,
    resolve_location,
    resolve_service_area,
    service_area_column,
    service_area_cost_centre_column,
    split_full_name,
)
from samdrift.organisations.models import Collaboration, Location, Municipality, Person

IN_USE = frozenset({AssetStatus.DEPLOYED, AssetStatus.IN_REPAIR})
HOLDER_FIELDS = ("municipality", "service_area", "person", "location")

# Status names of other systems and Norwegian words. Snipe-IT's default labels ("Ready to
# Deploy" is deployable: in stock until checked out); Ralph's back-office statuses, by
# name and by the number its export writes (ralph/back_office/models.py and migration
# 0028: 1 new, 2 in progress, … 34). A label with Snipe-IT's status type after it,
# "Ready to Deploy (deployed)", is read by its label (see ``status_text``).
RALPH_STATUSES = {
    AssetStatus.IN_STOCK: (1, 2, 3, 10, 11, 13, 14, 16, 20, 21, 23, 24),
    AssetStatus.DEPLOYED: (4, 5, 9, 18, 19, 25, 27, 29, 30, 31, 32, 33, 34),
    AssetStatus.IN_REPAIR: (6, 8, 22, 26),
    AssetStatus.RETIRED: (12, 15, 17, 28),
    AssetStatus.DISPOSED: (7,),
}
STATUS_ALIASES = {
    AssetStatus.ORDERED: ("Pending", "Bestilt", "Venter", "On order"),
    AssetStatus.IN_STOCK: (
        "Ready to Deploy",
        "Deployable",
        "Available",
        "På lager",
        "Lager",
        "Ledig",
        "Stock",
        "new",
        "in progress",
        "waiting for release",
        "free",
        "reserved",
        "return in progress",
        "refurbished",
    ),
    AssetStatus.DEPLOYED: (
        "In use",
        "Deployed",
        "Checked out",
        "Utplassert",
        "I bruk",
        "Utlevert",
        "loan",
        "installed",
        "in use team",
        "in use test",
    ),
    AssetStatus.IN_REPAIR: (
        "Broken",
        "Out for Repair",
        "Out for Diagnostics",
        "Repair",
        "Til reparasjon",
        "Reparasjon",
        "Service",
        "damaged",
        "in service",
        "in maintenance",
        "quarantine",
    ),
    AssetStatus.RETIRED: (
        "Archived",
        "Broken - Not Fixable",
        "Undeployable",
        "Lost/Stolen",
        "Lost",
        "Stolen",
        "Utrangert",
        "Tapt",
        "sale",
        "to find",
        "taken for disposal",
    ),
    AssetStatus.DISPOSED: ("Kassert", "Avhendet", "Destroyed", "Scrapped", "liquidated"),
}
for _status, _numbers in RALPH_STATUSES.items():
    STATUS_ALIASES[_status] += tuple(str(n) for n in _numbers)
SNIPE_STATUS_TYPE = re.compile(
    r"^(.*\S)\s*\((?:deployed|deployable|pending|archived|undeployable)\)$", re.IGNORECASE
)


class AssetStatusChoice(Choice):
    """An asset status; Snipe-IT's report form "Ready to Deploy (deployed)" is read by
    its label: whether it is checked out the row's holder columns say."""

    def __call__(self, value: Any) -> str:
        if isinstance(value, str):
            match = SNIPE_STATUS_TYPE.match(value.strip())
            if match:
                value = match.group(1)
        return super().__call__(value)


class CheckoutType(models.TextChoices):
    """What Snipe-IT checked an asset out to (its "Checkout Type" / report "Type")."""

    USER = "user", _lazy("Person")
    LOCATION = "location", _lazy("Location")
    ASSET = "asset", _lazy("Asset")


CHECKOUT_TYPE_ALIASES = {
    CheckoutType.USER: ("Bruker", "Person", "Ansatt"),
    CheckoutType.LOCATION: ("Lokasjon", "Sted"),
    CheckoutType.ASSET: ("Eiendel", "Hardware"),
}
ORIGIN_ALIASES = {
    AssetOrigin.PURCHASED: ("Kjøpt", "Innkjøpt", "Bought", "Owned"),
    AssetOrigin.BOUGHT_OUT: ("Innløst", "Kjøpt ut", "Buyout", "Bought out"),
    AssetOrigin.LEASED: ("Leaset", "Leasing", "Leid", "Lease"),
    AssetOrigin.MUNICIPALITY_OWNED: ("Kommunens", "Kommuneeid", "Municipality"),
}

# What is read of stored assets to compare them with the file.
STORED = (
    "id",
    "asset_tag",
    "serial_number",
    "name",
    "model_name",
    "status",
    "origin",
    "acquisition_date",
    "acquisition_cost",
    "lessor",
    "lease_start",
    "lease_end",
    "planned_replacement",
    "notes",
    "product_id",
    "municipality_id",
    "service_area_id",
    "person_id",
    "location_id",
)
ASSET_FIELDS = (
    "asset_tag",
    "serial_number",
    "name",
    "model_name",
    "status",
    "origin",
    "acquisition_date",
    "acquisition_cost",
    "lessor",
    "lease_start",
    "lease_end",
    "planned_replacement",
    "notes",
)


class AssetImporter(Importer):
    kind = "assets"
    label = gettext_lazy("Assets")
    model = Asset
    key_description = gettext_lazy("asset tag, or serial number")
    columns = (
        field_column(
            Asset,
            "asset_tag",
            aliases=(
                "Asset Tag",
                "Tag",
                "Inventarnummer",
                "Inventarnr",
                "Eiendelsnummer",
                "Asset no",
                "Barcode",
            ),
        ),
        field_column(
            Asset,
            "serial_number",
            aliases=(
                "Serial",
                "Serial Number",
                "Serial No.",
                "Serial no",
                "Serienummer",
                "Serienr",
                "S/N",
                "SN",
            ),
        ),
        field_column(
            Asset,
            "name",
            aliases=(
                "Asset Name",
                "Item Name",
                "Navn",
                "Host name",
                "Hostname",
                "Vertsnavn",
                "Device name",
            ),
        ),
        Column(
            "product",
            gettext_lazy("Product"),
            Name(150),
            # Snipe-IT's importer calls its model "Model Name"; Ralph writes "model" as
            # an id and "model_str" as the name (preferred when both are there).
            aliases=(
                "Model",
                "Model Name",
                "model_str",
                "Modell",
                "Produkt",
                "Produktnavn",
                "Catalogue item",
            ),
            preferred=("model_str",),
            help_text=gettext_lazy(
                "A catalogue product (Snipe-IT: Model); created when new, with the row's "
                "category, manufacturer and model number (unless strict)."
            ),
        ),
        category_column(),
        Column(
            "manufacturer",
            gettext_lazy("Manufacturer"),
            Name(100),
            aliases=MANUFACTURER_ALIASES,
            help_text=gettext_lazy("Used when the product is created."),
        ),
        Column(
            "model_number",
            gettext_lazy("Model number"),
            Text(100),
            aliases=MODEL_NUMBER_ALIASES,
            help_text=gettext_lazy("Used when the product is created."),
        ),
        field_column(
            Asset,
            "model_name",
            # Not "Model name": Snipe-IT's importer means the product by that.
            label=gettext_lazy("Exact model"),
            aliases=("Modellnavn", "Modellbetegnelse"),
        ),
        field_column(
            Asset,
            "status",
            # Never "State": in Snipe-IT's reports that is an address's state.
            aliases=("Status", "Status Label", "Tilstand"),
            parser=AssetStatusChoice(AssetStatus, STATUS_ALIASES),
            help_text=gettext_lazy(
                "Checked out (a person, checkout location or service area named): deployed "
                "(or in repair). Not checked out: the label says, and a deployable label "
                "(Ready to Deploy) is in stock."
            ),
        ),
        field_column(
            Asset,
            "origin",
            aliases=("Opprinnelse", "Eierskap", "Ownership"),
            parser=Choice(AssetOrigin, ORIGIN_ALIASES),
        ),
        field_column(
            Asset,
            "acquisition_date",
            aliases=(
                "Purchase Date",
                "Purchased",
                "invoice_date",
                "Kjøpsdato",
                "Innkjøpsdato",
                "Anskaffelsesdato",
            ),
        ),
        field_column(
            Asset,
            "acquisition_cost",
            aliases=(
                "Purchase Cost",
                "Cost",
                "price",
                "Kostpris",
                "Innkjøpspris",
                "Anskaffelseskost",
                "Pris",
            ),
        ),
        field_column(Asset, "lessor", aliases=("Utleier", "Leasingselskap", "Leasing company")),
        field_column(Asset, "lease_start", aliases=("Leasingstart", "Lease from", "Leasing fra")),
        field_column(
            Asset, "lease_end", aliases=("Leasingslutt", "Lease to", "Leasing til", "Lease expires")
        ),
        field_column(
            Asset,
            "planned_replacement",
            aliases=(
                "Replacement date",
                "Planlagt utskifting",
                "Utskiftingsdato",
                "EOL",
                "EOL date",
                "Asset EOL Date",
            ),
        ),
        field_column(
            Asset,
            "notes",
            aliases=("Notes", "Asset Notes", "remarks", "Notater", "Merknad", "Kommentar"),
        ),
        service_area_column(),
        service_area_cost_centre_column(),
        Column(
            "person",
            gettext_lazy("Person"),
            Text(150),
            aliases=(
                "Checked Out To: Username",
                "Username",
                "Assigned to: Username",
                "User",
                *USERNAME_ALIASES,
                "Bruker",
            ),
            help_text=gettext_lazy("The holder's username; created when new (unless strict)."),
        ),
        Column(
            "person_first_name",
            gettext_lazy("Person's first name"),
            Name(100),
            aliases=("Checked Out To: First Name", "First Name", "Fornavn"),
            help_text=gettext_lazy("Used when the person is created."),
        ),
        Column(
            "person_last_name",
            gettext_lazy("Person's last name"),
            Name(100),
            aliases=("Checked Out To: Last Name", "Last Name", "Etternavn"),
            help_text=gettext_lazy("Used when the person is created."),
        ),
        Column(
            "person_full_name",
            gettext_lazy("Person's name"),
            Name(201),
            aliases=("Checked Out To: Full Name", "Full Name", "user_str", "Brukers navn"),
            help_text=gettext_lazy(
                "Used when the person is created; without a username, finds the person by name."
            ),
        ),
        Column(
            "checked_out_to",
            gettext_lazy("Checked out to"),
            Name(201),
            # Snipe-IT's list export ("Checked Out To") and custom report ("Checked Out"):
            # a person's full name, or a location's name when the type says so.
            aliases=("Checked Out To", "Checked Out", "Assigned To", "Tildelt", "Tildelt til"),
            help_text=gettext_lazy(
                "Who holds it, by name: a person (or a location, when the checkout type "
                "says location)."
            ),
        ),
        Column(
            "checkout_type",
            gettext_lazy("Checkout type"),
            Choice(CheckoutType, CHECKOUT_TYPE_ALIASES),
            aliases=("Checkout Type", "Checked Out Type", "Type", "Tildelingstype"),
            help_text=gettext_lazy("user or location: what “Checked out to” names."),
        ),
        Column(
            "checkout_location",
            gettext_lazy("Checkout location"),
            Name(150),
            aliases=("Checkout to Location", "Checked Out To: Location", "Utlevert til sted"),
            help_text=gettext_lazy("Checked out to a location: held there, by no person."),
        ),
        Column(
            "person_email",
            gettext_lazy("Person's e-mail"),
            Email(254),
            aliases=("Checked Out To: Email", "E-post", "Email"),
            help_text=gettext_lazy(
                "Used when the person is created; without a username, finds the person."
            ),
        ),
        location_column(),
        Column(
            "assigned_from",
            gettext_lazy("Assigned from"),
            Date(),
            # Not "Checked Out": in Snipe-IT's custom report that is the holder's name.
            aliases=(
                "Checkout Date",
                "Last Checkout",
                "Last Checkout Date",
                "Assignment date",
                "Tildelt fra",
                "Utlevert dato",
                "Utlevert",
            ),
            help_text=gettext_lazy(
                "When the holder got it; empty: the import's date. Only used when the holder "
                "changes."
            ),
        ),
    )

    def __init__(self, context, report) -> None:
        super().__init__(context, report)
        # New assets as (field values, product, holder or None, date held from); their
        # instances are built at write time, when every referenced object has its id.
        self.new_assets: list[tuple[dict[str, Any], Product, tuple | None, datetime.date]] = []
        # Stored assets to change: (stored values, changed values, holder or None, date).
        self.changes: list[tuple[dict[str, Any], dict[str, Any], tuple | None, datetime.date]] = []
        self.holder_changes: list[tuple[Row, dict[str, Any], datetime.date, tuple | None]] = []
        self.new_persons: dict[str, Person] = {}
        self.new_holdings: list[tuple[int, tuple, datetime.date]] = []
        self.closed_assignments: list[Assignment] = []
        self.closed_befores: list[dict[str, Any]] = []
        self.stock_with_holder: list[int] = []
        # Held from a date, so billed from it: product → [(date, line)], checked for a
        # price (``check_prices``).
        self.held_from: dict[int, tuple[Product, list[tuple[datetime.date, int]]]] = {}
        self.person_factory = InstanceFactory(Person)
        # Rows whose Municipality/Company names the collaboration: held by no one.
        self.unheld_lines: set[int] = set()
        self.collaboration_name = ""

    # --- checking ---------------------------------------------------------------------

    def accepted_municipality_names(self) -> set[str]:
        names = super().accepted_municipality_names()
        if self.collaboration_name:
            names.add(self.collaboration_name)
        return names

    def check_municipality(self, rows: list[Row]) -> None:
        """As for every import, and: the collaboration's name in the Municipality column
        means an asset no municipality holds, as the asset export writes it (the pool in
        stock). Such a row must not be checked out (see ``plan_row``)."""
        if self.has("municipality"):
            collaboration = Collaboration.get()
            self.collaboration_name = squash(collaboration.name) if collaboration else ""
        super().check_municipality(rows)
        if not self.collaboration_name:
            return
        verdicts: dict[str, bool] = {}
        for row in rows:
            value = row.values.get("municipality")
            if not value:
                continue
            unheld = verdicts.get(value)
            if unheld is None:
                unheld = verdicts[value] = squash(value) == self.collaboration_name
            if unheld:
                self.unheld_lines.add(row.line)

    def plan(self, rows: list[Row]) -> None:
        if not (self.has("asset_tag") or self.has("serial_number")):
            self.report.error(
                0, "", _("The file needs an asset tag or a serial number column to match on.")
            )
            return
        municipality = self.context.municipality
        self.lookups = MunicipalityLookups(municipality)
        self.catalogue = CatalogueLookups()
        self.names = {
            "products": _("products"),
            "persons": _("persons"),
            "tag": self.field_label("asset_tag"),
            "serial": self.field_label("serial_number"),
        }
        # Asset tags are compared ignoring case: "fv-0001" is the asset FV-0001.
        self.duplicates(rows, "asset_tag", self.names["tag"], fold=True)
        self.duplicates(rows, "serial_number", self.names["serial"], fold=False)
        if self.has("person"):
            self.lookups.load_persons(r.values.get("person") for r in rows)
        by_tag, by_serial = self.stored_assets(rows)
        self.lookups.load_persons_by_id(
            v["person_id"] for v in (*by_tag.values(), *by_serial.values())
        )
        self.today = timezone.localdate()
        self.names_area = self.has("service_area") or self.has("service_area_cost_centre")
        self.names_person = any(
            self.has(key)
            for key in ("person", "person_email", "person_full_name", "checked_out_to")
        )
        self.asset_fields = [
            (name, empty_value(Asset._meta.get_field(name)))
            for name in ASSET_FIELDS
            if self.has(name)
        ]
        for row in rows:
            self.plan_row(row, by_tag, by_serial)
        self.check_history()
        self.check_prices()
        if self.stock_with_holder:
            lines = self.stock_with_holder
            shown = ", ".join(str(line) for line in lines[:20])
            more = _(" and %(count)d more") % {"count": len(lines) - 20} if len(lines) > 20 else ""
            self.report.warning(
                _(
                    "Rows %(lines)s%(more)s: the location was not imported and not created: "
                    "these assets are not checked out (no person, checkout location or "
                    "service area) and their status does not say in use, so they are in "
                    "stock, held by no one. Give them the status Deployed to have them held "
                    "at the location."
                )
                % {"lines": shown, "more": more}
            )

    def stored_assets(self, rows: list[Row]) -> tuple[dict[str, dict], dict[str, dict]]:
        """The stored assets the file names, by tag and by serial number, as plain values
        (a re-import of 100,000 unchanged rows must not build 100,000 model objects)."""
        tags = [r.values.get("asset_tag") for r in rows]
        by_tag = {
            v["asset_tag"]: v for v in fetch_in(Asset.objects.values(*STORED), "asset_tag", tags)
        }
        # Tags not found as written are looked for ignoring case (one more query, only
        # for those); the row's tag is then read as the stored one.
        missing = {t.upper() for t in tags if t and t not in by_tag}
        if missing:
            folded = fetch_in(assets_by_upper_tag().values(*STORED), "tag_upper", missing)
            by_upper = {v["asset_tag"].upper(): v for v in folded}
            for row in rows:
                tag = row.values.get("asset_tag")
                if tag and tag not in by_tag and tag.upper() in by_upper:
                    stored = by_upper[tag.upper()]
                    row.values["asset_tag"] = stored["asset_tag"]
                    by_tag[stored["asset_tag"]] = stored
        by_serial: dict[str, dict] = {}
        if self.has("serial_number"):
            # Unique where not empty (a partial index); saying so lets the database use it.
            pairs = fetch_in(
                Asset.objects.exclude(serial_number="").values_list("serial_number", "asset_tag"),
                "serial_number",
                (r.values.get("serial_number") for r in rows),
            )
            missing = []
            for serial, tag in pairs:
                if tag in by_tag:
                    by_serial[serial] = by_tag[tag]
                else:
                    missing.append(tag)
            for values in fetch_in(Asset.objects.values(*STORED), "asset_tag", missing):
                by_serial[values["serial_number"]] = values
        return by_tag, by_serial

    def plan_row(self, row: Row, by_tag: dict[str, dict], by_serial: dict[str, dict]) -> None:
        report = self.report
        values = row.values
        tag = values.get("asset_tag")
        serial = values.get("serial_number")
        existing = by_tag.get(tag) if tag else None
        by_serial_asset = by_serial.get(serial) if serial else None
        if (
            existing is not None
            and by_serial_asset is not None
            and by_serial_asset["id"] != existing["id"]
        ):
            report.error(
                row.line,
                "serial_number",
                _("serial number %(serial)s belongs to the asset %(other)s, not %(tag)s")
                % {"serial": serial, "other": by_serial_asset["asset_tag"], "tag": tag},
            )
            return
        existing = existing or by_serial_asset
        if existing is None and not tag:
            if "asset_tag" not in row.failed:
                report.error(row.line, "asset_tag", _("a new asset needs an asset tag"))
            return
        key_text = tag or existing["asset_tag"]
        municipality = self.context.municipality
        if existing is not None and existing["municipality_id"] not in (None, municipality.pk):
            other = self.municipality_name(existing["municipality_id"])
            report.error(
                row.line,
                "asset_tag" if tag else "serial_number",
                _("the asset %(tag)s is held by %(other)s; it cannot be imported for %(here)s")
                % {"tag": existing["asset_tag"], "other": other, "here": municipality},
            )
            return
        failed = row.failed
        wanted: dict[str, Any] = {}
        for name, empty in self.asset_fields:
            value = values[name]
            if value is None:
                if empty is SKIP or name in failed:
                    continue
                value = empty
            wanted[name] = value
        ok = True
        product = self.resolve_product(row)
        if product is False:
            ok = False
        elif product is not None:
            wanted["product"] = product
        elif existing is None and "product" not in failed:
            report.error(row.line, "product", _("a new asset needs a product"))
            ok = False
        if not self.check_dates(row, wanted, existing):
            ok = False
        # Who is to hold it. Snipe-IT's meaning: an asset checked out to a person or a
        # location (or, in Samdrift's own files, to a service area) is held by them
        # whatever its label says; one not checked out is held by no one — unless its
        # status says in use, as Samdrift's own export and Norwegian lists write an asset
        # held by the municipality at a site. Persons and locations are created only
        # when a held asset refers to them.
        area = SKIP
        if self.names_area:
            area_ok, area = resolve_service_area(self, row, self.lookups)
            ok = ok and area_ok
        # Go on after an error: the holder's problems are reported too, all at once.
        checkout = self.checkout_target(row)
        if checkout is None:
            return
        to_person, to_location = checkout
        checked_out = to_person or to_location is not None or area not in (None, SKIP)
        label = wanted.get("status")
        status = label or (existing["status"] if existing is not None else None)
        if checked_out:
            if label in OUT_OF_SERVICE:
                report.error(
                    row.line,
                    "status",
                    _(
                        "%(tag)s is checked out, but its status “%(label)s” means it is out "
                        "of service, which no one holds; check it in at the source or map "
                        "the status value"
                    )
                    % {"tag": key_text, "label": AssetStatus(label).label},
                )
                return
            if status not in IN_USE:
                status = AssetStatus.DEPLOYED
        elif status is None:
            status = AssetStatus.IN_STOCK
        wanted["status"] = status
        when = values.get("assigned_from") or self.context.on
        if status in IN_USE:
            person = SKIP
            if to_person:
                person = self.resolve_person(row)
            elif self.names_person:
                person = None
            if to_location is not None:
                location = self.checkout_location(row, to_location)
            elif self.has("location"):
                location = resolve_location(self, row, self.lookups)
            else:
                location = SKIP
            if person is False or location is False or not ok or failed:
                return
            current = self.current_holder(existing)
            holder = (
                municipality,
                current[1] if area is SKIP else area,
                current[2] if person is SKIP else person,
                current[3] if location is SKIP else location,
            )
            new_holder = isinstance(person, Person) and not same(person, current[2])
            if new_holder and not self.person_active(row, person, when):
                return
        else:
            if not ok or failed:
                return
            holder = None
            if self.has("location") and values.get("location"):
                self.stock_with_holder.append(row.line)
        if holder is not None and row.line in self.unheld_lines:
            report.error(
                row.line,
                "municipality",
                _(
                    "the row names %(name)s, which means no municipality holds %(tag)s, but "
                    "the row has it checked out or in use; name %(municipality)s instead, "
                    "or check it in"
                )
                % {
                    "name": values.get("municipality"),
                    "tag": key_text,
                    "municipality": municipality,
                },
            )
            return
        if existing is None:
            wanted["status"] = status
            if holder is not None:
                self.billable(row, wanted["product"], wanted.get("origin"), when)
            self.new_assets.append((wanted, wanted.pop("product"), holder, when))
            report.outcome(row.line, key_text, CREATED)
            return
        self.plan_existing(row, existing, wanted, holder, when, key_text)

    def billable(self, row: Row, product: Product | None, origin, when: datetime.date) -> None:
        if product is not None and origin != AssetOrigin.MUNICIPALITY_OWNED:
            # By identity: a product this import creates has no id (nor hash) yet.
            self.held_from.setdefault(id(product), (product, []))[1].append((when, row.line))

    def check_prices(self) -> None:
        """Refuse assets that would be held, and so billed, without a price.

        Billing stops the whole run at a day without a price (billing.rating), so an
        import that succeeded would break the next month's invoices for every
        municipality. A held asset's product needs a list price (or this municipality's
        agreed price) in force on the day it is held from; each product lacking one is
        one error, with the rows it concerns. Assets not held (in stock) and assets the
        municipality owns are not billed, and need none. Two queries.
        """
        if not self.held_from:
            return
        from samdrift.agreements.models import AgreedPrice  # above inventory: read here only
        from samdrift.catalogue.models import PriceVersion

        stored = [p.pk for p, _held in self.held_from.values() if p.pk is not None]
        spans: dict[int, list[tuple]] = defaultdict(list)
        for product_id, start, end in PriceVersion.objects.filter(
            product_id__in=stored
        ).values_list("product_id", "valid_from", "valid_to"):
            spans[product_id].append((start, end))
        for product_id, start, end in AgreedPrice.objects.filter(
            product_id__in=stored, agreement__municipality=self.context.municipality
        ).values_list("product_id", "agreement__valid_from", "agreement__valid_to"):
            spans[product_id].append((start, end))
        for product, held in sorted(self.held_from.values(), key=lambda item: item[1][0][1]):
            priced = spans.get(product.pk, []) if product.pk is not None else []
            unpriced = [
                (when, line)
                for when, line in held
                if not any(start <= when and (end is None or when < end) for start, end in priced)
            ]
            if not unpriced:
                continue
            lines = [line for _when, line in unpriced]
            shown = ", ".join(str(line) for line in lines[:20])
            if len(lines) > 20:
                shown += _(" and %(count)d more") % {"count": len(lines) - 20}
            first_day = min(when for when, _line in unpriced)
            message = (
                _(
                    "the new product “%(product)s” has no price, and %(count)d held assets "
                    "(rows %(lines)s) would be billed from %(date)s: the next billing run "
                    "would stop. Import the products with their prices first, or import "
                    "these assets as in stock"
                )
                if product.pk is None
                else _(
                    "“%(product)s” has no price on %(date)s, and %(count)d held assets (rows "
                    "%(lines)s) would be billed from then: the next billing run would stop. "
                    "Give it a price (Catalogue → Prices) first, or import these assets as "
                    "in stock"
                )
            ) % {
                "product": product.name,
                "count": len(lines),
                "lines": shown,
                "date": first_day.isoformat(),
            }
            self.report.error(lines[0], "product" if self.has("product") else "", message)

    def municipality_name(self, pk: int) -> str:
        """Another municipality's name, for a message (one query per municipality)."""
        names = self.__dict__.setdefault("_municipality_names", {})
        if pk not in names:
            names[pk] = str(Municipality.objects.filter(pk=pk).first() or pk)
        return names[pk]

    def current_holder(self, stored: dict[str, Any] | None) -> tuple:
        """The stored holder as objects (a stored person not in the file: its id)."""
        if stored is None:
            return (None, None, None, None)
        lookups = self.lookups
        # Held by this municipality or by no one: other municipalities' assets are refused.
        municipality = self.context.municipality if stored["municipality_id"] else None
        area = lookups.service_area_by_id(stored["service_area_id"])
        person = lookups.person_by_id(stored["person_id"])
        location = lookups.location_by_id(stored["location_id"])
        return (municipality, area, person, location)

    def plan_existing(
        self,
        row: Row,
        stored: dict[str, Any],
        wanted: dict[str, Any],
        holder: tuple | None,
        when: datetime.date,
        key_text: str,
    ) -> None:
        before = {name: stored[name] for name in wanted if name != "product"}
        if "product" in wanted:
            before["product"] = self.catalogue.product_by_id(stored["product_id"])
        current = self.current_holder(stored)
        wanted_holder = holder if holder is not None else (None, None, None, None)
        for name, old, new in zip(HOLDER_FIELDS, current, wanted_holder, strict=True):
            before[name] = old
            wanted[name] = new
        if "status" in wanted and wanted["status"] != stored["status"]:
            allowed = ASSET_TRANSITIONS.get(stored["status"], frozenset())
            if wanted["status"] not in allowed:
                self.report.error(
                    row.line,
                    "status",
                    _("%(tag)s cannot go from %(old)s to %(new)s; allowed next: %(allowed)s")
                    % {
                        "tag": key_text,
                        "old": AssetStatus(stored["status"]).label,
                        "new": AssetStatus(wanted["status"]).label,
                        "allowed": ", ".join(str(AssetStatus(s).label) for s in sorted(allowed))
                        or "–",
                    },
                )
                return
        changes = self.differences(row, before, wanted, key_text)
        if not changes:
            self.report.outcome(row.line, key_text, UNCHANGED)
            return
        if not self.context.update:
            return  # each difference has been reported as an error
        changed = {name: wanted[name] for name in changes}
        self.changes.append((stored, changed, holder, when))
        if any(name in changes for name in HOLDER_FIELDS):
            self.holder_changes.append((row, stored, when, holder))
            if holder is not None:
                product = wanted.get("product") or self.catalogue.product_by_id(
                    stored["product_id"]
                )
                self.billable(row, product, wanted.get("origin", stored["origin"]), when)
        self.report.outcome(row.line, key_text, UPDATED, changes)

    def column_for(self, key: str) -> str:
        if key == "municipality":
            return "status" if self.has("status") else ""
        return super().column_for(key)

    def resolve_product(self, row: Row) -> Product | bool | None:
        """The row's product: found, created (listed), None when not given, False on error."""
        if not self.has("product") or "product" in row.failed:
            return None
        name = row.values.get("product")
        if not name:
            return None
        product = self.catalogue.product(name)
        if product is not None:
            return product
        if self.context.strict:
            self.report.error(
                row.line,
                "product",
                _("unknown product “%(name)s” (strict: products are not created)") % {"name": name},
            )
            return False
        category_name = row.values.get("category")
        if not category_name:
            self.report.error(
                row.line,
                "product",
                _("unknown product “%(name)s”; give its category to create it") % {"name": name},
            )
            return False
        category = self.catalogue.category(category_name)
        if category is None:
            unknown_category(self, row, "category", category_name)
            return False
        self.report.will_create(self.names["products"], name)
        return self.catalogue.add_product(
            name=name,
            category=category,
            manufacturer=row.values.get("manufacturer") or "",
            model_number=row.values.get("model_number") or "",
        )

    def checkout_target(self, row: Row) -> tuple[bool, str | None] | None:
        """Is the row checked out to a person (by username, name or e-mail), and to
        which location by name; None after reporting an error."""
        values = row.values
        kind = values.get("checkout_type")
        name = values.get("checked_out_to")
        location = values.get("checkout_location")
        if kind == CheckoutType.ASSET and name:
            self.report.error(
                row.line,
                "checked_out_to",
                _(
                    "checked out to another asset (%(name)s); Samdrift's assets are held by "
                    "persons and locations: check it out to one at the source"
                )
                % {"name": name},
            )
            return None
        if kind == CheckoutType.LOCATION and name:
            location = location or name
        to_person = bool(
            values.get("person")
            or values.get("person_email")
            or values.get("person_full_name")
            or (name and kind != CheckoutType.LOCATION)
        )
        return to_person, location

    def checkout_location(self, row: Row, name: str) -> Location | bool:
        """The location an asset is checked out to: found, or created (listed)."""
        location = self.lookups.location(name)
        if location is not None:
            return location
        if self.context.strict:
            self.report.error(
                row.line,
                "checkout_location" if self.has("checkout_location") else "checked_out_to",
                _("unknown location “%(name)s” (strict: locations are not created)")
                % {"name": name},
            )
            return False
        self.report.will_create(_("locations"), name)
        return self.lookups.add_location(name)

    def person_by_name(self, row: Row) -> Person | bool:
        """A stored person found by e-mail or full name (a file without usernames)."""
        if not hasattr(self, "_by_email"):
            self._by_email: dict[str, list[Person]] = defaultdict(list)
            self._by_name: dict[str, list[Person]] = defaultdict(list)
            for person in Person.objects.filter(municipality=self.context.municipality):
                if person.email:
                    self._by_email[person.email.casefold()].append(person)
                full = " ".join(f"{person.first_name} {person.last_name}".split())
                self._by_name[full.casefold()].append(person)
        values = row.values
        email = values.get("person_email")
        name = values.get("person_full_name") or values.get("checked_out_to")
        if not name and (values.get("person_first_name") or values.get("person_last_name")):
            first = values.get("person_first_name") or ""
            name = " ".join(f"{first} {values.get('person_last_name') or ''}".split())
        found = self._by_email.get(email.casefold(), []) if email else []
        if not found and name:
            found = self._by_name.get(name.casefold(), [])
            if not found and "," in name:
                first, last = split_full_name(name)
                found = self._by_name.get(f"{first} {last}".casefold(), [])
        what = email or name
        key = (
            "person_email"
            if email
            else ("person_full_name" if values.get("person_full_name") else "checked_out_to")
        )
        if len(found) == 1:
            return found[0]
        if found:
            message = _(
                "%(count)d persons in %(municipality)s are %(what)s; give the username "
                "(Checked Out to: Username) to say which"
            ) % {"count": len(found), "municipality": self.context.municipality, "what": what}
        else:
            message = _(
                "no person %(what)s in %(municipality)s; give the username (Checked Out to: "
                "Username) so that the person can be found or created"
            ) % {"what": what, "municipality": self.context.municipality}
        self.report.error(row.line, key if self.has(key) else "", message)
        return False

    def resolve_person(self, row: Row) -> Person | bool | None:
        """The row's person: found, created (listed), None when empty, False on error."""
        if "person" in row.failed:
            return False
        username = row.values.get("person")
        if not username:
            return self.person_by_name(row)
        folded = username.casefold()
        person = self.lookups.persons.get(folded) or self.new_persons.get(folded)
        if person is not None:
            if person.pk is None:
                when = row.values.get("assigned_from") or self.context.on
                if when < person.active_from:
                    person.active_from = when  # a new person is active from their first asset
            return person
        if self.context.strict:
            self.report.error(
                row.line,
                "person",
                _("unknown person “%(name)s” (strict: persons are not created)")
                % {"name": username},
            )
            return False
        values = row.values
        first = values.get("person_first_name") or ""
        last = values.get("person_last_name") or ""
        full_name = values.get("person_full_name") or (
            values.get("checked_out_to") if values.get("checkout_type") != "location" else None
        )
        if not (first or last) and full_name:
            first, last = split_full_name(full_name)
        area = None
        if values.get("service_area"):
            area = self.lookups.service_area(values["service_area"])
        person = self.person_factory.make(
            {
                "municipality_id": self.context.municipality.id,
                "service_area_id": area.id if area is not None else None,
                "username": username,
                "first_name": (first or username)[:100],
                "last_name": last[:100],
                "email": values.get("person_email") or "",
                "active_from": values.get("assigned_from") or self.context.on,
            }
        )
        self.new_persons[folded] = person
        self.report.will_create(self.names["persons"], username)
        return person

    def person_active(self, row: Row, person: Person, when: datetime.date) -> bool:
        """A stored person taking an asset on ``when`` must be active then."""
        if person.pk is None or person.is_active_on(when):
            return True
        self.report.error(
            row.line,
            "person",
            _("%(person)s is not active on %(date)s (active %(start)s – %(end)s)")
            % {
                "person": person.username,
                "date": when.isoformat(),
                "start": person.active_from.isoformat(),
                "end": person.active_to.isoformat() if person.active_to else "…",
            },
        )
        return False

    def check_dates(self, row: Row, wanted: dict[str, Any], stored: dict | None) -> bool:
        ok = True
        acquired = wanted.get("acquisition_date")
        if acquired and acquired > self.today:
            self.report.error(
                row.line,
                "acquisition_date",
                _("the acquisition date %(date)s is in the future")
                % {"date": acquired.isoformat()},
            )
            ok = False
        if "lease_start" in wanted or "lease_end" in wanted:
            stored = stored or {}
            start = wanted.get("lease_start", stored.get("lease_start"))
            end = wanted.get("lease_end", stored.get("lease_end"))
            if start and end and end <= start:
                self.report.error(
                    row.line,
                    "lease_end" if "lease_end" in wanted else "lease_start",
                    _("the lease must end (%(end)s) after it starts (%(start)s)")
                    % {"end": end.isoformat(), "start": start.isoformat()},
                )
                ok = False
        return ok

    def check_history(self) -> None:
        """A change of holder closes the open assignment on the row's date and opens a
        new one; the date must lie after everything in the asset's history (one query)."""
        if not self.holder_changes:
            return
        history: dict[int, list[Assignment]] = defaultdict(list)
        for assignment in fetch_in(
            Assignment.objects.all(),
            "asset_id",
            (stored["id"] for _row, stored, _when, _holder in self.holder_changes),
        ):
            history[assignment.asset_id].append(assignment)
        for row, stored, when, holder in self.holder_changes:
            past = history.get(stored["id"], [])
            # The open assignment is closed on the date, so it must have begun before;
            # a closed one must have ended by then.
            conflict = next(
                (
                    a
                    for a in past
                    if (a.valid_to is None and a.valid_from >= when)
                    or (a.valid_to is not None and a.valid_to > when)
                ),
                None,
            )
            if conflict is not None:
                self.report.error(
                    row.line,
                    "assigned_from" if self.has("assigned_from") else "",
                    _(
                        "%(tag)s: a new holder from %(date)s overlaps the assignment from "
                        "%(start)s to %(end)s; history is never rewritten, choose a later date"
                    )
                    % {
                        "tag": stored["asset_tag"],
                        "date": when.isoformat(),
                        "start": conflict.valid_from.isoformat(),
                        "end": conflict.valid_to.isoformat() if conflict.valid_to else "…",
                    },
                )
                continue
            open_assignment = next((a for a in past if a.valid_to is None), None)
            if open_assignment is not None:
                self.closed_befores.append(open_assignment.changelog_data())
                open_assignment.valid_to = when
                self.closed_assignments.append(open_assignment)
            if holder is not None:
                self.new_holdings.append((stored["id"], holder, when))

    # --- writing ----------------------------------------------------------------------

    def apply(self) -> None:
        new_products = list(self.catalogue.new_products.values())
        new_locations = list(self.lookups.new_locations.values())
        new_persons = list(self.new_persons.values())
        self.write_total = (
            len(new_products)
            + len(new_locations)
            + len(new_persons)
            + 2 * len(self.new_assets)
            + len(self.closed_assignments)
            + len(self.new_holdings)
            + len(self.changes)
        )
        # Referenced objects first, so that they have their ids when rows name them.
        self.create(Product, new_products)
        self.create(Location, new_locations)
        self.create(Person, new_persons)
        assets = self.build_new_assets()
        self.create(Asset, assets)
        holdings = [
            (asset.pk, holder, when)
            for asset, (_wanted, _product, holder, when) in zip(
                assets, self.new_assets, strict=True
            )
            if holder is not None
        ]
        holdings.extend(self.new_holdings)
        if self.closed_assignments:
            self.update(Assignment, self.closed_assignments, ["valid_to"], self.closed_befores)
        self.create(Assignment, self.build_assignments(holdings))
        if self.changes:
            self.update_assets()

    def build_new_assets(self) -> list[Asset]:
        factory = InstanceFactory(Asset)
        assets = []
        for wanted, product, holder, when in self.new_assets:
            values = dict(wanted)
            values["product_id"] = product.pk
            # The asset mirrors the holder in force today; one from a later date takes
            # effect on that day (inventory.holders), as through assign_asset.
            if holder is not None and when <= self.today:
                values.update(holder_ids(holder))
            assets.append(factory.make(values))
        return assets

    def build_assignments(self, holdings: list[tuple[int, tuple, datetime.date]]) -> list:
        factory = InstanceFactory(Assignment)
        note = (_("Imported from %(file)s") % {"file": self.context.filename or "-"})[:200]
        assignments = []
        for asset_id, holder, when in holdings:
            values = holder_ids(holder)
            values.update(asset_id=asset_id, valid_from=when, note=note)
            assignments.append(factory.make(values))
        return assignments

    def update_assets(self) -> None:
        """Changed stored assets: loaded as objects now (only these), changed, written."""
        found = {
            a.pk: a
            for a in fetch_in(Asset.objects.all(), "pk", (s["id"] for s, *_ in self.changes))
        }
        assets, befores, fields = [], [], set()
        for stored, changed, holder, when in self.changes:
            asset = found[stored["id"]]
            before = asset.changelog_data()
            touched = False
            for name, value in changed.items():
                if name in HOLDER_FIELDS:
                    continue
                setattr(asset, name, value)
                fields.add(name)
                touched = True
            # A new holder from a later date takes effect on that day (inventory.holders).
            if any(name in changed for name in HOLDER_FIELDS) and when <= self.today:
                for name, value in holder_ids(holder).items():
                    setattr(asset, name, value)
                fields.update(HOLDER_FIELDS)
                touched = True
            if touched:
                assets.append(asset)
                befores.append(before)
        if assets:
            self.update(Asset, assets, sorted(fields), befores)


def assets_by_upper_tag() -> models.QuerySet[Asset]:
    """Assets with their tag upper-cased as ``tag_upper``, to filter on: the expression
    of the index ``asset_tag_upper_idx``, so the look-up uses it (tested with EXPLAIN)."""
    return Asset.objects.annotate(tag_upper=Upper("asset_tag"))


def same(obj: Any, stored: Any) -> bool:
    """Is the (maybe new, unsaved) object ``obj`` the stored object ``stored``?"""
    if obj is None or stored is None:
        return obj is None and stored is None
    return obj.pk is not None and obj.pk == stored.pk


def holder_ids(holder: tuple | None) -> dict[str, int | None]:
    """The holder's ids by the asset's (and assignment's) attribute names."""
    if holder is None:
        return dict.fromkeys(("municipality_id", "service_area_id", "person_id", "location_id"))
    municipality, area, person, location = holder
    # ``.id`` rather than ``.pk``: read straight from the instance (100,000s of times).
    return {
        "municipality_id": municipality.id,
        "service_area_id": area.id if area is not None else None,
        "person_id": person.id if person is not None else None,
        "location_id": location.id if location is not None else None,
    }


class UsageImporter(Importer):
    """Measured monthly quantities (pages printed, hours). A row is matched on its
    reference (the id in the source system) when given, else on service, month and what
    it was measured for (service area, person, location, asset)."""

    kind = "usage"
    label = gettext_lazy("Usage quantities")
    model = UsageRecord
    key_description = gettext_lazy(
        "service, month and reference; without a reference: service, month, service area, "
        "person, location and asset"
    )
    columns = (
        Column(
            "service",
            gettext_lazy("Service"),
            Text(150),
            required=True,
            aliases=("Tjeneste", "Service code", "Tjenestekode", "Code"),
            help_text=gettext_lazy("The service's code or name."),
        ),
        field_column(
            UsageRecord,
            "month",
            required=True,
            parser=Month(),
            aliases=("Måned", "Period", "Periode"),
            help_text=gettext_lazy("2026-11, 11.2026 or 2026-11-01."),
        ),
        field_column(
            UsageRecord,
            "quantity",
            required=True,
            aliases=("Antall", "Mengde", "Qty", "Pages", "Sider", "Timer", "Hours"),
        ),
        service_area_column(),
        service_area_cost_centre_column(),
        Column(
            "person",
            gettext_lazy("Person"),
            Text(150),
            aliases=("Username", *USERNAME_ALIASES, "Bruker"),
            help_text=gettext_lazy("Username; the person must exist."),
        ),
        Column(
            "location",
            gettext_lazy("Location"),
            Text(150),
            aliases=("Lokasjon", "Sted", "Site"),
            help_text=gettext_lazy("The location must exist."),
        ),
        Column(
            "asset",
            gettext_lazy("Asset"),
            Text(100),
            aliases=(
                "Asset tag",
                "Inventarnummer",
                "Serial",
                "Serial number",
                "Serienummer",
                "Printer",
            ),
            help_text=gettext_lazy("Asset tag or serial number of an asset the municipality held."),
        ),
        field_column(UsageRecord, "reference", aliases=("Referanse", "Ref", "Id", "Source id")),
        field_column(UsageRecord, "note", aliases=("Merknad", "Notes", "Kommentar")),
    )

    def __init__(self, context, report) -> None:
        super().__init__(context, report)
        self.new_records: list[UsageRecord] = []
        self.changed_records: list[UsageRecord] = []
        self.changed_fields: set[str] = set()
        self.befores: list[dict[str, Any]] = []

    def plan(self, rows: list[Row]) -> None:
        municipality = self.context.municipality
        lookups = MunicipalityLookups(municipality)
        services: dict[str, Service] = {}
        for service in Service.objects.all():
            services.setdefault(service.code.casefold(), service)
            services.setdefault(service.name.casefold(), service)
        if self.has("person"):
            lookups.load_persons(r.values.get("person") for r in rows)
        assets = self.load_assets(rows)
        held = self.holdings(assets.values(), rows)
        months = {r.values["month"] for r in rows if r.values.get("month")}
        stored: dict[tuple, UsageRecord] = {}
        for record in UsageRecord.objects.filter(municipality=municipality, month__in=months):
            stored.setdefault(self.key(record), record)
        seen: dict[tuple, int] = {}
        for row in rows:
            values = row.values
            ok = row.ok
            service = None
            if values.get("service"):
                service = services.get(values["service"].casefold())
                if service is None:
                    self.report.error(
                        row.line,
                        "service",
                        _("unknown service “%(name)s”") % {"name": values["service"]},
                    )
                    ok = False
            elif "service" not in row.failed:
                self.report.error(row.line, "service", _("a service is required"))
                ok = False
            for key in ("month", "quantity"):
                if values.get(key) is None and key not in row.failed:
                    self.report.error(
                        row.line, key, _("%(what)s is required") % {"what": self.field_label(key)}
                    )
                    ok = False
            area_ok, area = resolve_service_area(self, row, lookups)
            person = None
            if values.get("person"):
                person = lookups.person(values["person"])
                if person is None:
                    self.report.error(
                        row.line,
                        "person",
                        _("unknown person “%(name)s”") % {"name": values["person"]},
                    )
                    ok = False
            location = None
            if values.get("location"):
                location = lookups.location(values["location"])
                if location is None:
                    self.report.error(
                        row.line,
                        "location",
                        _("unknown location “%(name)s”") % {"name": values["location"]},
                    )
                    ok = False
            asset = None
            if values.get("asset"):
                asset = assets.get(values["asset"])
                if asset is None:
                    self.report.error(
                        row.line, "asset", _("unknown asset “%(name)s”") % {"name": values["asset"]}
                    )
                    ok = False
                elif values.get("month") and not self.held_in(held, asset, values["month"]):
                    self.report.error(
                        row.line,
                        "asset",
                        _("%(asset)s was not held by %(municipality)s in %(month)s")
                        % {
                            "asset": asset.asset_tag,
                            "municipality": municipality,
                            "month": values["month"].strftime("%Y-%m"),
                        },
                    )
                    ok = False
            if not (ok and area_ok):
                continue
            record = UsageRecord(
                service=service,
                municipality=municipality,
                service_area=area,
                person=person,
                location=location,
                asset=asset,
                month=values["month"],
                quantity=values["quantity"],
                reference=values.get("reference") or "",
                note=values.get("note") or "",
            )
            key = self.key(record)
            first = seen.setdefault(key, row.line)
            if first != row.line:
                self.report.error(row.line, "", _("duplicate of row %(first)d") % {"first": first})
                continue
            key_text = f"{service.code} {record.month:%Y-%m} {record.reference}".strip()
            existing = stored.get(key)
            if existing is None:
                self.new_records.append(record)
                self.report.outcome(row.line, key_text, CREATED)
                continue
            wanted = {"quantity": record.quantity}
            if self.has("note"):
                wanted["note"] = record.note
            if record.reference:
                # Matched on the reference: what it was measured for may be corrected.
                wanted.update(service_area=area, person=person, location=location, asset=asset)
            stored_values = {name: getattr(existing, name) for name in wanted}
            changes = self.differences(row, stored_values, wanted, key_text)
            if not changes:
                self.report.outcome(row.line, key_text, UNCHANGED)
            elif self.context.update:
                self.befores.append(existing.changelog_data())
                for name in changes:
                    setattr(existing, name, wanted[name])
                self.changed_fields.update(changes)
                self.changed_records.append(existing)
                self.report.outcome(row.line, key_text, UPDATED, changes)

    @staticmethod
    def key(record: UsageRecord) -> tuple:
        if record.reference:
            return (record.service_id, record.month, record.reference)
        return (
            record.service_id,
            record.month,
            "",
            record.service_area_id,
            record.person_id,
            record.location_id,
            record.asset_id,
        )

    def load_assets(self, rows: list[Row]) -> dict[str, Asset]:
        names = [r.values.get("asset") for r in rows if r.values.get("asset")]
        found: dict[str, Asset] = {}
        for asset in fetch_in(Asset.objects.all(), "serial_number", names):
            found[asset.serial_number] = asset
        for asset in fetch_in(Asset.objects.all(), "asset_tag", names):
            found[asset.asset_tag] = asset  # the tag wins over a serial that looks the same
        return found

    def holdings(self, assets, rows) -> dict[int, list[tuple]]:
        """Per asset, the periods the municipality held it (one query)."""
        held: dict[int, list[tuple]] = defaultdict(list)
        months = [r.values["month"] for r in rows if r.values.get("month")]
        if not months:
            return held
        start, end = min(months), max(months)
        end = (end.replace(day=28) + datetime.timedelta(days=4)).replace(day=1)
        queryset = Assignment.objects.filter(
            overlapping(start, end), municipality=self.context.municipality
        ).values_list("asset_id", "valid_from", "valid_to")
        for asset_id, valid_from, valid_to in fetch_in(
            queryset, "asset_id", (a.pk for a in assets)
        ):
            held[asset_id].append((valid_from, valid_to))
        return held

    @staticmethod
    def held_in(held, asset: Asset, month: datetime.date) -> bool:
        month_end = (month.replace(day=28) + datetime.timedelta(days=4)).replace(day=1)
        return any(
            start < month_end and (end is None or end > month)
            for start, end in held.get(asset.pk, [])
        )

    def apply(self) -> None:
        self.write_total = len(self.new_records) + len(self.changed_records)
        self.create(UsageRecord, self.new_records)
        if self.changed_records:
            self.update(
                UsageRecord, self.changed_records, sorted(self.changed_fields), self.befores
            )


__all__ = ["AssetImporter", "UsageImporter"]

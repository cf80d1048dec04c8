"""Checking asset rows: matched on asset tag or serial number, compared with what is
stored, with the products, persons and locations they name found or listed to create
(the package's docstring says how holding follows ``assign_asset``)."""

from __future__ import annotations

import datetime
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from samdrift.catalogue.importers import (
    CatalogueLookups,
    unknown_category,
)
from samdrift.catalogue.models import Product
from samdrift.core.bulk import InstanceFactory
from samdrift.core.importing.importer import SKIP, Importer, empty_value
from samdrift.core.importing.parsing import squash
from samdrift.core.importing.references import fetch_in
from samdrift.core.importing.results import CREATED, UNCHANGED, UPDATED
from samdrift.core.importing.rows import Row
from samdrift.inventory.choices import (
    ASSET_TRANSITIONS,
    OUT_OF_SERVICE,
    AssetStatus,
)
from samdrift.inventory.holders import HOLDER_FIELDS
from samdrift.inventory.importers.asset_columns import ASSET_COLUMNS
from samdrift.inventory.importers.asset_dates import AssetDateChecks
from samdrift.inventory.importers.asset_writing import AssetWriting
from samdrift.inventory.importers.holders import HolderChecks
from samdrift.inventory.importers.prices import PriceChecks
from samdrift.inventory.importers.values import (
    ASSET_FIELDS,
    IN_USE,
    STORED,
    assets_by_upper_tag,
    same,
)
from samdrift.inventory.models import Asset, Assignment
from samdrift.organisations.importers import (
    MunicipalityLookups,
    resolve_location,
    resolve_service_area,
)
from samdrift.organisations.models import Collaboration, Person


class AssetImporter(HolderChecks, PriceChecks, AssetDateChecks, AssetWriting, Importer):
    kind = "assets"
    label = gettext_lazy("Assets")
    model = Asset
    key_description = gettext_lazy("asset tag, or serial number")
    columns = ASSET_COLUMNS

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
        # Rows with a warranty in months but no acquisition date to count it from.
        self.warranty_uncounted: list[int] = []
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
        if self.warranty_uncounted:
            shown, more = _lines_shown(self.warranty_uncounted)
            self.report.warning(
                _(
                    "Rows %(lines)s%(more)s: a warranty in months but no acquisition date "
                    "to count it from, so no warranty end was imported for them. Give the "
                    "purchase date, or the warranty end as a date."
                )
                % {"lines": shown, "more": more}
            )
        if self.stock_with_holder:
            shown, more = _lines_shown(self.stock_with_holder)
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
        found = self.match_stored(row, by_tag, by_serial)
        if found is None:
            return
        existing, key_text = found
        wanted, ok = self.wanted_fields(row, existing)
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
        status = self.planned_status(row, wanted, existing, checkout, area, key_text)
        if status is None:
            return
        wanted["status"] = status
        when = row.values.get("assigned_from") or self.context.on
        if status in IN_USE:
            holder = self.planned_holder(row, existing, checkout, area, when, ok)
            if holder is None:
                return
        else:
            if not ok or row.failed:
                return
            holder = None
            if self.has("location") and row.values.get("location"):
                self.stock_with_holder.append(row.line)
        if holder is not None and row.line in self.unheld_lines:
            self.report_unheld(row, key_text)
            return
        if existing is None:
            wanted["status"] = status
            if holder is not None:
                self.billable(row, wanted["product"], wanted.get("origin"), when)
            self.new_assets.append((wanted, wanted.pop("product"), holder, when))
            self.report.outcome(row.line, key_text, CREATED)
            return
        self.plan_existing(row, existing, wanted, holder, when, key_text)

    def match_stored(
        self, row: Row, by_tag: dict[str, dict], by_serial: dict[str, dict]
    ) -> tuple[dict | None, str] | None:
        """The stored asset the row is (by tag, else serial number; None: a new one) and
        the row's key, or None after reporting why the row cannot be matched."""
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
            return None
        existing = existing or by_serial_asset
        if existing is None and not tag:
            if "asset_tag" not in row.failed:
                report.error(row.line, "asset_tag", _("a new asset needs an asset tag"))
            return None
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
            return None
        return existing, key_text

    def wanted_fields(self, row: Row, existing: dict | None) -> tuple[dict[str, Any], bool]:
        """The asset's fields as the row gives them (product and dates checked), and
        whether they are all usable."""
        failed = row.failed
        wanted: dict[str, Any] = {}
        for name, empty in self.asset_fields:
            value = row.values[name]
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
            self.report.error(row.line, "product", _("a new asset needs a product"))
            ok = False
        if self.has("warranty_months"):
            self.warranty_from_months(row, wanted, existing)
        if not self.check_dates(row, wanted, existing):
            ok = False
        return wanted, ok

    def planned_status(
        self,
        row: Row,
        wanted: dict[str, Any],
        existing: dict | None,
        checkout: tuple,
        area: Any,
        key_text: str,
    ) -> str | None:
        """The asset's status after the import: in use if checked out, else as labelled
        (or as stored, or in stock). None after reporting a checked-out asset whose
        label says out of service."""
        to_person, to_location = checkout
        checked_out = to_person or to_location is not None or area not in (None, SKIP)
        label = wanted.get("status")
        status = label or (existing["status"] if existing is not None else None)
        if checked_out:
            if label in OUT_OF_SERVICE:
                self.report.error(
                    row.line,
                    "status",
                    _(
                        "%(tag)s is checked out, but its status “%(label)s” means it is out "
                        "of service, which no one holds; check it in at the source or map "
                        "the status value"
                    )
                    % {"tag": key_text, "label": AssetStatus(label).label},
                )
                return None
            if status not in IN_USE:
                status = AssetStatus.DEPLOYED
        elif status is None:
            status = AssetStatus.IN_STOCK
        return status

    def planned_holder(
        self,
        row: Row,
        existing: dict | None,
        checkout: tuple,
        area: Any,
        when: datetime.date,
        ok: bool,
    ) -> tuple | None:
        """Who holds an asset in use: (municipality, area, person, location), each the
        row's or else the current holder's. None if the row cannot be written."""
        to_person, to_location = checkout
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
        if person is False or location is False or not ok or row.failed:
            return None
        current = self.current_holder(existing)
        holder = (
            self.context.municipality,
            current[1] if area is SKIP else area,
            current[2] if person is SKIP else person,
            current[3] if location is SKIP else location,
        )
        new_holder = isinstance(person, Person) and not same(person, current[2])
        if new_holder and not self.person_active(row, person, when):
            return None
        return holder

    def report_unheld(self, row: Row, key_text: str) -> None:
        self.report.error(
            row.line,
            "municipality",
            _(
                "the row names %(name)s, which means no municipality holds %(tag)s, but "
                "the row has it checked out or in use; name %(municipality)s instead, "
                "or check it in"
            )
            % {
                "name": row.values.get("municipality"),
                "tag": key_text,
                "municipality": self.context.municipality,
            },
        )

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
        if key == "warranty_end" and not self.has("warranty_end"):
            key = "warranty_months"  # counted from the months the row gives
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


def _lines_shown(lines: list[int]) -> tuple[str, str]:
    """The first 20 row numbers, and " and N more" for the rest."""
    shown = ", ".join(str(line) for line in lines[:20])
    more = _(" and %(count)d more") % {"count": len(lines) - 20} if len(lines) > 20 else ""
    return shown, more

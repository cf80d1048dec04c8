"""Importing measured monthly quantities (pages printed, hours) per service."""

from __future__ import annotations

import datetime
from collections import defaultdict
from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from samdrift.catalogue.models import Service
from samdrift.core.dating import overlapping
from samdrift.core.importing.columns import Column, field_column
from samdrift.core.importing.importer import Importer
from samdrift.core.importing.parsing import Month, Text
from samdrift.core.importing.references import fetch_in
from samdrift.core.importing.results import CREATED, UNCHANGED, UPDATED
from samdrift.core.importing.rows import Row
from samdrift.inventory.models import Asset, Assignment, UsageRecord
from samdrift.organisations.importers import (
    USERNAME_ALIASES,
    MunicipalityLookups,
    resolve_service_area,
    service_area_column,
    service_area_cost_centre_column,
)


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
            record = self.row_record(row, services, lookups, assets, held)
            if record is None:
                continue
            key = self.key(record)
            first = seen.setdefault(key, row.line)
            if first != row.line:
                self.report.error(row.line, "", _("duplicate of row %(first)d") % {"first": first})
                continue
            self.plan_record(row, record, stored.get(key))

    def row_record(self, row: Row, services, lookups, assets, held) -> UsageRecord | None:
        """The row's usage record (unsaved), or None after reporting what is wrong."""
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
        asset_ok, asset = self.row_asset(row, assets, held)
        if not (ok and asset_ok and area_ok):
            return None
        return UsageRecord(
            service=service,
            municipality=self.context.municipality,
            service_area=area,
            person=person,
            location=location,
            asset=asset,
            month=values["month"],
            quantity=values["quantity"],
            reference=values.get("reference") or "",
            note=values.get("note") or "",
        )

    def row_asset(self, row: Row, assets: dict[str, Asset], held) -> tuple[bool, Asset | None]:
        """The asset the row names, if any, and whether it is known and was held by the
        municipality in the row's month."""
        values = row.values
        if not values.get("asset"):
            return True, None
        asset = assets.get(values["asset"])
        if asset is None:
            self.report.error(
                row.line, "asset", _("unknown asset “%(name)s”") % {"name": values["asset"]}
            )
            return False, None
        if values.get("month") and not self.held_in(held, asset, values["month"]):
            self.report.error(
                row.line,
                "asset",
                _("%(asset)s was not held by %(municipality)s in %(month)s")
                % {
                    "asset": asset.asset_tag,
                    "municipality": self.context.municipality,
                    "month": values["month"].strftime("%Y-%m"),
                },
            )
            return False, asset
        return True, asset

    def plan_record(self, row: Row, record: UsageRecord, existing: UsageRecord | None) -> None:
        """Create ``record``, or update the stored one it matches with what changed."""
        key_text = f"{record.service.code} {record.month:%Y-%m} {record.reference}".strip()
        if existing is None:
            self.new_records.append(record)
            self.report.outcome(row.line, key_text, CREATED)
            return
        wanted = {"quantity": record.quantity}
        if self.has("note"):
            wanted["note"] = record.note
        if record.reference:
            # Matched on the reference: what it was measured for may be corrected.
            wanted.update(
                service_area=record.service_area,
                person=record.person,
                location=record.location,
                asset=record.asset,
            )
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

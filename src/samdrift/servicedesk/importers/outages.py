"""Import of outages from a CSV or XLSX list kept by the operator.

Columns: service (name or code), start, end (empty: ongoing), planned (yes/no, ja/nei),
announced, municipalities (empty, "all" or "alle": all; else names or numbers separated
by ";" or ","), description, reference. Times as the incidents' (ISO, dd.mm.yyyy HH:MM,
d/m/yyyy H:MM; Europe/Oslo unless an offset is given).

**Natural key**: the reference when the row has one (the operator's or vendor's case
number: an outage's start may be corrected later, its reference not); else the service
and the start. A row equal to what is stored is unchanged; one that differs is an error
unless updates are allowed (the list is kept by hand, like the other registers: a
difference is more likely a typing error than news). One file, many municipalities:
only operators import it.
"""

from __future__ import annotations

import re
from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from samdrift.catalogue.models import Service
from samdrift.core.bulk import InstanceFactory
from samdrift.core.importing import Column, Importer, Row
from samdrift.core.importing.parsing import Boolean, Text, squash
from samdrift.core.importing.results import CREATED, UNCHANGED, UPDATED, display
from samdrift.organisations.models import Municipality
from samdrift.servicedesk.importers.columns import Missing, optional_datetime
from samdrift.servicedesk.models import Outage

ALL_WORDS = frozenset({"all", "alle", "*"})

OUTAGE_COLUMNS = (
    Column(
        "service",
        gettext_lazy("Service"),
        Text(150),
        aliases=("Tjeneste", "service_code"),
        required=True,
        help_text=gettext_lazy("The catalogue service, by name or code."),
    ),
    Column(
        "started_at",
        gettext_lazy("Start"),
        optional_datetime(),
        aliases=("Started", "From", "Fra"),
        required=True,
    ),
    Column(
        "ended_at",
        gettext_lazy("End"),
        optional_datetime(),
        aliases=("Ended", "To", "Til", "Slutt"),
        help_text=gettext_lazy("Empty: still ongoing."),
    ),
    Column(
        "planned",
        gettext_lazy("Planned"),
        Missing(Boolean()),
        aliases=("Planned maintenance", "Planlagt"),
        help_text=gettext_lazy("yes/no, ja/nei: planned maintenance."),
    ),
    Column(
        "announced_at",
        gettext_lazy("Announced"),
        optional_datetime(),
        aliases=("Varslet",),
        help_text=gettext_lazy("When planned maintenance was announced."),
    ),
    Column(
        "municipalities",
        gettext_lazy("Municipalities"),
        Text(4000),
        aliases=("Kommuner",),
        help_text=gettext_lazy(
            "Empty, “all” or “alle”: every municipality; else names or numbers separated by ; or ,."
        ),
    ),
    Column(
        "description",
        gettext_lazy("Description"),
        Text(300),
        aliases=("Beskrivelse",),
        required=True,
    ),
    Column("reference", gettext_lazy("Reference"), Text(100), aliases=("Referanse", "Ref")),
)

FIELDS = ("service_id", "started_at", "ended_at", "planned", "announced_at", "description")


class OutageImporter(Importer):
    kind = "outages"
    label = gettext_lazy("Outages")
    model = Outage
    per_municipality = False
    key_description = gettext_lazy("reference, else service and start")
    columns = OUTAGE_COLUMNS

    def plan(self, rows: list[Row]) -> None:
        self._load()
        self.new: list[tuple[dict[str, Any], list[int]]] = []
        self.changed: list[tuple[Outage, list[int] | None]] = []
        self.befores: list[dict[str, Any]] = []
        self.changed_fields: set[str] = set()
        seen: dict[Any, int] = {}
        for row in rows:
            if not row.ok:
                continue
            planned = self._row(row)
            if planned is None:
                continue
            wanted, ids, key = planned
            if key in seen:
                self.report.error(
                    row.line, "", _("duplicate of row %(first)d") % {"first": seen[key]}
                )
                continue
            seen[key] = row.line
            self._compare(row, wanted, ids, key)

    def _load(self) -> None:
        self.services: dict[str, Service] = {}
        for s in Service.objects.all():
            self.services.setdefault(s.name.casefold(), s)
            self.services.setdefault(s.code.casefold(), s)
        self.municipalities: dict[str, Municipality] = {}
        for m in Municipality.objects.all():
            for text in (m.name, m.number, f"{m.name} kommune"):
                self.municipalities.setdefault(squash(text), m)
        stored = list(Outage.objects.all())
        links: dict[int, list[int]] = {o.pk: [] for o in stored}
        through = Outage.municipalities.through.objects.values_list("outage_id", "municipality_id")
        for outage_id, municipality_id in through.order_by("municipality_id"):
            links.setdefault(outage_id, []).append(municipality_id)
        self.links = links
        self.by_reference = {o.reference.casefold(): o for o in stored if o.reference}
        self.by_start = {(o.service_id, o.started_at): o for o in stored}

    def _row(self, row: Row):
        values = row.values
        service = self.services.get(values["service"].casefold())
        if service is None:
            self.report.error(
                row.line,
                "service",
                _("no catalogue service has the name or code “%(value)s”")
                % {"value": values["service"]},
            )
            return None
        ids = self._municipalities(row)
        if ids is None:
            return None
        wanted = {
            "service_id": service.pk,
            "started_at": values["started_at"],
            "ended_at": values.get("ended_at"),
            "planned": bool(values.get("planned")),
            "announced_at": values.get("announced_at"),
            "description": values["description"],
        }
        if wanted["ended_at"] is not None and wanted["ended_at"] <= wanted["started_at"]:
            self.report.error(row.line, "ended_at", _("the outage ends before it starts"))
            return None
        if wanted["announced_at"] is not None and not wanted["planned"]:
            self.report.error(
                row.line,
                "announced_at",
                _("only planned maintenance is announced; say yes under planned"),
            )
            return None
        reference = values.get("reference") or ""
        wanted["reference"] = reference
        key = (
            ("ref", reference.casefold())
            if reference
            else ("start", service.pk, wanted["started_at"])
        )
        return wanted, ids, key

    def _municipalities(self, row: Row) -> list[int] | None:
        """The municipalities affected (sorted ids); [] for all; None on error."""
        text = row.values.get("municipalities") or ""
        names = [part.strip() for part in re.split(r"[;,]", text) if part.strip()]
        if not names or (len(names) == 1 and names[0].casefold() in ALL_WORDS):
            return []
        ids = set()
        for name in names:
            found = self.municipalities.get(squash(name))
            if found is None:
                self.report.error(
                    row.line,
                    "municipalities",
                    _("no municipality has the name or number “%(value)s”") % {"value": name},
                )
                return None
            ids.add(found.pk)
        return sorted(ids)

    def _compare(self, row: Row, wanted: dict[str, Any], ids: list[int], key) -> None:
        if key[0] == "ref":
            stored = self.by_reference.get(key[1])
        else:
            stored = self.by_start.get((wanted["service_id"], wanted["started_at"]))
        text = wanted["reference"] or f"{row.values['service']} {display(wanted['started_at'])}"
        if stored is None:
            self.new.append((wanted, ids))
            self.report.outcome(row.line, text, CREATED)
            return
        current = {name: getattr(stored, name) for name in (*FIELDS, "reference")}
        current_ids = [] if stored.all_municipalities else self.links.get(stored.pk, [])
        current["municipalities"] = ", ".join(map(str, current_ids))
        wanted_all = dict(wanted, municipalities=", ".join(map(str, ids)))
        changes = self.differences(row, current, wanted_all, text)
        if not changes:
            self.report.outcome(row.line, text, UNCHANGED)
            return
        if not self.context.update:
            return
        # The municipalities are logged in the outage's row, as the services log them
        # (``RelationsLoggedModel``): as stored before, and as written.
        links = {"municipalities": self.links.get(stored.pk, [])}
        self.befores.append({**stored.changelog_data(), **links})
        stored._relation_ids = {"municipalities": ids} if "municipalities" in changes else links
        for name in changes:
            if name != "municipalities":
                setattr(stored, name, wanted[name])
        stored.all_municipalities = not ids
        self.changed_fields.update(n for n in changes if n != "municipalities")
        self.changed_fields.add("all_municipalities")
        self.changed.append((stored, ids if "municipalities" in changes else None))
        self.report.outcome(row.line, text, UPDATED, changes)

    def apply(self) -> None:
        self.write_total = len(self.new) + len(self.changed)
        factory = InstanceFactory(Outage)
        objects = [
            factory.make(wanted | {"all_municipalities": not ids}) for wanted, ids in self.new
        ]
        for obj, (_wanted, ids) in zip(objects, self.new, strict=True):
            obj._relation_ids = {"municipalities": ids}
        self.create(Outage, objects)
        Link = Outage.municipalities.through
        links = [
            Link(outage_id=obj.pk, municipality_id=m)
            for obj, (_wanted, ids) in zip(objects, self.new, strict=True)
            for m in ids
        ]
        if self.changed:
            outages = [outage for outage, _ids in self.changed]
            fields = sorted(name.removesuffix("_id") for name in self.changed_fields)
            self.update(Outage, outages, fields, self.befores)
            relinked = [(o, ids) for o, ids in self.changed if ids is not None]
            Link.objects.filter(outage_id__in=[o.pk for o, _ids in relinked]).delete()
            links += [Link(outage_id=o.pk, municipality_id=m) for o, ids in relinked for m in ids]
        Link.objects.bulk_create(links, batch_size=5000)

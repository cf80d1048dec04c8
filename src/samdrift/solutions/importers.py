"""Import of the portfolio spreadsheet municipalities keep: one row per municipality and
system, with its use (users, licence cost, contract) and its requirements.

One file covers every member (a ``Municipality`` column names each row's, by name or
number), so the kind is not per municipality; only operators import it. Per row:

- the **solution** is found by name (ignoring case) or created (it then needs vendor,
  function and delivery form); its **function** must exist (the operator's controlled
  list: an unknown one is a row error, never created);
- the municipality's **use** of it in force on the import day is compared with the row;
  none in force: a use is created from ``Valid from`` (default: the import day);
- its **requirement** row is compared, created or updated the same way.

A row equal to what is stored is unchanged, so a re-import changes nothing. A difference
is an error unless updates are allowed; then a use that started before the import day is
ended the day before and continued in a new row (the history stays), and requirements
are updated in place (their own history is the change log).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from samdrift.catalogue.models import Service
from samdrift.core.bulk import InstanceFactory
from samdrift.core.dating import active_on
from samdrift.core.importing.importer import Importer
from samdrift.core.importing.parsing import squash
from samdrift.core.importing.results import CREATED, UNCHANGED, UPDATED, note_unknown
from samdrift.core.importing.rows import Row
from samdrift.organisations.models import Municipality, Person, ServiceArea
from samdrift.solutions.import_columns import (
    REQUIREMENT_FIELDS,
    SOLUTION_FIELDS,
    USAGE_VALUES,
    portfolio_columns,
    split_names,
)
from samdrift.solutions.models import Requirement, Solution, SolutionFunction, SolutionUsage
from samdrift.ui.formatting import format_day


@dataclass
class _Plan:
    new_solutions: list[Solution] = field(default_factory=list)
    changed_solutions: list[Solution] = field(default_factory=list)
    solution_befores: list[dict] = field(default_factory=list)
    # (municipality, solution, field values, service area ids, integrated solutions):
    # made into rows when written, once the new solutions have their ids.
    new_usages: list[tuple] = field(default_factory=list)
    ended_usages: list[SolutionUsage] = field(default_factory=list)
    usage_befores: list[dict] = field(default_factory=list)
    new_requirements: list[tuple] = field(default_factory=list)  # (municipality, solution, values)
    changed_requirements: list[Requirement] = field(default_factory=list)
    requirement_befores: list[dict] = field(default_factory=list)


class PortfolioImporter(Importer):
    kind = "portfolio"
    label = gettext_lazy("Solutions portfolio")
    model = SolutionUsage
    per_municipality = False
    key_description = gettext_lazy("municipality and solution")
    columns = portfolio_columns()

    def plan(self, rows: list[Row]) -> None:
        self.work = _Plan()
        self._load(rows)
        seen: dict[tuple[int, str], int] = {}
        for row in rows:
            if not row.ok:
                continue
            municipality = self._municipality(row)
            name = row.values.get("solution")
            if municipality is None or not name:
                continue
            key = (municipality.pk, name.casefold())
            if key in seen:
                self.report.error(
                    row.line, "solution", _("duplicate of row %(first)d") % {"first": seen[key]}
                )
                continue
            seen[key] = row.line
            solution = self._solution(row, name)
            if solution is None:
                continue
            self._plan_row(row, municipality, solution)

    # --- lookups (a fixed number of queries) --------------------------------------------

    def _load(self, rows: list[Row]) -> None:
        self.municipalities: dict[str, Municipality] = {}
        for m in Municipality.objects.all():
            for text in (m.name, m.number, f"{m.name} kommune", f"{m.number} {m.name}"):
                self.municipalities.setdefault(squash(text), m)
        self.functions = {}
        for f in SolutionFunction.objects.all():
            self.functions.setdefault(f.name.casefold(), f)
            self.functions.setdefault(f.code.casefold(), f)
        self.services = {}
        for s in Service.objects.all():
            self.services.setdefault(s.name.casefold(), s)
            self.services.setdefault(s.code.casefold(), s)
        stored_solutions = list(Solution.objects.all())
        self.solutions = {s.name.casefold(): s for s in stored_solutions}
        self.solutions_by_id = {s.pk: s for s in stored_solutions}
        self.new_solutions: dict[str, Solution] = {}
        self.usages = {
            (u.municipality_id, u.solution_id): u
            for u in SolutionUsage.objects.filter(active_on(self.context.on)).order_by("valid_from")
        }
        self.requirements = {
            (r.municipality_id, r.solution_id): r for r in Requirement.objects.all()
        }
        self.areas = {(a.municipality_id, a.name.casefold()): a for a in ServiceArea.objects.all()}
        usernames = {
            row.values.get("system_owner") for row in rows if row.values.get("system_owner")
        }
        self.persons = (
            {
                (p.municipality_id, p.username.casefold()): p
                for p in Person.objects.filter(username__in=usernames)
            }
            if usernames
            else {}
        )
        self.relations = self._stored_relations()

    def _stored_relations(self) -> dict[int, dict[str, list[int]]]:
        ids = [u.pk for u in self.usages.values()]
        stored = {pk: {"service_areas": [], "integrations": []} for pk in ids}
        if not ids:
            return stored
        areas = SolutionUsage.service_areas.through.objects.values_list(
            "solutionusage_id", "servicearea_id"
        )
        others = SolutionUsage.integrations.through.objects.values_list(
            "solutionusage_id", "solution_id"
        )
        for usage_id, area_id in areas.order_by("servicearea_id"):
            if usage_id in stored:
                stored[usage_id]["service_areas"].append(area_id)
        for usage_id, solution_id in others.order_by("solution_id"):
            if usage_id in stored:
                stored[usage_id]["integrations"].append(solution_id)
        return stored

    def _municipality(self, row: Row) -> Municipality | None:
        text = row.values.get("municipality")
        if not text:
            if "municipality" not in row.failed:
                self.report.error(row.line, "municipality", _("Municipality is required"))
            return None
        found = self.municipalities.get(squash(text))
        number = row.values.get("municipality_number")
        if found is not None and number and number.strip() != found.number:
            self.report.error(
                row.line,
                "municipality_number",
                _("%(name)s has the number %(number)s") % {"name": found, "number": found.number},
            )
            return None
        if found is None:
            note_unknown(
                self.report,
                row.line,
                "municipality",
                text,
                _("no municipality has the name or number “%(value)s”") % {"value": text},
            )
        return found

    def _solution(self, row: Row, name: str) -> Solution | None:
        wanted: dict[str, Any] = {
            k: row.values[k]
            for k in SOLUTION_FIELDS
            if self.has(k) and row.values.get(k) is not None
        }
        function_text = row.values.get("function")
        if function_text:
            function = self.functions.get(function_text.casefold())
            if function is None:

                def message() -> str:
                    known = sorted({f.name for f in self.functions.values()})
                    return _(
                        "unknown function “%(name)s” (known: %(known)s); the operator adds "
                        "functions"
                    ) % {"name": function_text, "known": ", ".join(known) or "–"}

                note_unknown(self.report, row.line, "function", function_text, message)
                return None
            wanted["function"] = function
        service_text = row.values.get("service")
        if service_text:
            service = self.services.get(service_text.casefold())
            if service is None:
                self.report.error(
                    row.line,
                    "service",
                    _("no catalogue service “%(name)s”") % {"name": service_text},
                )
                return None
            wanted["service"] = service
        solution = self.solutions.get(name.casefold()) or self.new_solutions.get(name.casefold())
        if solution is None:
            missing = [k for k in ("vendor", "function", "delivery_form") if k not in wanted]
            for key in missing:
                self.report.error(
                    row.line,
                    key if key in self.report.headers else "",
                    _("a new solution needs %(what)s") % {"what": self.field_label(key)},
                )
            if missing:
                return None
            solution = Solution(name=name, **wanted)
            self.new_solutions[name.casefold()] = solution
            self.work.new_solutions.append(solution)
            self.report.will_create(str(_("solutions")), name)
            return solution
        if solution.pk is None:
            return solution  # made by an earlier row of this file
        changes = self.differences(row, {k: getattr(solution, k) for k in wanted}, wanted, name)
        if changes and self.context.update and solution not in self.work.changed_solutions:
            self.work.solution_befores.append(solution.changelog_data())
            for key in changes:
                setattr(solution, key, wanted[key])
            self.work.changed_solutions.append(solution)
        return solution if (not changes or self.context.update) else None

    # --- one row ------------------------------------------------------------------------

    def _relations(self, row: Row, municipality: Municipality, solution: Solution):
        areas, others = [], []
        for name in split_names(row.values.get("service_areas")):
            area = self.areas.get((municipality.pk, name.casefold()))
            if area is None:
                self.report.error(
                    row.line,
                    "service_areas",
                    _("%(municipality)s has no service area “%(name)s”")
                    % {"municipality": municipality, "name": name},
                )
                return None
            areas.append(area.pk)
        for name in split_names(row.values.get("integrations")):
            other = self.solutions.get(name.casefold()) or self.new_solutions.get(name.casefold())
            if other is None or other is solution:
                self.report.error(
                    row.line,
                    "integrations",
                    _("no other solution called “%(name)s”") % {"name": name},
                )
                return None
            others.append(other)
        return sorted(set(areas)), others

    def _usage_values(self, row: Row, municipality: Municipality) -> dict[str, Any] | None:
        values = {k: row.values.get(k) for k in USAGE_VALUES if self.has(k)}
        if "contract_reference" in values and values["contract_reference"] is None:
            values["contract_reference"] = ""
        owner = row.values.get("system_owner")
        if owner:
            person = self.persons.get((municipality.pk, owner.casefold()))
            if person is None:
                self.report.error(
                    row.line,
                    "system_owner",
                    _("%(municipality)s has no person with the username %(name)s")
                    % {"municipality": municipality, "name": owner},
                )
                return None
            values["system_owner_id"] = person.pk
        elif self.has("system_owner"):
            values["system_owner_id"] = None
        start, end = row.values.get("contract_start"), row.values.get("contract_end")
        if start and end and end <= start:
            self.report.error(
                row.line,
                "contract_end",
                _("the contract must end after it starts (%(date)s)") % {"date": format_day(start)},
            )
            return None
        return values

    def _plan_row(self, row: Row, municipality: Municipality, solution: Solution) -> None:
        usage_values = self._usage_values(row, municipality)
        relations = self._relations(row, municipality, solution)
        requirement_values = {k: row.values.get(k) for k in REQUIREMENT_FIELDS if self.has(k)}
        for key in ("service_hours", "confidentiality", "integrity", "availability_class"):
            if key in requirement_values and requirement_values[key] is None:
                requirement_values[key] = ""
        for key in ("personal_data", "special_categories"):
            if key in requirement_values and requirement_values[key] is None:
                requirement_values[key] = False
        if requirement_values.get("special_categories") and not requirement_values.get(
            "personal_data"
        ):
            self.report.error(
                row.line,
                "special_categories",
                _("special categories are personal data: personal data must be yes too"),
            )
            return
        if usage_values is None or relations is None:
            return
        key_text = f"{municipality} – {solution}"
        pair = (municipality.pk, solution.pk) if solution.pk else None
        usage = self.usages.get(pair) if pair else None
        outcome = self._plan_usage(
            row, municipality, solution, usage, usage_values, relations, key_text
        )
        if outcome is None:
            return
        outcome = self._plan_requirement(
            row, municipality, solution, pair, requirement_values, key_text, outcome
        )
        if outcome is not None:
            self.report.outcome(row.line, key_text, outcome)

    def _plan_usage(self, row, municipality, solution, usage, values, relations, key_text):
        areas, others = relations
        relation_ids = {
            "service_areas": areas,
            "integrations": sorted(o.pk for o in others if o.pk),
        }
        if usage is None:
            start = row.values.get("valid_from") or self.context.on
            self._new_usage(municipality, solution, start, values, areas, others)
            return CREATED
        stored = {k: getattr(usage, k) for k in values}
        wanted = dict(values)
        current = self.relations.get(usage.pk, {})
        if self.has("service_areas"):
            stored["service_areas"], wanted["service_areas"] = (
                current.get("service_areas", []),
                areas,
            )
        if self.has("integrations"):
            stored["integrations"] = current.get("integrations", [])
            wanted["integrations"] = relation_ids["integrations"]
        changes = self.differences(row, stored, wanted, key_text)
        if not changes:
            return UNCHANGED
        if not self.context.update:
            return None
        if usage.valid_from >= self.context.on:
            self.report.error(
                row.line,
                "",
                _("%(key)s started on the import day; change it on its page") % {"key": key_text},
            )
            return None
        # A change over time: this use ends the day before the import day, and a new
        # row carries it on with the file's values (so the history stays).
        self.work.usage_befores.append({**usage.changelog_data(), **current})
        carried = {k: getattr(usage, k) for k in (*USAGE_VALUES, "system_owner_id")}
        if not self.has("service_areas"):
            areas = current.get("service_areas", [])
        if not self.has("integrations"):
            others = [self.solutions_by_id[pk] for pk in current.get("integrations", [])]
        valid_to = usage.valid_to
        usage.valid_to = self.context.on
        usage._relation_ids = usage._loaded_relation_ids = current
        self.work.ended_usages.append(usage)
        self._new_usage(
            municipality,
            solution,
            self.context.on,
            {**carried, **values},
            areas,
            others,
            valid_to=valid_to,
        )
        return UPDATED

    def _new_usage(self, municipality, solution, start, values, areas, others, valid_to=None):
        values = {**values, "valid_from": start, "valid_to": valid_to}
        self.work.new_usages.append((municipality, solution, values, areas, others))

    def _plan_requirement(self, row, municipality, solution, pair, values, key_text, outcome):
        requirement = self.requirements.get(pair) if pair else None
        if requirement is None:
            self.work.new_requirements.append((municipality, solution, values))
            return CREATED if outcome == CREATED else UPDATED
        stored = {k: getattr(requirement, k) for k in values}
        changes = self.differences(row, stored, values, key_text)
        if not changes:
            return outcome
        if not self.context.update:
            return None
        self.work.requirement_befores.append(requirement.changelog_data())
        for key in changes:
            setattr(requirement, key, values[key])
        self.work.changed_requirements.append(requirement)
        return UPDATED

    # --- writing ------------------------------------------------------------------------

    def apply(self) -> None:
        work = self.work
        self.write_total = len(work.new_usages) + len(work.new_requirements)
        usage_factory = InstanceFactory(SolutionUsage)
        self.create(Solution, work.new_solutions)
        if work.changed_solutions:
            fields = sorted({*SOLUTION_FIELDS, "function", "service"})
            self.update(Solution, work.changed_solutions, fields, work.solution_befores)
        if work.ended_usages:
            self.update(SolutionUsage, work.ended_usages, ["valid_to"], work.usage_befores)
        usages = [
            _made(usage_factory, municipality, solution, values)
            for municipality, solution, values, _areas, _others in work.new_usages
        ]
        for usage, (_m, _s, _v, areas, others) in zip(usages, work.new_usages, strict=True):
            usage._relation_ids = {
                "service_areas": areas,
                "integrations": sorted(o.pk for o in others),
            }
        self.create(SolutionUsage, usages)
        area_links, other_links = [], []
        AreaLink = SolutionUsage.service_areas.through
        OtherLink = SolutionUsage.integrations.through
        for usage in usages:
            ids = usage._relation_ids
            area_links += [
                AreaLink(solutionusage_id=usage.pk, servicearea_id=a) for a in ids["service_areas"]
            ]
            other_links += [
                OtherLink(solutionusage_id=usage.pk, solution_id=o) for o in ids["integrations"]
            ]
        AreaLink.objects.bulk_create(area_links, batch_size=5000)
        OtherLink.objects.bulk_create(other_links, batch_size=5000)
        requirement_factory = InstanceFactory(Requirement)
        requirements = [
            _made(requirement_factory, municipality, solution, values)
            for municipality, solution, values in work.new_requirements
        ]
        self.create(Requirement, requirements)
        if work.changed_requirements:
            self.update(
                Requirement, work.changed_requirements, REQUIREMENT_FIELDS, work.requirement_befores
            )


def _made(factory: InstanceFactory, municipality, solution, values: dict[str, Any]):
    """A new row of the factory's model, its municipality and solution cached (the change
    log names the row by them)."""
    obj = factory.make({**values, "municipality_id": municipality.pk, "solution_id": solution.pk})
    obj._state.fields_cache = {"municipality": municipality, "solution": solution}
    return obj

"""Who holds an imported asset: the person, location or service area a row checks it
out to, found or created, and the holder's history checked (never rewritten)."""

from __future__ import annotations

import datetime
from collections import defaultdict
from typing import Any

from django.utils.translation import gettext as _

from samdrift.core.importing.references import fetch_in
from samdrift.core.importing.rows import Row
from samdrift.inventory.importers.values import CheckoutType
from samdrift.inventory.models import Assignment
from samdrift.organisations.importers import find_or_add_location, split_full_name
from samdrift.organisations.models import Location, Municipality, Person


class HolderChecks:
    """The holder side of ``AssetImporter``: checking out, persons and history."""

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
        key = "checkout_location" if self.has("checkout_location") else "checked_out_to"
        return find_or_add_location(self, row, self.lookups, name, key)

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

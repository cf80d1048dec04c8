"""Changes to a selection of assets at once (the asset list's bulk actions): a lifecycle
step, a new service area, a planned replacement date.

Each takes the selection as a queryset (already restricted to what the user may see),
checks it as a whole (the fields named, a count of the assets in the way, nothing
written), then writes set-based: one UPDATE or INSERT per table and the change-log rows
in bulk (``record_bulk_changes``), in one transaction. The number of queries does not
grow with the selection.
"""

from __future__ import annotations

import datetime
from collections import Counter

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from samdrift.core.actor import current_actor
from samdrift.core.bulk import insert_objects
from samdrift.core.changelog import record_bulk_changes
from samdrift.core.choices import ChangeAction
from samdrift.inventory.choices import EVENT_STATUS, AssetEventKind, AssetStatus, events_allowed
from samdrift.inventory.figures import assets_changed
from samdrift.inventory.holders import HOLDER_FIELDS
from samdrift.inventory.models import Asset, AssetEvent, Assignment
from samdrift.inventory.services.assets import assignment_instances
from samdrift.inventory.services.lifecycle import step_errors
from samdrift.organisations.models import ServiceArea
from samdrift.ui.formatting import format_number

# Steps that take the device from whoever holds it (their assignment ends on the day).
_ENDS_HOLDING = frozenset({AssetStatus.IN_STOCK, AssetStatus.RETIRED, AssetStatus.DISPOSED})


def _locked(assets: QuerySet[Asset]) -> list[Asset]:
    """The selected assets, locked for the change (one query)."""
    ids = assets.order_by().values("pk")
    return list(Asset.objects.select_for_update(of=("self",)).filter(pk__in=ids).order_by("pk"))


def _selected(assets: QuerySet[Asset]):
    """The selection's ids as a subquery: one parameter-free statement however many."""
    return assets.order_by().values("pk")


def set_planned_replacement(*, assets: QuerySet[Asset], on: datetime.date | None) -> int:
    """Give every selected asset ``on`` as its planned replacement (None clears it).
    Returns how many assets changed."""
    with transaction.atomic():
        rows = _locked(assets)
        changed = [row for row in rows if row.planned_replacement != on]
        if changed:
            before = [row.changelog_data() for row in changed]
            now = timezone.now()
            selection = Asset.objects.filter(pk__in=_selected(assets))
            if on is None:
                selection = selection.filter(planned_replacement__isnull=False)
            else:
                selection = selection.exclude(planned_replacement=on)
            selection.update(planned_replacement=on, last_updated=now)
            for row in changed:
                row.planned_replacement = on
                row.last_updated = now
            record_bulk_changes(changed, action=ChangeAction.UPDATE, before=before)
            assets_changed(municipality_ids={row.municipality_id for row in changed})
    return len(changed)


def record_events_in_bulk(
    *,
    assets: QuerySet[Asset],
    kind: str,
    on: datetime.date | None,
    reason: str,
    certificate_reference: str = "",
    today: datetime.date | None = None,
) -> int:
    """The lifecycle step ``kind`` for every selected asset on ``on``, with one reason
    (and, for a disposal, the certificate reference covering the batch): as
    ``record_asset_event`` for each, refused as a whole when any asset may not take the
    step. Returns how many assets moved."""
    reason = reason.strip()
    certificate_reference = certificate_reference.strip()
    with transaction.atomic():
        rows = _locked(assets)
        errors = step_errors(
            kind=kind,
            on=on,
            reason=reason,
            certificate_reference=certificate_reference,
            today=today,
        )
        if not rows:
            errors.setdefault("__all__", _("No assets are selected."))
        if "kind" not in errors:
            refused = Counter(row.status for row in rows if kind not in events_allowed(row.status))
            if refused:
                errors["kind"] = _("%(step)s is not possible for %(assets)s.") % {
                    "step": AssetEventKind(kind).label,
                    "assets": ", ".join(
                        ngettext("%(n)s asset %(status)s", "%(n)s assets %(status)s", n)
                        % {"n": format_number(n), "status": str(AssetStatus(status).label).lower()}
                        for status, n in sorted(refused.items())
                    ),
                }
        if "on" not in errors and on is not None:
            early = sum(1 for row in rows if row.acquisition_date and on < row.acquisition_date)
            if early:
                errors["on"] = ngettext(
                    "%(n)s selected asset was acquired after this date.",
                    "%(n)s selected assets were acquired after this date.",
                    early,
                ) % {"n": format_number(early)}
        status = EVENT_STATUS.get(kind)
        ending = []
        if not errors and status in _ENDS_HOLDING:
            ending = list(
                Assignment.objects.select_for_update()
                .filter(asset_id__in=_selected(assets), valid_to__isnull=True)
                .order_by("pk")
            )
            late = sum(1 for a in ending if a.valid_from >= on)
            if late:
                errors["on"] = ngettext(
                    "%(n)s selected asset was assigned on or after this date.",
                    "%(n)s selected assets were assigned on or after this date.",
                    late,
                ) % {"n": format_number(late)}
        if errors:
            raise ValidationError(errors)
        if ending:
            before = [a.changelog_data() for a in ending]
            now = timezone.now()
            Assignment.objects.filter(asset_id__in=_selected(assets), valid_to__isnull=True).update(
                valid_to=on, last_updated=now
            )
            for a in ending:
                a.valid_to = on
                a.last_updated = now
            record_bulk_changes(ending, action=ChangeAction.UPDATE, before=before)
        user = current_actor().resolved_user()
        events = [
            AssetEvent(
                asset_id=row.pk,
                kind=kind,
                on=on,
                reason=reason,
                certificate_reference=certificate_reference,
                created_by=user,
            )
            for row in rows
        ]
        # Before the assets change: each event's change-log row belongs to the
        # municipality that held the device (as ``record_asset_event`` logs it).
        insert_objects(events)
        values = {"status": status}
        held_by = {row.municipality_id for row in rows}
        if status in _ENDS_HOLDING:
            values.update({f"{field}_id": None for field in HOLDER_FIELDS})
        _write_assets(Asset.objects.filter(pk__in=_selected(assets)), rows, values)
        assets_changed(municipality_ids=held_by | {row.municipality_id for row in rows})
    return len(rows)


def _write_assets(selection: QuerySet[Asset], rows: list[Asset], values: dict) -> None:
    """Set ``values`` (the same for all) on ``rows``, which ``selection`` selects: one
    UPDATE, each row logged."""
    before = [row.changelog_data() for row in rows]
    now = timezone.now()
    selection.update(**values, last_updated=now)
    for row in rows:
        for name, value in values.items():
            setattr(row, name, value)
        row.last_updated = now
    record_bulk_changes(rows, action=ChangeAction.UPDATE, before=before)


def reassign_service_area(
    *,
    assets: QuerySet[Asset],
    service_area: ServiceArea,
    on: datetime.date | None,
    today: datetime.date | None = None,
) -> int:
    """Move every selected asset to ``service_area`` from ``on``: each one's assignment
    ends on ``on`` and a new one with the same municipality, person and location and the
    new service area begins. Every selected asset must be held by the service area's
    municipality. Returns how many assets moved (those already there are left alone)."""
    today = today or timezone.localdate()
    with transaction.atomic():
        rows = _locked(assets)
        errors: dict[str, str] = {}
        if not rows:
            errors["__all__"] = _("No assets are selected.")
        if on is None:
            errors["on"] = _("Give the date of the move.")
        elif on > today:
            errors["on"] = _("The date is in the future: record a move when it has happened.")
        elsewhere = sum(1 for row in rows if row.municipality_id != service_area.municipality_id)
        if elsewhere:
            errors["service_area"] = ngettext(
                "%(n)s selected asset is not held by %(municipality)s.",
                "%(n)s selected assets are not held by %(municipality)s.",
                elsewhere,
            ) % {"n": format_number(elsewhere), "municipality": service_area.municipality}
        moving = [row for row in rows if row.service_area_id != service_area.pk]
        moving_assets = Asset.objects.filter(pk__in=_selected(assets)).exclude(
            service_area=service_area
        )
        ending = []
        if not errors and moving:
            ending = list(
                Assignment.objects.select_for_update()
                .filter(asset_id__in=_selected(moving_assets), valid_to__isnull=True)
                .order_by("pk")
            )
            late = sum(1 for a in ending if a.valid_from >= on)
            if late:
                errors["on"] = ngettext(
                    "%(n)s selected asset was assigned on or after this date.",
                    "%(n)s selected assets were assigned on or after this date.",
                    late,
                ) % {"n": format_number(late)}
        if errors:
            raise ValidationError(errors)
        if not moving:
            return 0
        before = [a.changelog_data() for a in ending]
        now = timezone.now()
        Assignment.objects.filter(
            asset_id__in=_selected(moving_assets), valid_to__isnull=True
        ).update(valid_to=on, last_updated=now)
        for a in ending:
            a.valid_to = on
            a.last_updated = now
        record_bulk_changes(ending, action=ChangeAction.UPDATE, before=before)
        holdings = [
            (
                a.asset_id,
                {
                    "municipality_id": a.municipality_id,
                    "service_area_id": service_area.pk,
                    "person_id": a.person_id,
                    "location_id": a.location_id,
                },
                on,
            )
            for a in ending
        ]
        insert_objects(assignment_instances(holdings, note=_("Moved to another service area")))
        _write_assets(moving_assets, moving, {"service_area_id": service_area.pk})
        assets_changed(municipality_ids={service_area.municipality_id})
    return len(moving)

"""What of the change log a user may read: references to another municipality's objects
in a change's before and after values are blanked (docs/permissions.md)."""

from __future__ import annotations

import functools
from collections.abc import Iterable

from django.db import models

from samdrift.core.models import ObjectChange
from samdrift.core.permissions import restrict


@functools.cache
def _tenant_references(model: type[models.Model]) -> tuple[tuple[str, type[models.Model]], ...]:
    """(attname, related model) of each foreign key of ``model`` that points at a
    municipality's data (a municipality, service area, person, location, asset …)."""
    return tuple(
        (field.attname, field.related_model)
        for field in model._meta.concrete_fields
        if field.is_relation
        and field.related_model is not None
        and (
            getattr(field.related_model, "municipality_path", None) is not None
            or getattr(field.related_model, "tenant_private", False)
        )
    )


def redact_for(changes: Iterable[ObjectChange], user) -> list[ObjectChange]:
    """``changes`` as ``user`` may read them: every reference in the before and after
    values to an object the user may not see is blanked (None) and named in
    ``change.redacted_fields``.

    Change rows are already restricted to the user's municipality (and service area), but
    a row can name what came before: the move of an asset from another municipality is
    recorded under its new holder, with the previous holder's municipality, service
    area, person and location in "before". Those are the other municipality's business
    (docs/permissions.md). One query per kind of object referenced, not per change.
    """
    changes = list(changes)
    if user is not None and user.is_authenticated and user.sees_all_municipalities:
        for change in changes:
            change.redacted_fields = []
            change.redacted_sides = frozenset()
        return changes
    wanted: dict[type[models.Model], set] = {}
    plans = []
    for change in changes:
        model = change.content_type.model_class() if change.content_type_id else None
        references = _tenant_references(model) if model is not None else ()
        plans.append(references)
        for attname, related in references:
            for data in (change.prechange_data, change.postchange_data):
                value = (data or {}).get(attname)
                if value is not None:
                    wanted.setdefault(related, set()).add(value)
    visible = _visible_ids(wanted, user)
    for change, references in zip(changes, plans, strict=True):
        sides: set[tuple[str, str]] = set()
        for side in ("prechange_data", "postchange_data"):
            data = getattr(change, side)
            if not data:
                continue
            hidden = [
                attname
                for attname, related in references
                if data.get(attname) is not None and data[attname] not in visible[related]
            ]
            if hidden:
                data = dict(data)
                for attname in hidden:
                    data[attname] = None
                    sides.add((side, attname))
                setattr(change, side, data)
        change.redacted_fields = sorted({attname for _side, attname in sides})
        change.redacted_sides = frozenset(sides)
    return changes


def _visible_ids(wanted: dict[type[models.Model], set], user) -> dict[type[models.Model], set]:
    """Of the ids wanted per model, those ``user`` may see: one query for them all (a
    UNION of the restricted querysets), or more when there are over 900 ids (SQLite's
    old limit of 999 parameters a statement)."""
    visible: dict[type[models.Model], set] = {model: set() for model in wanted}
    labelled = {model._meta.label: model for model in wanted}
    pieces = [
        (model, sorted(ids, key=str)[start : start + 900])
        for model, ids in wanted.items()
        for start in range(0, len(ids), 900)
    ]
    batch: list = []
    size = 0
    for model, chunk in [*pieces, (None, [])]:
        if batch and (model is None or size + len(chunk) > 900):
            querysets = [
                restrict(m._default_manager.filter(pk__in=ids), user)
                .order_by()
                .values_list(models.Value(m._meta.label, output_field=models.CharField()), "pk")
                for m, ids in batch
            ]
            rows = (
                querysets[0].union(*querysets[1:], all=True) if len(querysets) > 1 else querysets[0]
            )
            for label, pk in rows:
                visible[labelled[label]].add(pk)
            batch, size = [], 0
        if model is not None:
            batch.append((model, chunk))
            size += len(chunk)
    return visible

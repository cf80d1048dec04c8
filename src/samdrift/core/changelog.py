"""Write the change log: every create, update and delete of a ChangeLoggedModel.

Single-object saves and deletes are caught by model signals, whatever their channel
(web, API, admin, CLI, shell), and attributed to ``current_actor()``. Bulk writes, which
bypass signals, call ``record_bulk_changes`` themselves, in the same transaction.
"""

from __future__ import annotations

import contextlib
import datetime
import functools
import itertools
import json
import operator
import uuid
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.db import connection, models
from django.db.models.signals import post_delete, post_save, pre_delete, pre_save
from django.dispatch import receiver
from django.utils import timezone

from samdrift.core.actor import Actor, current_actor
from samdrift.core.choices import ChangeAction
from samdrift.core.inserting import Insert, copy_text
from samdrift.core.models import ChangeLoggedModel, ObjectChange, jsonable

_REPR_LENGTH = ObjectChange._meta.get_field("object_repr").max_length


@functools.cache
def _decimal_places(model: type[models.Model]) -> dict[str, int]:
    return {
        field.attname: field.decimal_places
        for field in model._meta.concrete_fields
        if isinstance(field, models.DecimalField)
    }


def _normalised(model: type[models.Model], data: dict[str, Any] | None) -> dict[str, Any] | None:
    """Decimals as the database stores them (1200 kept as "1200.000" in a 3-place field).

    A value set in code (Decimal("1200")) and the same value loaded back ("1200.000")
    must log alike, or saving an unchanged row would record a change.
    """
    if data is None:
        return None
    data = dict(data)
    for attname, places in _decimal_places(model).items():
        value = data.get(attname)
        if value is None:
            continue
        # Not a number: full_clean reports it; log it as given.
        with contextlib.suppress(InvalidOperation, ValueError):
            data[attname] = str(Decimal(value).quantize(Decimal(1).scaleb(-places)))
    return data


def _logged_state(instance: ChangeLoggedModel) -> dict[str, Any]:
    return _normalised(type(instance), instance.changelog_data())


def _object_change(
    instance: ChangeLoggedModel,
    action: str,
    before: dict[str, Any] | None,
    after: dict[str, Any] | None,
    actor: Actor,
    content_type: ContentType,
) -> ObjectChange:
    return ObjectChange(
        user=actor.resolved_user(),
        actor=actor.describe()[:150],
        request_id=actor.request_id,
        action=action,
        content_type=content_type,
        object_id=instance.pk,
        object_repr=str(instance)[:_REPR_LENGTH],
        municipality_id=instance.changelog_municipality_id(),
        service_area_id=instance.changelog_service_area_id(),
        prechange_data=before,
        postchange_data=after,
        message=actor.message[:300],
    )


@receiver(pre_save)
def _remember_before(sender, instance, raw=False, **kwargs):
    if not isinstance(instance, ChangeLoggedModel):
        return
    if instance.pk is None:
        instance._changelog_before = None  # a new row: nothing before
        return
    before = None if instance._state.adding else instance.loaded_changelog_data()
    if before is None:
        # Built by hand with a primary key rather than loaded (an import updating rows
        # by id, a copy): Django updates the stored row, so log what the database held.
        stored = type(instance)._base_manager.filter(pk=instance.pk).first()
        before = stored.changelog_data() if stored is not None else None
    instance._changelog_before = _normalised(type(instance), before)


@receiver(post_save)
def _log_save(sender, instance, created, raw=False, **kwargs):
    if not isinstance(instance, ChangeLoggedModel):
        return
    after = _logged_state(instance)
    before = None if created else getattr(instance, "_changelog_before", None)
    if not created and before is not None and before == after:
        return  # saved without any change: nothing to record
    action = ChangeAction.CREATE if created else ChangeAction.UPDATE
    content_type = ContentType.objects.get_for_model(instance, for_concrete_model=True)
    _object_change(instance, action, before, after, current_actor(), content_type).save()
    # What was just written is now "as loaded", for the next save of this instance.
    instance._loaded_values = {
        f.attname: f.value_from_object(instance) for f in instance._meta.concrete_fields
    }


@receiver(pre_delete)
def _remember_deleted(sender, instance, **kwargs):
    if isinstance(instance, ChangeLoggedModel):
        instance._changelog_before = _logged_state(instance)
        instance._changelog_pk = instance.pk


@receiver(post_delete)
def _log_delete(sender, instance, **kwargs):
    if not isinstance(instance, ChangeLoggedModel):
        return
    pk = getattr(instance, "_changelog_pk", None)
    if pk is None:
        return
    instance.pk = pk  # Django clears it after deleting; the log needs it.
    content_type = ContentType.objects.get_for_model(instance, for_concrete_model=True)
    change = _object_change(
        instance,
        ChangeAction.DELETE,
        instance._changelog_before,
        None,
        current_actor(),
        content_type,
    )
    instance.pk = None
    change.save()


def record_bulk_changes(
    instances: Sequence[ChangeLoggedModel],
    *,
    action: str,
    before: Iterable[dict[str, Any] | None] | None = None,
    batch_size: int = 5000,
) -> int:
    """Log changes written in bulk (bulk_create/bulk_update, ``core.inserting``), which send
    no signals: one ``ObjectChange`` per instance, as the signals above would write it
    (actor, request id, object, municipality and service area, before and after).

    ``before`` gives, per instance, its state before an update (None for creates).
    Returns how many change rows were written. The rows go in with one statement per
    ``batch_size`` instances (COPY on PostgreSQL, a multi-row INSERT on SQLite), or
    through an import's writing thread (``core.inserting.background_writing``).
    """
    if not instances:
        return 0
    model = type(instances[0])
    shape = _shape(model)
    actor = current_actor()
    user = actor.resolved_user()
    common = _CommonColumns(
        now=timezone.now(),
        user_id=user.pk if user is not None else None,
        actor=actor.describe()[:150],
        request_id=actor.request_id,
        action=str(action),
        content_type_id=ContentType.objects.get_for_model(model, for_concrete_model=True).pk,
        message=actor.message[:300],
    )
    befores = list(before) if before is not None else None
    if befores is not None and len(befores) != len(instances):
        raise ValueError("record_bulk_changes: one 'before' per instance.")
    insert = Insert(ObjectChange._meta.db_table, _CHANGE_COLUMNS)
    for start in range(0, len(instances), batch_size):
        batch = instances[start : start + batch_size]
        prior = befores[start : start + batch_size] if befores is not None else None
        insert.add(_change_rows(shape, common, action, batch, prior))
    return len(instances)


# ObjectChange's columns written by record_bulk_changes (its id comes from the database).
_CHANGE_FIELDS = (
    "time",
    "user",
    "actor",
    "request_id",
    "action",
    "content_type",
    "object_id",
    "object_repr",
    "municipality",
    "service_area",
    "prechange_data",
    "postchange_data",
    "message",
)
_CHANGE_COLUMNS = tuple(ObjectChange._meta.get_field(name).column for name in _CHANGE_FIELDS)


def _json_default(value: Any) -> Any:
    converted = jsonable(value)
    if converted is value:
        raise TypeError(f"Object of type {type(value).__name__} is not JSON serializable")
    return converted


# As Django writes a JSONField without an encoder (json.dumps), with dates, decimals and
# UUIDs turned into text as ``jsonable`` does, in C rather than one field at a time.
_to_json = json.JSONEncoder(check_circular=False, default=_json_default).encode


@dataclass(frozen=True)
class _CommonColumns:
    now: datetime.datetime
    user_id: int | None
    actor: str
    request_id: uuid.UUID
    action: str
    content_type_id: int
    message: str


class _Shape:
    """What is logged of a model, and how to read it fast off many instances."""

    def __init__(self, model: type[ChangeLoggedModel]) -> None:
        self.model = model
        logged = [f for f in model._meta.concrete_fields if f.name not in model.changelog_exclude]
        self.names = [f.attname for f in logged]
        self.pick = (
            operator.itemgetter(*self.names)
            if len(self.names) > 1
            else (lambda values, name=self.names[0]: (values[name],))
        )
        # Decimals as the database stores them ("1200.000"), as _normalised does.
        self.decimals = [
            (f.attname, Decimal(1).scaleb(-f.decimal_places))
            for f in logged
            if isinstance(f, models.DecimalField)
        ]
        # Dates and times as text (what ``jsonable`` makes of them) before encoding: done
        # by the encoder's fallback it was a Python call per value, five per asset.
        self.temporal = [
            f.attname
            for f in logged
            if isinstance(f, models.DateField | models.TimeField)  # DateTimeField too
        ]
        # A model that logs itself its own way is asked, one instance at a time.
        self.own_data = _overrides(model, "changelog_data")
        self.own_municipality = _overrides(model, "changelog_municipality_id")
        self.own_service_area = _overrides(model, "changelog_service_area_id")

    def after(
        self, instance: ChangeLoggedModel, texts: dict[Any, str] | None = None
    ) -> dict[str, Any]:
        """``_logged_state(instance)``, without a field-by-field walk through the ORM.
        ``texts`` remembers dates' and times' text across a batch (they repeat)."""
        if self.own_data:
            return _logged_state(instance)
        try:
            data = dict(zip(self.names, self.pick(instance.__dict__), strict=True))
        except KeyError:  # a deferred field: let the model load it
            return _logged_state(instance)
        if texts is not None:
            for name in self.temporal:
                value = data[name]
                if value is None:
                    continue
                # Keyed by type too: a date and a midnight datetime must not share text.
                key = (type(value), value)
                text = texts.get(key)
                if text is None:
                    text = texts[key] = jsonable(value)
                data[name] = text
        for name, quantum in self.decimals:
            value = data[name]
            if value is not None:
                try:
                    data[name] = str(Decimal(value).quantize(quantum))
                except (InvalidOperation, ValueError, TypeError):
                    data[name] = jsonable(value)  # as given; full_clean reports it
        return data

    def tenant_ids(self, instances: Sequence[ChangeLoggedModel], which: str) -> list[int | None]:
        """Per instance, ``changelog_municipality_id()`` (or the service area's)."""
        own = self.own_municipality if which == "municipality" else self.own_service_area
        path = (
            self.model.municipality_path
            if which == "municipality"
            else (self.model.service_area_path)
        )
        if own:
            method = f"changelog_{which}_id"
            return [getattr(instance, method)() for instance in instances]
        if path is None:
            return [None] * len(instances)
        if path == "pk":
            return [instance.pk for instance in instances]
        if "__" not in path:
            attname = f"{path}_id"
            return [getattr(instance, attname, None) for instance in instances]
        return _follow_in_bulk(self.model, path, instances)


def _overrides(model: type[ChangeLoggedModel], name: str) -> bool:
    return getattr(model, name) is not getattr(ChangeLoggedModel, name)


@functools.cache
def _shape(model: type[ChangeLoggedModel]) -> _Shape:
    return _Shape(model)


def _follow_in_bulk(
    model: type[models.Model], path: str, instances: Sequence[ChangeLoggedModel]
) -> list[int | None]:
    """``_follow_tenant_path(path)`` of each instance ("buyout__municipality"), with one
    query for all those whose first related object is not loaded (it was one per row)."""
    first, rest = path.split("__", 1)
    field = model._meta.get_field(first)
    found: list[int | None] = []
    wanted: dict[Any, list[int]] = {}
    for position, instance in enumerate(instances):
        if field.is_cached(instance):
            found.append(instance._follow_tenant_path(path))
            continue
        found.append(None)
        related_id = getattr(instance, field.attname)
        if related_id is not None:
            wanted.setdefault(related_id, []).append(position)
    if wanted:
        keys = list(wanted)
        step = 900  # under SQLite's 999 parameters a statement
        manager = field.related_model._base_manager
        for start in range(0, len(keys), step):
            rows = manager.filter(pk__in=keys[start : start + step]).values_list("pk", rest)
            for related_id, tenant_id in rows:
                for position in wanted[related_id]:
                    found[position] = tenant_id
    return found


def _json_copy_text(text: str | None) -> str:
    return "\\N" if text is None else text.replace("\\", "\\\\")


def _change_rows(
    shape: _Shape,
    common: _CommonColumns,
    action: str,
    instances: Sequence[ChangeLoggedModel],
    befores: Sequence[dict[str, Any] | None] | None,
) -> str | list:
    """The ObjectChange rows of ``instances``, ready for ``core.inserting.Insert``."""
    model = shape.model
    municipalities = shape.tenant_ids(instances, "municipality")
    areas = shape.tenant_ids(instances, "service_area")
    deleting = action == ChangeAction.DELETE
    if befores is None:
        before_texts: Iterable[str | None] = itertools.repeat(None)
    else:
        before_texts = [
            None if prior is None else _to_json(_normalised(model, prior)) for prior in befores
        ]
    texts: dict[Any, str] = {}
    afters = (
        itertools.repeat(None) if deleting else (_to_json(shape.after(i, texts)) for i in instances)
    )
    objects = zip(instances, municipalities, areas, before_texts, afters, strict=False)
    if connection.vendor == "postgresql":
        return _copy_text_rows(common, objects)
    return _insert_rows(common, objects)


def _copy_text_rows(common: _CommonColumns, objects: Iterable[tuple]) -> str:
    """The rows as PostgreSQL COPY text; the columns every row shares are escaped once.
    JSON from the encoder is ASCII with no raw tab or line break: only its backslashes
    need doubling."""
    lead = "\t".join(
        copy_text(v)
        for v in (
            common.now,
            common.user_id,
            common.actor,
            common.request_id,
            common.action,
            common.content_type_id,
        )
    )
    tail = "\t" + copy_text(common.message) + "\n"
    lines = []
    for instance, municipality, area, before, after in objects:
        lines.append(
            f"{lead}\t{instance.pk}\t{copy_text(str(instance)[:_REPR_LENGTH])}"
            f"\t{copy_text(municipality)}\t{copy_text(area)}"
            f"\t{_json_copy_text(before)}\t{_json_copy_text(after)}{tail}"
        )
    return "".join(lines)


def _insert_rows(common: _CommonColumns, objects: Iterable[tuple]) -> list[tuple]:
    """The rows as parameters of a multi-row INSERT, adapted for the database once."""
    ops = connection.ops
    time = ops.adapt_datetimefield_value(common.now)
    request_id = ObjectChange._meta.get_field("request_id").get_db_prep_save(
        common.request_id, connection
    )
    return [
        (
            time,
            common.user_id,
            common.actor,
            request_id,
            common.action,
            common.content_type_id,
            instance.pk,
            str(instance)[:_REPR_LENGTH],
            municipality,
            area,
            before,
            after,
            common.message,
        )
        for instance, municipality, area, before, after in objects
    ]


def record_summary(
    *,
    model: type[models.Model],
    action: str,
    message: str,
    object_id: int = 0,
    municipality_id: int | None = None,
) -> ObjectChange:
    """Log one row that stands for a whole batch (an import, the demo generator)."""
    actor = current_actor()
    return ObjectChange.objects.create(
        user=actor.resolved_user(),
        actor=actor.describe()[:150],
        request_id=actor.request_id,
        action=action,
        content_type=ContentType.objects.get_for_model(model),
        object_id=object_id,
        object_repr=message[:_REPR_LENGTH],
        municipality_id=municipality_id,
        message=message[:300],
    )


def changes_for(instance: models.Model):
    """The change history of one object, newest first."""
    content_type = ContentType.objects.get_for_model(instance, for_concrete_model=True)
    return ObjectChange.objects.filter(content_type=content_type, object_id=instance.pk)

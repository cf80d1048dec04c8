"""Write the change log: every create, update and delete of a ChangeLoggedModel.

Single-object saves and deletes are caught by model signals, whatever their channel
(web, API, admin, CLI, shell), and attributed to ``current_actor()``. Bulk writes, which
bypass signals, call ``record_bulk_changes`` themselves, in the same transaction.
"""

from __future__ import annotations

import contextlib
import functools
from collections.abc import Iterable, Sequence
from decimal import Decimal, InvalidOperation
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.db.models.signals import post_delete, post_save, pre_delete, pre_save
from django.dispatch import receiver

from samdrift.core.actor import Actor, current_actor
from samdrift.core.choices import ChangeAction
from samdrift.core.models import ChangeLoggedModel, ObjectChange

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
    batch_size: int = 2000,
) -> int:
    """Log changes written with bulk_create/bulk_update (which send no signals).

    ``before`` gives, per instance, its state before an update (None for creates).
    Returns how many change rows were written.
    """
    if not instances:
        return 0
    actor = current_actor()
    content_type = ContentType.objects.get_for_model(type(instances[0]), for_concrete_model=True)
    model = type(instances[0])
    befores = (
        [_normalised(model, prior) for prior in before]
        if before is not None
        else [None] * len(instances)
    )
    rows = [
        _object_change(
            instance,
            action,
            prior,
            _logged_state(instance) if action != ChangeAction.DELETE else None,
            actor,
            content_type,
        )
        for instance, prior in zip(instances, befores, strict=True)
    ]
    ObjectChange.objects.bulk_create(rows, batch_size=batch_size)
    return len(rows)


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

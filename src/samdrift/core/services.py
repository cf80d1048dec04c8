"""Generic write operations shared by every domain app."""

from __future__ import annotations

from typing import Any, TypeVar

from django.db import models, transaction

M = TypeVar("M", bound=models.Model)


def save_object(*, instance: M, changes: dict[str, Any] | None = None) -> M:
    """Apply ``changes``, validate the whole object (fields, constraints, ``clean``) and save.

    Raises django.core.exceptions.ValidationError naming each bad field; nothing is
    written then. The change log entry is written in the same transaction.
    """
    for name, value in (changes or {}).items():
        setattr(instance, name, value)
    instance.full_clean()
    with transaction.atomic():
        instance.save()
    return instance


def save_user(*, user, changes: dict[str, Any] | None = None, password: str | None = None):
    """Create or edit a login: its names, role, municipality and service area
    (``changes`` applied first; ``User.clean`` checks the role's binding) and, when given,
    a new password. Validated whole before anything is written."""
    for name, value in (changes or {}).items():
        setattr(user, name, value)
    if password:
        user.set_password(password)
    user.full_clean()
    with transaction.atomic():
        user.save()
    return user

"""The one permission path: every view, endpoint and export starts from ``restrict``.

A municipality user sees only rows whose ``municipality_path`` leads to their
municipality (and a service-area manager only those whose ``service_area_path`` leads to
their service area). Shared data without a municipality (the catalogue) is readable by
every signed-in user. Writing is allowed by role, per model (``write_roles``).

A model whose rows concern some or all municipalities at once (an outage) defines
``visible_to_municipality(queryset, municipality_id)`` instead of a path.

A model whose service-area rule is not one lookup (a many-to-many "these areas, or the
whole municipality when none") defines instead a classmethod
``restrict_to_service_area(queryset, service_area_id) -> queryset``: for a service-area
manager ``restrict`` first keeps the municipality's rows, then hands them to it (and
ignores ``service_area_path``). It must return each row at most once (filter with
``Exists``/``pk__in`` rather than joining the relation), and without the user: it is
the rule of the data, the role is ``restrict``'s. ``SolutionUsage`` and ``Requirement``
(solutions) use it.
"""

from __future__ import annotations

from typing import TypeVar

from django.db import models

from samdrift.core.choices import Role

M = TypeVar("M", bound=models.Model)


def restrict(queryset: models.QuerySet[M], user) -> models.QuerySet[M]:
    """The rows of ``queryset`` that ``user`` may read."""
    if user is None or not user.is_authenticated or not user.is_active:
        return queryset.none()
    if user.sees_all_municipalities:
        return queryset
    model = queryset.model
    if user.municipality_id is not None and hasattr(model, "visible_to_municipality"):
        # A row shared by some or all municipalities (an outage): the model says which.
        return model.visible_to_municipality(queryset, user.municipality_id)
    municipality_path = getattr(model, "municipality_path", None)
    if municipality_path is None:
        if getattr(model, "tenant_private", False):
            return queryset.none()
        return queryset  # shared data: the catalogue, price lists
    if user.municipality_id is None:
        return queryset.none()
    queryset = queryset.filter(**{municipality_path: user.municipality_id})
    if user.role == Role.SERVICE_AREA:
        narrow = getattr(model, "restrict_to_service_area", None)
        if narrow is not None:
            return narrow(queryset, user.service_area_id)
        service_area_path = getattr(model, "service_area_path", None)
        if service_area_path is not None:
            queryset = queryset.filter(**{service_area_path: user.service_area_id})
    return queryset


def scope_key(user) -> tuple:
    """What ``restrict`` lets ``user`` read, as a key: users with equal keys read the
    same rows of every model (for remembering a result per scope, not per user)."""
    if user is None or not user.is_authenticated or not user.is_active:
        return ("nothing",)
    if user.sees_all_municipalities:
        return ("all",)
    if user.role == Role.SERVICE_AREA:
        return ("service area", user.municipality_id, user.service_area_id)
    return ("municipality", user.municipality_id)


def limited_to_service_area(user) -> bool:
    """Does ``restrict`` narrow ``user`` to one service area (a service-area manager)?

    Such a user sees only part of a municipality's whole documents (an invoice), so the
    pages and files built from those must show the part, not the whole.
    """
    if user is None or not user.is_authenticated or user.sees_all_municipalities:
        return False
    return user.role == Role.SERVICE_AREA


def can_write(user, model: type[models.Model]) -> bool:
    """May ``user`` create or change rows of ``model`` (within what ``restrict`` lets them see)?"""
    if user is None or not user.is_authenticated or not user.is_active:
        return False
    if user.is_operator:
        return True
    return user.role in getattr(model, "write_roles", frozenset())


def can_see_municipality(user, municipality_id: int | None) -> bool:
    if user is None or not user.is_authenticated:
        return False
    if user.sees_all_municipalities:
        return True
    return municipality_id is not None and municipality_id == user.municipality_id

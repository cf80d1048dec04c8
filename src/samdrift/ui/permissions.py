"""The permission helpers of every page: rows come from ``restrict``; writes need a role.

- ``get_restricted_or_404(queryset, user, pk=…)``: an object the user may not see is a 404,
  exactly like one that does not exist (a crafted URL reveals nothing).
- ``require_write(user, Model)``: raises PermissionDenied (403) unless the role may write.
- ``WriteRequiredMixin``: the same for a class-based view with ``model``.
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.shortcuts import get_object_or_404

from samdrift.core.permissions import can_write, restrict


def get_restricted_or_404(queryset: QuerySet, user, **lookup: Any):
    return get_object_or_404(restrict(queryset, user), **lookup)


def require_write(user, model: type) -> None:
    if not can_write(user, model):
        raise PermissionDenied


class WriteRequiredMixin(LoginRequiredMixin):
    """A write page: signed in, and a role that may write ``write_model`` (or ``model``)."""

    write_model: type | None = None

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated:
            require_write(request.user, self.write_model or self.model)
        return super().dispatch(request, *args, **kwargs)

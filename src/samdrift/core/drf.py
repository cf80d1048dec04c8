"""DRF plumbing named in settings.REST_FRAMEWORK: permission, parser, pagination, error
handler.

Kept apart from ``core.api`` because DRF imports these while its own views module is
still loading; this module must not import rest_framework.views at import time.
"""

from __future__ import annotations

import logging

from django.core.exceptions import NON_FIELD_ERRORS
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import IntegrityError
from django.db.models import ProtectedError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from rest_framework.exceptions import ParseError, ValidationError
from rest_framework.filters import OrderingFilter
from rest_framework.pagination import PageNumberPagination
from rest_framework.parsers import JSONParser
from rest_framework.permissions import SAFE_METHODS, BasePermission
from rest_framework.response import Response
from rest_framework.utils.urls import replace_query_param

from samdrift.core.permissions import can_write

logger = logging.getLogger("samdrift.api")


class RolePermission(BasePermission):
    """Reading needs a login; writing needs a role allowed to write the view's model."""

    # Lazy: a class attribute is made once, at import, but read in each user's language.
    message = gettext_lazy("Your role may not change this.")

    def has_permission(self, request, view) -> bool:
        user = request.user
        if user is None or not user.is_authenticated:
            return False
        if request.method in SAFE_METHODS:
            return True
        write_roles = getattr(view, "write_roles", None)
        if write_roles is not None:
            return user.is_operator or user.role in write_roles
        model = getattr(getattr(view, "queryset", None), "model", None)
        return model is not None and can_write(user, model)


# No request body of this API nests deeper than a handful of levels (an import's
# mapping, a credit's amounts); 32 leaves room while keeping every later walk over the
# data (validation, the change log) far from Python's recursion limit.
MAX_JSON_DEPTH = 32


def json_depth_exceeds(data, limit: int) -> bool:
    """Whether lists and objects in ``data`` nest deeper than ``limit`` (iteratively, so
    the check itself cannot overflow the stack)."""
    stack = [(data, 1)]
    while stack:
        value, depth = stack.pop()
        if isinstance(value, dict):
            value = list(value.values())
        elif not isinstance(value, list):
            continue
        if depth > limit:
            return True
        stack.extend((item, depth + 1) for item in value)
    return False


class LimitedJSONParser(JSONParser):
    """DRF's JSON parser with a nesting limit: a body nested ~1,000 levels deep made the
    decoder (or the code after it) raise RecursionError, a 500; now it is a 400."""

    def parse(self, stream, media_type=None, parser_context=None):
        try:
            data = super().parse(stream, media_type, parser_context)
        except RecursionError:
            data = None
            deep = True
        else:
            deep = json_depth_exceeds(data, MAX_JSON_DEPTH)
        if deep:
            raise ParseError(
                _("JSON parse error - the body nests deeper than %(limit)d levels.")
                % {"limit": MAX_JSON_DEPTH}
            )
        return data


class StandardPagination(PageNumberPagination):
    """Numbered pages (``?page=N``): for lists that are not querysets, and for clients
    that ask for a page by number (``KeysetPagination`` hands those here)."""

    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = 1000

    # Every list answers the same shape, ``count_is_estimate`` included (always false
    # here: a numbered page counts exactly), so that one schema component fits the
    # list and the actions that page by number alike.
    def get_paginated_response(self, data):
        response = super().get_paginated_response(data)
        response.data = {
            "count": response.data["count"],
            "count_is_estimate": False,
            **{k: v for k, v in response.data.items() if k != "count"},
        }
        return response

    def get_paginated_response_schema(self, schema):
        described = super().get_paginated_response_schema(schema)
        properties = described["properties"]
        properties["count_is_estimate"] = {
            "type": "boolean",
            "description": "Whether `count` is the database's estimate (large lists on "
            "PostgreSQL) rather than an exact count.",
        }
        described["required"] = ["count", "count_is_estimate", "results"]
        described["properties"] = {
            "count": properties["count"],
            "count_is_estimate": properties["count_is_estimate"],
            **{k: v for k, v in properties.items() if k not in ("count", "count_is_estimate")},
        }
        return described


class KeysetPagination(StandardPagination):
    """Every list's default: ``next``/``previous`` are keyset cursors (``?cursor=``), so
    page 20,000 costs what page 1 does (``core.keyset``). ``?page=N`` still gives numbered
    pages, as before, for clients that use them (deep numbered pages stay slow).

    ``count`` is exact up to ``core.keyset.EXACT_COUNT_LIMIT`` rows; beyond, PostgreSQL
    gives the planner's estimate and says so in ``count_is_estimate``. A cursor that is
    not one of this list's (garbage, or made for another ``ordering``) is a 400.
    """

    cursor_query_param = "cursor"
    cursor_query_description = gettext_lazy(
        "Where the page starts: the `next` or `previous` link of the page before. "
        "Leave out for the first page."
    )

    def paginate_queryset(self, queryset, request, view=None):
        from django.db.models import QuerySet

        from samdrift.core.keyset import CursorError, count_rows, keyset_for, keyset_page

        self.keyset = None
        keyset = keyset_for(queryset) if isinstance(queryset, QuerySet) else None
        if keyset is None or self.page_query_param in request.query_params:
            return super().paginate_queryset(queryset, request, view)
        self.request = request
        self.keyset = keyset
        self.count, self.count_is_estimate = count_rows(queryset)
        try:
            page = keyset_page(
                keyset,
                self.get_page_size(request),
                request.query_params.get(self.cursor_query_param) or None,
            )
        except CursorError as error:
            raise ValidationError({self.cursor_query_param: [str(error)]}) from None
        self.page = page
        return page.rows

    def _link(self, cursor):
        if cursor is None:
            return None
        url = self.request.build_absolute_uri()
        return replace_query_param(url, self.cursor_query_param, cursor)

    def get_paginated_response(self, data):
        if getattr(self, "keyset", None) is None:
            return super().get_paginated_response(data)
        return Response(
            {
                "count": self.count,
                "count_is_estimate": self.count_is_estimate,
                "next": self._link(self.page.next_cursor),
                "previous": self._link(self.page.previous_cursor),
                "results": data,
            }
        )

    def get_schema_operation_parameters(self, view):
        return [
            *super().get_schema_operation_parameters(view),
            {
                "name": self.cursor_query_param,
                "required": False,
                "in": "query",
                "description": str(self.cursor_query_description),
                "schema": {"type": "string"},
            },
        ]


class StableOrderingFilter(OrderingFilter):
    """``?ordering=`` that always ends on the primary key.

    Page-number pagination over an ordering with ties (many assets with the same status,
    subscriptions of one service) may show a row on two pages and skip another; a final
    ``pk`` makes every page well defined, whatever the database.
    """

    def filter_queryset(self, request, queryset, view):
        ordering = self.get_ordering(request, queryset, view)
        if not ordering:
            ordering = queryset.query.order_by or queryset.model._meta.ordering
        ordering = list(ordering)
        if not any(str(term).lstrip("-") in {"pk", "id"} for term in ordering):
            ordering.append("pk")
        return queryset.order_by(*ordering)


def _unique_field(error: DjangoValidationError) -> str | None:
    """The field to report a multi-field uniqueness error on: the last of its fields
    (for municipality + name, the name is what has to change)."""
    params = getattr(error, "params", None) or {}
    if getattr(error, "code", None) == "unique_together" and params.get("unique_check"):
        return params["unique_check"][-1]
    return None


def validation_detail(error: DjangoValidationError) -> dict | list:
    """A Django ValidationError as DRF's field -> messages mapping."""
    if not hasattr(error, "error_dict"):
        return {"non_field_errors": error.messages}
    detail: dict[str, list[str]] = {}
    for field, errors in error.error_dict.items():
        for item in errors:
            key = field
            if field == NON_FIELD_ERRORS:
                key = _unique_field(item) or "non_field_errors"
            detail.setdefault(key, []).extend(item.messages)
    return detail


def exception_handler(exc, context):
    """DRF's handler, plus domain errors turned into 400s a person can act on."""
    if isinstance(exc, DjangoValidationError):
        exc = ValidationError(detail=validation_detail(exc))
    elif isinstance(exc, ProtectedError):
        exc = ValidationError(
            {
                "non_field_errors": [
                    _("Still in use by %(count)d other objects; cannot delete.")
                    % {"count": len(exc.protected_objects)}
                ]
            }
        )
    elif isinstance(exc, IntegrityError):
        logger.warning("Integrity error answered with 400: %s", exc)
        exc = ValidationError(
            {
                "non_field_errors": [
                    _(
                        "This conflicts with data already stored "
                        "(a duplicate or a row still in use)."
                    )
                ]
            }
        )
    from rest_framework.views import exception_handler as drf_exception_handler

    return drf_exception_handler(exc, context)

"""The computed figures of the gains app, read-only: planned vs realised of what the
login may see, and common versus separate (whole-municipality money)."""

from __future__ import annotations

import datetime

from django.core.exceptions import ValidationError as DjangoValidationError
from django.utils import timezone
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import viewsets
from rest_framework.exceptions import NotFound, PermissionDenied, ValidationError
from rest_framework.response import Response

from samdrift.core.permissions import limited_to_service_area, restrict
from samdrift.core.validators import parse_id, validate_supported_date
from samdrift.gains.comparison import compare
from samdrift.gains.models import FIRST_YEAR, LAST_YEAR
from samdrift.gains.selectors import visible_realisation
from samdrift.gains.serializers import ComparisonSerializer, RealisationSerializer
from samdrift.organisations.models import Municipality


def _year(value: str, name: str) -> int:
    if not value.isdigit() or not FIRST_YEAR <= int(value) <= LAST_YEAR:
        raise ValidationError(
            {
                name: [
                    _("Give a year from %(first)d to %(last)d.")
                    % {"first": FIRST_YEAR, "last": LAST_YEAR}
                ]
            }
        )
    return int(value)


def _date(value: str, name: str) -> datetime.date:
    try:
        day = datetime.date.fromisoformat(value)
        validate_supported_date(day)
    except (ValueError, DjangoValidationError):
        raise ValidationError({name: [_("Give a date as YYYY-MM-DD.")]}) from None
    return day


def _period(params) -> tuple[datetime.date, datetime.date]:
    """``?start=&end=`` (end exclusive), or ``?year=`` (this year by default)."""
    start, end = params.get("start"), params.get("end")
    if start or end:
        first = _date(start, "start") if start else None
        last = _date(end, "end") if end else None
        if first is None or last is None:
            raise ValidationError({"end" if start else "start": [_("Give both start and end.")]})
        if last <= first:
            raise ValidationError({"end": [_("The end is not after the start.")]})
        return first, last
    year = params.get("year")
    year = _year(year, "year") if year else timezone.localdate().year
    return datetime.date(year, 1, 1), datetime.date(year + 1, 1, 1)


def _keyed(totals: dict) -> list[dict]:
    return [
        {
            "key": key,
            "planned": t.planned,
            "realised": t.realised,
            "difference": t.difference,
            "realised_percent": t.realised_percent,
        }
        for key, t in sorted(totals.items())
    ]


class RealisationViewSet(viewsets.ViewSet):
    """Planned vs realised of the gains you may see: cells per action, gain,
    municipality and year, and the totals per action, municipality and year (sums of
    the same cells, so they reconcile)."""

    serializer_class = RealisationSerializer

    @extend_schema(
        parameters=[
            OpenApiParameter("year", int),
            OpenApiParameter("start", OpenApiTypes.DATE),
            OpenApiParameter("end", OpenApiTypes.DATE, description="Exclusive."),
        ],
        responses=RealisationSerializer,
    )
    def list(self, request):
        start, end = _period(request.query_params)
        figures = visible_realisation(request.user, start=start, end=end)
        data = {
            "start": start,
            "end": end,
            "cells": figures.cells,
            "by_action": _keyed(figures.by_action()),
            "by_municipality": _keyed(figures.by_municipality()),
            "by_year": _keyed(figures.by_year()),
            "total": figures.total,
        }
        return Response(RealisationSerializer(data).data)


class ComparisonViewSet(viewsets.ViewSet):
    """Common versus separate per member and year: what it would cost alone (its
    baseline carried forward by the cost index, plus the investments its devices would
    need) against what it was invoiced net of credits. Those who see every member get all
    (``?municipality=`` for one) and the collaboration's totals; a municipality's users
    their own; a service-area manager none (403: whole-municipality money)."""

    serializer_class = ComparisonSerializer

    @extend_schema(
        parameters=[OpenApiParameter("municipality", int)], responses=ComparisonSerializer
    )
    def list(self, request):
        user = request.user
        if limited_to_service_area(user):
            raise PermissionDenied(_("Common versus separate is the whole municipality's."))
        members = restrict(Municipality.objects.all(), user)
        value = request.query_params.get("municipality")
        if value:
            pk = parse_id(value)
            if pk is None or not members.filter(pk=pk).exists():
                raise NotFound(_("No municipality with that id."))
            members = members.filter(pk=pk)
        result = compare(municipalities=members, as_of=timezone.localdate())
        data = {
            "as_of": result.as_of,
            "members": result.members,
            "totals": result.totals if user.sees_all_municipalities and not value else [],
        }
        return Response(ComparisonSerializer(data).data)

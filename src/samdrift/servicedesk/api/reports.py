"""REST endpoints of the SLA reports and service credits.

- ``GET /api/sla-reports/`` and ``/{id}/``: the approved (frozen) reports the user may
  see; a single one also carries its differences against a fresh computation.
- ``GET /api/sla-reports/live/?month=yyyy-mm[&municipality=id]``: the report computed now
  for every municipality the user may see (default: last month); a municipality the user
  may not see is a 404.
- ``POST /api/sla-reports/approve/`` ``{"municipality": id, "month": "yyyy-mm"}``:
  operators; freezes the month and gives its credits (``services.reports.approve_month``).
- ``GET /api/service-credits/``: read-only.
"""

from __future__ import annotations

import datetime

from django.core.exceptions import ValidationError as DjangoValidationError
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers
from rest_framework.decorators import action
from rest_framework.exceptions import NotFound, ValidationError
from rest_framework.response import Response

from samdrift.core.api import ReadOnlySamdriftViewSet, SamdriftModelSerializer
from samdrift.core.permissions import restrict
from samdrift.organisations.models import Municipality
from samdrift.servicedesk import sla, sla_figures, sla_months
from samdrift.servicedesk.models import ServiceCredit, SlaReport
from samdrift.servicedesk.services.reports import approve_month, differences

TIMESTAMPS = ["created", "last_updated"]


def _month(text, field: str = "month") -> datetime.date:
    try:
        return sla_months.month_of(text)
    except ValueError:
        raise ValidationError({field: [_("Give the month as yyyy-mm.")]}) from None


class SlaReportSerializer(SamdriftModelSerializer):
    class Meta:
        model = SlaReport
        fields = [
            "id",
            "municipality",
            "month",
            "status",
            "figures",
            "approved_at",
            "approved_by",
            *TIMESTAMPS,
        ]
        read_only_fields = fields


class DifferenceSerializer(serializers.Serializer):
    label = serializers.CharField()
    frozen = serializers.CharField()
    live = serializers.CharField()


class LiveReportsSerializer(serializers.Serializer):
    """The live computation: the month asked for, and each visible member's figures (the
    same shape as an approved copy's ``figures``)."""

    month = serializers.CharField(help_text="yyyy-mm")
    results = serializers.ListField(child=serializers.DictField())


class ApproveSerializer(serializers.Serializer):
    municipality = serializers.IntegerField()
    month = serializers.CharField(help_text="yyyy-mm")


class ServiceCreditSerializer(SamdriftModelSerializer):
    class Meta:
        model = ServiceCredit
        fields = [
            "id",
            "report",
            "municipality",
            "service",
            "month",
            "availability",
            "target",
            "percent",
            "billed_in",
            *TIMESTAMPS,
        ]
        read_only_fields = fields


class SlaReportViewSet(ReadOnlySamdriftViewSet):
    queryset = SlaReport.objects.all()
    serializer_class = SlaReportSerializer
    filterset_fields = ["municipality", "month"]
    ordering_fields = ["month"]
    write_roles = frozenset()  # operators only

    def retrieve(self, request, *args, **kwargs):
        report = self.get_object()
        data = dict(self.get_serializer(report).data)
        data["differences"] = [
            {"label": d.label, "frozen": d.frozen, "live": d.live} for d in differences(report)
        ]
        return Response(data)

    @extend_schema(
        parameters=[OpenApiParameter("month", str), OpenApiParameter("municipality", int)],
        filters=False,
        responses={200: LiveReportsSerializer},
    )
    @action(detail=False, methods=["get"], filter_backends=[], pagination_class=None)
    def live(self, request):
        """The reports computed now (``figures`` like an approved copy's)."""
        month = (
            _month(request.query_params["month"])
            if request.query_params.get("month")
            else sla_months.last_month()
        )
        visible = restrict(Municipality.objects.all(), request.user)
        wanted = request.query_params.get("municipality")
        if wanted:
            try:
                visible = visible.filter(pk=int(wanted))
            except ValueError:
                raise ValidationError({"municipality": [_("Give a municipality id.")]}) from None
            if not visible.exists():
                raise NotFound(_("No municipality with that id."))
        ids = list(visible.values_list("pk", flat=True))
        reports = sla.compute_month(month=month, municipality_ids=ids)
        return Response(
            {
                "month": month.strftime("%Y-%m"),
                "results": [sla_figures.figures_of(reports[mid]) for mid in sorted(reports)],
            }
        )

    @extend_schema(request=ApproveSerializer, responses={200: SlaReportSerializer})
    @action(detail=False, methods=["post"], filter_backends=[], pagination_class=None)
    def approve(self, request):
        """Approve a finished month of a municipality (operators)."""
        body = ApproveSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        municipality = (
            restrict(Municipality.objects.all(), request.user)
            .filter(pk=body.validated_data["municipality"])
            .first()
        )
        if municipality is None:
            raise NotFound(_("No municipality with that id."))
        month = _month(body.validated_data["month"])
        try:
            report = approve_month(municipality=municipality, month=month)
        except DjangoValidationError as error:
            raise ValidationError(error.message_dict) from None
        return Response(SlaReportSerializer(report, context={"request": request}).data)


class ServiceCreditViewSet(ReadOnlySamdriftViewSet):
    queryset = ServiceCredit.objects.all()
    serializer_class = ServiceCreditSerializer
    filterset_fields = ["municipality", "service", "month", "report"]
    ordering_fields = ["month"]


def register(router) -> None:
    router.register("sla-reports", SlaReportViewSet)
    router.register("service-credits", ServiceCreditViewSet)

"""Billing's API endpoints: periods (run, issue, close), runs, invoices (issue, credit,
EHF, specification), lines, charges, credit notes, one-off charges, cost pools and keys.

Every queryset starts from ``restrict``: a municipality's users see and download only
their own invoices, lines, charges and credit notes; a crafted id of another's is a 404.
A service-area manager sees their area's part of an invoice or credit note (its lines,
and totals that are the sum of those) and no EHF (403), as ``billing.selectors`` decides.
Operations go through ``billing.services``; a refused one is a 400 naming the reason."""

from __future__ import annotations

from django.db.models import Prefetch
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import mixins
from rest_framework.decorators import action
from rest_framework.exceptions import ValidationError as ApiValidationError
from rest_framework.response import Response

from samdrift.billing.api.filters import (
    AllocationKeyFilterSet,
    ChargeFilterSet,
    CreditNoteFilterSet,
    InvoiceFilterSet,
    InvoiceLineFilterSet,
    OneOffChargeFilterSet,
    PeriodFilterSet,
)
from samdrift.billing.api.serializers import (
    AllocationKeySerializer,
    BillingPeriodSerializer,
    BillingRunSerializer,
    ChargeSerializer,
    CostPoolSerializer,
    CreditNoteSerializer,
    CreditRequestSerializer,
    InvoiceLineSerializer,
    InvoiceSerializer,
    IssueRequestSerializer,
    OneOffChargeSerializer,
    RunRequestSerializer,
)
from samdrift.billing.choices import InvoiceStatus
from samdrift.billing.ehf import credit_note_xml, invoice_xml
from samdrift.billing.exports import (
    accounting_csv,
    file_stem,
    specification_csv,
    specification_xlsx,
)
from samdrift.billing.models import (
    AllocationKey,
    BillingPeriod,
    BillingRun,
    Charge,
    CostPool,
    CreditNote,
    CreditNoteLine,
    Invoice,
    InvoiceLine,
    OneOffCharge,
)
from samdrift.billing.selectors import (
    invoice_scope,
    require_whole_invoices,
    sees_whole_invoices,
    visible_lines,
)
from samdrift.billing.services.credits import create_credit_note
from samdrift.billing.services.issuing import issue_invoice, issue_period
from samdrift.billing.services.periods import close_period, parse_month
from samdrift.billing.services.runs import bill_period
from samdrift.core.api import ReadOnlySamdriftViewSet
from samdrift.core.exports import CSV_CONTENT_TYPE, XLSX_CONTENT_TYPE, attachment
from samdrift.core.permissions import restrict
from samdrift.ui.confirm import once


class BillingPeriodViewSet(ReadOnlySamdriftViewSet):
    """Billing months. ``run`` rates and drafts, ``issue`` issues the drafts, ``close``
    closes the month (finance and operators)."""

    queryset = BillingPeriod.objects.all()
    serializer_class = BillingPeriodSerializer
    filterset_class = PeriodFilterSet
    ordering_fields = ["month"]

    @extend_schema(request=RunRequestSerializer, responses=BillingRunSerializer)
    @action(detail=False, methods=["post"])
    def run(self, request):
        """Rate a month and (re)draft its invoices; the period is created when new."""
        body = RunRequestSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        run = bill_period(month=parse_month(body.validated_data["month"]))
        return Response(BillingRunSerializer(run).data, status=201)

    @extend_schema(request=IssueRequestSerializer, responses=InvoiceSerializer(many=True))
    @action(detail=True, methods=["post"])
    def issue(self, request, pk=None):
        period = self.get_object()
        body = IssueRequestSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        invoices = issue_period(
            month=period.month, issue_date=body.validated_data.get("issue_date")
        )
        return Response(InvoiceSerializer(invoices, many=True).data)

    @extend_schema(request=None, responses=BillingPeriodSerializer)
    @action(detail=True, methods=["post"])
    def close(self, request, pk=None):
        period = close_period(month=self.get_object().month)
        return Response(BillingPeriodSerializer(period).data)

    @extend_schema(responses={(200, "text/csv"): bytes})
    @action(detail=True, methods=["get"])
    def accounting(self, request, pk=None):
        """One CSV row per invoice line of the month (those you may see)."""
        period = self.get_object()
        lines = visible_lines(user=request.user, invoice__period=period)
        return attachment(
            accounting_csv(lines),
            filename=f"accounting-{period.label}.csv",
            content_type=CSV_CONTENT_TYPE,
        )


class BillingRunViewSet(ReadOnlySamdriftViewSet):
    """Runs: when, by whom, counts, timings and the content hash (finance and operators)."""

    queryset = BillingRun.objects.select_related("period")
    serializer_class = BillingRunSerializer
    filterset_fields = ["period", "status"]
    ordering_fields = ["started_at"]


class InvoiceViewSet(ReadOnlySamdriftViewSet):
    """Invoices; a municipality's users see only their own. ``issue`` and ``credit`` are
    for finance; ``ehf`` and ``specification`` download the files."""

    queryset = Invoice.objects.select_related("period", "municipality")
    serializer_class = InvoiceSerializer
    filterset_class = InvoiceFilterSet
    ordering_fields = ["number", "gross_total", "period__month", "municipality__number"]

    @extend_schema(request=IssueRequestSerializer, responses=InvoiceSerializer)
    @action(detail=True, methods=["post"])
    def issue(self, request, pk=None):
        body = IssueRequestSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        invoice = issue_invoice(
            invoice=self.get_object(), issue_date=body.validated_data.get("issue_date")
        )
        return Response(InvoiceSerializer(invoice).data)

    @extend_schema(
        request=CreditRequestSerializer,
        responses={201: CreditNoteSerializer, 200: CreditNoteSerializer},
        parameters=[
            OpenApiParameter(
                "Idempotency-Key",
                str,
                OpenApiParameter.HEADER,
                description=(
                    "Optional, up to 64 characters. A request repeated with the same key "
                    "makes no second credit note: it answers 200 with the first one."
                ),
            )
        ],
    )
    @action(detail=True, methods=["post"])
    def credit(self, request, pk=None):
        """Make a credit note. Crediting in full twice is refused (nothing remains); a
        partial credit sent twice would credit twice, so send an ``Idempotency-Key``."""
        invoice = self.get_object()
        body = CreditRequestSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        amounts = body.validated_data.get("amounts")
        try:
            parsed = {int(k): v for k, v in amounts.items()} if amounts is not None else None
        except ValueError:
            raise ApiValidationError({"amounts": ["Keys are invoice line ids."]}) from None
        key = request.headers.get("Idempotency-Key", "").strip()
        if len(key) > 64:
            raise ApiValidationError({"Idempotency-Key": ["At most 64 characters."]})

        def make() -> CreditNote:
            return create_credit_note(
                invoice=invoice,
                reason=body.validated_data["reason"],
                amounts=parsed,
                issue_date=body.validated_data.get("issue_date"),
            )

        if not key:
            return Response(CreditNoteSerializer(make()).data, status=201)
        note, created = once(
            user=request.user,
            key=key,
            kind="api.credit_note",
            act=make,
            find=lambda pk: restrict(CreditNote.objects.all(), request.user).get(pk=pk),
        )
        return Response(CreditNoteSerializer(note).data, status=201 if created else 200)

    @extend_schema(responses={(200, "application/xml"): bytes})
    @action(detail=True, methods=["get"])
    def ehf(self, request, pk=None):
        """The EHF (Peppol BIS 3.0) of an issued invoice; not for a service-area manager
        (403: it is the whole municipality's document)."""
        require_whole_invoices(request.user)  # before the lookup: the same 403 for any id
        invoice = self.get_object()
        if invoice.status != InvoiceStatus.ISSUED:
            raise ApiValidationError({"status": ["A draft has no EHF; issue it first."]})
        return attachment(
            invoice_xml(invoice), filename=f"{invoice.number}.xml", content_type="application/xml"
        )

    @extend_schema(
        parameters=[OpenApiParameter("format", str, enum=["csv", "xlsx"])],
        responses={(200, "text/csv"): bytes},
    )
    @action(detail=True, methods=["get"], url_path="specification")
    def specification(self, request, pk=None):
        """Every charge of the invoice: person, device, days, price, amount."""
        invoice = self.get_object()
        charges = invoice_scope(invoice=invoice, user=request.user).charges
        fmt = request.query_params.get("format", "csv")
        stem = f"{file_stem(invoice)}-specification"
        if fmt == "xlsx":
            return attachment(
                specification_xlsx(charges, title=file_stem(invoice)),
                filename=f"{stem}.xlsx",
                content_type=XLSX_CONTENT_TYPE,
            )
        if fmt != "csv":
            raise ApiValidationError({"format": ["Use csv or xlsx."]})
        return attachment(
            specification_csv(charges), filename=f"{stem}.csv", content_type=CSV_CONTENT_TYPE
        )


class InvoiceLineViewSet(ReadOnlySamdriftViewSet):
    queryset = InvoiceLine.objects.select_related("service_area")
    serializer_class = InvoiceLineSerializer
    filterset_class = InvoiceLineFilterSet
    ordering_fields = ["line_number", "net_amount"]


class ChargeViewSet(ReadOnlySamdriftViewSet):
    """Charges, the atomic priced facts; filter by invoice, line, service area, person…"""

    queryset = Charge.objects.all()
    serializer_class = ChargeSerializer
    filterset_class = ChargeFilterSet
    ordering_fields = ["amount", "id"]


class CreditNoteViewSet(ReadOnlySamdriftViewSet):
    """Credit notes; a service-area manager sees those crediting lines of their area,
    with only those lines."""

    queryset = CreditNote.objects.select_related("invoice")
    serializer_class = CreditNoteSerializer
    filterset_class = CreditNoteFilterSet
    ordering_fields = ["issue_date", "number"]

    def get_queryset(self):
        queryset = super().get_queryset()
        lines = restrict(CreditNoteLine.objects.all(), self.request.user)
        if not sees_whole_invoices(self.request.user):
            queryset = queryset.filter(pk__in=lines.values("credit_note_id"))
        return queryset.prefetch_related(Prefetch("lines", queryset=lines))

    @extend_schema(responses={(200, "application/xml"): bytes})
    @action(detail=True, methods=["get"])
    def ehf(self, request, pk=None):
        """The EHF of a credit note; not for a service-area manager (403)."""
        require_whole_invoices(request.user)
        note = self.get_object()
        return attachment(
            credit_note_xml(note), filename=f"{note.number}.xml", content_type="application/xml"
        )


class OneOffChargeViewSet(mixins.CreateModelMixin, ReadOnlySamdriftViewSet):
    """Entered one-off charges (hours of work, installation fees)."""

    queryset = OneOffCharge.objects.select_related("municipality", "service_area")
    serializer_class = OneOffChargeSerializer
    filterset_class = OneOffChargeFilterSet
    ordering_fields = ["date"]


class CostPoolViewSet(ReadOnlySamdriftViewSet):
    queryset = CostPool.objects.select_related("key")
    serializer_class = CostPoolSerializer
    ordering_fields = ["name"]


class AllocationKeyViewSet(ReadOnlySamdriftViewSet):
    queryset = AllocationKey.objects.prefetch_related("parts")
    serializer_class = AllocationKeySerializer
    filterset_class = AllocationKeyFilterSet
    ordering_fields = ["name"]

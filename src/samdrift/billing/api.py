"""REST endpoints for billing: periods (run, issue, close), runs, invoices (issue, credit,
EHF, specification), lines, charges, credit notes, one-off charges, cost pools and keys.

Every queryset starts from ``restrict``: a municipality's users see and download only
their own invoices, lines, charges and credit notes; a crafted id of another's is a 404.
A service-area manager sees their area's part of an invoice or credit note (its lines,
and totals that are the sum of those) and no EHF (403), as ``billing.selectors`` decides.
Operations go through ``billing.services``; a refused one is a 400 naming the reason.
"""

from __future__ import annotations

import django_filters
from django.db.models import Prefetch
from django.http import HttpResponse, StreamingHttpResponse
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import mixins, serializers
from rest_framework.decorators import action
from rest_framework.exceptions import ValidationError as ApiValidationError
from rest_framework.response import Response

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
    Totals,
    invoice_scope,
    require_whole_invoices,
    sees_whole_invoices,
    visible_lines,
    visible_totals,
)
from samdrift.billing.services.credits import create_credit_note
from samdrift.billing.services.issuing import issue_invoice, issue_period
from samdrift.billing.services.one_offs import add_one_off_charge
from samdrift.billing.services.periods import close_period, parse_month
from samdrift.billing.services.runs import bill_period
from samdrift.core.api import DateField, ReadOnlySamdriftViewSet, SamdriftModelSerializer
from samdrift.core.exports import CSV_CONTENT_TYPE, XLSX_CONTENT_TYPE
from samdrift.core.filtersets import SamdriftFilterSet, ScopedModelChoiceFilter
from samdrift.core.permissions import restrict
from samdrift.organisations.models import Municipality, Person, ServiceArea
from samdrift.web.confirm import once


class BillingPeriodSerializer(serializers.ModelSerializer):
    label = serializers.CharField(read_only=True)

    class Meta:
        model = BillingPeriod
        fields = ["id", "month", "label", "status", "closed_at", "rated_through"]
        read_only_fields = fields


class BillingRunSerializer(serializers.ModelSerializer):
    duration_seconds = serializers.FloatField(read_only=True, allow_null=True)

    class Meta:
        model = BillingRun
        fields = [
            "id",
            "period",
            "started_at",
            "finished_at",
            "duration_seconds",
            "status",
            "actor",
            "input_hash",
            "content_hash",
            "charge_count",
            "adjustment_count",
            "invoice_count",
            "line_count",
            "net_total",
            "timings",
        ]
        read_only_fields = fields


def _request_user(serializer):
    request = serializer.context.get("request")
    return getattr(request, "user", None)


def _whole(serializer) -> bool:
    """Whether the serializer shows whole documents: yes without a request (an
    operation's own answer to finance), else as ``sees_whole_invoices`` says."""
    user = _request_user(serializer)
    return user is None or sees_whole_invoices(user)


def _put_totals(serializer, data: dict, totals: Totals) -> None:
    fields = serializer.fields
    data["net_total"] = fields["net_total"].to_representation(totals.net)
    data["vat_total"] = fields["vat_total"].to_representation(totals.vat)
    data["gross_total"] = fields["gross_total"].to_representation(totals.gross)


class InvoiceListSerializer(serializers.ListSerializer):
    """Works out the visible totals of a whole page of invoices in one query."""

    def to_representation(self, data):
        items = list(data.all() if hasattr(data, "all") else data)
        if not _whole(self):
            self.child.visible = visible_totals(invoices=items, user=_request_user(self))
        return super().to_representation(items)


class InvoiceSerializer(serializers.ModelSerializer):
    """An invoice; for a service-area manager ``part`` is ``service_area`` and the totals
    are their area's subtotal (the sum of the lines they see), not the invoice's."""

    period_label = serializers.CharField(source="period.label", read_only=True)
    municipality_name = serializers.CharField(source="municipality.name", read_only=True)
    part = serializers.SerializerMethodField(
        help_text="invoice: the whole invoice; service_area: your service area's part."
    )

    class Meta:
        model = Invoice
        fields = [
            "id",
            "period",
            "period_label",
            "municipality",
            "municipality_name",
            "status",
            "number",
            "issue_date",
            "due_date",
            "kid",
            "buyer_reference",
            "part",
            "net_total",
            "vat_total",
            "gross_total",
            "charge_count",
            "content_hash",
            "run",
        ]
        read_only_fields = fields
        list_serializer_class = InvoiceListSerializer

    def get_part(self, invoice) -> str:
        return "invoice" if _whole(self) else "service_area"

    def to_representation(self, invoice):
        data = super().to_representation(invoice)
        if not _whole(self):
            visible = getattr(self, "visible", None) or {}
            totals = visible.get(invoice.pk)
            if totals is None:
                user = _request_user(self)
                totals = visible_totals(invoices=[invoice], user=user)[invoice.pk]
            _put_totals(self, data, totals)
        return data


class InvoiceLineSerializer(serializers.ModelSerializer):
    cost_centre = serializers.CharField(source="service_area.cost_centre", default=None)

    class Meta:
        model = InvoiceLine
        fields = [
            "id",
            "invoice",
            "line_number",
            "service_area",
            "cost_centre",
            "source",
            "product",
            "service",
            "cost_pool",
            "description",
            "adjusts_period",
            "units",
            "quantity",
            "unit_code",
            "unit_price",
            "net_amount",
            "vat_rate",
            "vat_category",
            "vat_exemption_reason",
            "vat_amount",
            "charge_count",
        ]
        read_only_fields = fields


class ChargeSerializer(serializers.ModelSerializer):
    class Meta:
        model = Charge
        fields = [
            "id",
            "period",
            "invoice",
            "municipality",
            "service_area",
            "person",
            "asset",
            "subscription",
            "source",
            "source_id",
            "product",
            "service",
            "cost_pool",
            "description",
            "quantity",
            "unit_price",
            "days_active",
            "days_in_month",
            "valid_from",
            "valid_to",
            "amount",
            "vat_rate",
            "adjusts_period",
        ]
        read_only_fields = fields


class CreditNoteLineSerializer(serializers.ModelSerializer):
    class Meta:
        model = CreditNoteLine
        fields = [
            "line_number",
            "invoice_line",
            "description",
            "quantity",
            "unit_price",
            "net_amount",
            "vat_rate",
            "vat_category",
            "vat_amount",
        ]
        read_only_fields = fields


class CreditNoteSerializer(serializers.ModelSerializer):
    """A credit note; for a service-area manager only the lines of their area, and totals
    that are the sum of those (``CreditNoteViewSet`` prefetches the restricted lines)."""

    lines = CreditNoteLineSerializer(many=True, read_only=True)

    class Meta:
        model = CreditNote
        fields = [
            "id",
            "invoice",
            "number",
            "issue_date",
            "reason",
            "net_total",
            "vat_total",
            "gross_total",
            "lines",
        ]
        read_only_fields = fields

    def to_representation(self, note):
        data = super().to_representation(note)
        if not _whole(self):
            lines = note.lines.all()  # restricted to the area by the view's prefetch
            net = sum((line.net_amount for line in lines), Totals().net)
            vat = sum((line.vat_amount for line in lines), Totals().vat)
            _put_totals(self, data, Totals(net, vat))
        return data


class OneOffChargeSerializer(SamdriftModelSerializer):
    class Meta:
        model = OneOffCharge
        fields = [
            "id",
            "municipality",
            "service_area",
            "person",
            "asset",
            "service",
            "description",
            "date",
            "quantity",
            "unit_price",
            "vat_rate",
            "vat_exemption_reason",
            "reference",
            "created",
            "last_updated",
        ]
        read_only_fields = ["created", "last_updated"]
        extra_kwargs = {"vat_rate": {"required": False}}

    def validate(self, attrs):
        return attrs  # add_one_off_charge validates the whole charge

    def create(self, validated_data):
        return add_one_off_charge(**validated_data)


class CostPoolSerializer(serializers.ModelSerializer):
    class Meta:
        model = CostPool
        fields = [
            "id",
            "name",
            "description",
            "monthly_amount",
            "key",
            "split_to_service_areas",
            "vat_rate",
            "valid_from",
            "valid_to",
        ]
        read_only_fields = fields


class AllocationKeySerializer(serializers.ModelSerializer):
    parts = serializers.SerializerMethodField()

    class Meta:
        model = AllocationKey
        fields = ["id", "name", "description", "measured_on", "measured_at", "parts"]
        read_only_fields = fields

    def get_parts(self, key) -> list[dict]:
        return [{"basis": p.basis, "share": str(p.share)} for p in key.parts.all()]


class RunRequestSerializer(serializers.Serializer):
    month = serializers.CharField(help_text="The month to rate, YYYY-MM (e.g. 2026-11).")


class IssueRequestSerializer(serializers.Serializer):
    issue_date = DateField(required=False, help_text="Default: today.")


class CreditRequestSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=300)
    amounts = serializers.DictField(
        child=serializers.DecimalField(max_digits=14, decimal_places=2),
        required=False,
        help_text="Invoice line id → net amount to credit. Leave out to credit in full.",
    )
    issue_date = DateField(required=False)


class PeriodFilterSet(SamdriftFilterSet):
    class Meta:
        model = BillingPeriod
        fields = ["status", "month"]


class InvoiceFilterSet(SamdriftFilterSet):
    search_fields = ("number", "municipality__name", "kid")
    municipality = ScopedModelChoiceFilter(model=Municipality)
    month = django_filters.DateFilter(field_name="period__month")

    class Meta:
        model = Invoice
        fields = ["period", "municipality", "status", "number"]


class InvoiceLineFilterSet(SamdriftFilterSet):
    search_fields = ("description",)
    service_area = ScopedModelChoiceFilter(model=ServiceArea)

    class Meta:
        model = InvoiceLine
        fields = ["invoice", "service_area", "source", "adjusts_period"]


class ChargeFilterSet(SamdriftFilterSet):
    search_fields = ("description", "asset__asset_tag", "person__username")
    municipality = ScopedModelChoiceFilter(model=Municipality)
    service_area = ScopedModelChoiceFilter(model=ServiceArea)
    person = ScopedModelChoiceFilter(model=Person)
    line = django_filters.NumberFilter(method="filter_line", label="Invoice line id")

    class Meta:
        model = Charge
        fields = [
            "period",
            "invoice",
            "municipality",
            "service_area",
            "person",
            "asset",
            "subscription",
            "source",
            "adjusts_period",
        ]

    def filter_line(self, queryset, name, value):
        from samdrift.billing.selectors import line_charges

        line = restrict(InvoiceLine.objects.all(), self.request.user).filter(pk=value).first()
        if line is None:
            return queryset.none()
        return line_charges(line=line, charges=queryset)


class OneOffChargeFilterSet(SamdriftFilterSet):
    search_fields = ("description", "reference")
    municipality = ScopedModelChoiceFilter(model=Municipality)
    service_area = ScopedModelChoiceFilter(model=ServiceArea)

    class Meta:
        model = OneOffCharge
        fields = ["municipality", "service_area", "date"]


class CreditNoteFilterSet(SamdriftFilterSet):
    class Meta:
        model = CreditNote
        fields = ["invoice", "number"]


def _download(content, *, filename: str, content_type: str):
    response = (
        StreamingHttpResponse(content, content_type=content_type)
        if not isinstance(content, bytes)
        else HttpResponse(content, content_type=content_type)
    )
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


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
        return _download(
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
        return _download(
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
            return _download(
                specification_xlsx(charges, title=file_stem(invoice)),
                filename=f"{stem}.xlsx",
                content_type=XLSX_CONTENT_TYPE,
            )
        if fmt != "csv":
            raise ApiValidationError({"format": ["Use csv or xlsx."]})
        return _download(
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
        return _download(
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
    ordering_fields = ["name"]


def register(router) -> None:
    """Add billing's endpoints to the API router."""
    router.register("billing-periods", BillingPeriodViewSet)
    router.register("billing-runs", BillingRunViewSet)
    router.register("invoices", InvoiceViewSet)
    router.register("invoice-lines", InvoiceLineViewSet)
    router.register("charges", ChargeViewSet)
    router.register("credit-notes", CreditNoteViewSet)
    router.register("one-off-charges", OneOffChargeViewSet)
    router.register("cost-pools", CostPoolViewSet)
    router.register("allocation-keys", AllocationKeyViewSet)

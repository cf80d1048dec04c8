"""Billing's API serializers. A service-area manager's invoice shows the totals of their
area's lines (``billing.selectors``); operations' request bodies are validated here and
carried out by the services."""

from __future__ import annotations

from rest_framework import serializers

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
from samdrift.billing.rating.facts import FACT_FIELDS
from samdrift.billing.selectors import (
    Totals,
    sees_whole_invoices,
    visible_totals,
)
from samdrift.billing.services.one_offs import add_one_off_charge
from samdrift.core.api import DateField, SamdriftModelSerializer


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
        fields = ["id", "period", "invoice", *FACT_FIELDS, "adjusts_period"]
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

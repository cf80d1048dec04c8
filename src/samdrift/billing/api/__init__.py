"""Billing's REST API: serializers, filters and viewsets in their modules; ``register``
adds the endpoints to the project's router (``samdrift.urls``)."""

from samdrift.billing.api.viewsets import (
    AllocationKeyViewSet,
    BillingPeriodViewSet,
    BillingRunViewSet,
    ChargeViewSet,
    CostPoolViewSet,
    CreditNoteViewSet,
    InvoiceLineViewSet,
    InvoiceViewSet,
    OneOffChargeViewSet,
)


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

"""Billing: periods, runs, charges, cost pools, invoices and credit notes.

The flow: a ``BillingRun`` rates an open ``BillingPeriod`` (a calendar month) into
``Charge`` rows — the atomic priced facts — and groups them into one draft ``Invoice`` per
municipality with ``InvoiceLine`` rows per service area × item. Issuing numbers an invoice
and freezes it; a ``CreditNote`` corrects it. Closing a period freezes it for good; a later
change dated inside it is billed as adjustment charges in the next open period.

The models live in modules by concern; Django finds them here.
"""

from samdrift.billing.models.allocation import (
    AllocationKey,
    AllocationKeyPart,
    AllocationWeight,
    CostPool,
)
from samdrift.billing.models.charges import Charge, OneOffCharge
from samdrift.billing.models.credit_notes import CreditNote, CreditNoteLine
from samdrift.billing.models.invoices import Invoice, InvoiceLine
from samdrift.billing.models.numbering import DocumentCounter
from samdrift.billing.models.periods import BillingPeriod, BillingRun

__all__ = [
    "AllocationKey",
    "AllocationKeyPart",
    "AllocationWeight",
    "BillingPeriod",
    "BillingRun",
    "Charge",
    "CostPool",
    "CreditNote",
    "CreditNoteLine",
    "DocumentCounter",
    "Invoice",
    "InvoiceLine",
    "OneOffCharge",
]

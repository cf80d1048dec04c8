"""Invoice numbers stay unique and gapless when two issue requests race (PostgreSQL, two
real connections in two threads). On SQLite the IMMEDIATE transaction mode serialises
writers, so there is no race to test there."""

import datetime
import threading

import pytest
from django.core.exceptions import ValidationError
from django.db import connection, connections

from samdrift.billing.models import DocumentCounter, Invoice
from samdrift.billing.services.issuing import issue_invoice
from samdrift.billing.services.runs import bill_period

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(connection.vendor != "postgresql", reason="needs PostgreSQL"),
]


def race(targets):
    """Run issue_invoice for each target at the same moment, each on its own connection."""
    barrier = threading.Barrier(len(targets))
    results = [None] * len(targets)

    def work(index, invoice_id):
        try:
            barrier.wait()
            results[index] = issue_invoice(
                invoice=Invoice.objects.get(pk=invoice_id), issue_date=datetime.date(2026, 12, 1)
            )
        except Exception as error:
            results[index] = error
        finally:
            connections.close_all()

    threads = [threading.Thread(target=work, args=(i, t)) for i, t in enumerate(targets)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return results


def test_two_invoices_issued_at_once_get_consecutive_numbers(world):
    bill_period(month=datetime.date(2026, 11, 1))
    ids = list(Invoice.objects.order_by("pk").values_list("pk", flat=True))
    for _ in range(3):  # a few rounds: each must stay gapless
        results = race(ids)
        assert all(isinstance(r, Invoice) for r in results), results
        Invoice.objects.filter(pk__in=ids).update(
            status="draft", number=None, sequence=None, series="", fiscal_year=None
        )
    counter = DocumentCounter.objects.get(series="SD", year=2026)
    assert counter.last_number == 6


def test_the_same_invoice_issued_twice_at_once_is_issued_once(world):
    bill_period(month=datetime.date(2026, 11, 1))
    invoice_id = Invoice.objects.order_by("pk").first().pk
    results = race([invoice_id, invoice_id])
    issued = [r for r in results if isinstance(r, Invoice)]
    refused = [r for r in results if isinstance(r, ValidationError)]
    assert len(issued) == 1 and len(refused) == 1
    assert DocumentCounter.objects.get(series="SD", year=2026).last_number == 1
    assert Invoice.objects.get(pk=invoice_id).number == "SD-2026-000001"

"""Run in a subprocess by test_kill.py against its own database (not the test database):

python -m tests.billing.kill_helper seed            # three municipalities, priced laptops
python -m tests.billing.kill_helper bill [--pause]  # a billing run of this month
python -m tests.billing.kill_helper issue [--pause] # issue this month's drafts

Both run the real services (``bill_period``, ``issue_period``) through their progress
callbacks. With ``--pause`` the callback stops the process in the middle of writing — the
billing run once a batch of charges is written, the issue after its first invoice — says
so on stdout (``paused …`` with what its own transaction has written so far) and waits
to be killed; the kill then lands at a known point mid-write, not at a guessed time.
"""

from __future__ import annotations

import datetime
import json
import sys
import time

from tests.own_database import setup_django

MUNICIPALITIES = (("4602", "Storå", 94100000), ("4603", "Lysnes", 94200000))
WAIT_FOR_THE_KILL = 600  # seconds; the test kills long before


def seed() -> None:
    from samdrift.organisations.models import Collaboration, Municipality, ServiceArea
    from tests.imports.kill_helper import seed as seed_fjordvik

    seed_fjordvik()  # Fjordvik (4601), its service areas, five laptop models with a price
    for number, name, base in MUNICIPALITIES:
        municipality = Municipality.objects.create(
            name=name,
            number=number,
            organisation_number=_organisation_number(base),
            population=10000,
            joined_on=datetime.date(2024, 1, 1),
        )
        for area, cost_centre in (("Oppvekst", "2000"), ("Helse", "3000")):
            ServiceArea.objects.create(
                municipality=municipality, name=area, cost_centre=cost_centre
            )
    Collaboration.objects.create(
        name="Fjordregionen IKT",
        organisation_number=_organisation_number(93900000),
        bank_account="86011117947",
        invoice_series="SD",
    )


def _organisation_number(base: int) -> str:
    from samdrift.core.validators import organisation_number_with_check_digit

    while (number := organisation_number_with_check_digit(str(base))) is None:
        base += 1
    return number


def _month() -> datetime.date:
    from django.utils import timezone

    return timezone.localdate().replace(day=1)


def _paused(text: str) -> None:
    print(f"paused {text}", flush=True)
    time.sleep(WAIT_FOR_THE_KILL)
    raise SystemExit("not killed")


def bill(*, pause: bool) -> None:
    from django.db import connection

    from samdrift.billing.bulk import WRITE_BATCH
    from samdrift.billing.models import Charge
    from samdrift.billing.services.runs import bill_period

    made = 0

    def progress(stage: str, count: int) -> None:
        nonlocal made
        made += count
        # Charges are written in batches of WRITE_BATCH as they are made: past two, at
        # least one batch is in the table (in this run's transaction).
        if pause and made >= 2 * WRITE_BATCH:
            # On SQLite this transaction sees its own rows; on PostgreSQL the connection
            # is busy with the COPY, so the test looks at the COPY's progress instead.
            written = Charge.objects.count() if connection.vendor == "sqlite" else "copy"
            _paused(f"rating {stage} made {made} written {written}")

    run = bill_period(month=_month(), progress=progress)
    print(json.dumps({"charges": run.charge_count, "invoices": run.invoice_count}))


def issue(*, pause: bool) -> None:
    from samdrift.billing.choices import InvoiceStatus
    from samdrift.billing.models import Invoice
    from samdrift.billing.services.issuing import issue_period

    def progress(invoice: Invoice) -> None:
        if pause:
            issued = Invoice.objects.filter(status=InvoiceStatus.ISSUED).count()
            _paused(f"issued {invoice.number} written {issued}")

    invoices = issue_period(month=_month(), progress=progress)
    print(json.dumps({"sequences": [invoice.sequence for invoice in invoices]}))


if __name__ == "__main__":
    setup_django()
    command, *flags = sys.argv[1:]
    if command == "seed":
        seed()
    elif command == "bill":
        bill(pause="--pause" in flags)
    elif command == "issue":
        issue(pause="--pause" in flags)
    else:
        raise SystemExit(__doc__)

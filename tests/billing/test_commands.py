"""The bill and export commands."""

import datetime
from decimal import Decimal
from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from samdrift.billing.models import BillingPeriod, Charge, Invoice
from samdrift.billing.services.one_offs import add_one_off_charge

D = datetime.date


def run(*args) -> str:
    out = StringIO()
    call_command(*args, stdout=out, stderr=StringIO())
    return out.getvalue()


def test_bill_issue_close_and_export_a_month(world, tmp_path):
    output = run("bill", "2026-11", "--quiet")
    assert "6 charges" in output and "Fjordvik" in output
    assert "SD-2026-000001" in run("bill", "2026-11", "--issue", "--issue-date", "2026-12-01")
    assert "Closed 2026-11" in run("bill", "2026-11", "--close")
    assert BillingPeriod.objects.get().is_closed
    output = run("export", "2026-11", "--format", "ehf", "--out", str(tmp_path), "--check")
    assert "Every EHF document passed the checks." in output
    assert sorted(p.name for p in tmp_path.iterdir()) == [
        "SD-2026-000001.xml",
        "SD-2026-000002.xml",
    ]
    run("export", "2026-11", "--format", "xlsx", "--out", str(tmp_path / "x"))
    assert len(list((tmp_path / "x").glob("*-specification.xlsx"))) == 2
    run("export", "2026-11", "--format", "csv", "--out", str(tmp_path / "c"))
    spec = (tmp_path / "c" / "SD-2026-000001-specification.csv").read_text(encoding="utf-8-sig")
    assert world.assets[0].asset_tag in spec and world.assets[2].asset_tag not in spec
    run("export", "2026-11", "--format", "accounting", "--out", str(tmp_path / "a"))
    accounting = (tmp_path / "a" / "accounting-2026-11.csv").read_text(encoding="utf-8-sig")
    rows = accounting.strip().splitlines()
    assert rows[0].startswith("period,invoice,issue_date,municipality_number")
    assert len(rows) == 1 + sum(i.lines.count() for i in Invoice.objects.all())


def test_bad_input_is_a_clear_error_that_changes_nothing(world):
    with pytest.raises(CommandError, match="not a month"):
        run("bill", "november")
    add_one_off_charge(
        municipality=world.fjordvik, description="Fee", date=D(2026, 11, 2), unit_price=Decimal("1")
    )
    run("bill", "2026-11", "--quiet")
    with pytest.raises(CommandError, match="November 2026 is still open"):
        run("bill", "2026-12", "--quiet")
    with pytest.raises(CommandError, match="draft invoices"):
        run("bill", "2026-11", "--close")
    assert Charge.objects.count() == 7
    with pytest.raises(CommandError, match="has not been billed"):
        run("export", "2027-01", "--out", "/tmp/bill-never")

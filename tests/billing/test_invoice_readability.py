"""An invoice people can read: a fractional quantity says what part of a month it is, and
the specification downloaded from the invoice page speaks the user's language, with
number and date cells a Norwegian Excel shows its own way."""

import csv
import datetime
import io
from decimal import Decimal
from types import SimpleNamespace

import openpyxl
import pytest
from django.urls import reverse
from django.utils import translation

from samdrift.billing.models import Invoice
from samdrift.billing.part_month import line_part_month, part_month_text
from samdrift.billing.services.runs import bill_period
from samdrift.inventory.services import assign_asset
from tests import factories
from tests.factories import client_for

D = datetime.date
NOV = D(2026, 11, 1)
DOCK_PRICE = Decimal("300.00")
# Two docking stations in Fjordvik's school from 19 and 16 November: 12 and 15 of the
# month's 30 days, so 300.00 × 12/30 = 120.00 and 300.00 × 15/30 = 150.00, one line of
# quantity 27/30 = 0.9 at 300.00 = 270.00.
DOCK_STARTS = (D(2026, 11, 19), D(2026, 11, 16))


def _body(response) -> bytes:
    return b"".join(response.streaming_content) if response.streaming else response.content


@pytest.fixture
def docks(world):
    dock = factories.make_product(name="Docking station")
    factories.make_price(amount=DOCK_PRICE, valid_from=D(2025, 1, 1), product=dock)
    for start in DOCK_STARTS:
        assign_asset(
            asset=factories.make_asset(dock),
            municipality=world.fjordvik,
            service_area=world.school,
            person=world.persons[0],
            valid_from=start,
        )
    bill_period(month=NOV)
    invoice = Invoice.objects.get(municipality=world.fjordvik)
    return invoice, invoice.lines.get(product=dock)


def test_the_explanation_reads_amount_of_monthly_price_times_days():
    with translation.override("en"):
        text = part_month_text(
            amount=Decimal("218.47"),
            monthly=Decimal("348.70"),
            days=Decimal("15.90"),
            month_days=30,
        )
        assert text == "NOK 218.47 of NOK 348.70 × 15.90 days/30"
        whole = part_month_text(
            amount=Decimal("120.00"), monthly=Decimal("300"), days=Decimal("12.0000"), month_days=30
        )
        assert whole == "NOK 120.00 of NOK 300.00 × 12 days/30"
    with translation.override("nb"):
        text = part_month_text(
            amount=Decimal("1218.47"),
            monthly=Decimal("348.70"),
            days=Decimal("15.9"),
            month_days=30,
        )
        assert text.startswith("1 218,47 kr ") and "348,70 kr × 15,90 " in text


def _line(**fields):
    values = {
        "source": "asset",
        "service_id": None,
        "adjusts_period_id": None,
        "adjusts_period": None,
        "quantity": Decimal("0.5300"),
        "unit_price": Decimal("100.00"),
        "net_amount": Decimal("53.00"),
    }
    values.update(fields)
    return SimpleNamespace(**values)


def test_a_line_is_explained_only_when_its_quantity_is_a_fraction_of_prorated_months():
    with translation.override("en"):
        # 0.53 of a 30-day month is 15.90 days.
        assert line_part_month(_line(), invoice_month=NOV) == (
            "NOK 53.00 of NOK 100.00 × 15.90 days/30"
        )
        # An adjustment line rates the month it adjusts: 0.53 of February's 28 days.
        february = _line(adjusts_period_id=1, adjusts_period=SimpleNamespace(month=D(2026, 2, 1)))
        assert line_part_month(february, invoice_month=NOV).endswith("× 14.84 days/28")
        assert line_part_month(_line(quantity=Decimal("2.0000")), invoice_month=NOV) == ""
        # Usage (pages, hours) and cost pools are not prorated: no days to explain.
        assert line_part_month(_line(source="usage"), invoice_month=NOV) == ""
        assert line_part_month(_line(source="cost_pool"), invoice_month=NOV) == ""


def test_invoice_page_and_print_page_explain_the_part_month_line(docks, contact_a):
    invoice, line = docks
    assert (line.quantity, line.unit_price, line.net_amount) == (
        Decimal("0.9000"),
        DOCK_PRICE,
        Decimal("270.00"),
    )
    expected = "NOK 270.00 of NOK 300.00 × 27 days/30"
    client = client_for(contact_a)
    for url in (
        reverse("billing:invoice_detail", args=[invoice.pk]),
        reverse("billing:invoice_print", args=[invoice.pk]),
    ):
        html = client.get(url).content.decode()
        assert html.count('data-testid="part-month"') == 1, url
        assert expected in html, url


def test_the_invoice_pdf_is_the_print_page_with_the_same_explanation(docks, contact_a, monkeypatch):
    """The PDF is rendered from the print page's HTML: what goes in carries the part-month
    text, without the screen-only links, and a PDF comes out."""
    from samdrift.billing.views import invoices as views

    rendered = []

    def recording_render_pdf(html):
        rendered.append(html)
        return real_render_pdf(html)

    real_render_pdf = views.render_pdf
    monkeypatch.setattr(views, "render_pdf", recording_render_pdf)
    invoice, _line = docks
    response = client_for(contact_a).get(reverse("billing:invoice_pdf", args=[invoice.pk]))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF")
    (html,) = rendered
    assert "NOK 270.00 of NOK 300.00 × 27 days/30" in html
    assert 'data-testid="invoice-pdf"' not in html  # the link to itself is for the screen


def test_the_specification_explains_each_part_month_charge(docks, contact_a):
    invoice, _line = docks
    url = reverse("billing:invoice_specification", args=[invoice.pk, "csv"])
    rows = list(
        csv.DictReader(io.StringIO(_body(client_for(contact_a).get(url)).decode("utf-8-sig")))
    )
    explained = sorted(row["Part of the month"] for row in rows if row["Part of the month"])
    assert explained == [
        "NOK 120.00 of NOK 300.00 × 12 days/30",
        "NOK 150.00 of NOK 300.00 × 15 days/30",
    ]


def _xlsx_rows(client, invoice) -> list[tuple]:
    url = reverse("billing:invoice_specification", args=[invoice.pk, "xlsx"])
    sheet = openpyxl.load_workbook(io.BytesIO(_body(client.get(url)))).active
    return list(sheet.iter_rows())


def test_the_specification_has_headers_in_the_users_language(docks, contact_a):
    invoice, _line = docks
    client = client_for(contact_a)
    english = [cell.value for cell in _xlsx_rows(client, invoice)[0]]
    assert english[:3] == ["Invoice", "Municipality number", "Municipality"]
    assert "Service area" in english and "Amount" in english
    client.cookies["django_language"] = "nb"
    norwegian = [cell.value for cell in _xlsx_rows(client, invoice)[0]]
    assert norwegian[:3] == ["Faktura", "Kommunenummer", "Kommune"]
    assert "Tjenesteområde" in norwegian and "Beløp" in norwegian


def test_the_xlsx_has_number_and_date_cells(docks, contact_a):
    invoice, _line = docks
    client = client_for(contact_a)
    client.cookies["django_language"] = "nb"
    rows = _xlsx_rows(client, invoice)
    header = [cell.value for cell in rows[0]]
    dock = next(
        row for row in rows[1:] if row[header.index("Fra")].value == datetime.datetime(2026, 11, 19)
    )
    amount = dock[header.index("Beløp")]
    assert amount.value == 120 and amount.data_type == "n"
    assert amount.number_format == "#,##0.00"
    start, last = dock[header.index("Fra")], dock[header.index("Til og med")]
    assert start.is_date and start.number_format == "dd.mm.yyyy"
    # People read the last day, not the stored exclusive end (1 December).
    assert last.value.date() == D(2026, 11, 30) and last.number_format == "dd.mm.yyyy"
    client.cookies["django_language"] = "en"
    rows = _xlsx_rows(client, invoice)
    start = [cell.value for cell in rows[0]].index("From")
    assert rows[1][start].is_date and rows[1][start].number_format == "yyyy-mm-dd"


def test_the_csv_for_norwegian_excel(docks, contact_a):
    invoice, _line = docks
    url = reverse("billing:invoice_specification", args=[invoice.pk, "excel.csv"])
    client = client_for(contact_a)
    client.cookies["django_language"] = "nb"
    response = client.get(url)
    assert response.status_code == 200
    text = _body(response).decode("utf-8")
    assert text.startswith("\ufeffFaktura;Kommunenummer;Kommune;")
    rows = list(csv.DictReader(io.StringIO(text.lstrip("\ufeff")), delimiter=";"))
    dock = next(row for row in rows if row["Fra"] == "19.11.2026")
    assert dock["Beløp"] == "120,00" and dock["Til og med"] == "30.11.2026"
    assert dock["Enhetspris"] == "300,0000"

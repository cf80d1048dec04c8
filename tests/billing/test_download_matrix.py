"""Every billing download and invoice view, as every login.

A service-area manager sees their area's part of an invoice: its lines, charges and
credits, with a subtotal that is the sum of those, on the page, the print page, the
specification (CSV and XLSX), the accounting export and the API; never the whole EHF
(403 with the reason), nor the invoice's full totals. Everyone else who may see the
invoice sees all of it; another municipality's login gets 404, anonymous none of it.

The world is the matrix world of tests/worlds.py, extended by tests/billing/api_matrix.py:
A's invoice has a 60.00 line of the manager's area (Oppvekst) and a 40.00 line of another
(Helse), at 25 % VAT, and a credit note of 5.00 on the manager's line; B's invoice one
50.00 line.
"""

from __future__ import annotations

import csv
import io
from decimal import Decimal

import openpyxl
import pytest
from django.test import Client
from django.urls import reverse

from samdrift.billing.services.credits import create_credit_note
from samdrift.ui.formatting import format_money
from tests.worlds import ROLES, MatrixWorld

EXTENDED_WORLD = True


@pytest.fixture
def world(matrix_world) -> MatrixWorld:
    """The permission matrix's world (built once for this module), not the billing one."""
    return matrix_world


WHOLE_A = ("operator", "finance", "auditor", "auditor_a", "contact_a")
SEES_ALL = ("operator", "finance", "auditor")
MANAGER_NET, MANAGER_VAT = Decimal("60.00"), Decimal("15.00")
WHOLE_NET, WHOLE_VAT = Decimal("100.00"), Decimal("25.00")
EHF_REFUSED = "legal document"


def _invoice(world):
    return world.objects["invoice"]["own"]


def _note(world):
    return world.objects["creditnote"]["own"]


WEB = {
    "page": lambda w: reverse("billing:invoice_detail", args=[_invoice(w).pk]),
    "print": lambda w: reverse("billing:invoice_print", args=[_invoice(w).pk]),
    "ehf": lambda w: reverse("billing:invoice_ehf", args=[_invoice(w).pk]),
    "credit_note_ehf": lambda w: reverse("billing:credit_note_ehf", args=[_note(w).pk]),
    "specification.csv": lambda w: reverse(
        "billing:invoice_specification", args=[_invoice(w).pk, "csv"]
    ),
    "specification.xlsx": lambda w: reverse(
        "billing:invoice_specification", args=[_invoice(w).pk, "xlsx"]
    ),
    "accounting.csv": lambda w: reverse("billing:period_accounting", args=["2026-12"]),
    "period": lambda w: reverse("billing:period_detail", args=["2026-12"]),
    "periods": lambda w: reverse("billing:period_list"),
}
API = {
    "api invoice": lambda w: (f"/api/invoices/{_invoice(w).pk}/", {}),
    "api ehf": lambda w: (f"/api/invoices/{_invoice(w).pk}/ehf/", {}),
    "api credit note": lambda w: (f"/api/credit-notes/{_note(w).pk}/", {}),
    "api credit note ehf": lambda w: (f"/api/credit-notes/{_note(w).pk}/ehf/", {}),
    "api specification": lambda w: (f"/api/invoices/{_invoice(w).pk}/specification/", {}),
    "api accounting": lambda w: (
        f"/api/billing-periods/{w.objects['billingperiod']['shared'].pk}/accounting/",
        {},
    ),
}
MONTH_WIDE = {"accounting.csv", "period", "periods", "api accounting"}
EHF = {"ehf", "credit_note_ehf", "api ehf", "api credit note ehf"}


def _web_client(world, role) -> Client:
    client = Client()
    if role != "anonymous":
        client.force_login(world.users[role])
    return client


def _expected_status(role: str, name: str, api: bool) -> int:
    if role == "anonymous":
        return 401 if api else 302
    if role == "manager_a" and name in EHF:
        return 403  # refused before the lookup
    if role == "contact_b" and name not in MONTH_WIDE:
        return 404
    return 200


_PEOPLE = ("Service area", "Amount")


def _csv_rows(response) -> list[dict]:
    text = b"".join(response.streaming_content if response.streaming else [response.content])
    return list(csv.DictReader(io.StringIO(text.decode("utf-8-sig"))))


def _body(response) -> bytes:
    if response.streaming:
        return b"".join(response.streaming_content)
    return response.content


def _areas_expected(role: str) -> set[str]:
    """The service areas (of either invoice) whose rows the login may see."""
    if role in SEES_ALL:
        return {"Oppvekst", "Helse", "Helse og omsorg"}
    if role in ("auditor_a", "contact_a"):
        return {"Oppvekst", "Helse"}
    if role == "manager_a":
        return {"Oppvekst"}
    return {"Helse og omsorg"}  # contact_b


def _check_content(world, role: str, name: str, response) -> list[str]:
    """What a 200 shows: the manager's part, or the whole."""
    manager = role == "manager_a"
    net, vat = (MANAGER_NET, MANAGER_VAT) if manager else (WHOLE_NET, WHOLE_VAT)
    problems = []
    if name in ("page", "print"):
        html = response.content.decode()
        if format_money(net + vat) not in html:
            problems.append(f"{name}: total {net + vat} not shown")
        if manager and format_money(WHOLE_NET + WHOLE_VAT) in html:
            problems.append(f"{name}: the whole invoice's total shown to the manager")
        if manager and "ehf.xml" in html:
            problems.append(f"{name}: an EHF link shown to the manager")
        if manager and "Helse" in html:
            problems.append(f"{name}: another service area's line shown to the manager")
    elif name in ("specification.csv", "api specification"):
        rows = _csv_rows(response)
        # The page's download is for people (headers in their language), the API's keeps
        # the stable names.
        area, amount = ("service_area", "amount") if name.startswith("api") else _PEOPLE
        areas = {row[area] for row in rows}
        total = sum(Decimal(row[amount]) for row in rows)
        if areas != _areas_expected(role) & {"Oppvekst", "Helse"} or total != net:
            problems.append(f"{name}: areas {areas}, sum {total}")
    elif name == "specification.xlsx":
        sheet = openpyxl.load_workbook(io.BytesIO(_body(response))).active
        rows = list(sheet.iter_rows(values_only=True))
        column = rows[0].index(_PEOPLE[0])
        areas = {row[column] for row in rows[1:]}
        if areas != _areas_expected(role) & {"Oppvekst", "Helse"}:
            problems.append(f"{name}: areas {areas}")
    elif name in ("accounting.csv", "api accounting"):
        areas = {row["service_area"] for row in _csv_rows(response)}
        if areas != _areas_expected(role):
            problems.append(f"{name}: areas {areas}")
    elif name == "period":
        html = response.content.decode()
        if role != "contact_b" and format_money(net + vat) not in html:
            problems.append(f"{name}: A's invoice not shown as {net + vat}")
        if manager and format_money(WHOLE_NET + WHOLE_VAT) in html:
            problems.append(f"{name}: the whole invoice's total shown to the manager")
    elif name == "api invoice":
        body = response.json()
        got = (body["net_total"], body["vat_total"], body["gross_total"], body["part"])
        want = (f"{net}", f"{vat}", f"{net + vat}", "service_area" if manager else "invoice")
        if got != want:
            problems.append(f"{name}: {got} not {want}")
    elif name == "api credit note":
        body = response.json()
        if (body["net_total"], [line["net_amount"] for line in body["lines"]]) != (
            "5.00",
            ["5.00"],
        ):
            problems.append(f"{name}: {body}")
    elif name in EHF and b"<?xml" not in _body(response)[:60]:
        problems.append(f"{name}: not an XML document")
    return problems


@pytest.mark.parametrize("role", ROLES)
def test_every_download_as_every_role(world, role):
    problems = []
    web = _web_client(world, role)
    for name, url_of in WEB.items():
        response = web.get(url_of(world))
        want = _expected_status(role, name, api=False)
        if response.status_code != want:
            problems.append(f"{name}: {response.status_code} not {want}")
            continue
        if want == 403:
            if EHF_REFUSED not in response.content.decode():
                problems.append(f"{name}: 403 without the reason")
        elif want == 200:
            problems += _check_content(world, role, name, response)
    api = world.client(role)
    for name, url_and_query in API.items():
        url, query = url_and_query(world)
        response = api.get(url, query)
        want = _expected_status(role, name, api=True)
        if response.status_code != want:
            problems.append(f"{name}: {response.status_code} not {want}")
            continue
        if want == 403:
            if EHF_REFUSED not in response.json()["detail"]:
                problems.append(f"{name}: 403 without the reason")
        elif want == 200:
            problems += _check_content(world, role, name, response)
    assert problems == []


def test_the_manager_is_refused_any_ehf_the_same_way(world):
    """403 for A's, B's and a missing id alike: the refusal reveals nothing."""
    api = world.client("manager_a")
    ids = [world.objects["invoice"]["own"].pk, world.objects["invoice"]["foreign"].pk, 10**9]
    assert {api.get(f"/api/invoices/{pk}/ehf/").status_code for pk in ids} == {403}


def test_the_invoice_list_shows_the_manager_their_area_subtotal(world):
    body = world.client("manager_a").get("/api/invoices/").json()
    assert [(row["net_total"], row["gross_total"], row["part"]) for row in body["results"]] == [
        ("60.00", "75.00", "service_area")
    ]


def test_a_credit_note_of_another_area_is_not_the_managers(world):
    """A's second credit note credits only the other area's line: the manager does not
    see it, and their page's credited amount stays their area's 5.00."""
    invoice = _invoice(world)
    other_line = invoice.lines.get(service_area=world.objects["servicearea"]["own_other_area"])
    note = create_credit_note(invoice=invoice, reason="Helse", amounts={other_line.pk: "10.00"})
    api = world.client("manager_a")
    assert api.get(f"/api/credit-notes/{note.pk}/").status_code == 404
    listed = {row["id"] for row in api.get("/api/credit-notes/").json()["results"]}
    assert listed == {_note(world).pk}
    html = _web_client(world, "manager_a").get(WEB["page"](world)).content.decode()
    assert note.number not in html
    assert f"{format_money(Decimal('5.00'))} + {format_money(Decimal('1.25'))}" in html
    contact = world.client("contact_a").get(f"/api/credit-notes/{note.pk}/").json()
    assert contact["net_total"] == "10.00"

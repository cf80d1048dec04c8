"""The portfolio import: dry run, all or nothing, row errors with line, column and
reason, idempotent re-import, Norwegian headers in cp1252 with semicolons, and XLSX."""

from __future__ import annotations

import datetime
import io
from decimal import Decimal

import pytest
from openpyxl import Workbook

from samdrift.core.importing import run_import
from samdrift.core.models import ObjectChange
from samdrift.solutions.importers import PortfolioImporter
from samdrift.solutions.models import Requirement, Solution, SolutionUsage

D = datetime.date
ON = D(2026, 6, 1)

HEADER = (
    "Kommune;System;Leverandør;Funksjon;Leveranseform;Brukere;Lisenskostnad;Avtaleslutt;"
    "Oppsigelsestid;Oppetid;Driftstid;Personopplysninger;ROS"
)
GOOD = [
    "Fjordvik;Arkivo;Nordarkiv AS;Case handling and archive;Driftssenter;45;90 000,00;"
    "01.03.2028;6;99,5;Kontortid;ja;01.02.2026",
    "4602;Kart Pro;Geodata AS;gis;Skytjeneste;8;16 000;;3;99;Kontortid;nei;",
]


def _csv(*rows: str) -> bytes:
    return "\r\n".join([HEADER, *rows]).encode("cp1252")


def _run(data: bytes, **kwargs):
    return run_import(
        importer=PortfolioImporter, data=data, filename="portefolje.csv", on=ON, **kwargs
    )


@pytest.fixture
def gis(portfolio):
    from samdrift.solutions.services import create_function

    return create_function(name="GIS and maps", code="gis")


@pytest.mark.django_db
def test_a_dry_run_reports_and_writes_nothing(portfolio, gis):
    counts = (SolutionUsage.objects.count(), ObjectChange.objects.count())
    result = _run(_csv(*GOOD), dry_run=True, update=True)
    assert result.ok, result.errors
    assert (result.created, result.updated, result.unchanged) == (1, 1, 0)
    assert (SolutionUsage.objects.count(), ObjectChange.objects.count()) == counts


@pytest.mark.django_db
def test_import_creates_and_a_reimport_changes_nothing(portfolio, gis, municipality_b):
    # Row 1 differs from A's stored Arkivo use (40 users, 80 000): an error unless updates.
    result = _run(_csv(*GOOD))
    assert not result.ok
    assert any(e.line == 2 and e.column == "Brukere" for e in result.errors)
    result = _run(_csv(*GOOD), update=True)
    assert result.ok, result.errors
    assert result.applied and (result.created, result.updated) == (1, 1)
    kart = Solution.objects.get(name="Kart Pro")
    assert kart.function == gis and kart.delivery_form == "saas"
    usage = SolutionUsage.objects.get(solution=kart)
    assert usage.municipality == municipality_b and usage.licence_cost == Decimal("16000.00")
    # The Arkivo use was carried on from the import day; the history stays.
    rows = list(SolutionUsage.objects.filter(solution=portfolio["arkivo"]).order_by("valid_from"))
    assert [(r.valid_from, r.valid_to, r.users) for r in rows] == [
        (D(2025, 1, 1), ON, 40),
        (ON, None, 45),
    ]
    assert rows[1].service_areas.count() == 1  # carried along
    requirement = Requirement.objects.get(municipality__name="Fjordvik", solution__name="Arkivo")
    assert requirement.availability_target == Decimal("99.50") and requirement.personal_data
    changes = ObjectChange.objects.count()
    again = _run(_csv(*GOOD), update=True)
    assert again.ok and (again.created, again.updated, again.unchanged) == (0, 0, 2)
    assert ObjectChange.objects.count() == changes


@pytest.mark.django_db
def test_every_bad_row_is_reported_and_nothing_is_written(portfolio, gis):
    rows = [
        GOOD[1],
        "Fjordvik;Saksflyt;Fjellsoft AS;Case handling and archive;SaaS;-3;1000;;;;;;",
        "Nowhere;Saksflyt;Fjellsoft AS;Case handling and archive;SaaS;3;1000;;;;;;",
        "Fjordvik;Ny;V AS;Astrology;SaaS;3;1000;;;;;;",
        "Fjordvik;Ny2;V AS;gis;SaaS;3;-5;;;101;;;",
    ]
    counts = (Solution.objects.count(), SolutionUsage.objects.count(), ObjectChange.objects.count())
    result = _run(_csv(*rows))
    assert not result.applied
    found = {(e.line, e.column) for e in result.errors}
    assert (3, "Brukere") in found  # negative users
    assert (4, "Kommune") in found  # unknown municipality
    assert (5, "Funksjon") in found  # unknown function
    assert (6, "Lisenskostnad") in found and (6, "Oppetid") in found
    assert (
        Solution.objects.count(),
        SolutionUsage.objects.count(),
        ObjectChange.objects.count(),
    ) == counts


@pytest.mark.django_db
def test_contract_end_before_start_is_a_row_error(portfolio, gis):
    data = (
        b"Municipality,Solution,Vendor,Function,Delivery form,Contract start,Contract end\r\n"
        b"Fjordvik,Kart,Geo AS,gis,saas,2026-05-01,2026-01-01\r\n"
    )
    result = _run(data)
    assert [(e.line, e.column) for e in result.errors] == [(2, "Contract end")]


@pytest.mark.django_db
def test_an_xlsx_portfolio_with_english_headers(portfolio, gis):
    book = Workbook()
    sheet = book.active
    sheet.append(
        ["Municipality", "Solution", "Vendor", "Function", "Delivery form", "Users", "Licence cost"]
    )
    sheet.append(["Elvdal", "Kart", "Geo AS", "GIS and maps", "SaaS", 4, 8000])
    buffer = io.BytesIO()
    book.save(buffer)
    result = run_import(
        importer=PortfolioImporter, data=buffer.getvalue(), filename="p.xlsx", on=ON
    )
    assert result.ok and result.applied, result.errors
    assert SolutionUsage.objects.get(solution__name="Kart").users == 4

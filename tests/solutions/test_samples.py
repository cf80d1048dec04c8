"""The portfolio samples in docs/import/ import as docs/solutions.md says, and again
change nothing."""

import datetime
from decimal import Decimal
from pathlib import Path

import pytest

from samdrift.core.importing import run_import
from samdrift.solutions.importers import PortfolioImporter
from samdrift.solutions.models import Requirement, SolutionUsage
from samdrift.solutions.services import create_function
from tests import factories

SAMPLES = Path(__file__).resolve().parents[2] / "docs" / "import"


@pytest.mark.django_db
def test_the_portfolio_samples_import_and_reimport(municipality_a, municipality_b):
    factories.make_service_area(municipality_a, name="Administrasjon", cost_centre="1000")
    factories.make_service_area(municipality_a, name="Oppvekst og utdanning", cost_centre="2000")
    for code, name in (
        ("case-archive", "Case handling and archive"),
        ("school-admin", "School administration"),
        ("payroll-hr", "Payroll and HR"),
        ("epr", "Electronic patient record"),
    ):
        create_function(name=name, code=code)
    on = datetime.date(2026, 6, 1)
    for filename, rows in (("portfolio-norwegian.csv", 4), ("portfolio-english.csv", 2)):
        data = (SAMPLES / filename).read_bytes()
        result = run_import(importer=PortfolioImporter, data=data, filename=filename, on=on)
        assert result.ok and result.applied, (filename, result.errors)
        assert result.created == rows and not result.warnings, result.warnings
        again = run_import(importer=PortfolioImporter, data=data, filename=filename, on=on)
        assert again.ok and again.unchanged == rows, again.errors
    arkivo = SolutionUsage.objects.get(municipality=municipality_a, solution__name="Arkivo Sak")
    assert arkivo.licence_cost == Decimal("762200.00") and arkivo.users == 412
    assert [a.name for a in arkivo.service_areas.all()] == ["Administrasjon"]
    journal = SolutionUsage.objects.get(
        municipality=municipality_a, solution__name="OmsorgsJournal"
    )
    assert [s.name for s in journal.integrations.all()] == ["Arkivo Sak"]
    requirement = Requirement.objects.get(municipality=municipality_b, solution__name="Lønn Lokal")
    assert requirement.criticality == 3 and requirement.confidentiality == "high"

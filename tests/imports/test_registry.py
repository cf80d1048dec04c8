"""The importer registry: each app declares its importers, the imports app finds them."""

import ast
from pathlib import Path

import pytest

import samdrift
from samdrift.catalogue.importers import ProductImporter
from samdrift.imports.registry import IMPORTERS, importer_class
from samdrift.inventory.importers import AssetImporter, UsageImporter
from samdrift.organisations.importers import (
    LocationImporter,
    PersonImporter,
    ServiceAreaImporter,
)
from samdrift.servicedesk.importers import IncidentImporter, OutageImporter
from samdrift.solutions.importers import PortfolioImporter


def test_every_app_importer_is_found_by_kind_in_app_order():
    assert list(IMPORTERS.items()) == [
        ("service-areas", ServiceAreaImporter),
        ("locations", LocationImporter),
        ("persons", PersonImporter),
        ("products", ProductImporter),
        ("assets", AssetImporter),
        ("usage", UsageImporter),
        ("portfolio", PortfolioImporter),
        ("incidents", IncidentImporter),
        ("outages", OutageImporter),
    ]


def test_an_unknown_kind_names_the_known_ones():
    with pytest.raises(ValueError, match="Unknown import kind gadgets; use one of: service-areas"):
        importer_class("gadgets")


def test_core_names_no_domain_app():
    """The import machinery lives below the apps that import: it names none of them."""
    domain = {
        "organisations",
        "catalogue",
        "inventory",
        "agreements",
        "leasing",
        "billing",
        "solutions",
    }
    core = Path(samdrift.__file__).parent / "core"
    for path in [*core.joinpath("importing").rglob("*.py"), core / "bulk.py"]:
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.ImportFrom) and node.module:
                parts = node.module.split(".")
                assert not (parts[0] == "samdrift" and parts[1] in domain), (path, node.module)

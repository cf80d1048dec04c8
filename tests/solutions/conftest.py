"""A small portfolio in two municipalities: A (Fjordvik) and B (Elvdal).

Case handling: A runs Arkivo (40 users, 80 000 kr), B runs Saksflyt (10 users,
30 000 kr). Payroll: both run Lønnsmester. Requirement rows are made with each use.
"""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest

from samdrift.solutions.choices import DeliveryForm
from samdrift.solutions.services import create_function, create_solution, record_usage
from tests import factories

D = datetime.date
START = D(2025, 1, 1)


@pytest.fixture
def portfolio(municipality_a, municipality_b, service_area_a):
    case = create_function(name="Case handling and archive", code="case-archive")
    payroll = create_function(name="Payroll and HR", code="payroll-hr")
    service = factories.make_service(name="Operation of case system", code="app-case")
    arkivo = create_solution(
        name="Arkivo",
        vendor="Nordarkiv AS",
        function=case,
        delivery_form=DeliveryForm.OPERATIONS_CENTRE,
        service=service,
    )
    saksflyt = create_solution(
        name="Saksflyt", vendor="Fjellsoft AS", function=case, delivery_form=DeliveryForm.SAAS
    )
    lonn = create_solution(
        name="Lønnsmester", vendor="Nordlønn AS", function=payroll, delivery_form=DeliveryForm.LOCAL
    )
    usage_a = record_usage(
        municipality=municipality_a,
        solution=arkivo,
        valid_from=START,
        users=40,
        licence_cost=Decimal("80000.00"),
        contract_end=D(2027, 6, 1),
        notice_months=6,
        service_areas=[service_area_a],
    )
    usage_b = record_usage(
        municipality=municipality_b,
        solution=saksflyt,
        valid_from=START,
        users=10,
        licence_cost=Decimal("30000.00"),
        contract_end=D(2027, 3, 1),
        notice_months=3,
    )
    payroll_a = record_usage(
        municipality=municipality_a,
        solution=lonn,
        valid_from=START,
        users=5,
        licence_cost=Decimal("5000.00"),
    )
    payroll_b = record_usage(
        municipality=municipality_b,
        solution=lonn,
        valid_from=START,
        users=3,
        licence_cost=Decimal("3300.00"),
    )
    return {
        "case": case,
        "payroll": payroll,
        "arkivo": arkivo,
        "saksflyt": saksflyt,
        "lonn": lonn,
        "usage_a": usage_a,
        "usage_b": usage_b,
        "payroll_a": payroll_a,
        "payroll_b": payroll_b,
        "requirement_a": usage_a.solution.requirements.get(municipality=municipality_a),
        "requirement_b": usage_b.solution.requirements.get(municipality=municipality_b),
    }

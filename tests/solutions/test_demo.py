"""The demo portfolio: every page has something real, and the report's saving per
function equals a hand calculation from the usage rows (computed here without the
report's code), with users and costs reconciling."""

from __future__ import annotations

import datetime
from collections import defaultdict
from decimal import ROUND_HALF_UP, Decimal

import pytest
from django.db import transaction
from django.test import override_settings

from samdrift.core.models import User
from samdrift.demo.generator import generate
from samdrift.solutions.choices import GapKind
from samdrift.solutions.models import Solution, SolutionFunction, SolutionUsage
from samdrift.solutions.report import standardisation_report
from samdrift.solutions.selectors import gap_report

TODAY = datetime.date(2026, 11, 27)


@pytest.fixture(scope="module")
def demo(django_db_setup, django_db_blocker):
    fast = override_settings(PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"])
    with fast, django_db_blocker.unblock(), transaction.atomic():
        yield generate(size="small", seed=3, today=TODAY, password="demo-test-password")
        transaction.set_rollback(True)


@pytest.mark.django_db
def test_the_demo_portfolio_is_realistic(demo):
    assert SolutionFunction.objects.count() == 25
    assert 50 <= Solution.objects.count() <= 65
    per_function = defaultdict(set)
    for usage in SolutionUsage.objects.filter(valid_to__isnull=True).select_related("solution"):
        per_function[usage.solution.function_id].add(usage.solution_id)
    competing = [n for n in map(len, per_function.values()) if 2 <= n <= 4]
    common = [n for n in map(len, per_function.values()) if n == 1]
    assert len(competing) >= 12 and len(common) >= 3
    report = gap_report(user=User.objects.get(username="admin"), on=TODAY)
    for kind in (GapKind.PROCESSING_AGREEMENT, GapKind.RISK_ASSESSMENT, GapKind.END_OF_SUPPORT):
        assert report.totals[kind] >= 2, kind
    ends = SolutionUsage.objects.filter(valid_to__isnull=True, contract_end__isnull=False)
    years = {u.contract_end.year for u in ends}
    assert len(years) >= 3  # contracts end across the next three years


@pytest.mark.django_db
def test_the_saving_per_function_is_the_hand_calculation(demo):
    admin = User.objects.get(username="admin")
    report = standardisation_report(user=admin, on=TODAY)
    rows = SolutionUsage.objects.filter(valid_from__lte=TODAY).exclude(valid_to__lte=TODAY)
    by_function = defaultdict(list)
    for function_id, solution_id, municipality_id, users, cost in rows.values_list(
        "solution__function_id", "solution_id", "municipality_id", "users", "licence_cost"
    ):
        by_function[function_id].append((solution_id, municipality_id, users, cost))
    for function in report.functions:
        items = by_function[function.function_id]
        total_users = sum(u for _s, _m, u, _c in items)
        total_cost = sum(c for _s, _m, _u, c in items)
        assert function.users == total_users and function.cost == total_cost
        members = defaultdict(set)
        users = defaultdict(int)
        cost = defaultdict(Decimal)
        for solution_id, municipality_id, u, c in items:
            members[solution_id].add(municipality_id)
            users[solution_id] += u
            cost[solution_id] += c
        best = max(members, key=lambda s: (len(members[s]), users[s], -cost[s] / users[s]))
        assert function.candidate.solution_id == best
        expected = (total_cost - total_users * cost[best] / users[best]).quantize(
            Decimal("0.01"), rounding=ROUND_HALF_UP
        )
        assert function.saving == expected, function.name
    assert report.saving == sum(f.saving for f in report.functions)

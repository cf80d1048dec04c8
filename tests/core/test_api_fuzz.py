"""Property-based API test: schemathesis drives every operation of the OpenAPI schema.

Every operation is called with generated (valid and invalid) path parameters, queries and
bodies, as the operator and as a municipality contact, through Django's WSGI app in
process. A 5xx, or a response whose body does not match the schema, fails the test.

Path ids are drawn mostly from rows that exist (the extended world of every app), so the
actions on real invoices, buyouts and assets are reached, not only their 404s.

``SAMDRIFT_FUZZ_EXAMPLES`` raises the number of examples per operation, and
``SAMDRIFT_FUZZ_DEEP=1`` adds schemathesis's coverage phase (every boundary value of every
parameter), for a deeper run than CI's: ``SAMDRIFT_FUZZ_DEEP=1 SAMDRIFT_FUZZ_EXAMPLES=50
pytest -n 2 tests/core/test_api_fuzz.py`` (about half an hour on 2 cores).
"""

from __future__ import annotations

import os

import pytest
import schemathesis
from django.core.handlers.wsgi import WSGIHandler
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from django.urls import Resolver404, resolve
from drf_spectacular.generators import SchemaGenerator
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import response_schema_conformance

from tests.worlds import MatrixWorld

EXTENDED_WORLD = True

EXAMPLES = int(os.environ.get("SAMDRIFT_FUZZ_EXAMPLES", "8"))
DEEP = os.environ.get("SAMDRIFT_FUZZ_DEEP") == "1"
ROLES = ("operator", "contact_a")


def _existing_ids(path: str) -> list[int]:
    """Primary keys of the rows behind ``/api/<prefix>/{id}/…`` (every municipality's)."""
    try:
        match = resolve(path.replace("{id}", "1"))
    except Resolver404:
        return []
    view = getattr(match.func, "cls", None)
    queryset = getattr(view, "queryset", None)
    if queryset is None:
        return []
    return list(queryset.model._default_manager.order_by("pk").values_list("pk", flat=True))


def _load_schema():
    raw = SchemaGenerator().get_schema(request=None, public=True)
    # The coverage phase sends every boundary value the schema defines: hundreds of cases
    # for a large body, more than CI can afford on every operation. It runs in the deep
    # run (SAMDRIFT_FUZZ_DEEP=1); CI runs the explicit examples and the bounded fuzzing.
    # tests/core/test_edge_values.py sends the calendar and money edges to every field.
    config = schemathesis.Config.from_dict(
        {"phases": {"coverage": {"enabled": DEEP, "unexpected-methods": []}}}
    )
    loaded = schemathesis.openapi.from_dict(raw, config=config)
    loaded.app = WSGIHandler()
    ids_by_path: dict[str, list[int]] = {}

    @loaded.hook
    def before_generate_path_parameters(context, strategy):
        path = context.operation.path
        if "{id}" not in path:
            return strategy
        ids = ids_by_path.setdefault(path, _existing_ids(path))
        if not ids:
            return strategy
        # Mostly real rows (the interesting answers), sometimes whatever was generated.
        real = st.sampled_from(ids).map(lambda pk: {"id": pk})
        return st.one_of(real, real, real, strategy)

    return loaded


schema = _load_schema()


@pytest.fixture
def connection_kept_open():
    """Django closes the database connection when a request finishes; in a test that would
    close the transaction the world lives in (PostgreSQL). Django's test client keeps it
    open the same way: by not listening to the two signals while the request runs."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


@pytest.mark.slow
@pytest.mark.parametrize("role", ROLES)
@schema.parametrize()
@settings(
    max_examples=EXAMPLES,
    deadline=None,
    derandomize=True,
    suppress_health_check=list(HealthCheck),
)
def test_no_server_error_and_responses_match_the_schema(
    case, role, world: MatrixWorld, connection_kept_open
):
    case.call_and_validate(
        headers={"Authorization": f"Token {world.tokens[role]}"},
        checks=[not_a_server_error, response_schema_conformance],
    )

"""The 500 handler answers 503 when the database does not answer (a page that says so,
JSON for the API, Retry-After), and stays Django's 500 for anything else. The real thing,
a PostgreSQL stopped under a running gunicorn: tests/core/test_database_restart.py."""

from __future__ import annotations

import json

import pytest
from django.db import DatabaseError, InterfaceError, OperationalError
from django.test import RequestFactory

from samdrift.ui.views import server_error


def _answer(path: str, error: Exception):
    request = RequestFactory().get(path)
    try:
        raise error
    except Exception:  # the handler runs inside Django's except block, as here
        return server_error(request)


@pytest.mark.parametrize(
    "error",
    [OperationalError("server closed the connection unexpectedly"), InterfaceError("closed")],
)
def test_a_database_that_does_not_answer_gives_a_clear_503_page(error):
    response = _answer("/assets/", error)
    assert response.status_code == 503
    assert response["Retry-After"] == "30"
    page = response.content.decode()
    assert 'data-testid="database-unavailable"' in page
    assert "The database is not answering" in page and "Databasen svarer ikke" in page


def test_the_api_gets_the_503_as_json():
    response = _answer("/api/assets/", OperationalError("connection refused"))
    assert response.status_code == 503 and response["Retry-After"] == "30"
    assert json.loads(response.content) == {
        "detail": "The database is not answering. Try again in a minute."
    }


@pytest.mark.parametrize("error", [ValueError("a bug"), DatabaseError("a bad query")])
def test_any_other_error_stays_a_500(error):
    response = _answer("/assets/", error)
    assert response.status_code == 500
    assert "Something went wrong" in response.content.decode()

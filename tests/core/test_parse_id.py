"""An id that arrives as text names a row only when it is digits within what a database
stores: anything else is "no such row" (a field error, a 404, an empty list) — never the
OverflowError SQLite raises on a bigger integer."""

from __future__ import annotations

import pytest
from django.urls import reverse

from samdrift.core.validators import MAX_ID, parse_id
from tests import factories

HUGE = "9" * 40


def test_parse_id_accepts_digits_up_to_the_largest_stored_integer():
    assert parse_id("42") == 42
    assert parse_id(" 7 ") == 7
    assert parse_id(str(MAX_ID)) == MAX_ID
    for text in (str(MAX_ID + 1), HUGE, "", None, "-1", "1.0", "x", "١٢"):
        assert parse_id(text) is None, text


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("method", "url", "data"),
    [
        ("post", "organisations:user_create", {"username": "u", "municipality": HUGE}),
        ("get", "organisations:user_create", {"municipality": HUGE}),
        ("get", "autocomplete_persons", {"q": HUGE}),
        ("get", "autocomplete_persons", {"q": "ab", "municipality": HUGE}),
        ("get", "api_gains_comparison", {"municipality": HUGE}),
    ],
)
def test_a_huge_id_is_no_such_row_not_a_500(method, url, data):
    operator = factories.make_user(username="op", role="operator")
    client = factories.client_for(operator)
    path = {
        "autocomplete_persons": "/autocomplete/person/",
        "api_gains_comparison": "/api/gains/comparison/",
    }.get(url) or reverse(url)
    response = getattr(client, method)(path, data)
    assert response.status_code in (200, 400, 404), (url, response.status_code)

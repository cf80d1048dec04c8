"""Instants in filters are compared in UTC: PostgreSQL refuses offsets beyond ±15:59 that
ISO 8601 (and Python) accept, and a filter must never turn that into a server error."""

from urllib.parse import quote

import pytest

from tests import factories

pytestmark = pytest.mark.django_db


def test_an_offset_postgresql_would_refuse_filters_like_its_utc_instant(operator):
    factories.make_service(code="mail", name="E-post")
    client = factories.api_as(operator)
    # 23:27 at +16:23 is 07:04 UTC the same day: every row made today is after it.
    late = quote("2026-02-25T23:27:24.6+16:23")
    early = quote("2026-02-25T07:04:24.6Z")
    answers = [client.get(f"/api/services/?updated_after={t}") for t in (late, early)]
    assert [a.status_code for a in answers] == [200, 200]
    assert answers[0].json()["count"] == answers[1].json()["count"] == 1

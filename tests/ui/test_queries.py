"""No page issues a query per row: the count is the same for 3 rows as for 30."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from tests import factories
from tests.factories import client_for
from tests.worlds import build_small_world, grow_small_world

# Session, user, the rows, their count, the filter choices, the page's own summaries.
# The municipality page's cards are counted through their lists' FilterSets (ui.cards),
# each validating the municipality filter as the list does: two queries a card.
# The municipality page is the busiest: its own panels, inventory's, the dashboard's costs
# and planning's cards (the replacement rules, then devices due and overdue).
# The overview passes it, as an operator: 20 queries and 7 notification counts
# (ui.notifications; per role in tests/dashboard/test_notifications.py).
MAX_QUERIES = 27


def urls(world) -> dict[str, str]:
    return {
        "overview": reverse("home"),
        "municipalities": reverse("organisations:municipality_list"),
        "municipality": reverse(
            "organisations:municipality_detail", args=[world.municipality_a.pk]
        ),
        "service areas": reverse("organisations:service_area_list"),
        "locations": reverse("organisations:location_list"),
        "persons": reverse("organisations:person_list"),
        "person": reverse("organisations:person_detail", args=[world.person_a.pk]),
        "assets": reverse("inventory:asset_list"),
        "asset": reverse("inventory:asset_detail", args=[world.assets_a[0].pk]),
        "products": reverse("catalogue:product_list"),
        "services": reverse("catalogue:service_list"),
        "prices": reverse("catalogue:price_list"),
        "assets csv": reverse("inventory:asset_list") + "?export=csv",
        "persons xlsx": reverse("organisations:person_list") + "?export=xlsx",
    }


def count_queries(client, url: str) -> int:
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
        if response.streaming:
            b"".join(response.streaming_content)
    assert response.status_code == 200, url
    return len(captured)


@pytest.mark.django_db
@pytest.mark.parametrize("as_contact", [False, True], ids=["operator", "contact"])
def test_query_count_does_not_grow_with_rows(as_contact, django_assert_max_num_queries):
    from samdrift.core.choices import Role

    world = build_small_world(rows=3)
    user = (
        factories.make_user(Role.MUNICIPALITY, municipality=world.municipality_a)
        if as_contact
        else factories.make_user(Role.OPERATOR)
    )
    client = client_for(user)
    pages = urls(world)
    client.get(pages["overview"])  # the day's fleet figures are counted on a first visit
    few = {name: count_queries(client, url) for name, url in pages.items()}
    grow_small_world(world, 27)
    # The first visit after a change reads the kept holdings once more (the monthly
    # cost is remembered per version of them): compare remembered with remembered.
    client.get(pages["overview"])
    for name, url in pages.items():
        with django_assert_max_num_queries(MAX_QUERIES):
            many = count_queries(client, url)
        assert many == few[name], f"{name}: {few[name]} queries for 3 rows, {many} for 30"

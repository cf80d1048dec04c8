"""The same stock asset never goes to two lines, also when two operators deliver it at
once: two real connections in two threads (PostgreSQL; SQLite serialises writers)."""

import datetime
import threading

import pytest
from django.core.exceptions import ValidationError
from django.db import connection, connections

from samdrift.core.actor import acting_as
from samdrift.inventory.models import Assignment
from samdrift.ordering.models import Delivery, OrderLine
from samdrift.ordering.services import deliver_line

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(connection.vendor != "postgresql", reason="needs PostgreSQL"),
]


def race(world, line_ids, asset):
    barrier = threading.Barrier(len(line_ids))
    results = [None] * len(line_ids)

    def work(index, line_id):
        try:
            with acting_as(world.operator):
                line = OrderLine.objects.get(pk=line_id)
                barrier.wait()
                results[index] = deliver_line(
                    line=line, on=datetime.date(2026, 11, 10), asset=asset
                )
        except Exception as error:
            results[index] = error
        finally:
            connections.close_all()

    threads = [threading.Thread(target=work, args=(i, pk)) for i, pk in enumerate(line_ids)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return results


def test_one_of_two_simultaneous_deliveries_of_the_same_asset_fails_cleanly(world):
    asset = world.stock[0]
    lines = [world.accepted().lines.get().pk, world.accepted().lines.get().pk]
    results = race(world, lines, asset)
    delivered = [r for r in results if isinstance(r, Delivery)]
    refused = [r for r in results if isinstance(r, ValidationError)]
    assert len(delivered) == 1 and len(refused) == 1, results
    assert "asset" in refused[0].message_dict
    assert Delivery.objects.filter(asset=asset).count() == 1
    assert Assignment.objects.filter(asset=asset).count() == 1
    loser = next(pk for pk in lines if pk != delivered[0].line_id)
    assert OrderLine.objects.get(pk=loser).delivered_quantity == 0

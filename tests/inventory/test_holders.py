"""Issue #9 item 1: what holds an asset today is the assignment in force today.

A move dated in the future leaves the asset with its current holder (data and access)
until the day comes; ``refresh_holders`` (daily command, or lazily once a day per process)
moves it then.
"""

import datetime

import pytest
from django.core.management import call_command
from django.db import connection
from django.test import override_settings
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from samdrift.core.changelog import changes_for
from samdrift.core.choices import ChangeAction
from samdrift.core.permissions import restrict
from samdrift.inventory import holders
from samdrift.inventory.holders import refresh_holders, refresh_holders_daily, stale_assets
from samdrift.inventory.models import Asset, Assignment
from samdrift.inventory.services import assign_asset
from tests import factories

DAY = datetime.timedelta(days=1)


@pytest.fixture
def today():
    return timezone.localdate()


@pytest.fixture
def moved(db, today, municipality_a, municipality_b, service_area_a, service_area_b):
    """An asset held by Fjordvik since last year, moving to Elvdal in ten days."""
    asset = factories.make_asset()
    assign_asset(
        asset=asset,
        municipality=municipality_a,
        service_area=service_area_a,
        valid_from=today.replace(year=today.year - 1),
    )
    assign_asset(
        asset=asset,
        municipality=municipality_b,
        service_area=service_area_b,
        valid_from=today + 10 * DAY,
    )
    asset.refresh_from_db()
    return asset


def test_a_move_dated_in_the_future_leaves_the_current_holder_in_place(
    moved, municipality_a, service_area_a, contact_a, contact_b
):
    assert (moved.municipality, moved.service_area) == (municipality_a, service_area_a)
    # Access follows: the current holder still sees it, the future one not yet.
    assert restrict(Asset.objects.filter(pk=moved.pk), contact_a).exists()
    assert not restrict(Asset.objects.filter(pk=moved.pk), contact_b).exists()


def test_the_move_takes_effect_on_its_day(
    moved, today, municipality_b, service_area_b, contact_a, contact_b
):
    assert refresh_holders(on=today + 9 * DAY) == 0
    assert refresh_holders(on=today + 10 * DAY) == 1
    moved.refresh_from_db()
    assert (moved.municipality, moved.service_area) == (municipality_b, service_area_b)
    assert not restrict(Asset.objects.filter(pk=moved.pk), contact_a).exists()
    assert restrict(Asset.objects.filter(pk=moved.pk), contact_b).exists()
    # The change is logged, before and after, by the system, naming the day.
    change = changes_for(moved).filter(action=ChangeAction.UPDATE).first()
    assert change.actor == "system"
    assert change.prechange_data["municipality_id"] != change.postchange_data["municipality_id"]
    assert change.postchange_data["municipality_id"] == municipality_b.pk
    assert (today + 10 * DAY).isoformat() in change.message
    # Running again changes nothing.
    assert refresh_holders(on=today + 10 * DAY) == 0


def test_an_assignment_ending_clears_the_holder_on_its_day(db, today, municipality_a):
    asset = factories.make_asset()
    assign_asset(
        asset=asset,
        municipality=municipality_a,
        valid_from=today - 30 * DAY,
        valid_to=today + 5 * DAY,
    )
    asset.refresh_from_db()
    assert asset.municipality == municipality_a
    refresh_holders(on=today + 5 * DAY)
    asset.refresh_from_db()
    assert (asset.municipality, asset.service_area, asset.person, asset.location) == (
        None,
        None,
        None,
        None,
    )


def test_refresh_corrects_only_stale_rows_and_looks_at_recent_boundaries_with_since(
    moved, today, municipality_a, municipality_b
):
    other = factories.make_asset()
    assign_asset(asset=other, municipality=municipality_a, valid_from=today - 100 * DAY)
    day = today + 10 * DAY
    assert list(stale_assets(on=day)) == [moved]
    # Only assets with an assignment starting or ending after ``since`` are looked at.
    assert list(stale_assets(on=day, since=day)) == []
    assert list(stale_assets(on=day, since=day - DAY)) == [moved]


def test_refresh_needs_the_same_queries_for_more_assets(
    db, today, municipality_a, municipality_b, django_assert_num_queries
):
    def make_moves(n):
        for _ in range(n):
            asset = factories.make_asset()
            assign_asset(asset=asset, municipality=municipality_a, valid_from=today - 50 * DAY)
            assign_asset(asset=asset, municipality=municipality_b, valid_from=today + 3 * DAY)

    make_moves(2)
    # savepoint, SELECT … FOR UPDATE, UPDATE, change-log INSERT (+ content type once), and
    # the stamps of the fleet figures and the holdings (not counted for this day: no more).
    with django_assert_num_queries(7, exact=False) as small:
        assert refresh_holders(on=today + 3 * DAY) == 2
    make_moves(20)
    with django_assert_num_queries(len(small.captured_queries)):
        assert refresh_holders(on=today + 3 * DAY) == 20
    assert Asset.objects.filter(municipality=municipality_b).count() == 22


def test_the_daily_refresh_runs_once_a_day_per_process(moved, today, municipality_b):
    holders.forget_daily_refresh()
    try:
        assert refresh_holders_daily(today=today) is True
        assert refresh_holders_daily(today=today) is False
        assert refresh_holders_daily(today=today + 10 * DAY) is True
        moved.refresh_from_db()
        assert moved.municipality == municipality_b
    finally:
        holders.forget_daily_refresh()


def test_a_process_started_later_relies_on_the_day_written_down(
    moved, today, municipality_a, municipality_b, django_assert_num_queries
):
    holders.forget_daily_refresh()
    try:
        assert refresh_holders_daily(today=today) is True
        assert holders.refreshed_on() == today
        # Another process (a restarted worker), same day: one look at the day written
        # down, and no asset read.
        holders._refreshed_on = None
        with django_assert_num_queries(1):
            assert refresh_holders_daily(today=today) is False
        # The move's day comes: that process looks only at the assignments that began or
        # ended since the day written down, finds the move, and writes the new day.
        holders._refreshed_on = None
        move_day = today + 10 * DAY
        with CaptureQueriesContext(connection) as queries:
            assert refresh_holders_daily(today=move_day) is True
        # The assets looked at are those with an assignment boundary after ``today``.
        stale_select = next(
            q["sql"]
            for q in queries.captured_queries
            if "FOR UPDATE" in q["sql"]
            or (
                "inventory_asset" in q["sql"]
                and q["sql"].lstrip().startswith("SELECT")
                and "inventory_assignment" in q["sql"]
            )
        )
        assert today.isoformat() in stale_select
        moved.refresh_from_db()
        assert moved.municipality == municipality_b
        assert holders.refreshed_on() == move_day
    finally:
        holders.forget_daily_refresh()
    assert holders.refreshed_on() is None


def test_the_daily_check_since_the_day_written_down_misses_no_move(
    moved, today, municipality_a, municipality_b
):
    # Written down yesterday: a move dated today (made before, or by a service that set
    # nothing for today) is found by the next process's check.
    holders.forget_daily_refresh()
    try:
        holders.record_refresh(today - DAY)
        Assignment.objects.filter(asset=moved, municipality=municipality_b).update(valid_from=today)
        Assignment.objects.filter(asset=moved, municipality=municipality_a).update(valid_to=today)
        assert refresh_holders_daily(today=today) is True
        moved.refresh_from_db()
        assert moved.municipality == municipality_b
        assert holders.refreshed_on() == today
    finally:
        holders.forget_daily_refresh()


def test_the_first_request_of_the_day_refreshes_lazily(
    client, moved, operator, municipality_a, municipality_b
):
    # The move was planned; then its day came (here: the assignment is dated back, the
    # way a day passing looks to the database) with no timer having run.
    Assignment.objects.filter(asset=moved, municipality=municipality_b).update(
        valid_from=timezone.localdate()
    )
    Assignment.objects.filter(asset=moved, municipality=municipality_a).update(
        valid_to=timezone.localdate()
    )
    holders.forget_daily_refresh()
    client.force_login(operator)
    try:
        with override_settings(SAMDRIFT_REFRESH_HOLDERS_LAZILY=True):
            # A load balancer's health check does not do the day's refresh (it must answer
            # at once, and 503 — not a page — when the database is down).
            assert client.get(reverse("health")).status_code == 200
            moved.refresh_from_db()
            assert moved.municipality == municipality_a
            client.get(reverse("inventory:asset_list"))
        moved.refresh_from_db()
        assert moved.municipality == municipality_b
    finally:
        holders.forget_daily_refresh()


def test_the_holders_command_refreshes_and_counts(moved, today, municipality_b, capsys):
    day = (today + 10 * DAY).isoformat()
    call_command("holders", "--on", day, "--dry-run")
    assert "1 asset(s) would move" in capsys.readouterr().out
    moved.refresh_from_db()
    assert moved.municipality != municipality_b
    call_command("holders", "--on", day)
    assert "1 asset(s) moved" in capsys.readouterr().out
    moved.refresh_from_db()
    assert moved.municipality == municipality_b
    # Another day than today is not written down: today's own check still has to run.
    assert holders.refreshed_on() is None
    call_command("holders")
    assert holders.refreshed_on() == today


def test_the_holders_command_refuses_a_bad_date(db):
    from django.core.management.base import CommandError

    with pytest.raises(CommandError, match="YYYY-MM-DD"):
        call_command("holders", "--on", "31.12.2026")


def test_the_asset_page_shows_the_future_move_as_planned(
    client, moved, operator, contact_a, contact_b, municipality_a
):
    client.force_login(operator)
    url = reverse("inventory:asset_detail", args=[moved.pk])
    page = client.get(url).content.decode()
    holder = page.split('data-testid="holder"')[1].split("</dl>")[0]
    assert municipality_a.name in holder  # held by now: the current holder
    planned = Assignment.objects.get(asset=moved, valid_to__isnull=True)
    row = page.split(f'data-testid="assignment-{planned.pk}"')[0].rsplit("<tr", 1)[1]
    assert 'data-planned="1"' in row and "current-row" not in row
    assert '<g class="segment planned"' in page  # the timeline draws it as planned
    # The current holder's users still reach the asset; the future holder's do not yet.
    client.force_login(contact_a)
    assert client.get(url).status_code == 200
    client.force_login(contact_b)
    assert client.get(url).status_code == 404


def test_the_person_page_lists_an_asset_held_until_a_later_move(
    client, db, today, operator, municipality_a, municipality_b
):
    person = factories.make_person(municipality_a)
    asset = factories.make_asset()
    assign_asset(
        asset=asset, municipality=municipality_a, person=person, valid_from=today - 40 * DAY
    )
    assign_asset(asset=asset, municipality=municipality_b, valid_from=today + 10 * DAY)
    client.force_login(operator)
    page = client.get(reverse("organisations:person_detail", args=[person.pk])).content.decode()
    now = page.split('data-testid="assets-now"')[1].split("</table>")[0]
    assert asset.asset_tag in now

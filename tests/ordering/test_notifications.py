"""Notifications of an order's steps: who is told (never the one who acted), the e-mail
sent after commit (a failed mail does not undo the step), the inbox and the API showing
each user only their own."""

from __future__ import annotations

from unittest import mock

import pytest
from django.core import mail

from samdrift.core.actor import acting_as
from samdrift.ordering.models import Notification
from samdrift.ordering.services import (
    accept_order,
    approve_order,
    cancel_order,
    reject_order,
    set_approval_rule,
    submit_order,
)
from tests.factories import api_as, client_for

pytestmark = pytest.mark.django_db


@pytest.fixture
def mailed(world):
    """Every login of the world with an e-mail address of its own."""
    for user in (
        world.contact,
        world.contact_2,
        world.school_manager,
        world.health_manager,
        world.elvdal_contact,
        world.operator,
    ):
        user.email = f"{user.username}@example.no"
        user.save(update_fields=["email"])
    return world


def told(order, verb) -> set:
    return set(
        Notification.objects.filter(order=order, verb=verb).values_list(
            "recipient__username", flat=True
        )
    )


def test_each_step_tells_the_people_concerned(mailed, django_capture_on_commit_callbacks):
    w = mailed
    order = w.order()  # by the school manager, for the school area
    with django_capture_on_commit_callbacks(execute=True), acting_as(w.school_manager):
        submit_order(order=order)
    # The budget owners: both contacts and the school manager, who acted himself.
    assert told(order, "submitted") == {"contact", "contact2"}
    assert sorted(m.to[0] for m in mail.outbox) == ["contact2@example.no", "contact@example.no"]
    assert order.number in mail.outbox[0].subject
    assert f"/ordering/{order.pk}/" in mail.outbox[0].body

    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True), acting_as(w.contact):
        approve_order(order=order)
    assert told(order, "approved") == {"op"}
    assert [m.to for m in mail.outbox] == [["op@example.no"]]

    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True), acting_as(w.operator):
        accept_order(order=order)
    assert told(order, "accepted") == {"school-mgr", "contact", "contact2"}
    assert len(mail.outbox) == 3
    # Never another municipality's people, never another area's manager.
    assert not Notification.objects.filter(recipient__in=[w.elvdal_contact, w.health_manager])
    assert not Notification.objects.filter(order=order, recipient=w.operator, verb="accepted")


def test_rejection_and_cancellation_tell_the_creator_with_the_reason(
    mailed, django_capture_on_commit_callbacks
):
    w = mailed
    order = w.order()
    with acting_as(w.school_manager):
        submit_order(order=order)
    with django_capture_on_commit_callbacks(execute=True), acting_as(w.contact):
        reject_order(order=order, reason="Not in this year's budget")
    assert told(order, "rejected") == {"school-mgr", "contact2"}
    note = Notification.objects.get(order=order, verb="rejected", recipient=w.school_manager)
    assert "Not in this year's budget" in note.text
    assert any("Not in this year's budget" in m.body for m in mail.outbox)

    other = w.order()
    with acting_as(w.school_manager):
        cancel_order(order=other, reason="Duplicate")
    assert told(other, "cancelled") == {"contact", "contact2"}  # not the creator who acted


def test_a_first_approval_of_two_tells_those_still_to_approve(mailed):
    w = mailed
    set_approval_rule(municipality=w.fjordvik, contact_approval_above=0)
    order = w.order(by=w.contact_2)
    with acting_as(w.contact_2):
        submit_order(order=order)
    before = Notification.objects.order_by("-pk").values_list("pk", flat=True).first()
    with acting_as(w.school_manager):
        approve_order(order=order)
    order.refresh_from_db()
    assert order.state == "submitted"
    later = Notification.objects.filter(order=order, pk__gt=before)
    # The contact is still needed; contact_2 placed it, the manager has approved.
    assert {n.recipient.username for n in later} == {"contact"}
    assert "one approval" in later.get().text


def test_users_without_an_address_get_the_inbox_only(world, django_capture_on_commit_callbacks):
    order = world.order()
    with django_capture_on_commit_callbacks(execute=True), acting_as(world.school_manager):
        submit_order(order=order)
    assert told(order, "submitted") == {"contact", "contact2"}
    assert mail.outbox == []


def test_a_failing_mail_server_does_not_undo_the_step(
    mailed, django_capture_on_commit_callbacks, caplog
):
    order = mailed.order()
    with (
        mock.patch("samdrift.ordering.notifications.send_mail", side_effect=OSError("SMTP down")),
        django_capture_on_commit_callbacks(execute=True),
        acting_as(mailed.school_manager),
    ):
        submit_order(order=order)
    order.refresh_from_db()
    assert order.state == "submitted"
    assert told(order, "submitted") == {"contact", "contact2"}
    assert "Could not send the order notification" in caplog.text


def test_the_inbox_shows_only_ones_own(world):
    order = world.order()
    with acting_as(world.school_manager):
        submit_order(order=order)
    mine = Notification.objects.get(recipient=world.contact)
    theirs = Notification.objects.get(recipient=world.contact_2)

    page = client_for(world.contact).get("/ordering/inbox/")
    assert page.status_code == 200
    assert order.number in page.content.decode()
    assert (
        client_for(world.elvdal_contact)
        .get("/ordering/inbox/")
        .content.decode()
        .count(order.number)
        == 0
    )

    browser = client_for(world.contact)
    assert browser.post(f"/ordering/inbox/{theirs.pk}/read/").status_code == 404
    response = browser.post(f"/ordering/inbox/{mine.pk}/read/")
    assert response.status_code == 302
    assert response["Location"] == f"/ordering/{order.pk}/"
    mine.refresh_from_db()
    theirs.refresh_from_db()
    assert mine.read_at is not None
    assert theirs.read_at is None
    assert browser.get(f"/ordering/inbox/{mine.pk}/read/").status_code == 405


def test_the_api_shows_only_ones_own(world):
    order = world.order()
    with acting_as(world.school_manager):
        submit_order(order=order)
    mine = Notification.objects.get(recipient=world.contact)
    theirs = Notification.objects.get(recipient=world.contact_2)
    client = api_as(world.contact)
    listed = client.get("/api/notifications/").json()
    assert [n["id"] for n in listed["results"]] == [mine.pk]
    assert client.get(f"/api/notifications/{theirs.pk}/").status_code == 404
    assert client.post(f"/api/notifications/{theirs.pk}/read/").status_code == 404
    read = client.post(f"/api/notifications/{mine.pk}/read/")
    assert read.status_code == 200
    assert read.json()["read_at"] is not None
    # Even an operator sees only their own.
    assert api_as(world.operator).get("/api/notifications/").json()["count"] == 0


def test_a_history_written_after_the_fact_fills_the_inboxes_but_sends_no_mail(
    mailed, django_capture_on_commit_callbacks
):
    from samdrift.ordering.notifications import without_mail

    w = mailed
    order = w.order()
    with (
        django_capture_on_commit_callbacks(execute=True),
        acting_as(w.school_manager),
        without_mail(),
    ):
        submit_order(order=order)
    assert told(order, "submitted") == {"contact", "contact2"}
    assert mail.outbox == []

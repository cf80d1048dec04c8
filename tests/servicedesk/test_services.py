"""The incident and outage services: every bad input names its field and saves nothing."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError

from samdrift.core.changelog import changes_for
from samdrift.core.choices import ChangeAction
from samdrift.core.models import ObjectChange
from samdrift.servicedesk.choices import IncidentSource
from samdrift.servicedesk.models import Incident, Outage
from samdrift.servicedesk.services.incidents import create_incident, update_incident
from samdrift.servicedesk.services.outages import create_outage, delete_outage, update_outage
from tests.servicedesk.conftest import at

pytestmark = pytest.mark.django_db


def _fields(error: ValidationError) -> set[str]:
    return set(error.value.message_dict)


def _incident(municipality, **overrides):
    values = {
        "municipality": municipality,
        "number": "INC0100",
        "priority": 3,
        "opened_at": at(10, 8),
    }
    values.update(overrides)
    return create_incident(**values)


def test_a_valid_incident_is_saved_with_its_pauses(municipality_a, email):
    incident = _incident(
        municipality_a,
        service=email,
        responded_at=at(10, 8, 30),
        resolved_at=at(10, 12),
        pauses=[("awaiting_vendor", at(10, 9), None)],
    )
    incident.refresh_from_db()
    assert incident.source == IncidentSource.MANUAL
    assert incident.pauses == [["awaiting_vendor", at(10, 9).isoformat(), None]]


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"resolved_at": at(10, 7)}, "resolved_at"),
        ({"responded_at": at(9, 23)}, "responded_at"),
        ({"closed_at": at(1, 0)}, "closed_at"),
        ({"priority": 7}, "priority"),
        ({"priority": 0}, "priority"),
        ({"state": "lost"}, "state"),
        ({"number": ""}, "number"),
        ({"pauses": [["coffee", at(10, 9).isoformat(), None]]}, "pauses"),
        ({"pauses": [["awaiting_user", at(10, 9).isoformat(), at(10, 8).isoformat()]]}, "pauses"),
        ({"pauses": [["awaiting_user", "yesterday", None]]}, "pauses"),
        ({"pauses": [["awaiting_user", "2026-03-10T09:00", None]]}, "pauses"),
        ({"pauses": [["awaiting_user"]]}, "pauses"),
    ],
)
def test_a_bad_incident_names_the_field_and_saves_nothing(municipality_a, overrides, field):
    with pytest.raises(ValidationError) as error:
        _incident(municipality_a, **overrides)
    assert field in _fields(error)
    assert not Incident.objects.exists()


def test_resolved_before_opened_says_so(municipality_a):
    with pytest.raises(ValidationError) as error:
        _incident(municipality_a, resolved_at=at(10, 7))
    assert error.value.message_dict["resolved_at"] == [
        "The incident is resolved before it was opened."
    ]


def test_a_manual_number_is_unique_within_its_source(municipality_a, municipality_b):
    _incident(municipality_a)
    with pytest.raises(ValidationError) as error:
        _incident(municipality_b)
    assert list(error.value.message_dict) == ["number"]
    assert "INC0100" in error.value.message_dict["number"][0]
    assert "already used" in error.value.message_dict["number"][0]
    assert Incident.objects.count() == 1
    # The same number from another source is another incident.
    _incident(municipality_b, source=IncidentSource.TOPDESK)
    assert Incident.objects.count() == 2


def test_an_update_is_checked_like_a_creation(municipality_a):
    first = _incident(municipality_a)
    second = _incident(municipality_a, number="INC0101")
    with pytest.raises(ValidationError) as error:
        update_incident(incident=second, changes={"number": "INC0100"})
    assert _fields(error) == {"number"}
    with pytest.raises(ValidationError) as error:
        update_incident(incident=first, changes={"resolved_at": at(9, 8)})
    assert _fields(error) == {"resolved_at"}
    with pytest.raises(ValidationError) as error:
        update_incident(incident=first, changes={"source": IncidentSource.GLPI})
    assert _fields(error) == {"source"}
    stored = Incident.objects.get(pk=first.pk)
    assert stored.resolved_at is None
    assert stored.source == IncidentSource.MANUAL
    assert Incident.objects.get(pk=second.pk).number == "INC0101"
    # Keeping its own number is no clash.
    update_incident(incident=first, changes={"number": "INC0100", "title": "Printer"})
    assert Incident.objects.get(pk=first.pk).title == "Printer"


def test_a_valid_outage_of_some_municipalities(email, municipality_a, municipality_b):
    outage = create_outage(
        service=email,
        started_at=at(10, 8),
        ended_at=at(10, 9),
        description="Router",
        all_municipalities=False,
        municipalities=[municipality_a],
    )
    assert list(outage.municipalities.all()) == [municipality_a]
    update_outage(outage=outage, changes={"municipalities": [municipality_a, municipality_b]})
    assert set(Outage.objects.get().municipalities.all()) == {municipality_a, municipality_b}
    update_outage(outage=outage, changes={"all_municipalities": True, "municipalities": []})
    assert Outage.objects.get().municipalities.count() == 0


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"ended_at": at(10, 7)}, "ended_at"),
        ({"ended_at": at(10, 8)}, "ended_at"),
        ({"announced_at": at(9, 8)}, "announced_at"),
        ({"description": ""}, "description"),
        ({"all_municipalities": False}, "municipalities"),
    ],
)
def test_a_bad_outage_names_the_field_and_saves_nothing(email, municipality_a, overrides, field):
    values = {"service": email, "started_at": at(10, 8), "description": "Router"}
    values.update(overrides)
    with pytest.raises(ValidationError) as error:
        create_outage(**values)
    assert field in _fields(error)
    assert not Outage.objects.exists()


def test_all_and_named_municipalities_is_refused(email, municipality_a):
    with pytest.raises(ValidationError) as error:
        create_outage(
            service=email,
            started_at=at(10, 8),
            description="Router",
            municipalities=[municipality_a],
        )
    assert _fields(error) == {"municipalities"}
    assert not Outage.objects.exists()


def test_ending_before_the_start_says_so(email):
    with pytest.raises(ValidationError) as error:
        create_outage(service=email, started_at=at(10, 8), ended_at=at(10, 7), description="x")
    assert error.value.message_dict["ended_at"] == ["The outage ends before it starts."]


def test_a_bad_update_of_an_outage_keeps_it(email, municipality_a):
    outage = create_outage(service=email, started_at=at(10, 8), description="Router")
    with pytest.raises(ValidationError) as error:
        update_outage(outage=outage, changes={"ended_at": at(10, 6)})
    assert _fields(error) == {"ended_at"}
    with pytest.raises(ValidationError):
        update_outage(outage=outage, changes={"all_municipalities": False})
    stored = Outage.objects.get()
    assert stored.ended_at is None and stored.all_municipalities


def test_deleting_an_outage(email, municipality_a):
    outage = create_outage(
        service=email,
        started_at=at(10, 8),
        description="Router",
        all_municipalities=False,
        municipalities=[municipality_a],
    )
    delete_outage(outage=outage)
    assert not Outage.objects.exists()
    assert not Outage.municipalities.through.objects.exists()


# The change log: the municipalities an outage names are logged in its own row ----------------


def _named_outage(email, *municipalities) -> Outage:
    return create_outage(
        service=email,
        started_at=at(10, 8),
        description="Router",
        all_municipalities=False,
        municipalities=list(municipalities),
    )


@pytest.fixture
def b_and_a(municipality_a, municipality_b):
    return [municipality_b, municipality_a]


def test_creating_an_outage_logs_its_municipalities_in_its_row(email, b_and_a):
    outage = _named_outage(email, *b_and_a)
    (change,) = changes_for(outage)
    assert change.action == ChangeAction.CREATE
    assert change.postchange_data["description"] == "Router"
    assert change.postchange_data["municipalities"] == sorted(m.pk for m in b_and_a)


def test_changing_only_the_municipalities_of_an_outage_is_one_row(
    email, municipality_a, municipality_b
):
    outage = _named_outage(email, municipality_a)
    update_outage(
        outage=Outage.objects.get(pk=outage.pk),
        changes={"municipalities": [municipality_b, municipality_a]},
    )
    assert changes_for(outage).count() == 2
    latest = changes_for(outage).first()
    assert latest.action == ChangeAction.UPDATE
    assert latest.changed_fields() == {
        "municipalities": ([municipality_a.pk], sorted([municipality_a.pk, municipality_b.pk]))
    }


def test_fields_and_municipalities_changed_together_are_one_row(email, municipality_a):
    outage = _named_outage(email, municipality_a)
    update_outage(
        outage=Outage.objects.get(pk=outage.pk),
        changes={"all_municipalities": True, "municipalities": [], "description": "Core"},
    )
    assert changes_for(outage).count() == 2
    assert changes_for(outage).first().changed_fields() == {
        "all_municipalities": (False, True),
        "description": ("Router", "Core"),
        "municipalities": ([municipality_a.pk], []),
    }


def test_a_field_change_logs_the_municipalities_as_they_stay(email, municipality_a):
    outage = _named_outage(email, municipality_a)
    update_outage(outage=Outage.objects.get(pk=outage.pk), changes={"description": "Core"})
    latest = changes_for(outage).first()
    assert latest.changed_fields() == {"description": ("Router", "Core")}
    assert latest.postchange_data["municipalities"] == [municipality_a.pk]


def test_an_outage_saved_unchanged_logs_nothing(email, municipality_a):
    outage = _named_outage(email, municipality_a)
    changes = ObjectChange.objects.count()
    update_outage(outage=outage, changes={"municipalities": [municipality_a]})
    update_outage(outage=outage, changes={})
    assert ObjectChange.objects.count() == changes
    # The relations are logged for the span of the service only.
    assert "municipalities" not in outage.changelog_data()


def test_a_refused_change_of_municipalities_logs_nothing(email, municipality_a):
    outage = _named_outage(email, municipality_a)
    changes = ObjectChange.objects.count()
    with pytest.raises(ValidationError):
        update_outage(outage=outage, changes={"municipalities": []})
    assert ObjectChange.objects.count() == changes
    assert list(Outage.objects.get().municipalities.all()) == [municipality_a]


def test_deleting_an_outage_logs_the_municipalities_it_named(email, municipality_a):
    outage = _named_outage(email, municipality_a)
    pk = outage.pk
    delete_outage(outage=outage)
    deleted = ObjectChange.objects.get(
        action=ChangeAction.DELETE, content_type__model="outage", object_id=pk
    )
    assert deleted.prechange_data["municipalities"] == [municipality_a.pk]
    assert deleted.prechange_data["description"] == "Router"

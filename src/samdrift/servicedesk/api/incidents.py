"""REST endpoints of incidents: rows from ``restrict`` (a municipality's users see their
own), writes by operators through ``servicedesk.services.incidents``."""

from __future__ import annotations

from rest_framework import serializers

from samdrift.core.api import SamdriftModelSerializer, SamdriftViewSet
from samdrift.servicedesk.api.fields import FIELD_MAPPING
from samdrift.servicedesk.choices import IncidentSource
from samdrift.servicedesk.filtersets import IncidentFilterSet
from samdrift.servicedesk.models import Incident
from samdrift.servicedesk.services.incidents import (
    INCIDENT_FIELDS,
    create_incident,
    update_incident,
)

TIMESTAMPS = ["created", "last_updated"]


class IncidentSerializer(SamdriftModelSerializer):
    serializer_field_mapping = FIELD_MAPPING

    source = serializers.ChoiceField(
        choices=IncidentSource.choices,
        default=IncidentSource.MANUAL,
        help_text="Where it was recorded; set when created, never changed.",
    )
    pauses = serializers.JSONField(
        required=False,
        help_text='[[reason, start, end], …]: reason "awaiting_user" or "awaiting_vendor", '
        "ISO instants with time zone, end null while still paused.",
    )

    class Meta:
        model = Incident
        fields = ["id", "source", *INCIDENT_FIELDS, "events", *TIMESTAMPS]
        read_only_fields = ["events", *TIMESTAMPS]

    def validate(self, attrs):
        # The service checks everything (pauses, the number within its source) and
        # names the field; the model's own check would report the pauses before they
        # are read.
        return attrs

    def create(self, validated_data):
        return create_incident(**validated_data)

    def update(self, instance, validated_data):
        return update_incident(incident=instance, changes=validated_data)


class IncidentViewSet(SamdriftViewSet):
    queryset = Incident.objects.select_related("municipality", "service")
    serializer_class = IncidentSerializer
    filterset_class = IncidentFilterSet
    ordering_fields = ["opened_at", "resolved_at", "priority", "number"]


def register(router) -> None:
    router.register("incidents", IncidentViewSet)

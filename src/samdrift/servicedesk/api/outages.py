"""REST endpoints of outages: a municipality's users see those of all municipalities and
those naming theirs (and, of the municipalities named, only their own); operators write
through ``servicedesk.services.outages``; ``municipalities`` is a list of ids."""

from __future__ import annotations

from django.db.models import Prefetch
from rest_framework import mixins

from samdrift.core.api import SamdriftModelSerializer, SamdriftViewSet
from samdrift.core.permissions import restrict
from samdrift.organisations.models import Municipality
from samdrift.servicedesk.api.fields import FIELD_MAPPING
from samdrift.servicedesk.filtersets import OutageFilterSet
from samdrift.servicedesk.models import Outage
from samdrift.servicedesk.services.outages import (
    OUTAGE_FIELDS,
    create_outage,
    delete_outage,
    update_outage,
)

TIMESTAMPS = ["created", "last_updated"]


class OutageSerializer(SamdriftModelSerializer):
    serializer_field_mapping = FIELD_MAPPING

    class Meta:
        model = Outage
        fields = ["id", *OUTAGE_FIELDS, *TIMESTAMPS]
        read_only_fields = TIMESTAMPS

    def validate(self, attrs):
        # The service checks everything at once (times, who is affected), naming fields.
        return attrs

    def create(self, validated_data):
        return create_outage(**validated_data)

    def update(self, instance, validated_data):
        return update_outage(outage=instance, changes=validated_data)


class OutageViewSet(mixins.DestroyModelMixin, SamdriftViewSet):
    queryset = Outage.objects.select_related("service")
    serializer_class = OutageSerializer
    filterset_class = OutageFilterSet
    ordering_fields = ["started_at", "ended_at"]

    def get_queryset(self):
        visible = restrict(Municipality.objects.order_by("pk"), self.request.user)
        return super().get_queryset().prefetch_related(Prefetch("municipalities", queryset=visible))

    def perform_destroy(self, instance):
        delete_outage(outage=instance)


def register(router) -> None:
    router.register("outages", OutageViewSet)

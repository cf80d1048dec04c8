"""``/api/notifications/``: the signed-in user's own notifications (others' are 404);
``POST …/{id}/read/`` marks one read."""

from __future__ import annotations

from django.utils import timezone
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, serializers, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from samdrift.core.choices import Role
from samdrift.ordering.models import Notification


class NotificationSerializer(serializers.ModelSerializer):
    class Meta:
        model = Notification
        fields = ["id", "order", "verb", "text", "url", "created", "read_at"]
        read_only_fields = fields


class NotificationViewSet(
    mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet
):
    serializer_class = NotificationSerializer
    queryset = Notification.objects.all()
    filterset_fields = ["order", "verb"]
    ordering_fields = ["created", "id"]
    write_roles = frozenset(Role.values)  # anyone signed in marks their own read

    def get_queryset(self):
        user = self.request.user
        if not user.is_authenticated:
            return Notification.objects.none()
        return Notification.objects.filter(recipient=user).order_by("-created", "-pk")

    @extend_schema(request=None, responses=NotificationSerializer)
    @action(detail=True, methods=["post"])
    def read(self, request, pk=None):
        """Mark the notification read (once; later calls keep the first time)."""
        note = self.get_object()
        if note.read_at is None:
            note.read_at = timezone.now()
            note.save(update_fields=["read_at"])
        return Response(self.get_serializer(note).data)


def register(router) -> None:
    router.register("notifications", NotificationViewSet, basename="notification")

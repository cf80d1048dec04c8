"""The REST API's shared parts: permission, pagination, errors, serializer and viewset bases.

Every viewset starts from ``restrict(queryset, user)``; an object outside it is a 404.
Writes are allowed by role (``can_write``), validated by the model's own rules (the
same the admin, the forms and the importers use), and errors name the field.
"""

from __future__ import annotations

import copy

from django.core.exceptions import ValidationError as DjangoValidationError
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response

from samdrift.core.changelog import changes_for
from samdrift.core.drf import StandardPagination, validation_detail
from samdrift.core.filtersets import ObjectChangeFilterSet
from samdrift.core.models import ObjectChange
from samdrift.core.permissions import restrict


class ScopedRelatedFieldsMixin:
    """Limit related-object choices to what the requesting user may see.

    A municipality user naming another municipality's service area gets "Invalid pk -
    object does not exist", exactly as for an id that does not exist.
    """

    def get_fields(self):
        fields = super().get_fields()
        request = self.context.get("request")
        user = getattr(request, "user", None)
        for field in fields.values():
            target = getattr(field, "child_relation", field)
            if isinstance(target, serializers.RelatedField) and target.queryset is not None:
                target.queryset = restrict(target.queryset.all(), user)
        return fields


class ModelCleanMixin:
    """Run the model's full_clean() in validate(), mapping its errors to fields."""

    def validate(self, attrs):
        attrs = super().validate(attrs)
        model = self.Meta.model
        instance = copy.copy(self.instance) if self.instance is not None else model()
        if self.instance is not None:
            instance._state = copy.copy(self.instance._state)
        many_to_many = {f.name for f in model._meta.many_to_many}
        for name, value in attrs.items():
            if name not in many_to_many:
                setattr(instance, name, value)
        try:
            instance.full_clean()
        except DjangoValidationError as error:
            raise ValidationError(detail=validation_detail(error)) from None
        return attrs


class SamdriftModelSerializer(
    ScopedRelatedFieldsMixin, ModelCleanMixin, serializers.ModelSerializer
):
    """Base serializer: scoped related fields, model validation, explicit field lists."""


class ObjectChangeSerializer(serializers.ModelSerializer):
    content_type = serializers.SerializerMethodField()
    changed_fields = serializers.SerializerMethodField()

    class Meta:
        model = ObjectChange
        fields = [
            "id",
            "time",
            "user",
            "actor",
            "request_id",
            "action",
            "content_type",
            "object_id",
            "object_repr",
            "municipality",
            "message",
            "prechange_data",
            "postchange_data",
            "changed_fields",
        ]
        read_only_fields = fields

    def get_content_type(self, obj) -> str:
        return f"{obj.content_type.app_label}.{obj.content_type.model}"

    def get_changed_fields(self, obj) -> list[str]:
        return list(obj.changed_fields())


class ChangeLogMixin:
    """Adds ``GET …/{id}/changes/``: the change history of one object."""

    @extend_schema(responses=ObjectChangeSerializer(many=True), filters=False)
    @action(
        detail=True,
        methods=["get"],
        url_path="changes",
        filter_backends=[],
        pagination_class=StandardPagination,
    )
    def changes(self, request, *args, **kwargs):
        instance = self.get_object()  # 404 when the user may not see it
        queryset = changes_for(instance).select_related("content_type")
        page = self.paginate_queryset(queryset)
        serializer = ObjectChangeSerializer(page, many=True, context={"request": request})
        return self.get_paginated_response(serializer.data)


class SamdriftViewSet(
    ChangeLogMixin,
    mixins.CreateModelMixin,
    mixins.RetrieveModelMixin,
    mixins.UpdateModelMixin,
    mixins.ListModelMixin,
    viewsets.GenericViewSet,
):
    """List, read, create and update; rows come from ``restrict``. Nothing is deleted
    through the API: assets are retired, periods closed, prices superseded."""

    def get_queryset(self):
        return restrict(super().get_queryset(), self.request.user)


class ReadOnlySamdriftViewSet(ChangeLogMixin, viewsets.ReadOnlyModelViewSet):
    def get_queryset(self):
        return restrict(super().get_queryset(), self.request.user)


class ObjectChangeViewSet(viewsets.ReadOnlyModelViewSet):
    """The change log: who changed what, when, with the values before and after."""

    queryset = ObjectChange.objects.select_related("content_type")
    serializer_class = ObjectChangeSerializer

    filterset_class = ObjectChangeFilterSet

    def get_queryset(self):
        return restrict(super().get_queryset(), self.request.user)


def created_response(serializer) -> Response:
    return Response(serializer.data, status=status.HTTP_201_CREATED)


class MeSerializer(serializers.Serializer):
    username = serializers.CharField()
    full_name = serializers.CharField(source="get_full_name")
    role = serializers.CharField()
    is_operator = serializers.BooleanField()
    municipality = serializers.IntegerField(source="municipality_id", allow_null=True)
    service_area = serializers.IntegerField(source="service_area_id", allow_null=True)


class MeViewSet(viewsets.ViewSet):
    """Who the API thinks you are: your role and your municipality."""

    serializer_class = MeSerializer

    @extend_schema(responses=MeSerializer)
    def list(self, request):
        return Response(MeSerializer(request.user).data)


def register(router) -> None:
    router.register("me", MeViewSet, basename="me")
    router.register("changes", ObjectChangeViewSet, basename="objectchange")

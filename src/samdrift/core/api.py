"""The REST API's shared parts: permission, pagination, errors, serializer and viewset bases.

Every viewset starts from ``restrict(queryset, user)``; an object outside it is a 404.
Writes are allowed by role (``can_write``), validated by the model's own rules (the
same the admin, the forms and the importers use), and errors name the field.
"""

from __future__ import annotations

import copy

from django.core.exceptions import NON_FIELD_ERRORS
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import models, router
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema, extend_schema_field, extend_schema_serializer
from rest_framework import mixins, serializers, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response

from samdrift.core.changelog import changes_for
from samdrift.core.drf import StandardPagination, validation_detail
from samdrift.core.filtersets import ObjectChangeFilterSet
from samdrift.core.models import ObjectChange
from samdrift.core.permissions import restrict
from samdrift.core.redaction import redact_for
from samdrift.core.validators import validate_supported_date


class DateField(serializers.DateField):
    """A date in the API: only dates the system can calculate with (core.validators)."""

    def __init__(self, **kwargs):
        kwargs["validators"] = [*kwargs.get("validators", ()), validate_supported_date]
        super().__init__(**kwargs)


@extend_schema_field({"type": "string", "pattern": r"^([01]\d|2[0-3]):[0-5]\d(:[0-5]\d)?$"})
class ClockTimeField(serializers.TimeField):
    """A time of day on the wall clock ("07:30"), without a zone: opening hours. Described
    as a pattern, not OpenAPI's ``time`` format, which demands an offset."""

    def __init__(self, **kwargs):
        kwargs.setdefault("format", "%H:%M")
        super().__init__(**kwargs)


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


def constraint_field(constraint: models.BaseConstraint) -> str:
    """The field a constraint violation is reported on, so that a 400 names a field.

    A unique constraint is reported on its last field: for (municipality, name) the
    name is what the user has to change. A check constraint is reported on the field
    its name is about (``subscription_valid_to_after_from`` -> ``valid_to``).
    """
    if isinstance(constraint, models.UniqueConstraint) and constraint.fields:
        return constraint.fields[-1]
    condition = getattr(constraint, "condition", None)
    referenced = sorted(condition.referenced_base_fields) if condition is not None else []
    named = [f for f in referenced if f in constraint.name]
    if named:
        # The longest match: in "valid_to_after_from", "valid_to" rather than a shorter hit.
        return max(named, key=len)
    return NON_FIELD_ERRORS


def model_validation_errors(instance: models.Model) -> dict[str, list[str]]:
    """Run the model's own validation (fields, ``clean``, uniqueness, constraints) and
    return the messages by field, with each constraint violation put on a field."""
    errors: dict[str, list] = {}
    try:
        instance.full_clean(validate_constraints=False)
    except DjangoValidationError as error:
        errors = error.update_error_dict(errors)
    model = type(instance)
    exclude = set(errors)
    using = router.db_for_write(model, instance=instance)
    for model_class, constraints in instance.get_constraints():
        for constraint in constraints:
            try:
                constraint.validate(model_class, instance, exclude=exclude, using=using)
            except DjangoValidationError as error:
                field = constraint_field(constraint)
                if isinstance(constraint, models.UniqueConstraint) and constraint.fields:
                    message = instance.unique_error_message(model_class, constraint.fields)
                elif (
                    constraint.violation_error_message == constraint.default_violation_error_message
                ):
                    # Django's default says only "Constraint “…” is violated".
                    message = _("This value breaks the rule “%(rule)s”.") % {
                        "rule": constraint.name.replace("_", " ")
                    }
                else:
                    message = error
                errors.setdefault(field, []).append(message)
    return {
        field: [m for e in messages for m in DjangoValidationError(e).messages]
        for field, messages in errors.items()
    }


class ModelCleanMixin:
    """Run the model's validation in validate(), mapping every error to a field.

    DRF's own unique-together validators are switched off: they report "The fields
    municipality, name must make a unique set" on no field, and they make every field
    of a unique constraint required (a price for a service would need a product).
    The model's validation answers the same question and names the field.
    """

    def get_validators(self):
        # Validators a serializer declares itself (Meta.validators) still apply.
        return list(getattr(getattr(self, "Meta", None), "validators", []))

    def get_uniqueness_extra_kwargs(self, field_names, declared_fields, extra_kwargs):
        return extra_kwargs, {}

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
        errors = model_validation_errors(instance)
        if errors:
            raise ValidationError(detail=validation_detail(DjangoValidationError(errors))) from None
        return attrs


class SamdriftModelSerializer(
    ScopedRelatedFieldsMixin, ModelCleanMixin, serializers.ModelSerializer
):
    """Base serializer: scoped related fields, model validation, explicit field lists.

    A serializer that writes overrides ``create``/``update`` to call its app's named
    service (validation, the write and its change-log row in one transaction); the base
    refuses, so no endpoint writes a model without one (docs/services.md).
    """

    serializer_field_mapping = {
        **serializers.ModelSerializer.serializer_field_mapping,
        models.DateField: DateField,
        models.TimeField: ClockTimeField,
    }

    def create(self, validated_data):
        raise NotImplementedError(f"{type(self).__name__}.create: call the app's service.")

    def update(self, instance, validated_data):
        raise NotImplementedError(f"{type(self).__name__}.update: call the app's service.")


class ObjectChangeListSerializer(serializers.ListSerializer):
    """Redacts a whole page of changes at once (one query per kind of object named)."""

    def to_representation(self, data):
        items = list(data.all() if hasattr(data, "all") else data)
        request = self.context.get("request")
        redact_for(items, getattr(request, "user", None))
        return super().to_representation(items)


class ObjectChangeSerializer(serializers.ModelSerializer):
    """A change as the user may read it: references in ``prechange_data`` and
    ``postchange_data`` to objects the user may not see (another municipality's
    municipality, service area, person, location …) are null, and named in
    ``redacted_fields`` (``core.redaction.redact_for``)."""

    content_type = serializers.SerializerMethodField()
    changed_fields = serializers.SerializerMethodField()
    redacted_fields = serializers.SerializerMethodField(
        help_text="Fields whose value named something you may not see; shown as null."
    )

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
            "service_area",
            "message",
            "prechange_data",
            "postchange_data",
            "changed_fields",
            "redacted_fields",
        ]
        read_only_fields = fields
        list_serializer_class = ObjectChangeListSerializer

    def to_representation(self, obj):
        if not hasattr(obj, "redacted_fields"):  # one change on its own (retrieve)
            request = self.context.get("request")
            redact_for([obj], getattr(request, "user", None))
        return super().to_representation(obj)

    def get_content_type(self, obj) -> str:
        return f"{obj.content_type.app_label}.{obj.content_type.model}"

    def get_changed_fields(self, obj) -> list[str]:
        return list(obj.changed_fields())

    def get_redacted_fields(self, obj) -> list[str]:
        return list(getattr(obj, "redacted_fields", []))


class RestrictedQuerysetMixin:
    """Rows come from ``restrict``: whatever the user may not see does not exist (404)."""

    def get_queryset(self):
        return restrict(super().get_queryset(), self.request.user)


class ChangeLogMixin:
    """Adds ``GET …/{id}/changes/``: the change history of one object.

    The history is restricted like ``/api/changes/``: a municipality user sees only the
    change rows of their own municipality, also for an asset that came to them from
    another municipality (its earlier rows stay that municipality's business), and in
    those rows no reference to the other municipality's objects (the previous holder's
    ids in the move itself are redacted).
    """

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
        queryset = restrict(changes_for(instance), request.user).select_related("content_type")
        page = self.paginate_queryset(queryset)
        serializer = ObjectChangeSerializer(page, many=True, context={"request": request})
        return self.get_paginated_response(serializer.data)


class SamdriftViewSet(
    RestrictedQuerysetMixin,
    ChangeLogMixin,
    mixins.CreateModelMixin,
    mixins.RetrieveModelMixin,
    mixins.UpdateModelMixin,
    mixins.ListModelMixin,
    viewsets.GenericViewSet,
):
    """List, read, create and update; rows come from ``restrict``. Nothing is deleted
    through the API: assets are retired, periods closed, prices superseded."""


class ReadOnlySamdriftViewSet(
    RestrictedQuerysetMixin, ChangeLogMixin, viewsets.ReadOnlyModelViewSet
):
    """List and read (history rows created by their own operations add CreateModelMixin)."""


class ObjectChangeViewSet(RestrictedQuerysetMixin, viewsets.ReadOnlyModelViewSet):
    """The change log: who changed what, when, with the values before and after."""

    queryset = ObjectChange.objects.select_related("content_type")
    serializer_class = ObjectChangeSerializer
    filterset_class = ObjectChangeFilterSet
    ordering_fields = ["time", "id"]


@extend_schema_serializer(many=False)  # one object, though answered by ``list``
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

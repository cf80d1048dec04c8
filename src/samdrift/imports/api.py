"""``POST /api/imports/``: check (dry run) or import a CSV/XLSX file; ``GET
/api/imports/``: what can be imported and the columns each kind reads.

The request carries the file — multipart (``file``), or JSON with the CSV text in
``content`` (or any file base64-encoded in ``content_base64``) — so the API needs nothing
kept between calls: send it once with ``dry_run=true`` to see what would happen, then
again with ``dry_run=false`` to import it. A file with errors answers 400 with every
error. ``mapping`` says how to read columns and values nobody knows: a saved mapping's
name or id, or an object in the shape of ``samdrift import --map``.
"""

from __future__ import annotations

import base64
import binascii
import json
from collections.abc import Mapping
from typing import Any

from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import serializers, status, viewsets
from rest_framework.exceptions import ParseError
from rest_framework.fields import empty
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response
from rest_framework.utils import html

from samdrift.core.api import DateField, ScopedRelatedFieldsMixin
from samdrift.core.drf import LimitedJSONParser
from samdrift.core.importing import run_import
from samdrift.core.importing.mapping import ColumnReading
from samdrift.core.permissions import can_write
from samdrift.imports import services
from samdrift.imports.models import ImportMapping
from samdrift.imports.registry import IMPORTERS, importer_class
from samdrift.imports.services import check_import_allowed, find_reading, takes_municipality
from samdrift.organisations.models import Municipality


class MappingField(serializers.JSONField):
    """A saved mapping's name or id, or a mapping object. In a multipart form the value
    is taken as written (a name, or an object's JSON text; see ``reading``), rather than
    parsed as JSON, which would refuse a plain name."""

    def get_value(self, dictionary):
        if html.is_html_input(dictionary):
            return dictionary.get(self.field_name, empty)
        return super().get_value(dictionary)


class ImportRequestSerializer(ScopedRelatedFieldsMixin, serializers.Serializer):
    kind = serializers.ChoiceField(choices=list(IMPORTERS), help_text="What the file holds.")
    file = serializers.FileField(
        required=False, help_text="CSV (any common encoding and delimiter) or XLSX."
    )
    content = serializers.CharField(
        required=False,
        trim_whitespace=False,
        help_text="Instead of a file (JSON requests): the CSV text.",
    )
    content_base64 = serializers.CharField(
        required=False, help_text="Instead of a file (JSON requests): the file, base64-encoded."
    )
    filename = serializers.CharField(
        required=False, default="", help_text="The file's name, for the change log."
    )
    municipality = serializers.PrimaryKeyRelatedField(
        queryset=Municipality.objects.all(),
        required=False,
        allow_null=True,
        help_text="Id of the municipality the file belongs to (not for products).",
    )
    dry_run = serializers.BooleanField(
        default=True, help_text="Check only and report (the default); false imports."
    )
    update = serializers.BooleanField(
        default=False, help_text="Change stored rows that differ (else they are errors)."
    )
    strict = serializers.BooleanField(
        default=False, help_text="Unknown persons, locations, products are errors, not created."
    )
    date = DateField(
        required=False,
        allow_null=True,
        help_text="When new holders get assets and new persons start, where the file is "
        "silent (default: today).",
    )
    options = serializers.DictField(
        child=serializers.CharField(allow_blank=True),
        required=False,
        default=dict,
        help_text='The kind\'s own options, e.g. {"source": "servicenow"} for incidents '
        "(GET /api/imports/ lists each kind's options and their choices).",
    )
    mapping = MappingField(
        required=False,
        allow_null=True,
        help_text=(
            "How to read the file's columns and values: a saved mapping of this kind, by "
            "name or id (/imports/mappings/), or a mapping object (in multipart, its JSON "
            'text): {"columns": {header: column key, or "" for not imported}, "values": '
            '{column key: {value as written: meaning}}, "date_order": "mdy"|"dmy"} — '
            "the shape samdrift import --map reads. Without it, the mapping saved for the "
            "file's header row (if any) is used. The result's unknown_values lists the "
            "values to map."
        ),
    )

    def validate(self, attrs):
        given = [k for k in ("file", "content", "content_base64") if attrs.get(k)]
        if len(given) != 1:
            raise serializers.ValidationError(
                {
                    "file": "Send the file (multipart), or its text in content, or "
                    "content_base64 — one of them."
                }
            )
        limit = services.MAX_UPLOAD_BYTES
        too_large = _(
            "The file is larger than %(limit)d MB; import it with the samdrift "
            "import command instead."
        ) % {"limit": limit // 1024**2}
        if given[0] == "file":
            upload = attrs["file"]
            if upload.size > limit:  # refused before it is read into memory
                raise serializers.ValidationError({"file": too_large})
            data = upload.read()
            attrs["filename"] = attrs.get("filename") or upload.name
        elif given[0] == "content":
            data = attrs["content"].encode("utf-8")
        else:
            try:
                data = base64.b64decode(attrs["content_base64"], validate=True)
            except (binascii.Error, ValueError):
                raise serializers.ValidationError(
                    {"content_base64": _("This is not base64.")}
                ) from None
        if len(data) > limit:
            raise serializers.ValidationError({given[0]: too_large})
        attrs["data"] = data
        attrs["reading"] = self.reading(attrs.get("mapping"), attrs["kind"])
        return attrs

    @staticmethod
    def reading(given: Any, kind: str) -> ColumnReading | None:
        """The ``mapping`` as a column reading: a saved one (by id or name) or inline."""
        if given is None or given == "":
            return None
        if isinstance(given, str) and given.strip().startswith("{"):
            try:
                given = json.loads(given)
            except ValueError as error:
                raise serializers.ValidationError(
                    {"mapping": _("The mapping is not valid JSON: %(error)s") % {"error": error}}
                ) from None
        if isinstance(given, dict):
            try:
                return ColumnReading.from_dict(given)
            except ValueError as error:
                raise serializers.ValidationError({"mapping": str(error)}) from None
        if isinstance(given, bool) or not isinstance(given, str | int):
            raise serializers.ValidationError(
                {"mapping": _("Give a saved mapping's name or id, or a mapping object.")}
            )
        saved = ImportMapping.objects.filter(kind=kind, name=str(given).strip()).first()
        if saved is None and str(given).strip().isdigit():
            saved = ImportMapping.objects.filter(kind=kind, pk=int(given)).first()
        if saved is None:
            raise serializers.ValidationError(
                {
                    "mapping": _("No saved %(kind)s mapping is called (or has the id) %(name)s.")
                    % {"kind": kind, "name": given}
                }
            )
        return saved.reading()


class RowErrorSerializer(serializers.Serializer):
    line = serializers.IntegerField(help_text="Row number in the file; 0 for the file itself.")
    column = serializers.CharField(help_text="The column's header as written in the file.")
    message = serializers.CharField()


class RowChangeSerializer(serializers.Serializer):
    line = serializers.IntegerField()
    key = serializers.CharField()
    action = serializers.ChoiceField(choices=["created", "updated", "unchanged"])
    changes = serializers.DictField(child=serializers.ListField(child=serializers.CharField()))


class ImportResultSerializer(serializers.Serializer):
    kind = serializers.CharField()
    filename = serializers.CharField()
    municipality = serializers.CharField()
    file_description = serializers.CharField()
    dry_run = serializers.BooleanField()
    applied = serializers.BooleanField(help_text="True when the file was imported.")
    update = serializers.BooleanField()
    strict = serializers.BooleanField()
    ok = serializers.BooleanField(help_text="No errors.")
    rows = serializers.IntegerField()
    created = serializers.IntegerField()
    updated = serializers.IntegerField()
    unchanged = serializers.IntegerField()
    to_create = serializers.DictField(
        child=serializers.ListField(child=serializers.CharField()),
        help_text="Persons, locations and products created alongside, by name.",
    )
    columns = serializers.ListField(
        child=serializers.ListField(child=serializers.CharField()),
        help_text="[header in the file, what it was read as ('' = not imported)].",
    )
    errors = RowErrorSerializer(many=True)
    warnings = serializers.ListField(child=serializers.CharField())
    samples = RowChangeSerializer(many=True, help_text="The first rows of each kind of change.")
    reading = serializers.CharField(
        help_text="The name of the mapping the file was read with ('-' for an unnamed one)."
    )
    details = serializers.DictField(
        required=False,
        help_text="What the kind adds: for incidents the source, the incidents and events "
        "counted, and the values no source mapping knows (unmapped: column, value, incidents).",
    )
    unknown_values = serializers.DictField(
        child=serializers.DictField(child=serializers.JSONField()),
        help_text="Values nobody knows, each once, per column key: {value: [rows having "
        "it, [their first lines]]}. Map them with mapping.values.",
    )


class ColumnSerializer(serializers.Serializer):
    key = serializers.CharField()
    label = serializers.CharField()
    aliases = serializers.ListField(child=serializers.CharField())
    required = serializers.BooleanField()
    help_text = serializers.CharField()


class OptionSerializer(serializers.Serializer):
    name = serializers.CharField()
    label = serializers.CharField()
    choices = serializers.ListField(child=serializers.ListField(child=serializers.CharField()))
    help_text = serializers.CharField()


class ImportKindSerializer(serializers.Serializer):
    kind = serializers.CharField()
    label = serializers.CharField()
    matched_on = serializers.CharField()
    per_municipality = serializers.BooleanField()
    municipality_optional = serializers.BooleanField(
        help_text="A municipality may be given: the default for rows that do not say theirs."
    )
    columns = ColumnSerializer(many=True)
    options = OptionSerializer(many=True)


def describe_kind(kind: str) -> dict:
    cls = importer_class(kind)
    return {
        "kind": kind,
        "label": str(cls.label),
        "matched_on": str(cls.key_description),
        "per_municipality": cls.per_municipality,
        "municipality_optional": cls.municipality_optional,
        "options": [
            {
                "name": option.name,
                "label": str(option.label),
                "choices": [[value, str(label)] for value, label in option.choices],
                "help_text": str(option.help_text),
            }
            for option in cls.options
        ],
        "columns": [
            {
                "key": c.key,
                "label": str(c.label),
                "aliases": list(c.aliases),
                "required": c.required,
                "help_text": str(c.help_text),
            }
            for c in cls.all_columns()
        ],
    }


class ImportViewSet(viewsets.ViewSet):
    """Import a file of service areas, locations, persons, products, assets or usage:
    all of it or nothing, every bad row reported by line and column."""

    permission_classes = [IsAuthenticated]
    parser_classes = [MultiPartParser, FormParser, LimitedJSONParser]
    serializer_class = ImportRequestSerializer
    pagination_class = None

    @extend_schema(responses=ImportKindSerializer(many=True))
    def list(self, request):
        """What can be imported, how rows are matched, and the columns each kind reads
        (with the header names accepted for each)."""
        return Response([describe_kind(kind) for kind in IMPORTERS])

    @extend_schema(
        request={
            "multipart/form-data": ImportRequestSerializer,
            "application/json": ImportRequestSerializer,
        },
        responses={
            200: ImportResultSerializer,
            201: ImportResultSerializer,
            # Either an ImportResult listing the file's errors, or the request's own
            # field errors (no kind, no file): one schema cannot say which, so any object.
            400: OpenApiResponse(
                response=OpenApiTypes.OBJECT,
                description="ImportResult with errors, or field → messages.",
            ),
        },
        description=(
            "Check (dry_run=true, the default) or import a file. 200: checked, or imported "
            "with nothing to change; 201: imported; 400: the file has errors and nothing was "
            "imported — the body lists every one (line, column, message)."
        ),
    )
    def create(self, request):
        # The role comes first, before the body is read: a login that may import nothing
        # (an auditor) is refused whatever it sends.
        if not any(can_write(request.user, importer_class(k).model) for k in IMPORTERS):
            raise PermissionDenied(_("Your role may not import this."))
        if not isinstance(request.data, Mapping):
            raise ParseError(
                _(
                    "The request body must be a JSON object (or a multipart form) with "
                    "kind and file, content or content_base64."
                )
            )
        # Whether the role may import this kind comes next: a login that may not learns
        # nothing from validating the rest (which municipalities exist, …).
        kind = request.data.get("kind")
        if (
            isinstance(kind, str)
            and kind in IMPORTERS
            and not can_write(request.user, importer_class(kind).model)
        ):
            raise PermissionDenied(_("Your role may not import this."))
        serializer = ImportRequestSerializer(data=request.data, context={"request": request})
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        municipality = data.get("municipality")
        check_import_allowed(request.user, data["kind"], municipality)
        result = run_import(
            importer=importer_class(data["kind"]),
            data=data["data"],
            filename=data["filename"],
            municipality=municipality if takes_municipality(importer_class(data["kind"])) else None,
            update=data["update"],
            strict=data["strict"],
            dry_run=data["dry_run"],
            on=data.get("date"),
            reading=data["reading"],
            find_reading=find_reading,
            options=data.get("options") or {},
        )
        if not result.ok:
            code = status.HTTP_400_BAD_REQUEST
        elif result.applied and (result.created or result.updated or result.to_create):
            code = status.HTTP_201_CREATED
        else:
            code = status.HTTP_200_OK
        return Response(result.as_dict(), status=code)


def register(router) -> None:
    router.register("imports", ImportViewSet, basename="import")

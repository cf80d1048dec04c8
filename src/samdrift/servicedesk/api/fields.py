"""Serializer fields of the service desk's endpoints."""

from __future__ import annotations

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import models
from django.utils.dateparse import parse_date, parse_datetime
from rest_framework import serializers

from samdrift.core.api import SamdriftModelSerializer
from samdrift.core.validators import validate_supported_date


class DateTimeField(serializers.DateTimeField):
    """An instant in the API: only dates the system can calculate with (core.validators),
    so 9999-12-31 is a 400 naming the field, like a date is."""

    def to_internal_value(self, value):
        # Checked before DRF makes the value aware: 9999-12-31T23:59 would overflow there.
        if isinstance(value, str):
            parsed = _parsed(value.strip())
            if parsed is not None:
                try:
                    validate_supported_date(parsed)
                except DjangoValidationError as error:
                    raise serializers.ValidationError(error.messages) from None
        return super().to_internal_value(value)


def _parsed(text: str):
    """The datetime or date ``text`` names, or None (DRF then says what is wrong)."""
    try:
        return parse_datetime(text) or parse_date(text)
    except ValueError:
        return None


FIELD_MAPPING = {
    **SamdriftModelSerializer.serializer_field_mapping,
    models.DateTimeField: DateTimeField,
}

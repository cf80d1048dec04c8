"""Forms of the incident and outage pages. They parse input (times typed in Oslo time)
and offer only what the user may see; the writes go through ``servicedesk.services``."""

from __future__ import annotations

import datetime
import json
import zoneinfo

from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from samdrift.catalogue.models import Service
from samdrift.core.validators import validate_supported_date
from samdrift.organisations.models import Municipality
from samdrift.servicedesk.models import Incident, Outage
from samdrift.servicedesk.services.incidents import INCIDENT_FIELDS
from samdrift.servicedesk.services.outages import OUTAGE_FIELDS
from samdrift.ui.forms import scoped_queryset

LOCAL_INPUT = "%Y-%m-%dT%H:%M"


def to_local_aware(value: datetime.datetime) -> datetime.datetime:
    """A wall-clock time typed in Oslo as an aware instant. In the spring gap (02:30 on
    the last Sunday of March) it is read as after the jump; in the doubled autumn hour,
    as the first of the two (``fold=0``), as ``businesstime.to_aware`` does."""
    zone = zoneinfo.ZoneInfo(settings.TIME_ZONE)
    aware = value.replace(tzinfo=zone, fold=0)
    # A time in the gap does not exist: normalising through UTC moves it past the jump.
    return aware.astimezone(datetime.UTC).astimezone(zone)


class LocalDateTimeInput(forms.DateTimeInput):
    """The browser's date-and-time picker, showing the instant in Oslo time."""

    input_type = "datetime-local"

    def __init__(self, attrs=None):
        super().__init__(attrs=attrs, format=LOCAL_INPUT)

    def format_value(self, value):
        if isinstance(value, datetime.datetime) and value.tzinfo is not None:
            value = value.astimezone(zoneinfo.ZoneInfo(settings.TIME_ZONE))
        return super().format_value(value)


class LocalDateTimeField(forms.DateTimeField):
    """A time typed in Oslo time (``2026-03-02T08:15`` or ``02.03.2026 08:15``)."""

    widget = LocalDateTimeInput
    input_formats = [LOCAL_INPUT, "%Y-%m-%d %H:%M", "%d.%m.%Y %H:%M", "%Y-%m-%d %H:%M:%S"]
    default_error_messages = {
        "invalid": gettext_lazy("Enter a date and time, such as 02.03.2026 08:15."),
    }

    def to_python(self, value):
        if value in self.empty_values:
            return None
        if isinstance(value, datetime.datetime):
            return value if value.tzinfo else to_local_aware(value)
        text = str(value).strip()
        for fmt in self.input_formats:
            try:
                parsed = datetime.datetime.strptime(text, fmt)
            except ValueError:
                continue
            validate_supported_date(parsed.date())
            return to_local_aware(parsed)
        raise ValidationError(self.error_messages["invalid"], code="invalid")


def _local_datetime(model_field, **kwargs):
    """``Meta.formfield_callback``: every datetime of the model typed in Oslo time."""
    if isinstance(model_field, models.DateTimeField):
        kwargs["form_class"] = LocalDateTimeField
    return model_field.formfield(**kwargs)


class PausesField(forms.CharField):
    """The pauses of an incident, one a line: ``reason; start; end`` (times in Oslo time,
    the end empty while still paused)."""

    widget = forms.Textarea(attrs={"rows": 3})

    def prepare_value(self, value):
        if isinstance(value, list):
            lines = []
            for reason, start, end in value:
                lines.append("; ".join([reason, _show(start), _show(end)]).rstrip("; "))
            return "\n".join(lines)
        return value

    def to_python(self, value):
        text = super().to_python(value) or ""
        if text.strip().startswith("["):
            try:
                return json.loads(text)
            except ValueError:
                raise ValidationError(_("The pauses are not readable.")) from None
        pauses = []
        times = LocalDateTimeField(required=False)
        for number, line in enumerate(text.splitlines(), start=1):
            if not line.strip():
                continue
            parts = [p.strip() for p in line.split(";")]
            if len(parts) == 2:
                parts.append("")
            if len(parts) != 3:
                raise ValidationError(_("Line %(n)d: write “reason; start; end”.") % {"n": number})
            try:
                start, end = times.to_python(parts[1]), times.to_python(parts[2])
            except ValidationError:
                raise ValidationError(
                    _("Line %(n)d: a time is not like 02.03.2026 08:15.") % {"n": number}
                ) from None
            pauses.append([parts[0], start, end])
        return pauses


def _show(iso: str | None) -> str:
    if not iso:
        return ""
    moment = datetime.datetime.fromisoformat(iso).astimezone(zoneinfo.ZoneInfo(settings.TIME_ZONE))
    return moment.strftime("%d.%m.%Y %H:%M")


class IncidentForm(forms.ModelForm):
    pauses = PausesField(
        required=False,
        label=gettext_lazy("Pauses"),
        help_text=gettext_lazy(
            "One a line: reason; start; end (Oslo time, end empty while paused). "
            "Reasons: awaiting_user, awaiting_vendor."
        ),
    )

    class Meta:
        model = Incident
        fields = list(INCIDENT_FIELDS)
        formfield_callback = _local_datetime

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["municipality"].queryset = scoped_queryset(Municipality.objects.all(), user)
        self.fields["service"].queryset = scoped_queryset(Service.objects.all(), user)

    def _post_clean(self):
        # The service validates and writes (servicedesk.services.incidents); the form
        # only parses, so the model is not checked twice with two sets of messages.
        pass


class OutageForm(forms.ModelForm):
    class Meta:
        model = Outage
        fields = list(OUTAGE_FIELDS)
        formfield_callback = _local_datetime
        widgets = {"municipalities": forms.CheckboxSelectMultiple}

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["municipalities"].queryset = scoped_queryset(Municipality.objects.all(), user)
        self.fields["service"].queryset = scoped_queryset(Service.objects.all(), user)

    def _post_clean(self):
        pass

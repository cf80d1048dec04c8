"""Forms of the agreement pages. They parse input and offer only what the user may see;
the writes go through ``agreements.services`` and ``agreements.service_level_services``."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from samdrift.agreements.models import (
    AgreedPrice,
    CalendarDay,
    CreditRule,
    PriorityTarget,
    ServiceAgreement,
    ServiceCalendar,
    ServiceLevel,
)
from samdrift.agreements.selectors import WEEKDAY_ABBREVIATIONS
from samdrift.agreements.service_levels import Weekday
from samdrift.catalogue.models import Product, Service
from samdrift.organisations.models import Municipality
from samdrift.ui.forms import MoneyField, date_formfield, scoped_queryset

AGREEMENT_FIELDS = (
    "municipality",
    "name",
    "reference",
    "valid_from",
    "valid_to",
    "maintenance_notice_days",
    "pause_awaiting_user",
    "pause_awaiting_vendor",
    "notes",
)


class AgreementForm(forms.ModelForm):
    class Meta:
        formfield_callback = date_formfield
        model = ServiceAgreement
        fields = list(AGREEMENT_FIELDS)
        widgets = {"notes": forms.Textarea(attrs={"rows": 3})}

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["municipality"].queryset = scoped_queryset(Municipality.objects.all(), user)


class AgreedPriceForm(forms.ModelForm):
    """A product or a service (one of them) and its agreed price; the services check it
    (``set_agreed_price``, ``update_agreed_price``), the form only parses."""

    amount = MoneyField(label=gettext_lazy("Agreed price"), decimal_places=4)

    class Meta:
        model = AgreedPrice
        fields = ["product", "service", "amount", "note"]

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["product"].queryset = scoped_queryset(Product.objects.order_by("name"), user)
        self.fields["service"].queryset = scoped_queryset(Service.objects.order_by("name"), user)

    def _post_clean(self):
        # The service validates the whole row (one item, not negative, once per agreement).
        pass


class ServiceLevelForm(forms.ModelForm):
    class Meta:
        model = ServiceLevel
        fields = ["service", "availability_target", "calendar", "note"]

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["service"].queryset = scoped_queryset(Service.objects.all(), user)
        self.fields["calendar"].queryset = scoped_queryset(ServiceCalendar.objects.all(), user)


class PriorityTargetForm(forms.ModelForm):
    class Meta:
        model = PriorityTarget
        fields = ["priority", "response_minutes", "resolution_minutes", "calendar"]

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["calendar"].queryset = scoped_queryset(ServiceCalendar.objects.all(), user)


class CreditRuleForm(forms.ModelForm):
    class Meta:
        model = CreditRule
        fields = ["shortfall_up_to", "percent"]


class CalendarForm(forms.ModelForm):
    class Meta:
        model = ServiceCalendar
        fields = ["name", "timezone", "always_open", "public_holidays_closed", "description"]


class CalendarDayForm(forms.ModelForm):
    class Meta:
        formfield_callback = date_formfield
        model = CalendarDay
        fields = ["date", "opens", "closes", "note"]
        widgets = {
            "opens": forms.TimeInput(attrs={"type": "time"}, format="%H:%M"),
            "closes": forms.TimeInput(attrs={"type": "time"}, format="%H:%M"),
        }


PARTS = (("opens", gettext_lazy("opens")), ("closes", gettext_lazy("closes")))


class WeeklyHoursForm(forms.Form):
    """A calendar's opening hours, a pair of times per weekday (both empty: closed)."""

    def __init__(self, *args, calendar: ServiceCalendar, **kwargs):
        super().__init__(*args, **kwargs)
        current = {h.weekday: h for h in calendar.hours.all()}
        for weekday, label in Weekday.choices:
            held = current.get(weekday)
            for part, text in (
                ("opens", gettext_lazy("opens")),
                ("closes", gettext_lazy("closes")),
            ):
                name = f"{part}_{weekday}"
                self.fields[name] = forms.TimeField(
                    required=False,
                    label=f"{label}: {text}",
                    widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M"),
                )
                if held is not None:
                    self.initial[name] = getattr(held, part)

    def clean(self):
        data = super().clean()
        for weekday in Weekday.values:
            opens, closes = data.get(f"opens_{weekday}"), data.get(f"closes_{weekday}")
            if (opens is None) != (closes is None):
                self.add_error(
                    f"closes_{weekday}",
                    _("%(day)s: give both opening and closing time, or neither for closed.")
                    % {"day": WEEKDAY_ABBREVIATIONS[weekday]},
                )
        return data

    def weekly(self) -> dict[int, tuple | None]:
        """weekday -> (opens, closes), or None for closed."""
        data = self.cleaned_data
        return {
            weekday: (
                (data[f"opens_{weekday}"], data[f"closes_{weekday}"])
                if data.get(f"opens_{weekday}") is not None
                else None
            )
            for weekday in Weekday.values
        }

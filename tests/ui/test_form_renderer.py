"""The form renderer's ``<select>`` (``ui.formrenderer``) is what Django's templates write."""

from __future__ import annotations

import datetime

import pytest
from django import forms
from django.forms.renderers import DjangoTemplates
from django.utils import translation
from django.utils.safestring import mark_safe
from django.utils.translation import gettext_lazy

from samdrift.organisations.models import Municipality
from samdrift.ui.formrenderer import SELECT, FormRenderer, select_html


class Everything(forms.Form):
    plain = forms.ChoiceField(choices=[("", "---------"), ("a", "A & B"), ("<b>", '"quoted"')])
    grouped = forms.ChoiceField(
        choices=[
            ("Laptops & more", [("l1", "Latitude"), ("l2", "ThinkPad")]),
            ("Phones", [("p1", "iPhone")]),
            ("x", "Ungrouped"),
        ]
    )
    several = forms.MultipleChoiceField(choices=[(1, "One"), (2, "Two"), (3, "Three")])
    maybe = forms.NullBooleanField()
    years = forms.TypedChoiceField(choices=[(2025, 2025), (2026, 12345)], coerce=int)
    when = forms.ChoiceField(choices=[("d", datetime.date(2026, 12, 7))])
    translated = forms.ChoiceField(choices=[("x", gettext_lazy("Laptop"))])
    safe = forms.ChoiceField(choices=[("s", mark_safe("<em>safe</em>"))])
    flagged = forms.ChoiceField(
        choices=[("a", "A")],
        widget=forms.Select(
            attrs={"hx-get": "/x?a=1&b=2", "disabled": True, "hidden": False, "data-n": 3}
        ),
    )


class OwnOption(forms.Select):
    option_template_name = "django/forms/widgets/input_option.html"


@pytest.mark.parametrize("language", ["en", "nb"])
def test_every_select_is_written_as_the_templates_write_it(language, world):
    Municipality.objects.filter(pk=world.municipality_a.pk).update(name="Bjørnafjord & <Co>")

    class WithModels(Everything):
        municipality = forms.ModelChoiceField(Municipality.objects.all())
        own = forms.ChoiceField(choices=[("a", "A")], widget=OwnOption)

    data = {"plain": "<b>", "grouped": "l2", "several": ["1", "3"], "maybe": "true"}
    with translation.override(language):
        for given in ({}, {"data": data}):
            ours = WithModels(renderer=FormRenderer(), **given)
            django = WithModels(renderer=DjangoTemplates(), **given)
            for name in ours.fields:
                html = str(ours[name])
                assert html == str(django[name]), name
                assert html.startswith("<select") or name == "own", name
        # Written in Python indeed (not handed back to the templates), but for "own".
        for name in ("plain", "grouped", "several", "municipality"):
            bound = ours[name]
            context = bound.field.widget.get_context(bound.html_name, bound.value(), {})
            assert select_html(context["widget"]) == DjangoTemplates().render(SELECT, context)
        own = ours["own"]
        own_context = own.field.widget.get_context(own.html_name, own.value(), {})
        assert select_html(own_context["widget"]) is None
        assert "<b>" not in str(ours["plain"]) and "&lt;Co&gt;" in str(ours["municipality"])
        assert 'value="&lt;b&gt;" selected>&quot;quoted&quot;</option>' in str(ours["plain"])

"""The form renderer (``FORM_RENDERER``): Django's own, with its ``<select>`` written in
Python.

Django renders a select through a template that includes a template per option, and
another per option for its attributes: the filter forms of a list page (municipalities,
categories, products, statuses …) took a fifth of the asset list's CPU time at the
design scale, most of it in those includes. ``select_html`` writes what the templates
write, byte for byte (a test renders every kind of select both ways), from the same
context the widget gives them; any other template, or an option with a template of its
own, goes through the templates as before.
"""

from __future__ import annotations

from typing import Any

from django.forms.renderers import DjangoTemplates
from django.utils.formats import localize
from django.utils.html import conditional_escape
from django.utils.timezone import template_localtime

SELECT = "django/forms/widgets/select.html"
OPTION = "django/forms/widgets/select_option.html"


class FormRenderer(DjangoTemplates):
    def render(self, template_name: str, context: dict[str, Any], request=None) -> str:
        if template_name == SELECT:
            html = select_html(context["widget"])
            if html is not None:
                return html
        return super().render(template_name, context, request=request)


def attrs_html(attrs: dict[str, Any]) -> str:
    """``attrs.html``: `` name="value"`` each, a bare name for True, nothing for False."""
    return "".join(
        f" {conditional_escape(name)}"
        if value is True
        else f' {conditional_escape(name)}="{conditional_escape(str(value))}"'
        for name, value in attrs.items()
        if value is not False
    )


def shown(value: Any) -> str:
    """``{{ value }}`` in a template: localised, as text, escaped unless safe."""
    value = localize(template_localtime(value))
    return conditional_escape(value if isinstance(value, str) else str(value))


def select_html(widget: dict[str, Any]) -> str | None:
    """``select.html`` for the widget context ``widget``; None when an option has a
    template other than Django's (then the templates render it)."""
    parts = [f'<select name="{shown(widget["name"])}"{attrs_html(widget["attrs"])}>']
    for group_name, options, _index in widget["optgroups"]:
        if group_name:
            parts.append(f'\n  <optgroup label="{shown(group_name)}">')
        for option in options:
            if option["template_name"] != OPTION:
                return None
            parts.append(
                f'\n  <option value="{conditional_escape(str(option["value"]))}"'
                f"{attrs_html(option['attrs'])}>{shown(option['label'])}</option>\n"
            )
        if group_name:
            parts.append("\n  </optgroup>")
    parts.append("\n</select>")
    return "".join(parts)

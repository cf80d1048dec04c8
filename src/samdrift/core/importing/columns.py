"""The columns an importer reads: matched by header (label, key or alias, in
English or Norwegian), each with the parser that reads its cells; a model field's
column parses and checks by the field's own rules."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils import translation
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy

from samdrift.core.importing.parsing import (
    Boolean,
    Choice,
    Date,
    Email,
    Integer,
    Number,
    Text,
    squash,
)


@dataclass(frozen=True)
class Column:
    """A column an importer reads: matched by its key, its label (English or Norwegian)
    or one of its aliases, case and punctuation ignored ("Serial No." = "serial_no")."""

    key: str
    label: Any
    parser: Callable[[Any], Any]
    aliases: tuple[str, ...] = ()
    required: bool = False
    help_text: Any = ""
    # Headers that win when another header of this column is there too (Ralph writes
    # "model" as an id and "model_str" as its name): the other is then not imported.
    preferred: tuple[str, ...] = ()
    # A multi-value field an export writes as one header repeated, a value in each
    # (Jira's "Component/s"): the first of those columns is read, the others not.
    repeated: bool = False

    def names(self) -> set[str]:
        """What headers mean this column, squashed. Not the key: it is matched as
        written ("model_name" is Samdrift's exact model, "Model Name" Snipe-IT's
        model, our product), see ``match_headers``."""
        names = set()
        for language in ("en", "nb"):
            with translation.override(language):
                names.add(squash(str(self.label)))
        names.update(squash(alias) for alias in self.aliases)
        names.discard("")
        return names


def field_column(
    model: type[models.Model],
    name: str,
    *,
    key: str | None = None,
    aliases: Iterable[str] = (),
    required: bool = False,
    label: Any = None,
    help_text: Any = "",
    parser: Callable[[Any], Any] | None = None,
) -> Column:
    """A column for a model field, parsed and checked by the field's own rules (length,
    decimals, limits, choices)."""
    model_field = model._meta.get_field(name)
    return Column(
        key=key or name,
        label=label or capfirst(model_field.verbose_name),
        parser=parser or parser_for(model_field),
        aliases=tuple(aliases),
        required=required,
        help_text=help_text or model_field.help_text,
    )


def _limits(model_field: models.Field) -> tuple[Any, Any]:
    minimum = maximum = None
    for validator in model_field.validators:
        if isinstance(validator, MinValueValidator):
            minimum = validator.limit_value
        elif isinstance(validator, MaxValueValidator):
            maximum = validator.limit_value
    return minimum, maximum


def parser_for(model_field: models.Field) -> Callable[[Any], Any]:
    if model_field.choices:
        return Choice(_ChoiceList(model_field.choices))
    if isinstance(model_field, models.BooleanField):
        return Boolean()
    if isinstance(model_field, models.DateField):
        return Date()
    if isinstance(model_field, models.DecimalField):
        minimum, maximum = _limits(model_field)
        return Number(
            places=model_field.decimal_places,
            max_digits=model_field.max_digits,
            minimum=minimum,
            maximum=maximum,
        )
    if isinstance(model_field, models.IntegerField):
        minimum, maximum = _limits(model_field)
        positive = (
            models.PositiveIntegerField,
            models.PositiveSmallIntegerField,
            models.PositiveBigIntegerField,
        )
        if isinstance(model_field, positive) and minimum is None:
            minimum = 0
        return Integer(minimum=minimum, maximum=maximum)
    if isinstance(model_field, models.EmailField):
        return Email(model_field.max_length)
    if isinstance(model_field, models.CharField | models.TextField):
        return Text(model_field.max_length)
    raise TypeError(f"No import parser for {model_field!r}")


class _ChoiceList:
    def __init__(self, choices) -> None:
        self.choices = list(choices)


MUNICIPALITY_COLUMNS = (
    Column(
        "municipality",
        gettext_lazy("Municipality"),
        Text(100),
        aliases=("Kommune", "Company", "Kommunenavn", "Selskap"),
        help_text=gettext_lazy(
            "Optional check: when given, it must name the municipality imported for."
        ),
    ),
    Column(
        "municipality_number",
        gettext_lazy("Municipality number"),
        Text(10),
        aliases=("Kommunenummer", "Kommunenr", "Kommunenr."),
        help_text=gettext_lazy("Optional check, like Municipality."),
    ),
)


MUNICIPALITY_KEYS = frozenset(c.key for c in MUNICIPALITY_COLUMNS)

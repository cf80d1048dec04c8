"""Which importers there are: each app declares its own in its ``importers.py`` (a
subclass of ``core.importing.Importer`` with a ``kind``), and this registry finds them
when the imports app is ready (``autodiscover_modules``). Core's import machinery runs an
importer class it is given and names no app; the imports app, above every app that
imports, is the one place that knows them all by kind."""

from __future__ import annotations

import inspect
import sys
from types import ModuleType

from django.apps import apps
from django.core.exceptions import ImproperlyConfigured
from django.utils.module_loading import autodiscover_modules
from django.utils.translation import gettext as _

from samdrift.core.importing import Importer

# kind → importer class, in the order of INSTALLED_APPS and of each module's classes.
IMPORTERS: dict[str, type[Importer]] = {}


def discover() -> None:
    """Fill ``IMPORTERS`` from every installed app's ``importers`` module."""
    autodiscover_modules("importers")
    found: dict[str, type[Importer]] = {}
    for config in apps.get_app_configs():
        module = _importers_module(config.name)
        if module is None:
            continue
        for cls in _declared(module):
            other = found.setdefault(cls.kind, cls)
            if other is not cls:
                raise ImproperlyConfigured(
                    f"Two importers of kind {cls.kind!r}: {other.__qualname__} and "
                    f"{cls.__qualname__}."
                )
    IMPORTERS.clear()
    IMPORTERS.update(found)


def _importers_module(app_name: str) -> ModuleType | None:
    return sys.modules.get(f"{app_name}.importers")


def _declared(module: ModuleType) -> list[type[Importer]]:
    """The importers an app's module (or package) defines: classes with their own kind."""
    return [
        value
        for value in vars(module).values()
        if inspect.isclass(value)
        and issubclass(value, Importer)
        and "kind" in vars(value)
        and (value.__module__ + ".").startswith(module.__name__ + ".")
    ]


def importer_class(kind: str) -> type[Importer]:
    try:
        return IMPORTERS[kind]
    except KeyError:
        raise ValueError(
            _("Unknown import kind %(kind)s; use one of: %(kinds)s.")
            % {"kind": kind, "kinds": ", ".join(IMPORTERS)}
        ) from None


def importer_classes() -> list[type[Importer]]:
    return list(IMPORTERS.values())

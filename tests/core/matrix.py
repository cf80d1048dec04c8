"""How the permission matrix (tests/core/test_api_matrix.py) exercises an endpoint.

Every endpoint in the API router needs an entry. Foundation endpoints are declared in
``tests/core/api_matrix.py``; any other app adds its own ``tests/<app>/api_matrix.py``
with

- ``RESOURCES: dict[str, Resource]`` keyed by the router basename, and
- optionally ``extend_world(world)``, adding the app's objects with ``world.add(basename,
  target, obj)`` — targets ``own``, ``own_other_area``, ``foreign``, ``stock``,
  ``shared…`` as tests/worlds.py explains. Every row of the model must be added:
  a list is compared with exactly the rows the login may see.

so that no app has to edit another's test file. Only the matrix module builds this
extended world; the other core tests use the foundation world alone.
"""

from __future__ import annotations

import importlib
import itertools
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from types import ModuleType
from typing import Any

from samdrift.core.validators import organisation_number_with_check_digit

OPERATORS = frozenset({"operator"})
FINANCE = frozenset({"operator", "finance"})

_unique = itertools.count(1)


def unique() -> int:
    """A fresh number, for names and codes that must not repeat."""
    return next(_unique)


def new_organisation_number() -> str:
    base = 97_000_000 + unique() * 13
    while (number := organisation_number_with_check_digit(str(base))) is None:
        base += 1
    return number


@dataclass(frozen=True)
class Action:
    """A custom action: HTTP method, whether it is on one object, the body to send (the
    query for a GET), built from the world and the target object, and the status on
    success. ``allowed`` overrides who may call it (default: the resource's readers for a
    GET, its writers otherwise); ``logs`` says whether a successful call changes data
    (False for a POST that only calculates)."""

    method: str
    detail: bool
    payload: Callable[[Any, Any], dict] | None = None
    status: int = 200
    allowed: frozenset[str] | None = None
    logs: bool = True


@dataclass(frozen=True)
class Resource:
    """What an endpoint offers and how to exercise it.

    ``writers`` are the logins that may create, update and delete (the model's
    ``write_roles``); ``readers`` those that may read (None: every login); ``create`` and
    ``patch`` build valid bodies, None meaning there is no such route; ``destroy`` says
    there is a DELETE; ``list_rows`` that the list shows world objects (compared exactly
    with what the login may see) rather than something computed; ``no_ops`` are
    (action, target) pairs that succeed with nothing to change, so nothing to log.
    """

    writers: frozenset[str] = OPERATORS
    readers: frozenset[str] | None = None
    create: Callable[[Any], dict] | None = None
    patch: Callable[[Any, Any], dict] | None = None
    destroy: bool = False
    changes: bool = True
    retrieve: bool = True
    list_rows: bool = True
    actions: dict[str, Action] = field(default_factory=dict)
    no_ops: frozenset[tuple[str, str]] = frozenset()

    def action_names(self) -> set[str]:
        names = {"list"} | set(self.actions)
        if self.retrieve:
            names.add("retrieve")
        if self.changes:
            names.add("changes")
        if self.create is not None:
            names.add("create")
        if self.patch is not None:
            names |= {"update", "partial_update"}
        if self.destroy:
            names.add("destroy")
        return names

    def allows(self, role: str, action: str, method: str) -> bool:
        """May ``role`` call ``action`` at all (before any question of which object)?"""
        custom = self.actions.get(action)
        if custom is not None and custom.allowed is not None:
            return role in custom.allowed
        if method == "get":
            return self.readers is None or role in self.readers
        return role in self.writers


def matrix_modules() -> list[ModuleType]:
    """Every ``tests/<app>/api_matrix.py``, foundation (core) first."""
    tests_dir = Path(__file__).resolve().parent.parent
    names = sorted(p.parent.name for p in tests_dir.glob("*/api_matrix.py"))
    names.sort(key=lambda name: name != "core")
    return [importlib.import_module(f"tests.{name}.api_matrix") for name in names]


def world_extensions() -> list[Callable[[Any], None]]:
    """Every app's ``extend_world``, in the order of ``matrix_modules``."""
    return [module.extend_world for module in matrix_modules() if hasattr(module, "extend_world")]


def all_resources() -> dict[str, Resource]:
    resources: dict[str, Resource] = {}
    for module in matrix_modules():
        for basename, resource in getattr(module, "RESOURCES", {}).items():
            if basename in resources:
                raise AssertionError(f"{module.__name__} declares {basename!r} a second time")
            resources[basename] = resource
    return resources

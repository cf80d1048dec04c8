"""Users with roles, the change log, and the base every domain model builds on."""

from __future__ import annotations

import contextlib
import datetime
import uuid
from collections.abc import Iterator
from decimal import Decimal
from typing import Any, ClassVar

from django.conf import settings
from django.contrib.auth.models import AbstractUser
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

from samdrift.core.choices import ChangeAction, Role
from samdrift.core.membership import foreign_member_errors


def jsonable(value: Any) -> Any:
    """A field value as it is kept in the change log (JSON)."""
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, datetime.datetime | datetime.date | datetime.time):
        return value.isoformat()
    if isinstance(value, uuid.UUID):
        return str(value)
    return value


class ChangeLoggedModel(models.Model):
    """Base of every domain model whose changes are recorded in the change log.

    Tenancy is declared, not coded per view: ``municipality_path`` is the lookup from
    this model to the id of the municipality that owns a row ("pk" for Municipality
    itself, ``None`` for shared data such as the catalogue), ``service_area_path`` the
    lookup to its service area (or a classmethod ``restrict_to_service_area`` where that
    is not one lookup). ``samdrift.core.permissions.restrict`` reads them.
    """

    created = models.DateTimeField(_("created"), auto_now_add=True)
    last_updated = models.DateTimeField(_("last updated"), auto_now=True)

    municipality_path: ClassVar[str | None] = None
    service_area_path: ClassVar[str | None] = None
    # Roles that may create and change rows of this model (besides operators).
    write_roles: ClassVar[frozenset[str]] = frozenset({Role.OPERATOR})
    # Fields left out of the change log: bookkeeping that changes on every save.
    changelog_exclude: ClassVar[frozenset[str]] = frozenset({"created", "last_updated"})

    class Meta:
        abstract = True

    @classmethod
    def from_db(cls, db, field_names, values):
        instance = super().from_db(db, field_names, values)
        # Remember what was loaded, so an update can log "before" without a query.
        instance._loaded_values = dict(zip(field_names, values, strict=True))
        return instance

    def changelog_data(self) -> dict[str, Any]:
        """The logged state of this row: every concrete field by attribute name."""
        data = {}
        for field in self._meta.concrete_fields:
            if field.name in self.changelog_exclude:
                continue
            data[field.attname] = jsonable(field.value_from_object(self))
        return data

    def loaded_changelog_data(self) -> dict[str, Any] | None:
        loaded = getattr(self, "_loaded_values", None)
        if loaded is None:
            return None
        data = {}
        for field in self._meta.concrete_fields:
            if field.name in self.changelog_exclude or field.attname not in loaded:
                continue
            data[field.attname] = jsonable(loaded[field.attname])
        return data

    def changelog_municipality_id(self) -> int | None:
        """The municipality a change belongs to, so its users may read it."""
        return self._follow_tenant_path(self.municipality_path)

    def changelog_service_area_id(self) -> int | None:
        return self._follow_tenant_path(self.service_area_path)

    def _follow_tenant_path(self, path: str | None) -> int | None:
        if path is None:
            return None
        if path == "pk":
            return self.pk
        if "__" not in path:
            return getattr(self, f"{path}_id", None)
        obj: Any = self
        for part in path.split("__"):
            obj = getattr(obj, part, None)
            if obj is None:
                return None
        return obj if isinstance(obj, int) else getattr(obj, "pk", None)


class RelationsLoggedModel(ChangeLoggedModel):
    """A model whose many-to-many relations ``logged_relations`` are logged with its own
    row, as sorted id lists, so that one change-log row says who changed the fields and
    the relations together (which municipalities an outage or an action concerns).

    A service writes the relations inside ``logging_relations(before=…, after=…)``; a
    save outside it logs the row's own fields, as any other model."""

    logged_relations: ClassVar[tuple[str, ...]] = ()

    class Meta:
        abstract = True

    def stored_relation_ids(self) -> dict[str, list[int]]:
        """The stored relations, as the change log keeps them (sorted ids; a query each,
        never a prefetch a page may have limited to what its user sees)."""
        if self.pk is None:
            return {name: [] for name in self.logged_relations}
        return {
            name: sorted(getattr(self, name).values_list("pk", flat=True))
            for name in self.logged_relations
        }

    @contextlib.contextmanager
    def logging_relations(
        self, *, before: dict[str, list[int]], after: dict[str, list[int]]
    ) -> Iterator[None]:
        """Log the relations, before (as stored) and after (as written), for the span of
        one write: a write that changes only the relations still leaves a row."""
        self._relation_ids, self._loaded_relation_ids = after, before
        try:
            yield
        finally:
            del self._relation_ids, self._loaded_relation_ids

    def changelog_data(self) -> dict[str, Any]:
        data = super().changelog_data()
        data.update(getattr(self, "_relation_ids", None) or {})
        return data

    def loaded_changelog_data(self) -> dict[str, Any] | None:
        data = super().loaded_changelog_data()
        if data is not None:
            data.update(getattr(self, "_loaded_relation_ids", None) or {})
        return data


class User(ChangeLoggedModel, AbstractUser):
    """A login. Its role decides what it may do; municipality users are bound to one
    municipality (and service-area managers to one service area in it).

    Change-logged: who made a login or changed its role, binding, names, e-mail or
    active flag. Never its password hash, and not ``last_login``, which every sign-in
    writes. ``date_joined`` is its "created", so the base's two timestamps are left out
    (no column added to every login).
    """

    role = models.CharField(_("role"), max_length=20, choices=Role.choices, default=Role.READ_ONLY)
    municipality = models.ForeignKey(
        "organisations.Municipality",
        verbose_name=_("municipality"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="users",
        help_text=_("Required for municipality contacts and service-area managers."),
    )
    service_area = models.ForeignKey(
        "organisations.ServiceArea",
        verbose_name=_("service area"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="users",
        help_text=_("Required for service-area managers."),
    )

    created = None  # type: ignore[assignment]
    last_updated = None  # type: ignore[assignment]
    changelog_exclude: ClassVar[frozenset[str]] = frozenset({"password", "last_login"})

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")

    def __str__(self) -> str:
        return self.get_username()

    def clean(self) -> None:
        super().clean()
        if self.role in (Role.MUNICIPALITY, Role.SERVICE_AREA) and not self.municipality_id:
            raise ValidationError({"municipality": _("This role needs a municipality.")})
        if self.role == Role.SERVICE_AREA and not self.service_area_id:
            raise ValidationError({"service_area": _("This role needs a service area.")})
        if self.service_area_id and self.municipality_id:
            errors = foreign_member_errors(
                municipality=self.municipality, service_area=self.service_area
            )
            if errors:
                raise ValidationError(errors)

    @property
    def is_operator(self) -> bool:
        return self.is_superuser or self.role == Role.OPERATOR

    @property
    def sees_all_municipalities(self) -> bool:
        """Operators, finance and unbound read-only users see every municipality."""
        if self.is_superuser or self.role in (Role.OPERATOR, Role.FINANCE):
            return True
        return self.role == Role.READ_ONLY and self.municipality_id is None

    def role_display(self) -> str:
        return str(Role(self.role).label) if not self.is_superuser else str(Role.OPERATOR.label)

    # The change of a login belongs to its municipality (its users may read who has
    # access to their data). Not a ``municipality_path``: ``restrict`` would then hide
    # operators' names (an order's "created by") from municipality users.
    def changelog_municipality_id(self) -> int | None:
        return self.municipality_id

    def changelog_service_area_id(self) -> int | None:
        return self.service_area_id


class ObjectChange(models.Model):
    """One recorded change: who, when, through which channel, before and after.

    Rows are only ever added. The municipality is stored with the change so that a
    municipality's users can read the history of their own objects and nothing else.
    """

    time = models.DateTimeField(_("time"), auto_now_add=True, db_index=True)
    user = models.ForeignKey(
        User,
        verbose_name=_("user"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="changes",
    )
    actor = models.CharField(_("actor"), max_length=150)
    request_id = models.UUIDField(_("request id"), db_index=True)
    action = models.CharField(_("action"), max_length=10, choices=ChangeAction.choices)
    # The (content_type, object_id) index serves it: one index less to write per change.
    # No database constraint either (as for municipality and service area below): the
    # log's writers take the id from ContentType itself, and content types are deleted
    # only through the ORM, which PROTECT stops. On PostgreSQL the constraint's check
    # was a fifth of the commit of a 100,000-row import (200,000 change rows).
    content_type = models.ForeignKey(
        ContentType,
        on_delete=models.PROTECT,
        related_name="+",
        db_index=False,
        db_constraint=False,
    )
    object_id = models.BigIntegerField(_("object id"))
    object_repr = models.CharField(_("object"), max_length=200)
    municipality = models.ForeignKey(
        "organisations.Municipality",
        verbose_name=_("municipality"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        db_constraint=False,
    )
    service_area = models.ForeignKey(
        "organisations.ServiceArea",
        verbose_name=_("service area"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        db_constraint=False,
    )
    prechange_data = models.JSONField(_("before"), null=True, blank=True)
    postchange_data = models.JSONField(_("after"), null=True, blank=True)
    message = models.CharField(_("message"), max_length=300, blank=True)

    municipality_path: ClassVar[str | None] = "municipality"
    service_area_path: ClassVar[str | None] = "service_area"

    class Meta:
        verbose_name = _("change")
        verbose_name_plural = _("change log")
        ordering = ["-time", "-id"]
        indexes = [models.Index(fields=["content_type", "object_id"])]

    def __str__(self) -> str:
        return f"{self.get_action_display()} {self.object_repr}"

    def changed_fields(self) -> dict[str, tuple[Any, Any]]:
        """Field -> (before, after) for the fields this change touched."""
        before = self.prechange_data or {}
        after = self.postchange_data or {}
        keys = sorted(set(before) | set(after))
        return {k: (before.get(k), after.get(k)) for k in keys if before.get(k) != after.get(k)}


class ApiToken(models.Model):
    """A named API token of one login. Only the SHA-256 of the key is stored: the key is
    shown once, when made (``core.tokens.issue``), and a stolen database holds no usable
    token. Tokens expire; their owner and operators list and revoke them (``/tokens/``).

    A plain SHA-256 suffices (no slow password hash): the key is 256 random bits, so
    there is nothing to guess from its digest."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="api_tokens"
    )
    name = models.CharField(_("name"), max_length=100)
    digest = models.CharField(max_length=64, unique=True, editable=False)
    prefix = models.CharField(
        _("starts with"), max_length=12, editable=False, help_text=_("to recognise it")
    )
    created = models.DateTimeField(_("created"), auto_now_add=True)
    expires = models.DateTimeField(_("expires"))
    last_used = models.DateTimeField(_("last used"), null=True, blank=True)

    class Meta:
        verbose_name = _("API token")
        verbose_name_plural = _("API tokens")
        ordering = ["user_id", "-created"]
        constraints = [
            models.UniqueConstraint(fields=["user", "name"], name="api_token_name_per_user")
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"

"""Single sign-on: from a provider's verified claims to a Samdrift login, or a refusal.

The user is matched by the provider's stable subject (``SignOnIdentity``) or created on
the first sign-on. Role, municipality and service area come only from the operator's
``SignOnMapping`` of the groups claim, re-applied at every sign-on (a changed group
changes the role; a group with no mapping refuses the sign-on and makes the login
inactive, so its sessions and API tokens stop working too) and at once to the logins it
concerns when an operator changes or deletes a mapping (``reapply_mapping``).
"""

from __future__ import annotations

import hashlib
import logging
import re
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from samdrift.accounts.models import SignOnIdentity, SignOnMapping
from samdrift.core.actor import acting_as
from samdrift.core.models import User

logger = logging.getLogger(__name__)

Grant = tuple[str, int | None, int | None]  # role, municipality id, service area id


class SignOnRefused(Exception):
    """The provider vouched for the person, but Samdrift gives them no access; the
    message says why and what to do, for the refusal page."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


def claim_values(claims: dict[str, Any], name: str) -> list[str]:
    """A claim as a list of strings: providers send groups as a list, some one value
    as a plain string."""
    value = claims.get(name)
    if value is None:
        return []
    if isinstance(value, str | int):
        return [str(value)]
    if isinstance(value, list | tuple):
        return [str(item) for item in value if isinstance(item, str | int)]
    return []


def resolve_grant(values: list[str]) -> Grant:
    """The one grant the mappings of ``values`` agree on; refused when none matches or
    when they disagree (two municipalities, or two roles: which one is meant is the
    provider's administrators' to fix, not for Samdrift to guess)."""
    mappings = list(SignOnMapping.objects.filter(value__in=values).order_by("value"))
    if not mappings:
        raise SignOnRefused(
            _(
                "Your account is not given access to Samdrift: none of your groups is "
                "mapped to a role. Ask the ICT organisation's operators to add you to a "
                "group that is."
            )
        )
    grants = {mapping.grant for mapping in mappings}
    if len(grants) > 1:
        names = ", ".join(str(mapping) for mapping in mappings)
        raise SignOnRefused(
            _(
                "Your groups give different access in Samdrift (%(groups)s), so none is "
                "used. Ask the ICT organisation's operators to leave you in only one of them."
            )
            % {"groups": names}
        )
    return grants.pop()


def _new_username(claims: dict[str, Any], subject: str) -> str:
    """A readable username (for the change log): the provider's username or e-mail; a
    short digest of the subject is added when a login of that name already exists, so an
    SSO login never takes over a local one of the same name (e.g. ``admin``)."""
    wanted = str(claims.get("preferred_username") or claims.get("email") or subject)
    wanted = re.sub(r"[^\w.@+-]", "", wanted)[:120] or "sso"
    if not User.objects.filter(username=wanted).exists():
        return wanted
    digest = hashlib.sha256(subject.encode()).hexdigest()[:8]
    return f"{wanted}-sso-{digest}"


def _apply(user: User, grant: Grant, claims: dict[str, Any]) -> list[str]:
    """Set the grant and the provider's names on ``user``; the changed field names."""
    role, municipality_id, service_area_id = grant
    wanted = {
        "role": role,
        "municipality_id": municipality_id,
        "service_area_id": service_area_id,
        "first_name": str(claims.get("given_name") or user.first_name)[:150],
        "last_name": str(claims.get("family_name") or user.last_name)[:150],
        "email": str(claims.get("email") or user.email)[:254],
    }
    changed = [name for name, value in wanted.items() if getattr(user, name) != value]
    for name in changed:
        setattr(user, name, wanted[name])
    return changed


def _suspend(identity: SignOnIdentity) -> None:
    """No mapping any more: no session or token of this login works (each checks
    ``is_active``), not just no new sign-on."""
    if identity.user.is_active:
        identity.user.is_active = False
        identity.user.save(update_fields=["is_active"])
        identity.suspended = True
        identity.save(update_fields=["suspended"])


def reapply_mapping(*, value: str) -> int:
    """After an operator changed or deleted the mapping of ``value``: give each login whose
    last sign-on had that group what the mappings grant now (suspend it when they grant
    nothing). An operator's own deactivation is left alone. The number of logins changed.

    Reads every identity: a JSON list cannot be searched alike on SQLite and PostgreSQL,
    and the logins of one collaboration are a few thousand at most."""
    changed_count = 0
    with transaction.atomic(), acting_as(label="sign-on", message=f"mapping {value} changed"):
        for identity in SignOnIdentity.objects.select_for_update().select_related("user"):
            if value not in identity.groups:
                continue
            user = identity.user
            if not user.is_active and not identity.suspended:
                continue
            try:
                grant = resolve_grant(identity.groups)
            except SignOnRefused:
                if user.is_active:
                    _suspend(identity)
                    changed_count += 1
                continue
            changed = _apply(user, grant, {})
            if not user.is_active:
                user.is_active = True
                changed.append("is_active")
                identity.suspended = False
                identity.save(update_fields=["suspended"])
            if changed:
                user.save(update_fields=changed)
                changed_count += 1
    return changed_count


def sign_on(*, claims: dict[str, Any]) -> User:
    """The login for these verified claims, with its grant applied; ``SignOnRefused``
    when the person gets no access. Every change is change-logged as "sign-on"."""
    subject = claims.get(settings.SAMDRIFT_OIDC_USER_CLAIM)
    if not isinstance(subject, str | int) or not str(subject).strip():
        raise SignOnRefused(
            _("The identity provider sent no %(claim)s claim, which identifies you.")
            % {"claim": settings.SAMDRIFT_OIDC_USER_CLAIM}
        )
    subject = str(subject).strip()
    refusal: SignOnRefused | None = None
    groups = claim_values(claims, settings.SAMDRIFT_OIDC_GROUPS_CLAIM)
    try:
        grant = resolve_grant(groups)
    except SignOnRefused as exc:
        grant, refusal = None, exc

    message = f"single sign-on of {subject}"
    with transaction.atomic(), acting_as(label="sign-on", message=message):
        identity = (
            SignOnIdentity.objects.select_for_update()
            .select_related("user")
            .filter(subject=subject)
            .first()
        )
        if grant is None:
            if identity is not None:
                identity.groups = groups
                identity.save(update_fields=["groups"])
                _suspend(identity)
            user = None
        elif identity is None:
            user = User(username=_new_username(claims, subject))
            user.set_unusable_password()  # signs in through the provider only
            _apply(user, grant, claims)
            user.save()
            identity = SignOnIdentity.objects.create(
                user=user, subject=subject, groups=groups, last_seen=timezone.now()
            )
            logger.info("Single sign-on created login %s for subject %s", user, subject)
        else:
            user = identity.user
            if not user.is_active and not identity.suspended:
                refusal = SignOnRefused(
                    _(
                        "Your Samdrift login has been deactivated by an operator. Ask the "
                        "ICT organisation's operators if you need access again."
                    )
                )
                user = None
            else:
                changed = _apply(user, grant, claims)
                if not user.is_active:
                    user.is_active = True
                    changed.append("is_active")
                if changed:
                    user.save(update_fields=changed)
                identity.suspended = False
                identity.groups = groups
                identity.last_seen = timezone.now()
                identity.save(update_fields=["suspended", "groups", "last_seen"])
    if user is None:
        assert refusal is not None
        logger.warning("Single sign-on refused for subject %s: %s", subject, refusal.message)
        raise refusal
    return user

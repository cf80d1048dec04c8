"""What the billing pages share: who may operate billing, and a refusal as text."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied, ValidationError
from django.utils.translation import gettext as _

from samdrift.billing.models import (
    Invoice,
)
from samdrift.core.permissions import can_write


def may_operate_billing(user) -> bool:
    return can_write(user, Invoice)


def require_operate(user) -> None:
    if not may_operate_billing(user):
        raise PermissionDenied(_("Your role may not run billing."))


def error_text(error: ValidationError) -> str:
    if hasattr(error, "error_dict"):
        return " ".join(m for messages_ in error.message_dict.values() for m in messages_)
    return " ".join(error.messages)

"""The state every buyout operation starts from: the draft re-read under its row lock, and
why an agreed or completed buyout refuses a change."""

from __future__ import annotations

import datetime

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from samdrift.leasing.choices import BuyoutStatus
from samdrift.leasing.models import Buyout


def locked_error(buyout: Buyout) -> ValidationError:
    if buyout.status == BuyoutStatus.COMPLETED:
        reason = _(
            "This buyout was completed on %(date)s; a completed buyout cannot be changed."
        ) % {"date": buyout.completed_on.isoformat() if buyout.completed_on else "?"}
    else:
        reason = _(
            "This buyout was agreed on %(date)s by %(user)s; an agreed buyout cannot be "
            "changed (its signed-off valuation is final)."
        ) % {
            "date": buyout.agreed_on.isoformat() if buyout.agreed_on else "?",
            "user": buyout.agreed_by.get_username() if buyout.agreed_by else "?",
        }
    return ValidationError({"status": reason}, code="locked")


def lock_draft(buyout: Buyout) -> Buyout:
    """Re-read ``buyout`` under a row lock; refuse if it is no longer a draft."""
    locked = (
        Buyout.objects.select_for_update(of=("self",))
        .select_related("agreed_by", "municipality")
        .get(pk=buyout.pk)
    )
    if locked.is_locked:
        raise locked_error(locked)
    return locked


def today() -> datetime.date:
    return datetime.date.today()

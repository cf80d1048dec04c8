"""An asset's lifecycle steps as an operator records them: returned to stock, sent to
repair, back from repair, retired, disposed — each with its day and reason (a disposal
also with the reference of its data-wipe certificate). The status moves through
``change_asset_status`` and the step is kept as an ``AssetEvent``, in one transaction."""

from __future__ import annotations

import datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from samdrift.core.actor import current_actor
from samdrift.inventory.choices import EVENT_STATUS, AssetEventKind, AssetStatus, events_allowed
from samdrift.inventory.figures import keeps_figures
from samdrift.inventory.models import Asset, AssetEvent
from samdrift.inventory.services.assets import change_asset_status

REASON_MAX_LENGTH = 300
CERTIFICATE_MAX_LENGTH = 100


def step_errors(
    *,
    kind: str,
    on: datetime.date | None,
    reason: str,
    certificate_reference: str = "",
    today: datetime.date | None = None,
) -> dict[str, str]:
    """What is wrong with the step itself, whatever the asset: by field."""
    today = today or timezone.localdate()
    errors: dict[str, str] = {}
    if kind not in AssetEventKind.values:
        errors["kind"] = _("Choose one of the lifecycle steps.")
    if on is None:
        errors["on"] = _("Give the date it happened.")
    elif on > today:
        errors["on"] = _("The date is in the future: record a step when it has happened.")
    if not reason.strip():
        errors["reason"] = _("Give the reason.")
    elif len(reason) > REASON_MAX_LENGTH:
        errors["reason"] = _("At most %(n)d characters.") % {"n": REASON_MAX_LENGTH}
    if kind == AssetEventKind.DISPOSED and not certificate_reference.strip():
        errors["certificate_reference"] = _(
            "A device is disposed of only with the reference of its data-wipe certificate."
        )
    elif len(certificate_reference) > CERTIFICATE_MAX_LENGTH:
        errors["certificate_reference"] = _("At most %(n)d characters.") % {
            "n": CERTIFICATE_MAX_LENGTH
        }
    return errors


def event_errors(
    *,
    asset: Asset,
    kind: str,
    on: datetime.date | None,
    reason: str,
    certificate_reference: str = "",
    today: datetime.date | None = None,
) -> dict[str, str]:
    """What is wrong with recording ``kind`` on ``asset``, by field (empty when nothing)."""
    errors = step_errors(
        kind=kind,
        on=on,
        reason=reason,
        certificate_reference=certificate_reference,
        today=today,
    )
    if "kind" not in errors and kind not in events_allowed(asset.status):
        allowed = ", ".join(str(AssetEventKind(k).label) for k in events_allowed(asset.status))
        errors["kind"] = _(
            "An asset that is %(status)s cannot be %(step)s. Possible now: %(allowed)s."
        ) % {
            "status": AssetStatus(asset.status).label,
            "step": str(AssetEventKind(kind).label).lower(),
            "allowed": allowed or "–",
        }
    if "on" not in errors and asset.acquisition_date and on < asset.acquisition_date:
        errors["on"] = _("The date is before the asset was acquired (%(date)s).") % {
            "date": asset.acquisition_date.strftime("%d.%m.%Y")
        }
    return errors


@keeps_figures
def record_asset_event(
    *,
    asset: Asset,
    kind: str,
    on: datetime.date | None,
    reason: str,
    certificate_reference: str = "",
    today: datetime.date | None = None,
) -> AssetEvent:
    """Move ``asset`` one lifecycle step on ``on`` and keep the step with its reason.

    Refused, with the fields named and nothing written, for a step not open from the
    asset's status (``ASSET_TRANSITIONS``), a date in the future or before the asset was
    acquired, a missing reason, or a disposal without its data-wipe certificate. Taking
    a held device out of use ends its assignment on ``on`` (``change_asset_status``).
    """
    reason = reason.strip()
    certificate_reference = certificate_reference.strip()
    with transaction.atomic():
        locked = Asset.objects.select_for_update().get(pk=asset.pk)
        errors = event_errors(
            asset=locked,
            kind=kind,
            on=on,
            reason=reason,
            certificate_reference=certificate_reference,
            today=today,
        )
        if errors:
            raise ValidationError(errors)
        try:
            change_asset_status(asset=locked, status=EVENT_STATUS[kind], on=on)
        except ValidationError as error:
            # The assignment's end is the step's date; the status is the step.
            names = {"valid_to": "on", "status": "kind"}
            raise ValidationError(
                {names.get(f, f): m for f, m in error.message_dict.items()}
            ) from error
        return AssetEvent.objects.create(
            asset=locked,
            kind=kind,
            on=on,
            reason=reason,
            certificate_reference=certificate_reference,
            created_by=current_actor().resolved_user(),
        )

"""Agreeing a buyout with the municipality: the valuation frozen, the signed-off XLSX kept
with its SHA-256, and the check that the kept copy still matches it."""

from __future__ import annotations

import datetime
import hashlib

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from samdrift.core.actor import current_actor
from samdrift.core.changelog import record_bulk_changes
from samdrift.core.choices import ChangeAction
from samdrift.leasing.buyouts.bulk import update_fields
from samdrift.leasing.buyouts.state import lock_draft, locked_error, today
from samdrift.leasing.buyouts.valuation import (
    buyout_valuation,
)
from samdrift.leasing.choices import BuyoutStatus
from samdrift.leasing.models import Buyout, BuyoutItem, SignedValuation


def agree_refusals(*, valuation, agreed_on: datetime.date) -> dict[str, list[str]]:
    """Why the draft whose ``valuation`` is given cannot be agreed on ``agreed_on`` (by
    field; empty: it can). ``agree_buyout`` refuses with these; its confirmation shows
    them instead of a button."""
    if valuation.buyout.is_locked:
        return locked_error(valuation.buyout).message_dict
    refusals: dict[str, list[str]] = {}
    if not valuation.lines:
        refusals["items"] = [_("A buyout needs at least one asset to agree on.")]
    elif valuation.problems:
        refusals["items"] = [
            _("%(asset)s: %(problem)s") % {"asset": line.asset_tag, "problem": line.problem}
            for line in valuation.problems
        ]
    if agreed_on > today():
        refusals["agreed_on"] = [
            _("The agreement date %(date)s is in the future.") % {"date": agreed_on.isoformat()}
        ]
    return refusals


def agree_buyout(*, buyout: Buyout, agreed_on: datetime.date | None = None) -> Buyout:
    """Agree the valuation with the municipality: freeze every item's age and book value,
    record the total, who agreed (the current actor's user) and when, and keep the
    signed-off XLSX with its SHA-256. From then on the buyout cannot be changed. Refused
    when it has no items or any item's basis is invalid (each named)."""
    from samdrift.leasing.buyouts.valuation_xlsx import valuation_workbook

    agreed_on = agreed_on or today()
    with transaction.atomic():
        locked = lock_draft(buyout)
        valuation = buyout_valuation(buyout=locked)
        refusals = agree_refusals(valuation=valuation, agreed_on=agreed_on)
        if refusals:
            raise ValidationError(refusals)
        items = {item.pk: item for item in BuyoutItem.objects.filter(buyout=locked)}
        before = []
        changed = []
        now = timezone.now()
        for line in valuation.lines:
            item = items[line.item_id]
            item.buyout = locked  # cached: the change log reads its municipality
            before.append(item.changelog_data())
            item.age_months = line.age_months
            item.book_value = line.book_value
            # Items valued over their product's default life get that life written, so a
            # later change of the category's life cannot move the agreed figures.
            item.useful_life_months = line.useful_life_months
            item.last_updated = now
            changed.append(item)
        # One UPDATE statement for every item's own figures (executemany).
        update_fields(changed, ["age_months", "book_value", "useful_life_months", "last_updated"])
        record_bulk_changes(changed, action=ChangeAction.UPDATE, before=before)

        locked.status = BuyoutStatus.AGREED
        locked.agreed_on = agreed_on
        locked.agreed_by = current_actor().resolved_user()
        locked.agreed_total = valuation.total
        locked.full_clean()
        locked.save()

        # The figures just frozen are the ones signed: no need to read them back.
        valuation.buyout, valuation.frozen = locked, True
        content = valuation_workbook(valuation)
        SignedValuation.objects.create(
            buyout=locked,
            file_name=f"buyout-{locked.pk}-{locked.municipality.number}-agreed-{agreed_on.isoformat()}.xlsx",
            content=content,
            sha256=hashlib.sha256(content).hexdigest(),
            size=len(content),
        )
    return locked


def verify_signed_valuation(*, buyout: Buyout) -> bool:
    """Does the kept signed-off copy still match its SHA-256?"""
    signed = SignedValuation.objects.filter(buyout=buyout).first()
    if signed is None:
        return False
    return hashlib.sha256(bytes(signed.content)).hexdigest() == signed.sha256

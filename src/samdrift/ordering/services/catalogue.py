"""What may be ordered: catalogue offers, bundles and their parts (operators).

Each function validates with the model's own rules (``full_clean``: a ``ValidationError``
naming the field) and writes in one transaction; the save records the change log.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.utils.translation import gettext as _

from samdrift.ordering.models import Bundle, BundlePart, CatalogueOffer


def _save(instance: models.Model, changes: dict[str, Any], allowed: set[str]) -> models.Model:
    unknown = set(changes) - allowed
    if unknown:
        raise ValidationError({sorted(unknown)[0]: _("This field cannot be changed here.")})
    with transaction.atomic():
        for name, value in changes.items():
            setattr(instance, name, value)
        instance.full_clean()
        instance.save()
    return instance


OFFER_FIELDS = {"product", "service", "standard", "active", "lead_time_days", "one_off_fee", "note"}
BUNDLE_FIELDS = {"name", "code", "description", "lead_time_days", "one_off_fee", "active"}
PART_FIELDS = {"bundle", "product", "service", "quantity"}


def create_offer(**fields: Any) -> CatalogueOffer:
    """Offer a product or a service for ordering."""
    return _save(CatalogueOffer(), fields, OFFER_FIELDS)


def update_offer(*, offer: CatalogueOffer, changes: dict[str, Any]) -> CatalogueOffer:
    return _save(offer, changes, OFFER_FIELDS)


def create_bundle(**fields: Any) -> Bundle:
    """A new bundle (its parts are added with ``add_bundle_part``)."""
    return _save(Bundle(), fields, BUNDLE_FIELDS)


def update_bundle(*, bundle: Bundle, changes: dict[str, Any]) -> Bundle:
    return _save(bundle, changes, BUNDLE_FIELDS)


def add_bundle_part(**fields: Any) -> BundlePart:
    return _save(BundlePart(), fields, PART_FIELDS)


def update_bundle_part(*, part: BundlePart, changes: dict[str, Any]) -> BundlePart:
    if "bundle" in changes and changes["bundle"] != part.bundle:
        raise ValidationError({"bundle": _("A part cannot move to another bundle.")})
    return _save(part, changes, PART_FIELDS)


def remove_bundle_part(*, part: BundlePart) -> None:
    with transaction.atomic():
        part.delete()

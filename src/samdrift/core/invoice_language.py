"""The one language of the texts Samdrift writes onto a municipality's invoices.

Line texts made by billing (an adjustment of a closed month, a service credit) and by a
buyout (the amount owed) are stored and sent as they are made, in the EHF invoice too.
Made in the language of whoever happened to run the billing, one month's invoice would
say "adjustment for" and the next "korreksjon for". So they are made in
``SAMDRIFT_INVOICE_LANGUAGE`` (Norwegian Bokmål unless set), whatever the page's
language; messages to the person running it stay in theirs.
"""

from __future__ import annotations

from django.conf import settings
from django.utils import translation


def in_invoice_language() -> translation.override:
    """``with in_invoice_language(): text = _("…")``."""
    return translation.override(settings.SAMDRIFT_INVOICE_LANGUAGE)

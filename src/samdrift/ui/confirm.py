"""Confirmations for operations that cannot be undone (issue, close, credit, publish,
agree, complete, discard): say what will happen, with the figures, and act once.

An operation is two requests:

1. ``GET …/confirm/`` renders ``web/confirm.html`` from a ``Confirmation``: what will
   happen, with the figures computed by the same selectors the operation uses, and a
   form whose token is the *fingerprint* of the state those figures describe plus a
   fresh random *nonce*.
2. ``POST`` of that form goes through ``perform_confirmed``, which

   - shows the first result again when this nonce was acted on already (a double click,
     a resent form): the operation runs once;
   - refuses, changing nothing, a POST without a token (confirm first);
   - refuses, changing nothing, when the fingerprint no longer matches the state (the
     month was re-run, another invoice took the next number, the buyout was edited …)
     and sends the user back to the confirmation, which shows the new figures;
   - else runs the operation and records the nonce with its result, in one transaction.

The fingerprint is computed inside that transaction by a function the view passes, which
takes the same row locks the operation takes, so a change cannot slip in between.
"""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Model
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from samdrift.ui.models import ConfirmedAction

CONFIRMATION_FIELD = "confirmation"
MAX_NONCE = 64


def fingerprint(*parts) -> str:
    """A short digest of the parts (ids, statuses, amounts, numbers) that the figures on a
    confirmation depend on: equal state, equal fingerprint."""
    digest = hashlib.sha256()
    for part in parts:
        digest.update(repr(part).encode())
        digest.update(b"\x1f")
    return digest.hexdigest()[:32]


@dataclass
class Table:
    """Rows already formatted for reading; ``numeric`` names the right-aligned columns."""

    headers: list[str]
    rows: list[list[str]]
    numeric: frozenset[int] = frozenset()
    footer: list[str] | None = None


@dataclass
class Confirmation:
    """What a confirmation page says. ``problems`` (why the operation would be refused
    now) replace the button: nothing is offered that cannot be done."""

    title: str
    summary: str
    button: str
    action_url: str
    cancel_url: str
    fingerprint: str
    facts: list[tuple[str, str]] = field(default_factory=list)
    table: Table | None = None
    notes: list[str] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)
    hidden: dict[str, str] = field(default_factory=dict)

    @property
    def token(self) -> str:
        return f"{self.fingerprint}:{secrets.token_urlsafe(16)}"


def render_confirmation(request, confirmation: Confirmation) -> HttpResponse:
    return render(
        request,
        "web/confirm.html",
        {
            "confirmation": confirmation,
            "token": confirmation.token,
            "confirmation_field": CONFIRMATION_FIELD,
        },
    )


@dataclass
class Done:
    """The result of an operation: the message to show and where to go."""

    message: str
    url: str


class _Stale(Exception):
    pass


def error_messages(error: ValidationError) -> list[str]:
    if hasattr(error, "error_dict"):
        return [m for values in error.message_dict.values() for m in values]
    return list(error.messages)


def _receipt(request, nonce: str) -> ConfirmedAction | None:
    return ConfirmedAction.objects.filter(user=request.user, nonce=nonce).first()


def _replay(request, receipt: ConfirmedAction) -> HttpResponse:
    messages.info(
        request,
        _(
            "This was done already (the confirmation was sent twice); nothing was done again: "
            "%(result)s"
        )
        % {"result": receipt.message},
    )
    return redirect(receipt.url)


def perform_confirmed(
    request,
    *,
    kind: str,
    current_fingerprint: Callable[[], str],
    act: Callable[[], Done],
    confirm_url: str,
    refused_url: str | None = None,
) -> HttpResponse:
    """Run ``act`` once for the confirmation in ``request.POST`` (see the module doc).

    ``current_fingerprint`` is called inside the transaction, before ``act``; a
    ValidationError from either is shown and changes nothing (then the user goes to
    ``refused_url``, default the confirmation)."""
    token = request.POST.get(CONFIRMATION_FIELD, "")
    sent, _colon, nonce = token.partition(":")
    if not sent or not nonce or len(nonce) > MAX_NONCE:
        messages.error(
            request,
            _("Nothing was done: this needs a confirmation. Check the figures below and confirm."),
        )
        return redirect(confirm_url)
    earlier = _receipt(request, nonce)
    if earlier is not None:
        return _replay(request, earlier)
    try:
        with transaction.atomic():
            # First, so that a concurrent submit of the same confirmation waits here and
            # then finds the receipt (unique per user and nonce) instead of acting again.
            receipt = ConfirmedAction.objects.create(user=request.user, nonce=nonce, kind=kind)
            if current_fingerprint() != sent:
                raise _Stale
            done = act()
            receipt.message, receipt.url = done.message, done.url[:300]
            receipt.save(update_fields=["message", "url"])
    except IntegrityError:
        earlier = _receipt(request, nonce)
        if earlier is None:
            raise
        return _replay(request, earlier)
    except _Stale:
        messages.error(
            request,
            _(
                "Nothing was done: the figures have changed since this confirmation was shown "
                "(someone else may have acted in between). Check the new figures and confirm "
                "again."
            ),
        )
        return redirect(confirm_url)
    except ValidationError as error:
        for message in error_messages(error):
            messages.error(request, message)
        return redirect(refused_url or confirm_url)
    messages.success(request, done.message)
    return redirect(done.url)


def _delete_fingerprint(obj: Model | None) -> str:
    # The object as the page showed it: an edit in between (a price's amount) asks again.
    return "" if obj is None else fingerprint("delete", obj._meta.label_lower, obj.pk, str(obj))


def confirm_delete(
    request,
    obj: Model,
    *,
    delete: Callable[[], None],
    page_url: str,
    cancel_url: str,
    done_url: str,
    summary: str = "",
    notes: Iterable[str] = (),
) -> HttpResponse:
    """Deleting ``obj`` in two steps, as every operation that cannot be undone: a GET shows
    what goes (``summary``, by default the object's kind and name; ``notes``) and a Delete
    button; that page's POST (to ``page_url``, with ``delete`` set) deletes once, then goes
    to ``done_url``. A refusal (a ValidationError, or rows that still refer to it) is shown
    and deletes nothing."""
    if request.method != "POST":
        summary = summary or _("Delete the %(kind)s “%(object)s”.") % {
            "kind": obj._meta.verbose_name,
            "object": obj,
        }
        return render_confirmation(
            request,
            Confirmation(
                title=_("Delete %(object)s") % {"object": obj},
                summary=summary,
                button=_("Delete"),
                action_url=page_url,
                cancel_url=cancel_url,
                fingerprint=_delete_fingerprint(obj),
                notes=[*notes, _("This cannot be undone; the change log keeps what it held.")],
                hidden={"delete": "1"},
            ),
        )
    label = str(obj)
    model = type(obj)

    def act() -> Done:
        try:
            delete()
        except IntegrityError:
            raise ValidationError(
                _("%(object)s cannot be deleted: other records refer to it.") % {"object": label}
            ) from None
        return Done(_("Deleted %(object)s.") % {"object": label}, done_url)

    return perform_confirmed(
        request,
        kind=f"delete.{model._meta.label_lower}",
        current_fingerprint=lambda: _delete_fingerprint(
            model._default_manager.select_for_update().filter(pk=obj.pk).first()
        ),
        act=act,
        confirm_url=page_url,
        refused_url=cancel_url,
    )


def once(*, user, key: str, kind: str, act: Callable[[], Model], find: Callable[[int], Model]):
    """For an API call with an idempotency key: ``(act(), True)`` the first time a user
    sends ``key``; ``(the object the first call made, False)`` every later time, also when
    two arrive at once (the receipt is written first, in ``act``'s transaction)."""
    try:
        with transaction.atomic():
            receipt = ConfirmedAction.objects.create(user=user, nonce=key, kind=kind)
            made = act()
            receipt.url = str(made.pk)
            receipt.save(update_fields=["url"])
            return made, True
    except IntegrityError:
        receipt = ConfirmedAction.objects.filter(user=user, nonce=key).first()
        if receipt is None:
            raise
    if receipt.kind != kind:
        raise ValidationError(
            _("This idempotency key was used for another operation; send a new one.")
        )
    return find(int(receipt.url)), False


def number_range(numbers: Iterable[str]) -> str:
    """``FRI-2026-000007 to -000012``: the first number in full and the last one's
    sequence, when they share series and year; one number alone as it is."""
    numbers = list(numbers)
    if not numbers:
        return ""
    first, last = numbers[0], numbers[-1]
    if len(numbers) == 1:
        return first
    prefix, _dash, tail = last.rpartition("-")
    if first.startswith(f"{prefix}-"):
        return _("%(first)s to -%(last)s") % {"first": first, "last": tail}
    return _("%(first)s to %(last)s") % {"first": first, "last": last}

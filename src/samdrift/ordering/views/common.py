"""Helpers of the ordering pages: roles, the municipality a page is about, form pages."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import render

from samdrift.core.permissions import restrict
from samdrift.organisations.models import Municipality


def require_operator(user) -> None:
    """Accepting, reviewing, delivering and returning trust their caller to be an
    operator (docs/ordering.md): the pages check it."""
    if not user.is_operator:
        raise PermissionDenied


def require_sees_all(user) -> None:
    if not user.sees_all_municipalities:
        raise PermissionDenied


def chosen_municipality(request) -> Municipality | None:
    """The municipality a page is about: a municipality user's own; for those who see
    every municipality, ``?municipality=`` (None until one is picked). A municipality
    the user may not see is a 404."""
    user = request.user
    if not user.sees_all_municipalities:
        if not user.municipality_id:
            return None
        return Municipality.objects.get(pk=user.municipality_id)
    value = request.GET.get("municipality") or request.POST.get("municipality")
    if not value:
        return None
    try:
        pk = int(value)
    except ValueError:
        raise Http404("No municipality with that id.") from None
    found = restrict(Municipality.objects.filter(pk=pk), user).first()
    if found is None:
        raise Http404("No municipality with that id.")
    return found


def municipality_choices(user):
    return restrict(Municipality.objects.all(), user).order_by("name")


def form_page(request, *, form, title, cancel, intro="", extra=None, status=None):
    if status is None:
        status = 400 if form.is_bound and form.errors else 200
    return render(
        request,
        "ordering/form.html",
        {"form": form, "title": title, "cancel": cancel, "intro": intro, **(extra or {})},
        status=status,
    )

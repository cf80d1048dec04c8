"""Each user's own settings of a list page (``ObjectListView``): saved filters and the
columns shown. Kept in ``ListSetting``, keyed by the list page's path.

A saved filter is only a name for a query string. Applying it is following a link to the
list with that query, so the list's ``restrict`` and its 404 for a hidden object apply as
to any URL: a saved filter grants nothing. The settings are the user's own: nobody else
sees, applies or deletes them. They are personal preferences, not the system's data, so
they write no change log.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db import IntegrityError, transaction
from django.http import HttpResponseBadRequest, HttpResponseRedirect, QueryDict
from django.shortcuts import get_object_or_404
from django.urls import Resolver404, resolve
from django.utils.translation import gettext
from django.views.decorators.http import require_POST

from samdrift.ui.models import ListSetting

# Query parameters that are not part of a filter: where the user was, or what they asked.
NOT_SAVED = ("page", "cursor", "export", "csrfmiddlewaretoken")
MAX_QUERY = ListSetting._meta.get_field("value").max_length
MAX_NAME = ListSetting._meta.get_field("name").max_length


@dataclass(frozen=True)
class ListSettings:
    """What one user keeps for one list: saved filters by name, and the chosen columns
    (``None``: the table's own)."""

    filters: Sequence[ListSetting] = ()
    columns: list[str] | None = None


def settings_for(user, list_path: str) -> ListSettings:
    """The user's settings of the list at ``list_path``, in one query."""
    if not getattr(user, "is_authenticated", False):
        return ListSettings()
    rows = list(ListSetting.objects.filter(user=user, list_path=list_path))
    columns = next((r for r in rows if r.kind == ListSetting.Kind.COLUMNS), None)
    return ListSettings(
        filters=[r for r in rows if r.kind == ListSetting.Kind.FILTER],
        columns=[n for n in columns.value.split(",") if n] if columns is not None else None,
    )


def filter_query(query: str | QueryDict) -> str:
    """The filter part of a list's query string: empty values and the page dropped."""
    data = QueryDict(query) if isinstance(query, str) else query
    kept = QueryDict(mutable=True)
    for name, values in data.lists():
        if name not in NOT_SAVED:
            kept.setlist(name, [v for v in values if v != ""])
    return kept.urlencode()


def list_view_of(list_path: str):
    """The ``ObjectListView`` class at ``list_path``, or ``None`` if it is not a list page."""
    from samdrift.ui.lists import ObjectListView  # lists reads the settings: import late

    if not list_path.startswith("/") or list_path.startswith("//"):
        return None
    try:
        match = resolve(list_path)
    except Resolver404:
        return None
    view_class = getattr(match.func, "view_class", None)
    if view_class is None or not issubclass(view_class, ObjectListView) or match.args:
        return None
    return view_class


def list_url(list_path: str, query: str) -> str:
    return f"{list_path}?{query}" if query else list_path


# ---- services: keyword-only, one transaction each -------------------------------------


class ListSettingError(ValueError):
    """Bad input for a list setting; ``field`` names the field the message is about."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field
        self.message = message


def save_filter(*, user, list_path: str, name: str, query: str) -> ListSetting:
    """Save ``query`` (the list's filter) under ``name`` for this user and list."""
    name = name.strip()
    query = filter_query(query)
    if not name:
        raise ListSettingError("name", gettext("Give the filter a name."))
    if len(name) > MAX_NAME:
        raise ListSettingError(
            "name", gettext("A name has at most %(max)d characters.") % {"max": MAX_NAME}
        )
    if len(query) > MAX_QUERY:
        raise ListSettingError("query", gettext("This filter is too long to save."))
    try:
        with transaction.atomic():
            return ListSetting.objects.create(
                user=user,
                list_path=list_path,
                kind=ListSetting.Kind.FILTER,
                name=name,
                value=query,
            )
    except IntegrityError:
        raise ListSettingError(
            "name",
            gettext("You already have a filter called “%(name)s” on this list.") % {"name": name},
        ) from None


def delete_filter(*, user, pk: int) -> ListSetting:
    """Delete one of the user's own saved filters (anyone else's is a 404)."""
    with transaction.atomic():
        row = get_object_or_404(ListSetting, pk=pk, user=user, kind=ListSetting.Kind.FILTER)
        row.delete()
    return row


def choose_columns(*, user, list_path: str, table, names: Sequence[str]) -> list[str]:
    """Remember the columns the user wants on this list; unknown names are ignored and
    essential columns always kept. Choosing every column forgets the choice."""
    chosen = [c.name for c in table.chosen_columns(list(names))]
    with transaction.atomic():
        ListSetting.objects.filter(
            user=user, list_path=list_path, kind=ListSetting.Kind.COLUMNS
        ).delete()
        if len(chosen) < len(table.table_columns):
            ListSetting.objects.create(
                user=user,
                list_path=list_path,
                kind=ListSetting.Kind.COLUMNS,
                value=",".join(chosen),
            )
    return chosen


# ---- views: parse the post, call a service, back to the list with a message ----------


def _list_view(request):
    list_path = request.POST.get("list", "")
    return list_path, list_view_of(list_path)


@login_required
@require_POST
def save_filter_view(request):
    list_path, view_class = _list_view(request)
    if view_class is None:
        return HttpResponseBadRequest(gettext("This is not a list page."))
    query = request.POST.get("query", "")
    try:
        saved = save_filter(
            user=request.user, list_path=list_path, name=request.POST.get("name", ""), query=query
        )
    except ListSettingError as error:
        messages.error(request, f"{gettext('Name')}: {error.message}")
        return HttpResponseRedirect(list_url(list_path, filter_query(query)))
    messages.success(request, gettext("Filter “%(name)s” saved.") % {"name": saved.name})
    return HttpResponseRedirect(list_url(list_path, saved.value))


@login_required
@require_POST
def delete_filter_view(request, pk: int):
    row = delete_filter(user=request.user, pk=pk)
    messages.success(request, gettext("Filter “%(name)s” deleted.") % {"name": row.name})
    return HttpResponseRedirect(
        list_url(row.list_path, filter_query(request.POST.get("query", "")))
    )


@login_required
@require_POST
def choose_columns_view(request):
    list_path, view_class = _list_view(request)
    if view_class is None:
        return HttpResponseBadRequest(gettext("This is not a list page."))
    table = getattr(view_class, "table", None)  # a list may make its table per request
    if table is None:
        return HttpResponseBadRequest(gettext("The columns of this list cannot be chosen."))
    if "reset" in request.POST:
        names = [c.name for c in table.table_columns]
    else:
        names = request.POST.getlist("columns")
    choose_columns(user=request.user, list_path=list_path, table=table, names=names)
    messages.success(request, gettext("Columns chosen."))
    return HttpResponseRedirect(list_url(list_path, filter_query(request.POST.get("query", ""))))

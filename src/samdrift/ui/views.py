"""The pages of the toolkit itself: the health check, the global search and the
change log, which belongs to every app (login and logout are Django's)."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.db import connection
from django.http import JsonResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext_lazy as _

from samdrift.core.models import ObjectChange
from samdrift.ui import changes, search
from samdrift.ui.lists import ObjectListView


def health(request):
    """Liveness and database check for a load balancer: 200 when the database answers."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
        cursor.fetchone()
    return JsonResponse({"status": "ok", "database": connection.vendor})


@login_required
def search_page(request):
    """The global search (``ui.search``): hits grouped by kind, or straight to the one
    object whose identifier the query is exactly (``?jump=0`` shows the list anyway)."""
    raw = request.GET.get("q", "")
    query, error, groups = "", None, []
    try:
        query = search.clean_query(raw)
    except search.QueryError as exc:
        error = str(exc)
    if query:
        groups = search.search(request.user, query)
        hit = search.only_exact_hit(groups)
        if hit is not None and request.GET.get("jump") != "0":
            return redirect(hit.url)
    return render(
        request,
        "web/search.html",
        {
            "query": query or raw.strip()[: search.MAX_LENGTH],
            "error": error,
            "groups": groups,
            "searched": bool(query),
        },
    )


class ChangeListView(ObjectListView):
    """The change log: who changed what and when, filtered by who, what, when and object.

    ``restrict`` reads the municipality (and service area) stored with each change, so a
    municipality's users see the history of their own objects only, as in the API.
    ``?content_type=app.model&object_id=N`` is one object's history (its "History" link).
    """

    model = ObjectChange
    filterset_class = changes.ChangeListFilterSet
    table = changes.CHANGE_TABLE
    title = _("Change log")
    filter_fields = ["q", "who", "content_type", "action", "date_from", "date_to", "object_id"]
    filter_labels = {"action": _("Action"), "object_id": _("Object id")}

    def prepare_rows(self, rows: list) -> None:
        described = changes.describe_changes(rows, self.request.user)
        for row in rows:
            row.field_changes = described.get(row.pk, [])

"""The pages of the toolkit itself: the health check, the global search and the
change log, which belongs to every app (login and logout are Django's)."""

from __future__ import annotations

import logging
import sys

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.db import DatabaseError, InterfaceError, OperationalError, connection
from django.http import HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.template import loader
from django.utils.translation import gettext_lazy as _
from django.views import defaults

from samdrift.core.models import ObjectChange
from samdrift.ui import changes, search
from samdrift.ui.lists import ObjectListView

logger = logging.getLogger(__name__)


def health(request):
    """Liveness and database check for a load balancer: 200 when the database answers,
    503 when it does not. Only a signed-in user learns which database it is."""
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except DatabaseError:
        return JsonResponse({"status": "unavailable"}, status=503)
    if not request.user.is_authenticated:
        return JsonResponse({"status": "ok"})
    return JsonResponse({"status": "ok", "database": connection.vendor})


# What a database that does not answer raises (stopped, restarting, unreachable, its
# connection cut), also while connecting; a deadlock or a lock timeout is one too, and
# equally worth trying again.
DATABASE_UNAVAILABLE = (OperationalError, InterfaceError)
RETRY_AFTER_SECONDS = 30


def server_error(request):
    """The 500 handler (``handler500``): Django's page, except when the request failed
    because the database does not answer — then 503 with a page that says so and when to
    try again, JSON for the API. Nothing here touches the database: no request context,
    no user. The connection is replaced by the next request once the database is back
    (``CONN_HEALTH_CHECKS``), so the app recovers without a restart."""
    if not isinstance(sys.exc_info()[1], DATABASE_UNAVAILABLE):
        return defaults.server_error(request)
    if request.path.startswith("/api/"):
        detail = _("The database is not answering. Try again in a minute.")
        response = JsonResponse({"detail": str(detail)}, status=503)
    else:
        response = HttpResponse(loader.render_to_string("503.html"), status=503)
    response["Retry-After"] = str(RETRY_AFTER_SECONDS)
    return response


def locked_out(request, original_response=None, credentials=None):
    """What django-axes answers once a username or an address is locked out (settings:
    AXES_LOCKOUT_CALLABLE): 429, how long, and whom to ask. Logged for the audit trail
    beside axes' own records."""
    username = (credentials or {}).get("username") or request.POST.get("username", "")
    logger.warning(
        "Sign-in locked out: username %r from %s", username, request.META.get("REMOTE_ADDR")
    )
    minutes = int(settings.AXES_COOLOFF_TIME.total_seconds() // 60)
    context = {"failure_limit": settings.AXES_FAILURE_LIMIT, "minutes": minutes}
    response = render(request, "registration/locked_out.html", context, status=429)
    response["Retry-After"] = str(int(settings.AXES_COOLOFF_TIME.total_seconds()))
    return response


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

"""The pages of the toolkit itself: the health check and the global search (login and
logout are Django's)."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.db import connection
from django.http import JsonResponse
from django.shortcuts import redirect, render

from samdrift.ui import search


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

"""The pages of the toolkit itself: the health check (login and logout are Django's)."""

from __future__ import annotations

from django.db import connection
from django.http import JsonResponse


def health(request):
    """Liveness and database check for a load balancer: 200 when the database answers."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
        cursor.fetchone()
    return JsonResponse({"status": "ok", "database": connection.vendor})

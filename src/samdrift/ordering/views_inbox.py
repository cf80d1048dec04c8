"""The inbox: the signed-in user's notifications of orders (``ordering.notifications``).

Each user sees only their own; another's notification is a 404. Marking one read is a
POST, which then goes to the order (``?next=inbox`` stays in the inbox).
"""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST

from samdrift.ordering.models import Notification


@login_required
def inbox(request):
    notes = Notification.objects.filter(recipient=request.user).select_related("order")
    unread_only = request.GET.get("unread") == "1"
    if unread_only:
        notes = notes.filter(read_at__isnull=True)
    page = Paginator(notes.order_by("-created", "-pk"), 50).get_page(request.GET.get("page"))
    unread = Notification.objects.filter(recipient=request.user, read_at__isnull=True).count()
    return render(
        request,
        "ordering/inbox.html",
        {"page": page, "unread": unread, "unread_only": unread_only},
    )


@login_required
@require_POST
def mark_read(request, pk: int):
    note = get_object_or_404(Notification, pk=pk, recipient=request.user)
    if note.read_at is None:
        note.read_at = timezone.now()
        note.save(update_fields=["read_at"])
    target = note.url if request.POST.get("next") != "inbox" else ""
    if target and url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        return redirect(target)
    return redirect("ordering:inbox")


urlpatterns = [
    path("inbox/", inbox, name="inbox"),
    path("inbox/<int:pk>/read/", mark_read, name="inbox_read"),
]

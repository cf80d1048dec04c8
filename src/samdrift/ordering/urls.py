"""Ordering's pages (namespace ``ordering``). The inbox has its own module."""

from samdrift.ordering import views_inbox

app_name = "ordering"

urlpatterns = [*views_inbox.urlpatterns]

"""The service desk's pages: each views module declares its own ``urlpatterns``."""

from samdrift.servicedesk.views import mappings

app_name = "servicedesk"

urlpatterns = [
    *mappings.urlpatterns,
]

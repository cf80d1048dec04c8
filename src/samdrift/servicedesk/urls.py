"""The service desk's pages: each views module lists its own ``urlpatterns``."""

from samdrift.servicedesk.views import incidents, outages

app_name = "servicedesk"

urlpatterns = [
    *incidents.urlpatterns,
    *outages.urlpatterns,
]

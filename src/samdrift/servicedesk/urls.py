"""The service desk's pages: each views module declares its own ``urlpatterns``."""

from samdrift.servicedesk.views import incidents, mappings, outages, reports

app_name = "servicedesk"

urlpatterns = [
    *reports.urlpatterns,
    *incidents.urlpatterns,
    *outages.urlpatterns,
    *mappings.urlpatterns,
]

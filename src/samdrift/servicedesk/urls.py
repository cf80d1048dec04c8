"""The service desk's pages (each views module keeps its own ``urlpatterns``)."""

from samdrift.servicedesk.views import reports

app_name = "servicedesk"

urlpatterns = [
    *reports.urlpatterns,
]

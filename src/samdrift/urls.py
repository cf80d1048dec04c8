"""URL map: the web UI at /, the REST API at /api/, the admin at /admin/."""

from django.contrib import admin
from django.contrib.auth.decorators import login_required
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView
from rest_framework.routers import DefaultRouter

from samdrift.agreements import api as agreements_api
from samdrift.agreements import urls as agreements_urls
from samdrift.billing import api as billing_api
from samdrift.catalogue import api as catalogue_api
from samdrift.core import api as core_api
from samdrift.dashboard import agreement_document
from samdrift.gains import api as gains_api
from samdrift.imports import api as imports_api
from samdrift.inventory import api as inventory_api
from samdrift.leasing import api as leasing_api
from samdrift.ordering import api as ordering_api
from samdrift.organisations import api as organisations_api
from samdrift.planning import api as planning_api
from samdrift.servicedesk import api as servicedesk_api
from samdrift.solutions import api as solutions_api

router = DefaultRouter()
core_api.register(router)
leasing_api.register(router)  # first, as when it lived in catalogue and inventory
organisations_api.register(router)
catalogue_api.register(router)
inventory_api.register(router)
agreements_api.register(router)
solutions_api.register(router)
servicedesk_api.register(router)
ordering_api.register(router)
billing_api.register(router)
planning_api.register(router)
gains_api.register(router)
imports_api.register(router)

urlpatterns = [
    path("api/schema/", SpectacularAPIView.as_view(), name="api-schema"),
    path(
        "api/docs/",
        # To the sign-in page first, rather than an error page (the schema answers 401).
        # The split view serves its start-up script from ?script (no inline script: the
        # Content-Security-Policy), and our page moves its style to a file.
        login_required(
            SpectacularSwaggerSplitView.as_view(
                url_name="api-schema", template_name="web/swagger_ui.html"
            )
        ),
        name="api-docs",
    ),
    path("api/", include(router.urls)),
    path("admin/", admin.site.urls),
    path("i18n/", include("django.conf.urls.i18n")),
    path("", include("samdrift.organisations.urls")),
    path("", include("samdrift.inventory.urls")),
    path("", include("samdrift.catalogue.urls")),
    path("", include("samdrift.leasing.urls")),  # lease models, price list, buyouts
    # The agreement document is the dashboard's (it needs inventory and leasing), named in
    # the agreements namespace with the agreement's other pages.
    path(
        "agreements/",
        include(
            (agreements_urls.urlpatterns + agreement_document.urlpatterns, "agreements"),
            namespace="agreements",
        ),
    ),
    path("solutions/", include("samdrift.solutions.urls")),
    path("ordering/", include("samdrift.ordering.urls")),
    path("billing/", include("samdrift.billing.urls")),
    path("service/", include("samdrift.servicedesk.urls")),
    path("planning/", include("samdrift.planning.urls")),
    path("gains/", include("samdrift.gains.urls")),
    path("imports/", include("samdrift.imports.urls")),
    path("", include("samdrift.accounts.urls")),  # login, single sign-on
    path("", include("samdrift.ui.urls")),  # logout, health
    path("", include("samdrift.dashboard.urls")),  # the overview at /
]

# A request that fails because the database does not answer gets a 503 saying so.
handler500 = "samdrift.ui.views.server_error"

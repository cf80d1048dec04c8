"""The service desk's REST endpoints: each module has ``register(router)``; the project's
urls.py calls ``register`` here, which calls each."""

from samdrift.servicedesk.api import incidents, outages, reports


def register(router) -> None:
    incidents.register(router)
    outages.register(router)
    reports.register(router)

"""The service desk's API: each module has ``register(router)``; this calls them all."""

from samdrift.servicedesk.api import reports


def register(router) -> None:
    reports.register(router)

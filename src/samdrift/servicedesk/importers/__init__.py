"""Importers of the service desk: incidents from the service desks' exports (event logs
or one row per incident; ``formats`` says what each source calls things) and outages
from a CSV list. docs/service-levels.md, "Importing incidents"."""

from samdrift.servicedesk.importers.incidents import IncidentImporter
from samdrift.servicedesk.importers.outages import OutageImporter

__all__ = ["IncidentImporter", "OutageImporter"]

"""The columns of the incident and outage lists and their exports (one place per model).
Times are shown in Oslo time (``dd.mm.yyyy HH:MM`` in Norwegian); the export writes
them as ISO instants."""

from django.utils.translation import gettext_lazy as _

from samdrift.ui.tables import Column, Table, id_link

INCIDENT_TABLE = Table(
    columns=[
        Column(
            "number", _("Number"), order_by=("number",), link=id_link("servicedesk:incident_detail")
        ),
        Column("source", _("Source"), kind="choice", order_by=("source",)),
        Column(
            "municipality",
            _("Municipality"),
            accessor="municipality.name",
            order_by=("municipality__name",),
        ),
        Column(
            "municipality_number",
            _("Municipality number"),
            accessor="municipality.number",
            in_table=False,
        ),
        Column("service", _("Service"), accessor="service.name", order_by=("service__name",)),
        Column("service_code", _("Service code"), accessor="service.code", in_table=False),
        Column("title", _("Title")),
        Column("category", _("Category"), in_table=False),
        Column("priority", _("Priority"), kind="choice", order_by=("priority",)),
        Column("state", _("State"), kind="choice", order_by=("state",)),
        Column("opened_at", _("Opened"), kind="datetime", order_by=("opened_at",)),
        Column("responded_at", _("First response"), kind="datetime", in_table=False),
        Column("resolved_at", _("Resolved"), kind="datetime", order_by=("resolved_at",)),
        Column("closed_at", _("Closed"), kind="datetime", in_table=False),
    ],
    default_sort="-opened_at",
    select_related=("municipality", "service"),
    export_name="incidents",
)


class AffectedColumn(Column):
    """Who an outage concerns: "All municipalities", or the names (prefetched)."""

    def value(self, obj) -> str:
        return affected_text(obj)


def affected_text(outage) -> str:
    if outage.all_municipalities:
        return str(_("All municipalities"))
    return ", ".join(sorted(m.name for m in outage.municipalities.all()))


OUTAGE_TABLE = Table(
    columns=[
        Column("service", _("Service"), accessor="service.name", order_by=("service__name",)),
        Column("service_code", _("Service code"), accessor="service.code", in_table=False),
        Column("description", _("Description"), link=id_link("servicedesk:outage_detail")),
        Column("started_at", _("Start"), kind="datetime", order_by=("started_at",)),
        Column("ended_at", _("End"), kind="datetime", order_by=("ended_at",)),
        Column("planned", _("Planned maintenance"), kind="bool", order_by=("planned",)),
        Column("announced_at", _("Announced"), kind="datetime", in_table=False),
        AffectedColumn("affected", _("Municipalities affected")),
        Column("reference", _("Reference"), in_table=False),
    ],
    default_sort="-started_at",
    # The municipalities are prefetched by the page, limited to those the user may see.
    select_related=("service",),
    export_name="outages",
)

"""The columns of the agreement and calendar lists and their exports."""

from django.utils.translation import gettext_lazy as _

from samdrift.ui.tables import Column, Table, id_link

AGREEMENT_TABLE = Table(
    columns=[
        Column("name", _("Name"), order_by=("name",), link=id_link("agreements:agreement_detail")),
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
        Column("reference", _("Reference")),
        Column("valid_from", _("Valid from"), kind="date", order_by=("valid_from",)),
        Column("valid_to", _("Valid to"), kind="date", order_by=("valid_to",)),
        Column(
            "maintenance_notice_days",
            _("Notice for planned maintenance (days)"),
            kind="number",
            in_table=False,
        ),
        Column("notes", _("Notes"), in_table=False),
    ],
    default_sort="municipality",
    select_related=("municipality",),
    export_name="agreements",
)

CALENDAR_TABLE = Table(
    columns=[
        Column("name", _("Name"), order_by=("name",), link=id_link("agreements:calendar_detail")),
        Column("timezone", _("Time zone")),
        Column("always_open", _("Around the clock (24/7)"), kind="bool"),
        Column("public_holidays_closed", _("Closed on public holidays"), kind="bool"),
        Column("description", _("Description")),
    ],
    default_sort="name",
    export_name="service-calendars",
)

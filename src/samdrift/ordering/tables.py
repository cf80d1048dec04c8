"""The columns of the ordering lists and their exports."""

from django.utils.translation import gettext_lazy as _

from samdrift.ui.tables import Column, Table, id_link

ORDER_TABLE = Table(
    columns=[
        Column("number", _("Number"), order_by=("number",), link=id_link("ordering:order_detail")),
        Column(
            "municipality",
            _("Municipality"),
            accessor="municipality.name",
            order_by=("municipality__name",),
        ),
        Column(
            "service_area",
            _("Cost centre"),
            accessor="service_area.name",
            order_by=("service_area__name",),
        ),
        Column("state", _("State"), kind="choice", order_by=("state",)),
        Column("created_by", _("Ordered by"), accessor="created_by.username"),
        Column("submitted_at", _("Submitted"), kind="datetime", order_by=("submitted_at",)),
        Column("needed_by", _("Needed by"), kind="date", order_by=("needed_by",)),
        Column("monthly_total", _("Monthly"), kind="money", order_by=("monthly_total",)),
        Column("one_off_total", _("One-off"), kind="money", order_by=("one_off_total",)),
    ],
    default_sort="-number",
    select_related=("municipality", "service_area", "created_by"),
    export_name="orders",
)

RETURN_TABLE = Table(
    columns=[
        Column(
            "return_on",
            _("Return date"),
            kind="date",
            order_by=("return_on",),
            link=id_link("ordering:return_detail"),
        ),
        Column(
            "municipality",
            _("Municipality"),
            accessor="municipality.name",
            order_by=("municipality__name",),
        ),
        Column("person", _("Person"), accessor="person"),
        Column("reason", _("Reason")),
        Column("by", _("By"), accessor="by.username"),
    ],
    default_sort="-return_on",
    select_related=("municipality", "person", "by"),
    export_name="returns",
)

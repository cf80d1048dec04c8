"""The columns of the portfolio lists and their exports (one place per model)."""

from django.utils.translation import gettext_lazy as _

from samdrift.ui.tables import Column, Table, id_link


def _whose_what() -> list[Column]:
    """The first columns of a usage or requirement row: whose it is, of which solution."""
    return [
        Column(
            "municipality",
            _("Municipality"),
            accessor="municipality.name",
            order_by=("municipality__name",),
            link=id_link("solutions:portfolio", "municipality_id"),
        ),
        Column(
            "municipality_number",
            _("Municipality number"),
            accessor="municipality.number",
            in_table=False,
        ),
        Column(
            "solution",
            _("Solution"),
            accessor="solution.name",
            order_by=("solution__name",),
            link=id_link("solutions:solution_detail", "solution_id"),
        ),
    ]


SOLUTION_TABLE = Table(
    columns=[
        Column("name", _("Name"), order_by=("name",), link=id_link("solutions:solution_detail")),
        Column("vendor", _("Vendor"), order_by=("vendor", "name")),
        Column("function", _("Function"), accessor="function.name", order_by=("function__name",)),
        Column("function_code", _("Function code"), accessor="function.code", in_table=False),
        Column("delivery_form", _("Delivery form"), kind="choice", order_by=("delivery_form",)),
        Column("version", _("Version")),
        Column("end_of_support", _("End of support"), kind="date", order_by=("end_of_support",)),
        Column("service", _("Service"), accessor="service.name", order_by=("service__name",)),
        Column("service_code", _("Service code"), accessor="service.code", in_table=False),
        Column("description", _("Description"), in_table=False),
    ],
    default_sort="name",
    select_related=("function", "service"),
    export_name="solutions",
)

USAGE_TABLE = Table(
    columns=[
        *_whose_what(),
        Column("function", _("Function"), accessor="solution.function.name", in_table=False),
        Column("users", _("Users"), kind="number", order_by=("users",)),
        Column(
            "licence_cost", _("Licence cost per year"), kind="money", order_by=("licence_cost",)
        ),
        Column("contract_reference", _("Contract reference"), in_table=False),
        Column("contract_start", _("Contract start"), kind="date", in_table=False),
        Column("contract_end", _("Contract end"), kind="date", order_by=("contract_end",)),
        Column("notice_months", _("Notice period (months)"), kind="number"),
        Column(
            "system_owner",
            _("System owner"),
            accessor="system_owner.username",
            order_by=("system_owner__username",),
        ),
        Column("valid_from", _("Valid from"), kind="date", order_by=("valid_from",)),
        Column("valid_to", _("Valid to"), kind="date", order_by=("valid_to",)),
    ],
    default_sort="municipality",
    select_related=("municipality", "solution__function", "system_owner"),
    export_name="solution-usages",
)

REQUIREMENT_TABLE = Table(
    columns=[
        *_whose_what(),
        Column(
            "availability_target",
            _("Availability target (%)"),
            kind="number",
            places=2,
            order_by=("availability_target",),
        ),
        Column("service_hours", _("Service hours"), kind="choice", order_by=("service_hours",)),
        Column("rpo_hours", _("RPO (hours)"), kind="number", places=2),
        Column("rto_hours", _("RTO (hours)"), kind="number", places=2),
        Column("criticality", _("Criticality"), kind="choice", order_by=("criticality",)),
        Column("confidentiality", _("Confidentiality"), kind="choice", in_table=False),
        Column("integrity", _("Integrity"), kind="choice", in_table=False),
        Column("availability_class", _("Availability class"), kind="choice", in_table=False),
        Column("personal_data", _("Personal data"), kind="bool"),
        Column("special_categories", _("Special categories"), kind="bool", in_table=False),
        Column(
            "processing_agreement_on", _("Data processing agreement"), kind="date", in_table=False
        ),
        Column(
            "risk_assessed_on",
            _("Last risk assessment"),
            kind="date",
            order_by=("risk_assessed_on",),
        ),
        Column("notes", _("Notes"), in_table=False),
    ],
    default_sort="municipality",
    select_related=("municipality", "solution"),
    export_name="solution-requirements",
)

"""The columns of the organisations lists and their exports (one place per model)."""

from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from samdrift.ui.tables import Column, Table, id_link


def _edit_url(obj) -> str | None:
    """Set per page for a login that may write (the list view's ``prepare_rows``): a
    reader gets no link to a 403."""
    return getattr(obj, "edit_url", None)


CONTACT_TABLE = Table(
    columns=[
        Column("name", _("Name"), order_by=("name",), link=_edit_url),
        Column(
            "municipality",
            _("Municipality"),
            accessor="municipality.name",
            order_by=("municipality__name",),
            link=id_link("organisations:municipality_detail", "municipality_id"),
        ),
        Column(
            "function",
            pgettext_lazy("contact person", "Function"),
            kind="choice",
            order_by=("function", "name"),
        ),
        Column("email", _("E-mail"), order_by=("email",)),
        Column("phone", _("Phone")),
        Column("note", _("Note"), in_table=False),
    ],
    default_sort="municipality",
    select_related=("municipality",),
    export_name="municipality-contacts",
)


MUNICIPALITY_TABLE = Table(
    columns=[
        Column("number", _("Number"), order_by=("number",)),
        Column(
            "name", _("Name"), order_by=("name",), link=id_link("organisations:municipality_detail")
        ),
        Column("organisation_number", _("Organisation number"), order_by=("organisation_number",)),
        Column("population", _("Population"), kind="number", order_by=("population",)),
        Column("population_date", _("Population counted on"), kind="date", in_table=False),
        Column(
            "persons_count",
            _("Persons"),
            kind="number",
            order_by=("persons_count",),
            in_export=False,
        ),
        Column(
            "assets_count",
            _("Assets held"),
            kind="number",
            order_by=("assets_count",),
            in_export=False,
        ),
        Column("joined_on", _("Joined"), kind="date", order_by=("joined_on",)),
        Column("peppol_endpoint", _("Peppol endpoint"), in_table=False),
        Column("invoice_reference", _("Invoice reference"), in_table=False),
        Column("street", _("Street address"), in_table=False),
        Column("postal_code", _("Postal code"), in_table=False),
        Column("city", _("City"), in_table=False),
        Column("contact_email", _("Contact e-mail"), in_table=False),
    ],
    default_sort="number",
    export_name="municipalities",
)

SERVICE_AREA_TABLE = Table(
    columns=[
        Column(
            "municipality",
            _("Municipality"),
            accessor="municipality.name",
            order_by=("municipality__name",),
            link=id_link("organisations:municipality_detail", "municipality_id"),
        ),
        Column(
            "municipality_number",
            _("Municipality number"),
            accessor="municipality.number",
            in_table=False,
        ),
        Column("name", _("Name"), order_by=("name",)),
        Column("kind", _("Kind"), kind="choice", order_by=("kind",)),
        Column("cost_centre", _("Cost centre"), order_by=("cost_centre",)),
        Column("active", _("Active"), kind="bool", order_by=("active",)),
        Column(
            "persons_count",
            _("Persons"),
            kind="number",
            order_by=("persons_count",),
            in_export=False,
        ),
        Column(
            "assets_count",
            _("Assets held"),
            kind="number",
            order_by=("assets_count",),
            in_export=False,
        ),
    ],
    default_sort="municipality",
    select_related=("municipality",),
    export_name="service-areas",
)

LOCATION_TABLE = Table(
    columns=[
        Column(
            "municipality",
            _("Municipality"),
            accessor="municipality.name",
            order_by=("municipality__name",),
            link=id_link("organisations:municipality_detail", "municipality_id"),
        ),
        Column(
            "municipality_number",
            _("Municipality number"),
            accessor="municipality.number",
            in_table=False,
        ),
        Column(
            "name", _("Name"), order_by=("name",), link=id_link("organisations:location_detail")
        ),
        Column("kind", _("Kind"), kind="choice", order_by=("kind",)),
        Column("street", _("Street address"), order_by=("street",)),
        Column("postal_code", _("Postal code"), order_by=("postal_code",)),
        Column("city", _("City"), order_by=("city",)),
    ],
    default_sort="municipality",
    select_related=("municipality",),
    export_name="locations",
)

PERSON_TABLE = Table(
    columns=[
        Column(
            "username",
            _("Username"),
            order_by=("username",),
            link=id_link("organisations:person_detail"),
        ),
        Column("first_name", _("First name"), order_by=("first_name",)),
        Column("last_name", _("Last name"), order_by=("last_name", "first_name")),
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
        Column(
            "service_area",
            _("Service area"),
            accessor="service_area.name",
            order_by=("service_area__name",),
        ),
        Column(
            "service_area_cost_centre",
            _("Cost centre"),
            accessor="service_area.cost_centre",
            in_table=False,
        ),
        Column("location", _("Location"), accessor="location.name", order_by=("location__name",)),
        Column("kind", _("Kind"), kind="choice", order_by=("kind",)),
        Column("email", _("E-mail"), in_table=False),
        Column("employee_number", _("Employee number"), in_table=False),
        Column("active_from", _("Active from"), kind="date", order_by=("active_from",)),
        Column("active_to", _("Active to"), kind="date", order_by=("active_to",)),
    ],
    default_sort="last_name",
    select_related=("municipality", "service_area", "location"),
    export_name="persons",
)

USER_TABLE = Table(
    columns=[
        Column(
            "username",
            _("Username"),
            order_by=("username",),
            link=id_link("organisations:user_edit"),
        ),
        Column("first_name", _("First name"), order_by=("first_name",)),
        Column("last_name", _("Last name"), order_by=("last_name", "first_name")),
        Column("email", _("E-mail"), order_by=("email",)),
        Column("role", _("Role"), kind="choice", order_by=("role",)),
        Column(
            "municipality",
            _("Municipality"),
            accessor="municipality.name",
            order_by=("municipality__name",),
        ),
        Column(
            "service_area",
            _("Service area"),
            accessor="service_area.name",
            order_by=("service_area__name",),
        ),
        Column("is_active", _("Active"), kind="bool", order_by=("is_active",)),
        Column("last_login", _("Last signed in"), kind="datetime", order_by=("last_login",)),
    ],
    default_sort="username",
    select_related=("municipality", "service_area"),
    export_name="users",
)

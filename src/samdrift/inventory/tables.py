"""The columns of the asset list and its export (one place)."""

from django.db.models import F, Subquery
from django.db.models.functions import Coalesce
from django.utils.translation import gettext_lazy as _

from samdrift.ui.tables import Column, Table, id_link


def _holder_name() -> dict:
    from samdrift.organisations.models import Collaboration

    collaboration = Collaboration.objects.order_by("pk").values("name")[:1]
    return {"holder_name": Coalesce(F("municipality__name"), Subquery(collaboration))}


ASSET_TABLE = Table(
    columns=[
        Column(
            "asset_tag",
            _("Asset tag"),
            order_by=("asset_tag",),
            link=id_link("inventory:asset_detail"),
        ),
        Column("serial_number", _("Serial number"), order_by=("serial_number",)),
        Column("name", _("Name"), in_table=False),
        Column("product", _("Product"), accessor="product.name", order_by=("product__name",)),
        Column(
            "category",
            _("Category"),
            accessor="product.category.name",
            order_by=("product__category__name",),
            shown=False,  # the product names it; the filter and the export keep it
        ),
        Column("model_name", _("Model"), in_table=False),
        Column("status", _("Status"), kind="choice", order_by=("status",)),
        Column("origin", _("Origin"), kind="choice", in_table=False),
        Column(
            "municipality",
            _("Municipality"),
            accessor="municipality.name",
            order_by=("municipality__name",),
            link=id_link("organisations:municipality_detail", "municipality_id"),
            in_export=False,
        ),
        # The export names who holds each asset, and the collaboration for the pool no
        # municipality holds, which the asset import reads back as such: an exported file
        # imports again unchanged.
        Column("municipality", _("Municipality"), accessor="holder_name", in_table=False),
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
        Column(
            "person",
            _("Person"),
            accessor="person.username",
            order_by=("person__username",),
            link=id_link("organisations:person_detail", "person_id"),
        ),
        Column("location", _("Location"), accessor="location.name", in_table=False),
        Column("acquisition_date", _("Acquired"), kind="date", order_by=("acquisition_date",)),
        Column(
            "acquisition_cost",
            _("Acquisition cost"),
            kind="money",
            order_by=("acquisition_cost",),
        ),
        Column("lessor", _("Lessor"), in_table=False),
        Column("lease_start", _("Lease start"), kind="date", in_table=False),
        Column("lease_end", _("Lease end"), kind="date", order_by=("lease_end",)),
        Column(
            "planned_replacement",
            _("Planned replacement"),
            kind="date",
            order_by=("planned_replacement",),
        ),
        Column(
            "warranty_end",
            _("Warranty end"),
            kind="date",
            order_by=("warranty_end",),
            shown=False,  # with every column shown the list is wider than 1440 px
        ),
        Column("notes", _("Notes"), in_table=False),
    ],
    default_sort="asset_tag",
    select_related=(
        "product__category",
        "municipality",
        "service_area",
        "person",
        "location",
    ),
    export_name="assets",
    annotations=_holder_name,
)

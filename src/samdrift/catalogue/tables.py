"""The columns of the catalogue lists and their exports (one place per model)."""

from django.utils.translation import gettext_lazy as _

from samdrift.ui.tables import Column, Table, id_link

_product_link = id_link("catalogue:product_detail", "product_id")
_service_link = id_link("catalogue:service_detail", "service_id")


def _item_url(price) -> str | None:
    return _product_link(price) or _service_link(price)


CATEGORY_TABLE = Table(
    columns=[
        Column("name", _("Name"), order_by=("name",), link=id_link("catalogue:category_detail")),
        Column("code", _("Code"), order_by=("code",)),
        Column(
            "useful_life_months",
            _("Useful life (months)"),
            kind="number",
            order_by=("useful_life_months",),
        ),
        Column(
            "lease_model",
            _("Lease model"),
            accessor="lease_model.name",
            order_by=("lease_model__name",),
        ),
        Column(
            "products_count",
            _("Products"),
            kind="number",
            order_by=("products_count",),
            in_export=False,
        ),
    ],
    default_sort="name",
    select_related=("lease_model",),
    export_name="product_categories",
)

PRODUCT_TABLE = Table(
    columns=[
        Column("name", _("Name"), order_by=("name",), link=id_link("catalogue:product_detail")),
        Column(
            "category",
            _("Category"),
            accessor="category.name",
            order_by=("category__name",),
        ),
        Column("category_code", _("Category code"), accessor="category.code", in_table=False),
        Column("manufacturer", _("Manufacturer"), order_by=("manufacturer",)),
        Column("model_number", _("Model number"), in_table=False),
        Column("description", _("Description"), in_table=False),
        Column("standard_cost", _("Standard cost"), kind="money", order_by=("standard_cost",)),
        Column(
            "price_now",
            _("Price per month now"),
            kind="money",
            order_by=("price_now",),
            in_export=False,
        ),
        Column(
            "useful_life_months",
            _("Useful life (months)"),
            kind="number",
            order_by=("useful_life_months",),
        ),
        Column("vat_rate", _("VAT %"), kind="number", in_table=False),
        Column("is_standard", _("Standard"), kind="bool", order_by=("is_standard",)),
        Column("active", _("Active"), kind="bool", order_by=("active",)),
        Column(
            "assets_count", _("Assets"), kind="number", order_by=("assets_count",), in_export=False
        ),
    ],
    default_sort="name",
    select_related=("category",),
    export_name="products",
)

SERVICE_TABLE = Table(
    columns=[
        Column("code", _("Code"), order_by=("code",)),
        Column("name", _("Name"), order_by=("name",), link=id_link("catalogue:service_detail")),
        Column("description", _("Description"), in_table=False),
        Column("unit", _("Unit"), kind="choice", order_by=("unit",)),
        Column("price_now", _("Price now"), kind="money", order_by=("price_now",), in_export=False),
        Column("vat_rate", _("VAT %"), kind="number", order_by=("vat_rate",)),
        Column("vat_exemption_reason", _("VAT exemption reason"), in_table=False),
        Column("active", _("Active"), kind="bool", order_by=("active",)),
    ],
    default_sort="name",
    export_name="services",
)

PRICE_TABLE = Table(
    columns=[
        Column(
            "item",
            _("Product or service"),
            accessor="item.name",
            order_by=("product__name", "service__name"),
            link=_item_url,
        ),
        Column("product", _("Product"), accessor="product.name", in_table=False),
        Column("service", _("Service code"), accessor="service.code", in_table=False),
        Column("amount", _("Price"), kind="money", order_by=("amount",)),
        Column("valid_from", _("Valid from"), kind="date", order_by=("valid_from",)),
        Column("valid_to", _("Valid to"), kind="date", order_by=("valid_to",)),
        Column("note", _("Note"), order_by=("note",)),
    ],
    default_sort="-valid_from",
    select_related=("product", "service"),
    export_name="prices",
)

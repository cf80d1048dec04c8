"""The columns of an asset file: Samdrift's own, and Snipe-IT's and Ralph's names for
them, so a municipality leaving either brings its file unchanged."""

from __future__ import annotations

from django.utils.translation import gettext_lazy

from samdrift.catalogue.importers import (
    MANUFACTURER_ALIASES,
    MODEL_NUMBER_ALIASES,
    category_column,
)
from samdrift.core.importing.columns import Column, field_column
from samdrift.core.importing.parsing import Choice, Date, Email, Name, Text
from samdrift.inventory.choices import (
    AssetOrigin,
    AssetStatus,
)
from samdrift.inventory.importers.values import (
    CHECKOUT_TYPE_ALIASES,
    ORIGIN_ALIASES,
    STATUS_ALIASES,
    AssetStatusChoice,
    CheckoutType,
    WarrantyMonths,
)
from samdrift.inventory.models import Asset
from samdrift.organisations.importers import (
    USERNAME_ALIASES,
    location_column,
    service_area_column,
    service_area_cost_centre_column,
)

ASSET_COLUMNS = (
    field_column(
        Asset,
        "asset_tag",
        aliases=(
            "Asset Tag",
            "Tag",
            "Inventarnummer",
            "Inventarnr",
            "Eiendelsnummer",
            "Asset no",
            "Barcode",
        ),
    ),
    field_column(
        Asset,
        "serial_number",
        aliases=(
            "Serial",
            "Serial Number",
            "Serial No.",
            "Serial no",
            "Serienummer",
            "Serienr",
            "S/N",
            "SN",
        ),
    ),
    field_column(
        Asset,
        "name",
        aliases=(
            "Asset Name",
            "Item Name",
            "Navn",
            "Host name",
            "Hostname",
            "Vertsnavn",
            "Device name",
        ),
    ),
    Column(
        "product",
        gettext_lazy("Product"),
        Name(150),
        # Snipe-IT's importer calls its model "Model Name"; Ralph writes "model" as
        # an id and "model_str" as the name (preferred when both are there).
        aliases=(
            "Model",
            "Model Name",
            "model_str",
            "Modell",
            "Produkt",
            "Produktnavn",
            "Catalogue item",
        ),
        preferred=("model_str",),
        help_text=gettext_lazy(
            "A catalogue product (Snipe-IT: Model); created when new, with the row's "
            "category, manufacturer and model number (unless strict)."
        ),
    ),
    category_column(),
    Column(
        "manufacturer",
        gettext_lazy("Manufacturer"),
        Name(100),
        aliases=MANUFACTURER_ALIASES,
        help_text=gettext_lazy("Used when the product is created."),
    ),
    Column(
        "model_number",
        gettext_lazy("Model number"),
        Text(100),
        aliases=MODEL_NUMBER_ALIASES,
        help_text=gettext_lazy("Used when the product is created."),
    ),
    field_column(
        Asset,
        "model_name",
        # Not "Model name": Snipe-IT's importer means the product by that.
        label=gettext_lazy("Exact model"),
        aliases=("Modellnavn", "Modellbetegnelse"),
    ),
    field_column(
        Asset,
        "status",
        # Never "State": in Snipe-IT's reports that is an address's state.
        aliases=("Status", "Status Label", "Tilstand"),
        parser=AssetStatusChoice(AssetStatus, STATUS_ALIASES),
        help_text=gettext_lazy(
            "Checked out (a person, checkout location or service area named): deployed "
            "(or in repair). Not checked out: the label says, and a deployable label "
            "(Ready to Deploy) is in stock."
        ),
    ),
    field_column(
        Asset,
        "origin",
        aliases=("Opprinnelse", "Eierskap", "Ownership"),
        parser=Choice(AssetOrigin, ORIGIN_ALIASES),
    ),
    field_column(
        Asset,
        "acquisition_date",
        aliases=(
            "Purchase Date",
            "Purchased",
            "invoice_date",
            "Kjøpsdato",
            "Innkjøpsdato",
            "Anskaffelsesdato",
        ),
    ),
    field_column(
        Asset,
        "acquisition_cost",
        aliases=(
            "Purchase Cost",
            "Cost",
            "price",
            "Kostpris",
            "Innkjøpspris",
            "Anskaffelseskost",
            "Pris",
        ),
    ),
    field_column(Asset, "lessor", aliases=("Utleier", "Leasingselskap", "Leasing company")),
    field_column(Asset, "lease_start", aliases=("Leasingstart", "Lease from", "Leasing fra")),
    field_column(
        Asset, "lease_end", aliases=("Leasingslutt", "Lease to", "Leasing til", "Lease expires")
    ),
    field_column(
        Asset,
        "planned_replacement",
        aliases=(
            "Replacement date",
            "Planlagt utskifting",
            "Utskiftingsdato",
            "EOL",
            "EOL date",
            "Asset EOL Date",
        ),
    ),
    field_column(
        Asset,
        "warranty_end",
        # Snipe-IT's custom report and asset list: "Warranty Expires" (purchase date plus
        # its warranty months, which it writes beside it as "Warranty").
        aliases=(
            "Warranty Expires",
            "Warranty expiry",
            "Warranty expiry date",
            "Warranty expiration date",
            "Warranty until",
            "Garanti til",
            "Garantislutt",
            "Garanti utløper",
        ),
    ),
    Column(
        "warranty_months",
        gettext_lazy("Warranty (months)"),
        WarrantyMonths(),
        aliases=("Warranty", "Warranty Months", "Garantitid", "Garantimåneder", "Garanti (mnd)"),
        help_text=gettext_lazy(
            "Snipe-IT's warranty in months: where the row gives no warranty end, it ends "
            "this many months after the acquisition date."
        ),
    ),
    field_column(
        Asset,
        "notes",
        aliases=("Notes", "Asset Notes", "remarks", "Notater", "Merknad", "Kommentar"),
    ),
    service_area_column(),
    service_area_cost_centre_column(),
    Column(
        "person",
        gettext_lazy("Person"),
        Text(150),
        aliases=(
            "Checked Out To: Username",
            "Username",
            "Assigned to: Username",
            "User",
            *USERNAME_ALIASES,
            "Bruker",
        ),
        help_text=gettext_lazy("The holder's username; created when new (unless strict)."),
    ),
    Column(
        "person_first_name",
        gettext_lazy("Person's first name"),
        Name(100),
        aliases=("Checked Out To: First Name", "First Name", "Fornavn"),
        help_text=gettext_lazy("Used when the person is created."),
    ),
    Column(
        "person_last_name",
        gettext_lazy("Person's last name"),
        Name(100),
        aliases=("Checked Out To: Last Name", "Last Name", "Etternavn"),
        help_text=gettext_lazy("Used when the person is created."),
    ),
    Column(
        "person_full_name",
        gettext_lazy("Person's name"),
        Name(201),
        aliases=("Checked Out To: Full Name", "Full Name", "user_str", "Brukers navn"),
        help_text=gettext_lazy(
            "Used when the person is created; without a username, finds the person by name."
        ),
    ),
    Column(
        "checked_out_to",
        gettext_lazy("Checked out to"),
        Name(201),
        # Snipe-IT's list export ("Checked Out To") and custom report ("Checked Out"):
        # a person's full name, or a location's name when the type says so.
        aliases=("Checked Out To", "Checked Out", "Assigned To", "Tildelt", "Tildelt til"),
        help_text=gettext_lazy(
            "Who holds it, by name: a person (or a location, when the checkout type says location)."
        ),
    ),
    Column(
        "checkout_type",
        gettext_lazy("Checkout type"),
        Choice(CheckoutType, CHECKOUT_TYPE_ALIASES),
        aliases=("Checkout Type", "Checked Out Type", "Type", "Tildelingstype"),
        help_text=gettext_lazy("user or location: what “Checked out to” names."),
    ),
    Column(
        "checkout_location",
        gettext_lazy("Checkout location"),
        Name(150),
        aliases=("Checkout to Location", "Checked Out To: Location", "Utlevert til sted"),
        help_text=gettext_lazy("Checked out to a location: held there, by no person."),
    ),
    Column(
        "person_email",
        gettext_lazy("Person's e-mail"),
        Email(254),
        aliases=("Checked Out To: Email", "E-post", "Email"),
        help_text=gettext_lazy(
            "Used when the person is created; without a username, finds the person."
        ),
    ),
    location_column(),
    Column(
        "assigned_from",
        gettext_lazy("Assigned from"),
        Date(),
        # Not "Checked Out": in Snipe-IT's custom report that is the holder's name.
        aliases=(
            "Checkout Date",
            "Last Checkout",
            "Last Checkout Date",
            "Assignment date",
            "Tildelt fra",
            "Utlevert dato",
            "Utlevert",
        ),
        help_text=gettext_lazy(
            "When the holder got it; empty: the import's date. Only used when the holder changes."
        ),
    ),
)

"""The columns of the portfolio import: headers in English and bokmål, the aliases
municipalities' own spreadsheets use, and the values they write ("Driftssenter", "24/7",
"Høy"), each read by the field's own rules."""

from __future__ import annotations

from django.utils.translation import gettext_lazy

from samdrift.core.importing.columns import Column, field_column
from samdrift.core.importing.parsing import Choice, Integer, Text
from samdrift.solutions.choices import DeliveryForm, Level, ServiceHours
from samdrift.solutions.models import Requirement, Solution, SolutionUsage
from samdrift.solutions.services import REQUIREMENT_FIELDS as ALL_REQUIREMENT_FIELDS

DELIVERY_ALIASES = {
    DeliveryForm.OPERATIONS_CENTRE: (
        "Driftssenter",
        "Felles driftssenter",
        "IKT-samarbeidet",
        "Interkommunal drift",
        "Common operations centre",
        "Operations centre",
    ),
    DeliveryForm.SAAS: ("Skytjeneste", "Sky", "Cloud"),
    DeliveryForm.VENDOR_HOSTED: ("Leverandør", "Leverandørdrift", "Vendor", "Hosted"),
    DeliveryForm.LOCAL: ("Lokal", "Lokalt", "Lokal drift", "Kommunen", "On premises"),
}
HOURS_ALIASES = {
    ServiceHours.BUSINESS: ("Kontortid", "Arbeidstid", "Business hours", "8-16", "07:30-16:00"),
    ServiceHours.EXTENDED: ("Utvidet", "Utvidet tid", "Extended", "07-22"),
    ServiceHours.ALWAYS: ("24/7", "24x7", "Døgnet rundt", "Alltid"),
}
LEVEL_ALIASES = {
    Level.LOW: ("Lav", "L", "1"),
    Level.MEDIUM: ("Middels", "M", "2"),
    Level.HIGH: ("Høy", "H", "3"),
}

USAGE_VALUES = (  # the use's own values a row carries
    "users",
    "licence_cost",
    "contract_reference",
    "contract_start",
    "contract_end",
    "notice_months",
)
# The requirement's fields but its notes (a spreadsheet's remarks are not the requirement's).
REQUIREMENT_FIELDS = tuple(f for f in ALL_REQUIREMENT_FIELDS if f != "notes")
SOLUTION_FIELDS = ("vendor", "delivery_form", "version", "end_of_support")


def split_names(text: str | None) -> list[str]:
    """``"Oppvekst; Helse"`` → the names, split on ``;`` or ``,``."""
    if not text:
        return []
    return [part.strip() for part in text.replace(";", ",").split(",") if part.strip()]


def portfolio_columns() -> tuple[Column, ...]:
    level = Choice(Level, LEVEL_ALIASES)
    return (
        Column(
            "municipality",
            gettext_lazy("Municipality"),
            Text(100),
            aliases=("Kommune", "Kommunenavn"),
            required=True,
            help_text=gettext_lazy("Its name or number."),
        ),
        Column(
            "municipality_number",
            gettext_lazy("Municipality number"),
            Text(10),
            aliases=("Kommunenummer", "Kommunenr", "Kommunenr."),
            help_text=gettext_lazy("Optional check: the number of the municipality named."),
        ),
        field_column(
            Solution,
            "name",
            key="solution",
            label=gettext_lazy("Solution"),
            required=True,
            aliases=("System", "Løsning", "Fagsystem", "Application", "Applikasjon"),
        ),
        field_column(Solution, "vendor", aliases=("Leverandør", "Supplier")),
        Column(
            "function",
            gettext_lazy("Function"),
            Text(100),
            aliases=("Funksjon", "Fagområde", "Formål", "Kategori"),
            help_text=gettext_lazy("Name or code of an existing function."),
        ),
        field_column(
            Solution,
            "delivery_form",
            aliases=("Leveranseform", "Driftsform", "Drift", "Hosting"),
            parser=Choice(DeliveryForm, DELIVERY_ALIASES),
        ),
        field_column(Solution, "version", aliases=("Versjon",)),
        field_column(
            Solution,
            "end_of_support",
            aliases=("Support til", "End of life", "EOL", "Slutt på støtte"),
        ),
        Column(
            "service",
            gettext_lazy("Service"),
            Text(150),
            aliases=("Tjeneste", "Katalogtjeneste"),
            help_text=gettext_lazy("Name or code of the catalogue service it is delivered as."),
        ),
        field_column(SolutionUsage, "users", aliases=("Brukere", "Antall brukere", "Users count")),
        field_column(
            SolutionUsage,
            "licence_cost",
            aliases=(
                "Lisenskostnad",
                "Lisenskostnad per år",
                "Licence cost",
                "License cost",
                "Årlig lisens",
            ),
        ),
        field_column(
            SolutionUsage,
            "contract_reference",
            aliases=("Avtale", "Avtalenummer", "Kontrakt", "Contract"),
        ),
        field_column(SolutionUsage, "contract_start", aliases=("Avtalestart", "Kontraktstart")),
        field_column(
            SolutionUsage,
            "contract_end",
            aliases=("Avtaleslutt", "Avtalen utløper", "Kontraktslutt"),
        ),
        field_column(
            SolutionUsage, "notice_months", aliases=("Oppsigelsestid", "Oppsigelse (mnd)", "Notice")
        ),
        Column(
            "system_owner",
            gettext_lazy("System owner"),
            Text(150),
            aliases=("Systemeier",),
            help_text=gettext_lazy("Username of a person of the municipality."),
        ),
        Column(
            "service_areas",
            gettext_lazy("Service areas"),
            Text(1000),
            aliases=("Tjenesteområder", "Sektorer", "Tjenesteområde"),
            help_text=gettext_lazy("Names, separated by ; or ,."),
        ),
        Column(
            "integrations",
            gettext_lazy("Integrations"),
            Text(2000),
            aliases=("Integrasjoner",),
            help_text=gettext_lazy("Solution names, separated by ; or ,."),
        ),
        field_column(SolutionUsage, "valid_from", aliases=("I bruk fra", "Fra", "In use from")),
        field_column(
            Requirement,
            "availability_target",
            aliases=("Oppetid", "Oppetidskrav", "Tilgjengelighet (%)", "Availability"),
        ),
        field_column(
            Requirement,
            "service_hours",
            aliases=("Driftstid", "Åpningstid", "Support hours"),
            parser=Choice(ServiceHours, HOURS_ALIASES),
        ),
        field_column(Requirement, "rpo_hours", aliases=("RPO", "RPO (timer)")),
        field_column(Requirement, "rto_hours", aliases=("RTO", "RTO (timer)")),
        field_column(
            Requirement,
            "criticality",
            aliases=("Kritikalitet", "Kritisk"),
            parser=Integer(minimum=1, maximum=3),
        ),
        field_column(
            Requirement, "confidentiality", aliases=("Konfidensialitet", "K"), parser=level
        ),
        field_column(Requirement, "integrity", aliases=("Integritet", "I"), parser=level),
        field_column(
            Requirement, "availability_class", aliases=("Tilgjengelighetsklasse", "T"), parser=level
        ),
        field_column(Requirement, "personal_data", aliases=("Personopplysninger", "Persondata")),
        field_column(
            Requirement, "special_categories", aliases=("Særlige kategorier", "Art. 9", "Sensitive")
        ),
        field_column(
            Requirement,
            "processing_agreement_on",
            aliases=("Databehandleravtale", "DBA", "Data processing agreement"),
        ),
        field_column(
            Requirement,
            "risk_assessed_on",
            aliases=("Risikovurdering", "ROS", "ROS-analyse", "Risk assessment"),
        ),
    )

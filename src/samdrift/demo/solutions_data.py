"""The demo portfolio's functions and fictional solutions (names invented, not vendors').

FUNCTIONS: code → (name, the service area that uses it, share of the population using
it, licence cost per user per year in kroner, processes personal data, criticality).
SOLUTIONS: function code → solutions as (name, vendor, delivery form, catalogue service
or None, weight: how likely a member runs it). A function with one solution is already
common; the first solution of each is the one members are moving to.
"""

from __future__ import annotations

from decimal import Decimal

from samdrift.solutions.choices import DeliveryForm

D = Decimal
C, S, V, L = (
    DeliveryForm.OPERATIONS_CENTRE,
    DeliveryForm.SAAS,
    DeliveryForm.VENDOR_HOSTED,
    DeliveryForm.LOCAL,
)

FUNCTIONS: dict[str, tuple[str, str, float, Decimal, bool, int]] = {
    "case-archive": ("Sak og arkiv", "administration", 0.012, D("1850"), True, 3),
    "school-admin": ("Skoleadministrasjon", "education", 0.020, D("620"), True, 3),
    "kindergarten-admin": ("Barnehageadministrasjon", "kindergarten", 0.006, D("540"), True, 2),
    "epr": ("Elektronisk pasientjournal", "health", 0.015, D("2900"), True, 3),
    "health-station": ("Helsestasjon og skolehelsetjeneste", "health", 0.002, D("1600"), True, 3),
    "payroll-hr": ("Lønn og personal", "administration", 0.004, D("980"), True, 3),
    "finance": ("Økonomi og regnskap", "administration", 0.003, D("1400"), False, 3),
    "gis": ("Kart og geodata", "technical", 0.002, D("2300"), False, 2),
    "building": ("Byggesak", "technical", 0.001, D("3100"), True, 2),
    "quality": ("Kvalitetssystem", "administration", 0.030, D("160"), False, 2),
    "email": ("E-post og samhandling", "administration", 0.060, D("540"), True, 3),
    "identity": ("Identitet og tilgang", "administration", 0.070, D("95"), True, 3),
    "procurement": ("Innkjøp og e-handel", "administration", 0.002, D("760"), False, 1),
    "child-welfare": ("Barnevern", "health", 0.001, D("4200"), True, 3),
    "social-services": ("Sosialtjeneste (NAV)", "health", 0.002, D("2500"), True, 3),
    "property": ("Eiendomsforvaltning", "technical", 0.001, D("1900"), False, 1),
    "learning": ("Læringsplattform", "education", 0.110, D("85"), True, 2),
    "library": ("Biblioteksystem", "culture", 0.001, D("2100"), True, 1),
    "politics": ("Politiske møter og protokoller", "administration", 0.004, D("450"), False, 2),
    "intranet": ("Intranett og nettsted", "administration", 0.040, D("60"), False, 1),
    "rostering": ("Tid og turnus", "health", 0.020, D("390"), True, 2),
    "welfare-tech": ("Velferdsteknologi", "health", 0.004, D("1200"), True, 3),
    "charges": ("Kommunale avgifter og fakturering", "technical", 0.001, D("2600"), True, 2),
    "culture-school": ("Kulturskoleadministrasjon", "culture", 0.001, D("700"), True, 1),
    "archive-depot": ("Digitalt arkivdepot", "administration", 0.003, D("300"), True, 2),
}

SOLUTIONS: dict[str, tuple[tuple[str, str, str, str | None, int], ...]] = {
    "case-archive": (
        ("Arkivo Sak", "Nordarkiv AS", C, "app-case", 5),
        ("Saksflyt Pluss", "Fjellsoft AS", V, None, 3),
        ("DokuKommune", "Dokumenta AS", L, None, 2),
    ),
    "school-admin": (
        ("Skolefokus", "Læringsdata AS", S, None, 4),
        ("Elevia", "Elevia Norge AS", S, None, 3),
    ),
    "kindergarten-admin": (
        ("Barnehageportalen", "Læringsdata AS", S, None, 3),
        ("Småbarn Admin", "Tusenfryd IT AS", S, None, 2),
        ("Barnehage Lokal", "Kystdata AS", L, None, 1),
    ),
    "epr": (
        ("OmsorgsJournal", "Helsesoft AS", C, "app-ehr", 4),
        ("Pleia", "Pleia Helse AS", V, None, 3),
        ("CareNote Kommune", "CareNote Nordic AS", S, None, 1),
    ),
    "health-station": (
        ("Helsestasjon Digital", "Helsesoft AS", S, None, 3),
        ("SkoleHelse", "Pleia Helse AS", V, None, 2),
    ),
    "payroll-hr": (
        ("Lønnsmester", "Nordlønn AS", C, "app-hr", 4),
        ("PersonalPlan", "HR-Huset AS", S, None, 2),
        ("Lønn Lokal", "Kystdata AS", L, None, 1),
    ),
    "finance": (
        ("Regnskapsportalen", "Nordlønn AS", C, None, 4),
        ("Økonomi Kommune", "Tallverk AS", S, None, 3),
    ),
    "gis": (
        ("Kartverkstedet", "Geodata Vest AS", S, None, 3),
        ("GeoKommune", "Terrengdata AS", L, None, 2),
        ("Plankart Pro", "Geodata Vest AS", V, None, 1),
    ),
    "building": (
        ("ByggSøk Kommune", "Terrengdata AS", S, None, 3),
        ("Plan og Bygg", "Fjellsoft AS", V, None, 2),
    ),
    "quality": (
        ("Kvalitetsloggen", "Avvik AS", S, None, 3),
        ("Avvik og Forbedring", "Kvalitetshuset AS", S, None, 2),
        ("Kvalitet Lokal", "Kystdata AS", L, None, 1),
    ),
    "email": (("Fellespost 365", "Skyhuset AS", S, "user-workplace", 1),),
    "identity": (("Felles ID", "Identa AS", C, "user-workplace", 1),),
    "procurement": (
        ("Innkjøpsportalen", "Handelsnett AS", S, None, 3),
        ("eHandel Kommune", "Tallverk AS", S, None, 2),
    ),
    "child-welfare": (
        ("Barnevernsfag", "Helsesoft AS", V, None, 3),
        ("Vernet", "Tusenfryd IT AS", S, None, 2),
        ("BV Lokal", "Kystdata AS", L, None, 1),
    ),
    "social-services": (
        ("Sosialfag", "Helsesoft AS", V, None, 3),
        ("Velferd Kommune", "Fjellsoft AS", S, None, 2),
    ),
    "property": (
        ("Eiendomsdrift", "Terrengdata AS", S, None, 2),
        ("FDV Kommune", "Byggdata AS", S, None, 2),
        ("Bygg Lokal", "Kystdata AS", L, None, 1),
    ),
    "learning": (
        ("Læringsrommet", "Læringsdata AS", S, "pupil-account", 4),
        ("Klasseportalen", "Elevia Norge AS", S, None, 2),
    ),
    "library": (("Biblioteksystemet", "Boksamling AS", S, None, 1),),
    "politics": (
        ("Møteportalen", "Dokumenta AS", S, None, 3),
        ("Politikerweb", "Fjellsoft AS", S, None, 2),
    ),
    "intranet": (
        ("Kommunesiden", "Webverket AS", S, None, 3),
        ("Intra Kommune", "Skyhuset AS", S, None, 2),
        ("Nettsted Lokal", "Kystdata AS", L, None, 1),
    ),
    "rostering": (
        ("Turnusmester", "Nordlønn AS", S, None, 3),
        ("Vaktbok", "HR-Huset AS", S, None, 2),
        ("Tid og Turnus", "Tallverk AS", V, None, 1),
    ),
    "welfare-tech": (
        ("Trygghetsplattformen", "Velferdsteknologi AS", C, None, 3),
        ("Varsling Hjem", "CareNote Nordic AS", S, None, 2),
    ),
    "charges": (
        ("Gebyrmodulen", "Tallverk AS", S, None, 3),
        ("Kommunale Avgifter", "Byggdata AS", V, None, 2),
    ),
    "culture-school": (
        ("Kulturskole Admin", "Tusenfryd IT AS", S, None, 3),
        ("Speedadmin Kultur", "Kulturdata AS", S, None, 1),
    ),
    "archive-depot": (("Depotet", "Nordarkiv AS", C, None, 1),),
}

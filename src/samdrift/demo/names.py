"""Fictional Norwegian names for the demo region: municipalities, places and people.

Every municipality, place and company here is invented; the first and last names are
common Norwegian names (Statistics Norway's lists of frequent names), combined at random.
"""

from __future__ import annotations

# The six members of the demo region, from a town to a rural municipality: name, population
# at 1 January, joined the collaboration on (year, month, day). Municipality numbers are
# 47xx: county number 47 is not in use, so no number belongs to a real municipality.
REGION_MEMBERS: tuple[tuple[str, int, tuple[int, int, int]], ...] = (
    ("Fjordvik", 60_000, (2019, 1, 1)),
    ("Storå", 24_000, (2019, 1, 1)),
    ("Lysnes", 11_000, (2019, 1, 1)),
    ("Bergvoll", 6_500, (2021, 1, 1)),
    ("Skarheim", 3_200, (2019, 1, 1)),
    ("Elvdal", 1_500, (2024, 1, 1)),
)

# Parts for more municipality names (the large size has 50 members).
NAME_STEMS = (
    "Nord", "Sør", "Vest", "Aust", "Haug", "Lia", "Myr", "Sjø", "Fjell", "Holm", "Strand",
    "Ås", "Mo", "Tind", "Breid", "Kvit", "Grøn", "Rød", "Sand", "Stein", "Lund", "Furu",
    "Bjørk", "Eik", "Hav", "Vatn", "Ørn", "Rein", "Ulv", "Lauv",
)  # fmt: skip
NAME_ENDINGS = ("vik", "dal", "nes", "heim", "voll", "øy", "land", "stad", "berg", "fjord", "bø")
# Combinations that are (or were) real municipalities or counties, so never used.
REAL_NAMES = frozenset(
    {"Sandnes", "Åsnes", "Vestnes", "Stordal", "Sandøy", "Rødøy", "Moland", "Nordland",
     "Grønland", "Nordfjord", "Sørfjord", "Lindås", "Norddal", "Sjøøy"}
)  # fmt: skip

# Places inside a municipality, for the names of schools, kindergartens and nursing homes.
PLACE_NAMES = (
    "Sentrum", "Nordbyen", "Haugen", "Lia", "Vika", "Åsen", "Moen", "Bakken", "Strand",
    "Solheim", "Fjellsiden", "Elvebakken", "Granly", "Furulund", "Tveita", "Bråten", "Nes",
    "Holmen", "Sandvika", "Kleiva", "Rosenvang", "Skogly", "Sletta", "Øvre Berg", "Nedre Berg",
    "Østre Lia", "Vestre Lia", "Bjørkely", "Heiane", "Myrvoll", "Torget", "Kirkebakken",
    "Lunden", "Sjøsiden", "Tunet", "Engen", "Haugland", "Breivika", "Fossen", "Bryggen",
)  # fmt: skip

FEMALE_FIRST_NAMES = (
    "Anne", "Inger", "Kari", "Marit", "Ingrid", "Liv", "Eva", "Berit", "Astrid", "Bjørg",
    "Hilde", "Anna", "Solveig", "Marianne", "Randi", "Ida", "Nina", "Maria", "Elisabeth",
    "Kristin", "Silje", "Hanne", "Heidi", "Tone", "Camilla", "Emma", "Nora", "Sara",
    "Sofie", "Olivia", "Ingeborg", "Emilie", "Thea", "Maja", "Ella", "Leah", "Frida",
    "Amalie", "Vilde", "Julie", "Linnea", "Aurora", "Tuva", "Hedda", "Mathilde", "Sigrid",
)  # fmt: skip
MALE_FIRST_NAMES = (
    "Jan", "Per", "Bjørn", "Ole", "Lars", "Kjell", "Knut", "Arne", "Svein", "Thomas",
    "Hans", "Geir", "Tor", "Morten", "Terje", "Odd", "Erik", "Martin", "Andreas", "John",
    "Anders", "Rune", "Trond", "Tore", "Jon", "Kristian", "Stian", "Espen", "Magnus",
    "Jakob", "Emil", "Noah", "Oliver", "William", "Lucas", "Filip", "Aksel", "Henrik",
    "Johannes", "Sander", "Elias", "Isak", "Mathias", "Sverre", "Eirik", "Håkon",
)  # fmt: skip
LAST_NAMES = (
    "Hansen", "Johansen", "Olsen", "Larsen", "Andersen", "Pedersen", "Nilsen", "Kristiansen",
    "Jensen", "Karlsen", "Johnsen", "Pettersen", "Eriksen", "Berg", "Haugen", "Hagen",
    "Johannessen", "Andreassen", "Jacobsen", "Dahl", "Jørgensen", "Halvorsen", "Henriksen",
    "Lund", "Sørensen", "Jakobsen", "Moen", "Gundersen", "Iversen", "Strand", "Solberg",
    "Svendsen", "Eide", "Knutsen", "Martinsen", "Paulsen", "Bakken", "Kristoffersen",
    "Mathisen", "Lie", "Amundsen", "Nguyen", "Rasmussen", "Ali", "Lunde", "Solheim",
    "Berntsen", "Moe", "Kleppe", "Myhre", "Holm", "Ahmed", "Nygård", "Aas", "Bakke",
    "Tveit", "Sæther", "Fjeld", "Vik", "Brekke", "Nordmann", "Kowalski", "Haugland",
)  # fmt: skip

_ASCII = str.maketrans({"æ": "ae", "ø": "o", "å": "aa", "é": "e", "Æ": "Ae", "Ø": "O", "Å": "Aa"})


def ascii_slug(text: str) -> str:
    """A lowercase ASCII form for usernames and e-mail addresses (Storå → storaa)."""
    return "".join(ch for ch in text.translate(_ASCII).lower() if ch.isalnum())


def municipality_names(count: int) -> list[str]:
    """The region's member names, then invented ones, all distinct."""
    names = [name for name, _population, _joined in REGION_MEMBERS[:count]]
    taken = set(names)
    for stem_index in range(len(NAME_STEMS) * len(NAME_ENDINGS)):
        if len(names) >= count:
            break
        # Walk stems and endings in step so consecutive names look different.
        stem = NAME_STEMS[stem_index % len(NAME_STEMS)]
        ending = NAME_ENDINGS[(stem_index * 7) % len(NAME_ENDINGS)]
        name = stem + ending
        if name not in taken and name not in REAL_NAMES:
            taken.add(name)
            names.append(name)
    if len(names) < count:
        raise ValueError(f"Only {len(names)} demo municipality names exist, {count} asked.")
    return names

"""Every page in Norwegian Bokmål reads as Norwegian: a crawl of every GET page of the UI
matrix (tests/core/test_ui_matrix.py: its pages, its world, its URL arguments) as an
operator and as municipality A's contact, with the language cookie ``nb``.

Only the visible text is read: text nodes outside ``<script>``, ``<style>``, ``<template>``
and ``<textarea>`` (attributes, so URLs, input values and ``datetime`` attributes, are
never text). Each text node is checked for:

- an ISO date, ``2026-05-31`` (a day in Bokmål is ``31.05.2026``, ``|day``);
- an amount in English form: a number with a decimal point and two decimals (``1234.50``,
  not part of a longer dotted run such as ``31.05.2026``), a number grouped with commas
  (``1,234``), an ungrouped whole number of four or more digits followed by ``kr``
  (``1234 kr``) or with a decimal comma (``1234,50``), or ``NOK`` before a number
  (Bokmål writes ``1 234,50 kr``, ``|money``/``|num``);
- an internal field name: a lower-case snake_case word (``replacement_before``), or an
  error line that starts with a lower-case identifier and a colon (``asset: …``);
- an English string the catalogue translates: the whole text node equals an msgid whose
  Bokmål msgstr differs (the string was shown without gettext, or in the wrong context),
  or equals an msgid the .po file has with an empty msgstr (a translation gap, listed for
  the translator).
"""

from __future__ import annotations

import gettext
import re
from html.parser import HTMLParser
from pathlib import Path

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse

from tests.core.test_ui_matrix import EXPECTED, OK, ROLES, ui_pages, url_args
from tests.worlds import MatrixWorld

EXTENDED_WORLD = True  # the matrix's world: every app's objects

LOCALE = Path(settings.LOCALE_PATHS[0]) / "nb" / "LC_MESSAGES"
CRAWLERS = ("operator", "contact_a")
INVISIBLE = {"script", "style", "template", "textarea", "noscript"}
# Literal text, shown as it is typed or found in a file (a header a file may carry).
LITERAL = {"code", "kbd", "samp"}

# What is found but is not the UI's to translate or format, each with its reason.
# Words: codes a person types or a file carries, named in a help text on purpose.
LITERAL_WORDS = {
    # The incident form's pause lines are typed as "reason; start; end".
    "awaiting_user": "a pause reason typed in the incident form",
    "awaiting_vendor": "a pause reason typed in the incident form",
    # The buyout sheet's column headers, named in its upload help.
    **dict.fromkeys(
        (
            "asset_tag",
            "acquisition_date",
            "acquisition_cost",
            "serial_number",
            "model_name",
            "residual_value",
            "useful_life_months",
            "life_override_reason",
            "service_area",
        ),
        "a column of the buyout sheet",
    ),
    # The matrix world names its objects after their role in the test.
    "own_other_area": "a test object's name (data)",
}
# Texts of a page that show accepted input on purpose (the formats an import reads).
LITERAL_TEXTS = {
    "imports:upload": (
        re.compile(r"\b2026-12-31\b.*\b1234\.50\b"),  # "Dates as … or 2026-12-31; … 1234.50"
        re.compile(r"^2026-11, 11\.2026 .* 2026-11-01\.$"),  # the month column's formats
    ),
}

ISO_DATE = re.compile(r"(?<![\d-])\d{4}-\d{2}-\d{2}(?![\d-])")
ENGLISH_AMOUNTS = (
    # 1234.50, 5.00 (not 31.05.2026, nor a time of day such as 07.30 or 16.00)
    re.compile(r"(?<![\d.,])(?!(?:[01]\d|2[0-3])\.[0-5]\d)\d+\.\d{2}(?![\d.])"),
    # 1,234.50 or 1,234,567 (a lone ",000" is a Bokmål decimal: 98,000 %)
    re.compile(r"(?<![\d.,])\d{1,3}(?:,\d{3}(?:\.\d|,\d{3}))"),
    re.compile(r"(?<![\d ,.\u00a0\u202f])\d{4,}(?:,\d+)?\s*kr\b"),  # 1234 kr, 1234,50 kr
    re.compile(r"(?<![\d ,.\u00a0\u202f])\d{4,},\d{2}(?!\d)"),  # 1234,50
    re.compile(r"\bNOK\s*-?\d"),  # NOK 1,234.50
)
SNAKE_CASE = re.compile(r"(?<![\w./@-])[a-z][a-z0-9]*(?:_[a-z0-9]+)+(?![\w./@-])")
ERROR_PREFIX = re.compile(r"^(?:__all__|[a-z][a-z0-9_]*)\s*:")


class VisibleText(HTMLParser):
    """The page's visible text nodes, whitespace collapsed, with the enclosing tags."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.stack: list[str] = []
        self.classes: list[str] = []
        self.languages: list[str] = []
        self.nodes: list[tuple[str, str]] = []  # (text, enclosing classes)

    def handle_starttag(self, tag, attrs):
        if tag in {"br", "img", "input", "meta", "link", "hr", "wbr", "source", "col"}:
            return
        attrs = dict(attrs)
        self.stack.append(tag)
        self.classes.append(attrs.get("class") or "")
        self.languages.append(attrs.get("lang") or "")

    def handle_endtag(self, tag):
        if tag in self.stack:
            while self.stack:
                self.classes.pop()
                self.languages.pop()
                if self.stack.pop() == tag:
                    break

    def handle_data(self, data):
        if INVISIBLE.intersection(self.stack) or LITERAL.intersection(self.stack):
            return
        language = next((code for code in reversed(self.languages) if code), "nb")
        if not language.startswith("nb"):
            return  # deliberately another language: the switcher's "English"
        text = " ".join(data.split())
        if text:
            self.nodes.append((text, " ".join(self.classes)))


def visible_text(html: str) -> list[tuple[str, str]]:
    parser = VisibleText()
    parser.feed(html)
    parser.close()
    return parser.nodes


def _catalogue() -> dict[str, str]:
    """msgid -> Bokmål msgstr from the compiled catalogue (contexts dropped)."""
    with open(LOCALE / "django.mo", "rb") as handle:
        catalog = gettext.GNUTranslations(handle)._catalog  # read only
    translated: dict[str, str] = {}
    for key, value in catalog.items():
        if not isinstance(key, str) or not key:
            continue  # plural forms and the header
        msgid = key.split("\x04", 1)[-1]
        translated.setdefault(msgid, value)
    return translated


def _untranslated_msgids() -> set[str]:
    """msgids the .po file has with an empty (or fuzzy) msgstr: the translator's to do."""
    text = (LOCALE / "django.po").read_text(encoding="utf-8")
    gaps = set()
    for entry in text.split("\n\n"):
        lines = [line for line in entry.splitlines() if not line.startswith("#~")]
        fuzzy = any(line.startswith("#,") and "fuzzy" in line for line in lines)
        msgid, msgstr, current = [], [], None
        for line in lines:
            if line.startswith("msgid "):
                current, line = msgid, line[6:]
            elif line.startswith("msgstr "):
                current, line = msgstr, line[7:]
            elif line.startswith("msgstr[0] "):
                current, line = msgstr, line[10:]
            elif line.startswith(("msgctxt", "msgid_plural", "msgstr[")):
                current = None
                continue
            if current is not None and line.startswith('"'):
                current.append(line[1:-1].encode().decode("unicode_escape"))
        ident = "".join(msgid)
        if ident and ("".join(msgstr) == "" or fuzzy):
            gaps.add(ident)
    return gaps


def page_findings(text_nodes, translated, gaps, data=frozenset(), name="") -> list[str]:
    """What is wrong with a page's text nodes; ``data`` are stored texts (names, the
    change log's snapshots of an object as it was then), not the UI's words."""
    found = []
    for text, classes in text_nodes:
        if text in data or any(rule.search(text) for rule in LITERAL_TEXTS.get(name, ())):
            continue
        if ISO_DATE.search(text):
            found.append(f"ISO date: {text!r}")
        for rule in ENGLISH_AMOUNTS:
            if rule.search(text):
                found.append(f"English amount: {text!r}")
                break
        for word in SNAKE_CASE.findall(text):
            if word not in LITERAL_WORDS:
                found.append(f"field name {word!r}: {text!r}")
        if "error" in classes and ERROR_PREFIX.match(text):
            found.append(f"error names a field: {text!r}")
        if text in translated and translated[text] != text:
            found.append(f"untranslated (nb has {translated[text]!r}): {text!r}")
        elif text in gaps:
            found.append(f"translation missing in .po: {text!r}")
    return found


def test_the_rules_catch_what_they_should_and_nothing_else():
    english = [
        "2026-05-31",
        "1234.50",
        "5.00",
        "Total 1,234.50",
        "1,234,567",
        "1234 kr",
        "1234,50",
        "NOK 12",
    ]
    norwegian = ["31.05.2026", "1 234,50 kr", "12,50 kr", "999 kr", "1\u00a0234 kr", "2026"]
    norwegian += [
        "Mai 2026",
        "14:05",
        "07.30–16.00",
        "98,000 %",
        "v1.2.3",
        "ola.nordmann@fjordvik.no",
        "25:30",
    ]
    for text in english:
        assert page_findings([(text, "")], {}, set()), text
    for text in norwegian:
        assert page_findings([(text, "")], {}, set()) == [], text
    assert page_findings([("Bytte før replacement_before", "")], {}, set())
    assert page_findings([("Årsaker: awaiting_user.", "")], {}, set()) == []
    assert (
        page_findings([("Installation (2027-02-03)", "")], {}, set(), {"Installation (2027-02-03)"})
        == []
    )
    assert page_findings([("asset: Velg en eiendel", "errorlist")], {}, set())
    assert page_findings([("Save", "")], {"Save": "Lagre"}, set())
    assert page_findings([("Status", "")], {"Status": "Status"}, set()) == []
    nodes = visible_text(
        '<p title="2026-05-31">Dato <time datetime="2026-05-31">31.05.2026</time></p>'
        '<script>var d = "2026-05-31";</script><input value="1234.50">'
        '<button lang="en">English</button><td><code>invoice_date</code></td>'
    )
    assert [text for text, _classes in nodes] == ["Dato", "31.05.2026"]


def stored_texts() -> frozenset[str]:
    """Texts the world stored: the change log's snapshot of each object as it was written
    (kept as written, whatever the reader's language) and the scenarios' names."""
    from samdrift.core.models import ObjectChange
    from samdrift.planning.models import Scenario

    return frozenset(
        [
            *ObjectChange.objects.values_list("object_repr", flat=True),
            *Scenario.objects.values_list("name", flat=True),
        ]
    )


# A list with a filter it cannot read names the filter by its label, not its key.
BAD_FILTERS = {"solutions:solution_list": "?end_of_support_before=31.13.2026"}


def html_pages(world: MatrixWorld, role: str):
    """(name, url) of every page that answers the role's GET with 200, and the lists
    with a bad filter (answered with 200 too, the list left empty)."""
    args = url_args(world)
    for name, query in BAD_FILTERS.items():
        yield name, reverse(name) + query
    index = ROLES.index(role)
    for name in sorted(ui_pages()):
        if EXPECTED[name][index] == OK:
            yield name, reverse(name, kwargs=args.get(name))


@pytest.mark.parametrize("role", CRAWLERS)
def test_every_page_reads_as_norwegian(world: MatrixWorld, role):
    client = Client()
    client.force_login(world.users[role])
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "nb"
    translated, gaps = _catalogue(), _untranslated_msgids()
    pages = list(html_pages(world, role))  # the URL arguments make objects: read after
    data = stored_texts()
    findings = []
    for name, url in pages:
        response = client.get(url)
        assert response.status_code == OK, (name, response.status_code)
        if not response["Content-Type"].startswith("text/html"):
            continue  # CSV, XLSX, PDF, EHF: files, not pages
        html = response.content.decode()
        findings += [
            f"{name}: {finding}"
            for finding in page_findings(visible_text(html), translated, gaps, data, name)
        ]
    findings = sorted(set(findings))
    assert findings == [], f"{len(findings)} findings:\n" + "\n".join(findings)

"""The Norwegian Bokmål catalogue is complete: the UI must read fully in bokmål.

Three checks: the committed ``django.po`` has no untranslated or fuzzy entry and keeps every
placeholder; the committed ``django.mo`` is compiled from it (a forgotten compilemessages
leaves the UI in English); and the catalogue holds every string the source marks for
translation (a forgotten makemessages does the same). The last one runs Django's
makemessages on a copy of the source, so the real catalogue is never touched.
"""

from __future__ import annotations

import gettext
import os
import re
import shutil
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from django.core.management import call_command
from django.test import override_settings
from django.urls import reverse
from django.utils import translation

import samdrift

SOURCE = Path(samdrift.__file__).resolve().parent
CATALOGUE = SOURCE / "locale" / "nb" / "LC_MESSAGES"

# %(name)s, %s, %d …, and {name}; "%%" is a literal percent sign, not a placeholder.
PLACEHOLDER = re.compile(r"%\([^)]+\)[-#0 +]*\d*(?:\.\d+)?[sdifeEgGxXor]|%[sdif]|\{\w*\}")


@dataclass
class Entry:
    line: int
    msgid: str = ""
    msgid_plural: str | None = None
    msgctxt: str | None = None
    msgstr: dict[int, str] = field(default_factory=dict)
    flags: set[str] = field(default_factory=set)

    @property
    def label(self) -> str:
        context = f" (context {self.msgctxt!r})" if self.msgctxt is not None else ""
        return f"line {self.line}: {self.msgid!r}{context}"


def _unquote(text: str, path: Path, number: int) -> str:
    text = text.strip()
    if len(text) < 2 or text[0] != '"' or text[-1] != '"':
        raise ValueError(f"{path}:{number}: not a quoted PO string: {text!r}")
    escapes = {"n": "\n", "t": "\t", '"': '"', "\\": "\\"}
    return re.sub(r"\\(.)", lambda m: escapes.get(m.group(1), "\\" + m.group(1)), text[1:-1])


def parse_po(path: Path) -> list[Entry]:
    """The entries of a PO file (the header, with its empty msgid, left out).

    Small on purpose: the PO files here are written by msgmerge, one keyword per line
    followed by continuation strings; obsolete ``#~`` entries are skipped.
    """
    entries: list[Entry] = []
    entry: Entry | None = None
    target: tuple[str, int] | None = None

    def finish() -> None:
        if entry is not None and entry.msgid:
            entries.append(entry)

    for number, raw in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        line = raw.strip()
        if not line:
            finish()
            entry, target = None, None
            continue
        if entry is None:
            entry = Entry(line=number)
        if line.startswith("#,"):
            entry.flags |= {flag.strip() for flag in line[2:].split(",")}
        elif line.startswith("#"):
            continue
        elif line.startswith('"'):
            if target is None:
                raise ValueError(f"{path}:{number}: a string without a keyword")
            value = _unquote(line, path, number)
            name, index = target
            if name == "msgstr":
                entry.msgstr[index] += value
            else:
                setattr(entry, name, (getattr(entry, name) or "") + value)
        else:
            keyword, _, rest = line.partition(" ")
            value = _unquote(rest, path, number)
            plural_form = re.fullmatch(r"msgstr\[(\d+)\]", keyword)
            if keyword in ("msgid", "msgid_plural", "msgctxt"):
                setattr(entry, keyword, value)
                target = (keyword, 0)
            elif keyword == "msgstr" or plural_form:
                index = int(plural_form.group(1)) if plural_form else 0
                entry.msgstr[index] = value
                target = ("msgstr", index)
            else:
                raise ValueError(f"{path}:{number}: unknown keyword {keyword!r}")
    finish()
    return entries


def incomplete(entries: list[Entry]) -> list[str]:
    """Entries a user would see in English: untranslated, or only guessed (fuzzy)."""
    problems = []
    for entry in entries:
        if "fuzzy" in entry.flags:
            problems.append(f"fuzzy {entry.label}")
        elif not entry.msgstr or not all(entry.msgstr.values()):
            problems.append(f"untranslated {entry.label}")
    return problems


def test_parser_reads_plurals_context_continuations_and_flags(tmp_path):
    po = tmp_path / "django.po"
    po.write_text(
        'msgid ""\nmsgstr ""\n"Language: nb\\n"\n\n'
        '#, fuzzy, python-format\nmsgid "%(n)s row"\nmsgid_plural "%(n)s rows"\n'
        'msgstr[0] "%(n)s rad"\nmsgstr[1] ""\n\n'
        'msgctxt "verb"\nmsgid "Change"\nmsgstr "Endre"\n\n'
        'msgid ""\n"Two "\n"lines"\nmsgstr "To \\"linjer\\""\n',
        encoding="utf-8",
    )
    rows, change, two = parse_po(po)
    assert (rows.msgid_plural, rows.msgstr, rows.flags) == (
        "%(n)s rows",
        {0: "%(n)s rad", 1: ""},
        {"fuzzy", "python-format"},
    )
    assert (change.msgctxt, change.msgstr) == ("verb", {0: "Endre"})
    assert (two.msgid, two.msgstr[0]) == ("Two lines", 'To "linjer"')
    assert incomplete([rows, change, two]) == [f"fuzzy {rows.label}"]
    rows.flags.discard("fuzzy")
    assert incomplete([rows]) == [f"untranslated {rows.label}"]


def test_nb_catalogue_has_no_untranslated_or_fuzzy_entry():
    entries = parse_po(CATALOGUE / "django.po")
    assert len(entries) > 1000  # the whole UI, not an empty or truncated file
    problems = incomplete(entries)
    assert not problems, (
        f"{len(problems)} nb entries are not translated (see docs/ui.md, Translations):\n"
        + "\n".join(problems)
    )


def test_nb_translations_keep_every_placeholder():
    problems = []
    for entry in parse_po(CATALOGUE / "django.po"):
        for index, text in entry.msgstr.items():
            source = entry.msgid if index == 0 or entry.msgid_plural is None else entry.msgid_plural
            expected = sorted(PLACEHOLDER.findall(source.replace("%%", "")))
            found = sorted(PLACEHOLDER.findall(text.replace("%%", "")))
            if text and found != expected:
                problems.append(f"{entry.label} msgstr[{index}]: {found} instead of {expected}")
    assert not problems, "\n".join(problems)


def test_nb_mo_is_compiled_from_the_po():
    with (CATALOGUE / "django.mo").open("rb") as handle:
        compiled = gettext.GNUTranslations(handle)
    stale = []
    for entry in parse_po(CATALOGUE / "django.po"):
        if entry.msgid_plural is not None:
            got = {
                i: compiled.ngettext(entry.msgid, entry.msgid_plural, 1 if i == 0 else 2)
                for i in entry.msgstr
            }
        elif entry.msgctxt is not None:
            got = {0: compiled.pgettext(entry.msgctxt, entry.msgid)}
        else:
            got = {0: compiled.gettext(entry.msgid)}
        if got != entry.msgstr:
            stale.append(entry.label)
    assert not stale, "django.mo is older than django.po; run compilemessages:\n" + "\n".join(stale)


def test_nb_catalogue_covers_every_translatable_string_in_the_source(tmp_path, monkeypatch):
    """makemessages on a copy of the source finds nothing new to translate."""
    missing = [tool for tool in ("xgettext", "msgmerge", "msguniq") if not shutil.which(tool)]
    if missing:
        message = f"GNU gettext is not installed ({', '.join(missing)} missing)"
        if os.environ.get("CI"):
            pytest.fail(message + "; CI must run this check (apt-get install gettext)")
        pytest.skip(message)
    copy = tmp_path / "samdrift"
    # Not ui/vendor_templates: DRF's templates, whose strings DRF's own catalogue translates.
    shutil.copytree(
        SOURCE,
        copy,
        ignore=shutil.ignore_patterns("__pycache__", "*.pyc", "*.mo", "static", "vendor_templates"),
    )
    monkeypatch.chdir(copy)
    # makemessages writes to the first locale path: the copy's, never the real one.
    with override_settings(LOCALE_PATHS=[copy / "locale"]):
        call_command(
            "makemessages",
            locale=["nb"],
            ignore_patterns=["static/*"],
            no_obsolete=True,
            verbosity=0,
        )
    fresh = parse_po(copy / "locale" / "nb" / "LC_MESSAGES" / "django.po")
    problems = incomplete(fresh)
    assert not problems, (
        f"{len(problems)} strings in the source are not translated in the nb catalogue; "
        "run makemessages and translate them (docs/ui.md, Translations):\n" + "\n".join(problems)
    )


@pytest.fixture
def restore_language():
    """LocaleMiddleware activates the request's language for the whole thread: put the
    previous one back, or later tests in this worker would see Norwegian messages."""
    with translation.override(translation.get_language()):
        yield


@pytest.mark.parametrize(
    ("url_name", "bokmal", "english"),
    [
        (
            "billing:period_list",
            ["Fakturering per måned", "Beregn og lag fakturautkast", "Sum inkl. mva."],
            ["Billing by month", "Rate and draft invoices", "Total incl. VAT"],
        ),
        (
            "pricing:lease_model_list",
            ["Leasingmodeller", "Ny leasingmodell", "Eksempel per måned", ">Endre</a>"],
            ["Lease models", "New lease model", "Example a month", ">Change</a>"],
        ),
        (
            "pricing:price_list",
            ["Indeksregulering av tjenestepriser", "Publiseringer", "Indeks i fjor"],
            ["Indexation of service prices", "Publications", "Index last year"],
        ),
        (
            "imports:upload",
            ["Importer en fil", "Kontroller filen", "Hva filen inneholder"],
            ["Import a file", "Check the file", "What the file holds"],
        ),
        (
            "buyouts:list",
            ["Innløsninger", "Ny innløsning", "Avtalt sum"],
            ["Buyouts", "New buyout", "Agreed total"],
        ),
        (
            "buyouts:financing",
            ["Finansiering av utstyrsparken", "Bundet kapital", "Avskrivninger"],
            ["Financing of the fleet", "Capital bound", "Depreciation"],
        ),
        (
            "catalogue:price_list",
            ['<option value="product">Produkt</option>', '<option value="service">Tjeneste'],
            ['<option value="product">Product</option>', '<option value="service">Service'],
        ),
    ],
)
def test_pages_of_the_newer_apps_read_in_bokmal(
    operator_client, world, restore_language, url_name, bokmal, english
):
    operator_client.cookies["django_language"] = "nb"
    response = operator_client.get(reverse(url_name))
    assert response.status_code == 200
    html = response.content.decode()
    assert '<html lang="nb">' in html
    assert [text for text in bokmal if text not in html] == []
    assert [text for text in english if text in html] == []

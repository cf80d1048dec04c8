"""Run the official CEN EN 16931 UBL Schematron (compiled XSLT, tests/data/en16931-ubl)
with Saxon-HE, and return its failed assertions."""

from __future__ import annotations

import re
from functools import cache
from pathlib import Path

DATA = Path(__file__).resolve().parents[1] / "data"
XSLT = DATA / "en16931-ubl" / "EN16931-UBL-validation.xslt"
SCHEMAS = DATA / "ubl-2.1"
EXAMPLES = DATA / "peppol-examples"
FAILED = re.compile(
    r'<svrl:failed-assert\b(?=[^>]*\bid="(?P<id>[^"]+)")(?=[^>]*\bflag="(?P<flag>[^"]+)")[^>]*>'
    r".*?<svrl:text>(?P<text>.*?)</svrl:text>",
    re.S,
)


@cache
def _executable():
    from saxonche import PySaxonProcessor

    processor = PySaxonProcessor(license=False)
    executable = processor.new_xslt30_processor().compile_stylesheet(stylesheet_file=str(XSLT))
    return processor, executable


def cen_failures(document: bytes) -> list[tuple[str, str, str]]:
    """(rule id, flag, text) of every failed CEN assertion on ``document``."""
    processor, executable = _executable()
    node = processor.parse_xml(xml_text=document.decode("utf-8"))
    report = executable.transform_to_string(xdm_node=node)
    return [(m["id"], m["flag"], " ".join(m["text"].split())) for m in FAILED.finditer(report)]


def fatal(failures):
    return [f for f in failures if f[1] == "fatal"]

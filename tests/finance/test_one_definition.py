"""Each money rule is written once: other modules import it, never copy
it, so a fix in one place is a fix everywhere."""

import re
from pathlib import Path

import samdrift

SOURCE = Path(samdrift.__file__).parent

DEFINITIONS = {
    # what is defined → the one module allowed to define it
    r"^(ZERO|ORE|CENT)\s*(:[^=]*)?=\s*Decimal\(": {"finance/money.py"},
    r"^def add_months\(": {"finance/depreciation.py"},
    r"^\w+\s*(:[^=]*)?=\s*frozenset\(\{Role\.OPERATOR, Role\.FINANCE\}\)": {"catalogue/models.py"},
    r"^def foreign_member_errors\(": {"core/membership.py"},
    r"^THOUSANDS_SPACES\s*=": {"finance/parsing.py"},
}


def test_each_rule_is_defined_in_one_module():
    found = {pattern: set() for pattern in DEFINITIONS}
    for path in SOURCE.rglob("*.py"):
        text = path.read_text(encoding="utf-8")
        for pattern in DEFINITIONS:
            if re.search(pattern, text, re.MULTILINE):
                found[pattern].add(path.relative_to(SOURCE).as_posix())
    assert found == DEFINITIONS

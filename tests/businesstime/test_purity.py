"""businesstime stays pure like finance/: the standard library and ``holidays`` only
(no Django, no settings, no other samdrift app)."""

import ast
import sys
from pathlib import Path

import samdrift.businesstime

PACKAGE = Path(samdrift.businesstime.__file__).parent


def test_imports_only_the_standard_library_and_holidays():
    for path in sorted(PACKAGE.glob("*.py")):
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom):
                names = [node.module or ""]
            else:
                continue
            for name in names:
                top = name.split(".")[0]
                allowed = (
                    top in sys.stdlib_module_names
                    or top == "holidays"
                    or name.startswith("samdrift.businesstime")
                    or name == "__future__"
                )
                assert allowed, f"{path.name} imports {name}"

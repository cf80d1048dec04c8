"""The apps' layers hold: no app imports an app above it (the import-linter contract in
pyproject.toml, which ``make lint`` also runs). Run here too so that the test suite fails
on an upward import even where lint does not run."""

from __future__ import annotations

from pathlib import Path

import pytest

importlinter_cli = pytest.importorskip("importlinter.cli")

PYPROJECT = Path(__file__).resolve().parents[1] / "pyproject.toml"


def test_every_app_imports_only_the_apps_below_it(capsys):
    exit_code = importlinter_cli.lint_imports(
        config_filenames=(str(PYPROJECT),), no_cache=True, no_logo=True
    )
    assert exit_code == 0, capsys.readouterr().out

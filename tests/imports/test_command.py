"""``samdrift import``: the command line."""

import io

import pytest
from django.core.management import CommandError, call_command

from samdrift.core.models import ObjectChange
from samdrift.inventory.models import Asset
from tests import factories
from tests.factories import SNIPE_IT_HEADER, csv_bytes, snipe_it_row
from tests.worlds import build_importing_world

pytestmark = pytest.mark.django_db


def run(*args):
    out = io.StringIO()
    call_command("import", *args, "--progress", "none", stdout=out)
    return out.getvalue()


@pytest.fixture
def snipe_file(tmp_path, municipality_a):
    build_importing_world(municipality_a)
    path = tmp_path / "snipe-it.csv"
    path.write_bytes(csv_bytes([SNIPE_IT_HEADER, *(snipe_it_row(n) for n in range(3))]))
    return path


def test_a_dry_run_then_the_import(snipe_file):
    output = run("assets", str(snipe_file), "--municipality", "4601", "--dry-run")
    assert "would be created" in output and "Dry run" in output
    assert "new persons" in output
    assert not Asset.objects.exists()

    output = run("assets", str(snipe_file), "--municipality", "Fjordvik")
    assert "Imported." in output
    assert Asset.objects.count() == 3


def test_errors_are_listed_and_exit_with_status_one(tmp_path, municipality_a):
    build_importing_world(municipality_a)
    path = tmp_path / "bad.csv"
    path.write_bytes(
        csv_bytes([SNIPE_IT_HEADER, snipe_it_row(1, **{"Purchase Date": "31/31/2026"})])
    )
    out = io.StringIO()
    with pytest.raises(SystemExit) as exit_:
        call_command(
            "import",
            "assets",
            str(path),
            "--municipality",
            "4601",
            "--progress",
            "none",
            stdout=out,
        )
    assert exit_.value.code == 1
    assert "Row 2, column “Purchase Date”: date not understood: 31/31/2026" in out.getvalue()
    assert "Nothing was imported" in out.getvalue()
    assert not Asset.objects.exists()


def test_the_import_is_attributed_to_a_user(snipe_file, operator):
    run("assets", str(snipe_file), "--municipality", "4601", "--user", "operator")
    summary = ObjectChange.objects.filter(object_id=0).get()
    assert summary.user == operator
    assert summary.actor.endswith(":operator")


def test_bad_arguments_are_explained(snipe_file, tmp_path):
    with pytest.raises(CommandError, match="needs --municipality"):
        run("assets", str(snipe_file))
    with pytest.raises(CommandError, match="No municipality"):
        run("assets", str(snipe_file), "--municipality", "9999")
    with pytest.raises(CommandError, match="Cannot read"):
        run("assets", str(tmp_path / "missing.csv"), "--municipality", "4601")
    with pytest.raises(CommandError, match="date not understood"):
        run("assets", str(snipe_file), "--municipality", "4601", "--date", "i morgen")


def test_products_need_no_municipality(tmp_path):
    factories.make_category(name="Laptop", code="laptop")
    path = tmp_path / "products.xlsx"
    from tests.factories import xlsx_bytes

    path.write_bytes(xlsx_bytes([["Name", "Category"], ["Standard laptop", "Laptop"]]))
    assert "Imported." in run("products", str(path))

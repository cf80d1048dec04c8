"""File-level robustness of reading imports: encodings detected,
mixed encodings and NUL named by row and column, binary files refused, CR line endings,
spreadsheet row numbers. Every file is built here in the shape described."""

import codecs
import random

import pytest

from samdrift.core.importing import FileProblem, read_table
from samdrift.core.importing.reading import decode

NORWEGIAN = "Navn;Sted;Merknad\nBærbar PC;Bodø;Søren Åsheim\nSkjerm;Tromsø;Ærlig talt\n"


def test_a_utf8_file_with_one_stray_windows_1252_byte_is_not_read_as_windows_1252():
    data = NORWEGIAN.encode() + "Café;Ås;x\n".encode("cp1252")
    table = read_table(data, "mixed.csv")
    assert table.encoding == "UTF-8"
    # The UTF-8 rows are read right, not as "BÃ¦rbar".
    assert table.rows[0] == (2, ["Bærbar PC", "Bodø", "Søren Åsheim"])
    # Row 4 holds the Windows-1252 bytes: its two cells are named, nothing is guessed.
    assert [(line, index) for line, index, _m in table.cell_problems] == [(4, 0), (4, 1)]
    assert "not UTF-8 like the rest of the file" in table.cell_problems[0][2]
    assert table.rows[2][1][0] == "Caf\ufffd"


def test_bad_bytes_after_a_byte_order_mark_are_named_not_replaced_silently():
    data = codecs.BOM_UTF8 + "Navn\nBærbar\n".encode() + b"B\xe6rbar\n"
    table = read_table(data)
    assert [(line, index) for line, index, _m in table.cell_problems] == [(3, 0)]
    assert table.rows[0] == (2, ["Bærbar"])


@pytest.mark.parametrize(
    ("encoding", "name"),
    [("cp1252", "Windows-1252"), ("mac_roman", "Mac Roman"), ("utf-16-le", "UTF-16")],
)
def test_a_file_without_utf8_is_read_in_the_encoding_charset_normalizer_finds(encoding, name):
    data = NORWEGIAN.encode(encoding)
    table = read_table(data)
    assert table.encoding == name
    assert table.rows[0][1] == ["Bærbar PC", "Bodø", "Søren Åsheim"]
    assert table.cell_problems == []


def test_a_dos_nordic_file_is_not_read_as_windows_1252():
    data = (NORWEGIAN + "Ås;Ørsta;Hæ\n").encode("cp865")
    text, encoding = decode(data)
    assert "DOS" in encoding
    assert "Bærbar PC;Bodø;Søren Åsheim" in text


@pytest.mark.parametrize("ending", ["\r", "\r\n", "\n"])
def test_every_line_ending_is_read_including_old_mac_cr(ending):
    text = ending.join(["Tag;Serial", "T1;S1", 'T2;"two' + ending + 'lines"', "T3;S3", ""])
    table = read_table(text.encode())
    assert table.delimiter == ";"
    assert table.rows == [
        (2, ["T1", "S1"]),
        (3, ["T2", "two" + ending + "lines"]),
        (4, ["T3", "S3"]),
    ]


@pytest.mark.parametrize(
    ("data", "words"),
    [
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x01\x00" + bytes(range(256)) * 8, "PNG"),
        (b"\x7fELF\x02\x01\x01\x00\x00\x00" + bytes(range(256)) * 8, "program"),
        (random.Random(11).randbytes(20_000), "not a text file"),
        (b"\x00\x01\x02\x03junk\n" + random.Random(12).randbytes(5000), "not a text file"),
        (b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n", "PDF"),
    ],
    ids=["png", "elf", "random", "nul-junk", "pdf"],
)
def test_binary_files_renamed_csv_are_refused_with_a_reason(data, words):
    with pytest.raises(FileProblem, match=words):
        read_table(data, "junk.csv")


def test_a_nul_byte_is_an_error_of_its_row_and_column():
    data = b"Navn;Sted\nBodo;R\xc3\xa5dhus\nAb\x00c;Sentrum\n"
    table = read_table(data)
    assert [(line, index) for line, index, _m in table.cell_problems] == [(3, 0)]
    assert "NUL" in table.cell_problems[0][2]
    assert "\x00" not in table.rows[1][1][0]


def test_other_control_characters_are_removed_with_a_note():
    data = "Navn;Sted\nBær\x07bar;Bo\x1bdø\nSkjerm;Tromsø\n".encode()
    table = read_table(data)
    assert table.rows[0][1] == ["Bærbar", "Bodø"]
    assert table.cell_problems == []
    assert table.warnings == ["Invisible control characters were removed from the text of rows 2."]


def test_a_cell_too_long_for_csv_is_a_file_problem_not_a_crash():
    with pytest.raises(FileProblem, match="Row 1: the CSV cannot be read"):
        read_table(b"x" * 200_000)


def test_only_the_first_rows_are_read_when_asked():
    data = ("Tag;Serial\n" + "".join(f"T{n};S{n}\n" for n in range(100))).encode()
    table = read_table(data, max_rows=5)
    assert table.headers == ["Tag", "Serial"]
    assert [line for line, _cells in table.rows] == [2, 3, 4, 5]

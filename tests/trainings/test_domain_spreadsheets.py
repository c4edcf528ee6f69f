"""CSV exports that staff open in a spreadsheet: a cell a member wrote never runs as a formula
(OWASP CSV injection, with the full-width forms an IME types), read back with the csv module."""

import csv
import io

import pytest

from hub_app.domain.spreadsheets import csv_document, spreadsheet_cell

FORMULAS = [
    "=HYPERLINK(\"http://x.example\",\"klik\")", "+1+cmd|' /C calc'!A0", "-2+3+cmd|' /C calc'!A0",
    "@SUM(1+1)*cmd|' /C calc'!A0", "\t=1+1", "\r=1+1", "\n=1+1", "＝HYPERLINK(\"http://x.example\")",
    "＋1+1", "－1+1", "＠SUM(1+1)", "  =1+1", "\u3000=1+1", "\u00a0@SUM(A1)", "=", "-",
]
PLAIN = ["Rina Kusuma", "rina@umkm.example", "Toko 1=1", "", "Kopi & Teh", "'=already text", "a\n=b", "5"]


@pytest.mark.parametrize("value", FORMULAS)
def test_a_cell_that_would_run_gets_a_leading_apostrophe(value):
    assert spreadsheet_cell(value) == "'" + value
    [_, row] = list(csv.reader(io.StringIO(csv_document(["name"], [[value]]), newline="")))
    assert row == ["'" + value]


@pytest.mark.parametrize("value", PLAIN + [7, -3, 0, 2.5, None])
def test_other_cells_and_numbers_are_left_alone(value):
    assert spreadsheet_cell(value) == value


def test_the_document_reads_back_cell_for_cell():
    body = csv_document(["id", "=name", "comment"], [[1, "Rina", "baris satu\nbaris \"dua\", tiga"], [-2, "－1", ""]])
    assert list(csv.reader(io.StringIO(body, newline=""))) == [
        ["id", "'=name", "comment"], ["1", "Rina", "baris satu\nbaris \"dua\", tiga"], ["-2", "'－1", ""]]

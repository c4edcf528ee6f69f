"""The spreadsheet writers and the export period rules, without a database: XLSX cells neutralised
like CSV cells (incl. the full-width forms), read back with openpyxl (full and read-only mode)."""

import io
from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

import pytest
from openpyxl import load_workbook

from hub_app.domain import exports as rules
from hub_app.domain.errors import InvalidInput
from hub_app.domain.spreadsheets import DATE, DATETIME, DECIMAL, INTEGER, Column, csv_chunks, write_xlsx
from tests.exports.dataset import read_csv, read_xlsx
from tests.trainings.test_domain_spreadsheets import FORMULAS, PLAIN


def xlsx(columns, rows, sheet="Pemesanan") -> bytes:
    target = io.BytesIO()
    write_xlsx(target, sheet=sheet, columns=columns, rows=rows)
    return target.getvalue()


def test_xlsx_text_cells_that_would_run_get_the_apostrophe_like_csv_cells():
    rows = [[value] for value in FORMULAS + PLAIN]
    body = xlsx([Column("=nama")], rows)
    sheet = load_workbook(io.BytesIO(body)).active
    assert {cell.data_type for (cell,) in sheet.iter_rows() if cell.value is not None} == {"s"}  # no formula
    expected = [["'=nama"]] + [["'" + value] for value in FORMULAS] + [[value or None] for value in PLAIN]
    assert read_xlsx(body) == expected
    assert b"<f>" not in body  # no formula element in the (compressed) parts either way
    csv_rows = read_csv(b"".join(csv_chunks([Column("=nama")], rows)))
    assert csv_rows == [[value or "" for value in row] for row in expected]


def test_xlsx_cells_keep_types_times_in_local_wall_clock_and_drop_what_xml_cannot_hold():
    columns = [Column("No.", INTEGER), Column("Mulai (WIB)", DATETIME), Column("Tanggal", DATE),
               Column("Rasio (%)", DECIMAL), Column("Nama")]
    rows = [[1, datetime(2026, 11, 30, 23, 59), date(2026, 11, 1), 62.5, "Rina\x00 Kusuma\x1b"],
            [-2, None, None, 0.0, ""], [10**12, datetime(2026, 1, 1, 0, 0), date(2000, 2, 29), 100.0, "a\tb\nc"]]
    body = xlsx(columns, rows)
    assert read_xlsx(body) == [
        ["No.", "Mulai (WIB)", "Tanggal", "Rasio (%)", "Nama"],
        [1, datetime(2026, 11, 30, 23, 59), date(2026, 11, 1), 62.5, "Rina Kusuma"],
        [-2, None, None, 0, None],
        [10**12, datetime(2026, 1, 1, 0, 0), date(2000, 2, 29), 100, "a\tb\nc"]]
    sheet = load_workbook(io.BytesIO(body)).active
    assert [sheet.cell(2, column).number_format for column in (2, 3, 4)] == ["yyyy-mm-dd hh:mm", "yyyy-mm-dd", "0.0"]
    assert sheet.freeze_panes == "A2" and sheet.title == "Pemesanan"
    assert sheet.cell(1, 1).font.b  # the header row is bold


def test_a_long_xlsx_reads_back_whole_also_in_openpyxls_read_only_mode():
    rows = ([number, f"Anggota {number}"] for number in range(1, 2502))
    body = xlsx([Column("No.", INTEGER), Column("Nama")], rows, sheet="Bookings: a/b [1]*?")
    workbook = load_workbook(io.BytesIO(body), read_only=True)
    values = list(workbook.active.iter_rows(values_only=True))
    assert workbook.sheetnames == ["Bookings  a b  1"]
    assert len(values) == 2502 and values[-1] == (2501, "Anggota 2501")


def test_csv_pieces_make_one_file_with_one_byte_order_mark():
    pieces = list(csv_chunks([Column("No.", INTEGER), Column("Nama")], ([n, f"A{n}"] for n in range(1200))))
    assert len(pieces) == 3
    body = b"".join(pieces)
    assert body.count("\ufeff".encode()) == 1
    rows = read_csv(body)
    assert rows[0] == ["No.", "Nama"] and rows[-1] == ["1199", "A1199"] and len(rows) == 1201


@pytest.mark.parametrize("start,end", [("2026-11-01", "2026-11-01"), ("2026-01-01", "2026-12-31"),
                                       ("2024-01-01", "2024-12-31")])
def test_a_period_is_one_to_366_local_days(start, end):
    assert rules.export_period(start, end) == (date.fromisoformat(start), date.fromisoformat(end))


@pytest.mark.parametrize("start,end,key", [
    ("2026-11-02", "2026-11-01", "exports.error.order"), ("2025-01-01", "2026-01-02", "exports.error.too_long"),
    ("2026-11-1", "2026-11-30", "exports.error.date"), (None, "2026-11-30", "exports.error.date"),
    ("2026-11-01", "", "exports.error.date"), ("2026-11-01", datetime(2026, 11, 30), "exports.error.date"),
    ("+2026-11-0", "2026-11-30", "exports.error.date"),
    # The calendar's ends have no UTC bounds: refused, not an overflow.
    ("0001-01-01", "0001-01-02", "exports.error.date"), ("9999-12-30", "9999-12-31", "exports.error.date"),
])
def test_bad_periods_are_refused(start, end, key):
    with pytest.raises(InvalidInput) as refused:
        rules.export_period(start, end)
    assert refused.value.key == key


def test_a_period_runs_from_local_midnight_to_the_midnight_after_its_last_day():
    start, end = rules.period_bounds(date(2026, 11, 1), date(2026, 11, 30), ZoneInfo("Asia/Jakarta"))
    assert (start, end) == (datetime(2026, 10, 31, 17, tzinfo=UTC), datetime(2026, 11, 30, 17, tzinfo=UTC))
    assert rules.file_name("bookings", date(2026, 11, 1), date(2026, 11, 30), "xlsx") == (
        "hub-bookings-2026-11-01_2026-11-30.xlsx")

"""Files that staff open in a spreadsheet (CSV and XLSX exports): no cell a member wrote may run as
a formula, and a large export is written a row at a time, never held whole in memory.

Excel, LibreOffice and Google Sheets run a cell as a formula when it starts with = + - @, and
some also after a leading tab or carriage return (OWASP, "CSV Injection"); Excel and LibreOffice
also read the full-width forms ＝ ＋ － ＠ that an Indonesian or Japanese keyboard types as the
ASCII ones. Such a cell gets a leading apostrophe, which the spreadsheet shows as text and does
not run. Numbers are left alone; quoting and embedded quotes and line breaks are the csv
module's job.

XLSX cells get the same apostrophe. An XLSX text cell is never evaluated while it stays in the
file, but staff "save as CSV" and open that, or edit a cell, and then the text is read again:
the apostrophe keeps it text there too.

The XLSX file is written here directly (a zip of five small XML parts and one sheet whose rows
are streamed into it, text as inline strings so nothing grows with the rows). openpyxl's
write-only workbook needed 11.6 s (with lxml) to 22 s (without) just to write the 100,000 rows of
the bookings export on the development machine, above the export's 10 s budget on its own; with
this writer the whole export (query, rows, file) takes 1.6-2.6 s of CPU (benchmarks/exports.py).
The tests read every export back with openpyxl.
"""

import csv
import io
import re
import zipfile
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import BinaryIO
from xml.sax.saxutils import escape

FORMULA_STARTS = frozenset("=+-@\t\r\n＝＋－＠")
# Spaces a spreadsheet may skip before it looks at the first character.
_LEADING_SPACE = " \u00a0\u3000"
# Characters XML 1.0 cannot carry at all (an XLSX file with one does not open).
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")
_MAX_CELL = 32767  # characters in one spreadsheet cell
_ROWS_PER_CHUNK = 500
_CACHED_CELLS = 20_000  # distinct cell values remembered while a file is written

TEXT, INTEGER, DECIMAL, DATE, DATETIME = "text", "integer", "decimal", "date", "datetime"


@dataclass(frozen=True)
class Column:
    header: str
    kind: str = TEXT  # what the cells hold: TEXT, INTEGER, DECIMAL (one decimal place), DATE, DATETIME
    width: int = 16  # characters, for the XLSX column


def spreadsheet_cell(value: object) -> object:
    """The value as a cell that a spreadsheet shows as text, never runs."""
    if not isinstance(value, str):
        return value
    first = value.lstrip(_LEADING_SPACE)[:1]
    return f"'{value}" if first and first in FORMULA_STARTS else value


def csv_document(header: list[str], rows: Iterable[Iterable[object]]) -> str:
    """A CSV file (comma separated, CRLF line ends) with every cell made safe by `spreadsheet_cell`."""
    output = io.StringIO()
    writer = csv.writer(output)
    writer.writerow([spreadsheet_cell(cell) for cell in header])
    for row in rows:
        writer.writerow([spreadsheet_cell(cell) for cell in row])
    return output.getvalue()


def _csv_value(value: object) -> object:
    """Times are the hub's local wall-clock time (the header names the zone)."""
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.isoformat(" ", "minutes")
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, float):
        return f"{value:.1f}"
    return spreadsheet_cell(value)


def csv_chunks(columns: Sequence[Column], rows: Iterable[Sequence[object]]) -> Iterator[bytes]:
    """A CSV file as UTF-8 pieces of a few hundred rows, for a streamed answer: a byte order mark
    first, so that spreadsheet programs read the names' accents as UTF-8, then the header."""
    output = io.StringIO()
    writer = csv.writer(output)
    output.write("\ufeff")
    writer.writerow([spreadsheet_cell(column.header) for column in columns])
    # Names, statuses and times repeat from row to row: each is made safe or formatted once.
    made: dict[object, object] = {}
    count = 0
    for row in rows:
        cells = []
        for value in row:
            kind = type(value)
            if kind is int:
                cells.append(value)
                continue
            if kind is not str and kind is not datetime:
                cells.append(_csv_value(value))
                continue
            cell = made.get(value)
            if cell is None:
                if len(made) >= _CACHED_CELLS:
                    made.clear()
                cell = made[value] = _csv_value(value)
            cells.append(cell)
        writer.writerow(cells)
        count += 1
        if count % _ROWS_PER_CHUNK == 0:
            yield output.getvalue().encode()
            output.seek(0)
            output.truncate()
    yield output.getvalue().encode()


# --- XLSX ---------------------------------------------------------------------------------------

_MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
_RELATIONSHIPS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
_PACKAGE = "http://schemas.openxmlformats.org/package/2006/relationships"
_HEAD = '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
_CONTENT_TYPES = _HEAD + (
    '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
    '<Default Extension="xml" ContentType="application/xml"/>'
    '<Override PartName="/xl/workbook.xml" '
    'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
    '<Override PartName="/xl/worksheets/sheet1.xml" '
    'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
    '<Override PartName="/xl/styles.xml" '
    'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.styles+xml"/>'
    '</Types>')
_ROOT_RELS = _HEAD + (
    f'<Relationships xmlns="{_PACKAGE}"><Relationship Id="rId1" '
    f'Type="{_RELATIONSHIPS}/officeDocument" Target="xl/workbook.xml"/></Relationships>')
_WORKBOOK_RELS = _HEAD + (
    f'<Relationships xmlns="{_PACKAGE}">'
    f'<Relationship Id="rId1" Type="{_RELATIONSHIPS}/worksheet" Target="worksheets/sheet1.xml"/>'
    f'<Relationship Id="rId2" Type="{_RELATIONSHIPS}/styles" Target="styles.xml"/></Relationships>')
# Cell formats by index: 0 plain, 1 header (bold), 2 date and time, 3 date, 4 one decimal place.
_STYLES = _HEAD + (
    f'<styleSheet xmlns="{_MAIN}">'
    '<numFmts count="3"><numFmt numFmtId="164" formatCode="yyyy-mm-dd hh:mm"/>'
    '<numFmt numFmtId="165" formatCode="yyyy-mm-dd"/><numFmt numFmtId="166" formatCode="0.0"/></numFmts>'
    '<fonts count="2"><font><sz val="11"/><name val="Calibri"/><family val="2"/></font>'
    '<font><b/><sz val="11"/><name val="Calibri"/><family val="2"/></font></fonts>'
    '<fills count="2"><fill><patternFill patternType="none"/></fill><fill><patternFill patternType="gray125"/></fill>'
    '</fills><borders count="1"><border><left/><right/><top/><bottom/><diagonal/></border></borders>'
    '<cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/></cellStyleXfs>'
    '<cellXfs count="5"><xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/>'
    '<xf numFmtId="0" fontId="1" fillId="0" borderId="0" xfId="0" applyFont="1"/>'
    '<xf numFmtId="164" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/>'
    '<xf numFmtId="165" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/>'
    '<xf numFmtId="166" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/></cellXfs>'
    '<cellStyles count="1"><cellStyle name="Normal" xfId="0" builtinId="0"/></cellStyles></styleSheet>')
_STYLE_OF = {DATETIME: 2, DATE: 3, DECIMAL: 4}
_EXCEL_EPOCH = datetime(1899, 12, 30)
_SHEET_NAME_REFUSED = re.compile(r"[\[\]:*?/\\]")
_NEEDS_ESCAPE = re.compile("[&<>\r]")
# zlib's fastest level: 40 MB of sheet XML shrinks to ~6 MB instead of ~4.5 MB, in a third of the time.
_COMPRESSION = 1


def xlsx_text(value: str) -> str:
    """A text cell's content: neutralised like a CSV cell, without characters XML cannot hold."""
    return _NOT_XML.sub("", str(spreadsheet_cell(value)))[:_MAX_CELL]


def _letters(index: int) -> str:
    name = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        name = chr(65 + rest) + name
    return name


def _serial(value: date) -> float:
    """Excel's day number: days since 1899-12-30, the time of day as a fraction (naive local time)."""
    moment = value if isinstance(value, datetime) else datetime(value.year, value.month, value.day)
    delta = (moment if moment.tzinfo is None else moment.replace(tzinfo=None)) - _EXCEL_EPOCH
    return delta.days + delta.seconds / 86400


def _xml_text(value: str) -> str:
    text = xlsx_text(value)
    if _NEEDS_ESCAPE.search(text) is None:
        return text
    # A carriage return would be read back as a line feed (XML normalises line ends) unless escaped.
    return escape(text, {"\r": "&#13;"})


def _text_or_time(value: object) -> str:
    """The rest of a text or date cell after its reference: ' t="inlineStr">...</c>'."""
    if isinstance(value, date):
        style = _STYLE_OF[DATETIME if isinstance(value, datetime) else DATE]
        return f' s="{style}"><v>{_serial(value)!r}</v></c>'
    return f' t="inlineStr"><is><t xml:space="preserve">{_xml_text(str(value))}</t></is></c>'


def _sheet_rows(columns: Sequence[Column], rows: Iterable[Sequence[object]]) -> Iterator[str]:
    letters = [_letters(index) for index in range(len(columns))]
    number_styles = [f' s="{_STYLE_OF[DECIMAL]}"' if column.kind == DECIMAL else "" for column in columns]
    yield '<row r="1">' + "".join(
        f'<c r="{letter}1" s="1" t="inlineStr"><is><t xml:space="preserve">{_xml_text(column.header)}'
        f'</t></is></c>' for letter, column in zip(letters, columns, strict=True)) + "</row>"
    # Names, statuses and times repeat from row to row: their cell text is made once (a bounded cache).
    made: dict[object, str] = {}
    for number, row in enumerate(rows, 2):
        cells = [f'<row r="{number}">']
        for letter, style, value in zip(letters, number_styles, row, strict=True):
            if value is None or value == "":
                continue
            kind = type(value)
            if kind is int or kind is float:
                cells.append(f'<c r="{letter}{number}"{style}><v>{value!r}</v></c>')
                continue
            rest = made.get(value) if kind is str or kind is datetime else None
            if rest is None:
                rest = _text_or_time(value)
                if kind is str or kind is datetime:
                    if len(made) >= _CACHED_CELLS:
                        made.clear()
                    made[value] = rest
            cells.append(f'<c r="{letter}{number}"{rest}')
        cells.append("</row>")
        yield "".join(cells)


def write_xlsx(target: BinaryIO, *, sheet: str, columns: Sequence[Column],
               rows: Iterable[Sequence[object]]) -> None:
    """Writes an XLSX workbook with one sheet (header row frozen, column widths set) to `target`
    (a file opened for writing bytes), consuming `rows` one at a time. Date and time values are
    naive wall-clock times in the hub's zone; the header says which zone."""
    name = escape(_SHEET_NAME_REFUSED.sub(" ", sheet).strip()[:31] or "Sheet1", {'"': "&quot;"})
    widths = "".join(f'<col min="{index}" max="{index}" width="{column.width}" customWidth="1"/>'
                     for index, column in enumerate(columns, 1))
    with zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED, compresslevel=_COMPRESSION) as package:
        package.writestr("[Content_Types].xml", _CONTENT_TYPES)
        package.writestr("_rels/.rels", _ROOT_RELS)
        package.writestr("xl/workbook.xml", _HEAD + (
            f'<workbook xmlns="{_MAIN}" xmlns:r="{_RELATIONSHIPS}"><bookViews><workbookView/></bookViews>'
            f'<sheets><sheet name="{name}" sheetId="1" r:id="rId1"/></sheets></workbook>'))
        package.writestr("xl/_rels/workbook.xml.rels", _WORKBOOK_RELS)
        package.writestr("xl/styles.xml", _STYLES)
        with package.open("xl/worksheets/sheet1.xml", "w", force_zip64=True) as part:
            part.write((_HEAD + f'<worksheet xmlns="{_MAIN}" xmlns:r="{_RELATIONSHIPS}"><sheetViews>'
                        '<sheetView workbookViewId="0"><pane ySplit="1" topLeftCell="A2" activePane="bottomLeft" '
                        'state="frozen"/></sheetView></sheetViews><sheetFormatPr defaultRowHeight="15"/>'
                        f'<cols>{widths}</cols><sheetData>').encode())
            pending: list[str] = []
            for row in _sheet_rows(columns, rows):
                pending.append(row)
                if len(pending) == _ROWS_PER_CHUNK:
                    part.write("".join(pending).encode())
                    pending.clear()
            part.write(("".join(pending) + "</sheetData></worksheet>").encode())

"""Files that staff open in a spreadsheet (CSV exports): no cell a member wrote may run as a formula.

Excel, LibreOffice and Google Sheets run a cell as a formula when it starts with = + - @, and
some also after a leading tab or carriage return (OWASP, "CSV Injection"); Excel and LibreOffice
also read the full-width forms ＝ ＋ － ＠ that an Indonesian or Japanese keyboard types as the
ASCII ones. Such a cell gets a leading apostrophe, which the spreadsheet shows as text and does
not run. Numbers are left alone; quoting and embedded quotes and line breaks are the csv
module's job.
"""

import csv
import io
from collections.abc import Iterable

FORMULA_STARTS = frozenset("=+-@\t\r\n＝＋－＠")
# Spaces a spreadsheet may skip before it looks at the first character.
_LEADING_SPACE = " \u00a0\u3000"


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

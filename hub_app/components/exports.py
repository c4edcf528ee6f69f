"""Download links of the staff exports (GET /api/admin/exports/<kind>.<csv|xlsx>, api/exports.py)
for a period: one line per export with its CSV and its XLSX file, in the page's language."""

import reflex as rx

from hub_app.domain.exports import FORMATS, KINDS
from hub_app.state.i18n import t
from hub_app.state.session import SessionState

# The exports' names in one column and their two files beside them, also on a 390 px phone where a
# long name ("Pendaftaran pelatihan") takes two lines instead of pushing a file to the next line.
_LINE = {"display": "grid", "grid_template_columns": "minmax(6rem, 10rem) auto auto", "justify_content": "start"}


def export_links(first_day: rx.Var, last_day: rx.Var) -> rx.Component:
    """`first_day` and `last_day` are the period's local days, "YYYY-MM-DD"."""
    query = "?from=" + first_day + "&to=" + last_day + "&lang=" + rx.cond(SessionState.is_en, "en", "id")

    def line(kind: str) -> rx.Component:
        name = t(f"exports.sheet.{kind}")
        # The browser fetches the file itself (reload_document): the client-side router knows no /api pages.
        return rx.el.div(
            rx.el.span(name, class_name="chips-label"),
            *[rx.el.a(rx.icon("download", size=16, aria_hidden="true"), file_format.upper(),
                      href=f"/api/admin/exports/{kind}.{file_format}" + query, reload_document=True,
                      aria_label=name + f" ({file_format.upper()})", class_name="button ghost small",
                      data_testid=f"export-{kind}-{file_format}")
              for file_format in FORMATS],
            class_name="chips", style=_LINE,
        )

    return rx.el.div(rx.el.h3(t("exports.links_title")), rx.el.p(t("exports.links_note"), class_name="muted small"),
                     *[line(kind) for kind in KINDS], data_testid="insights-exports")

"""The programme report's layout (ReportLab Platypus, A4): a title block, the key figures of the
month against the previous one, then sections of charts and tables; on every page the hub's name,
the month, "page x of y" and when it was made (WIB).

It lays out text that is already in the reader's language (ReportContent, made by the service from
the hub's figures) and translates only its own frame (page numbers, column names)."""

from dataclasses import dataclass, field
from io import BytesIO
from xml.sax.saxutils import escape

from reportlab.lib import colors
from reportlab.lib.enums import TA_RIGHT
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import (
    BaseDocTemplate,
    CondPageBreak,
    Frame,
    KeepTogether,
    PageTemplate,
    Paragraph,
    Spacer,
    Table,
    TableStyle,
)

from hub_app.i18n import translate
from hub_app.services.programme_report.charts import BRAND, GRID, INK, MUTED, BarChart, draw
from hub_app.services.programme_report.fonts import BOLD, REGULAR, register_fonts

PAGE_WIDTH, PAGE_HEIGHT = A4
MARGIN = 18 * mm
BOTTOM = 20 * mm
CONTENT_WIDTH = PAGE_WIDTH - 2 * MARGIN
GROUP_BACKGROUND = colors.HexColor("#e8eef7")
ZEBRA = colors.HexColor("#f7f8fb")


@dataclass
class FigureRow:
    label: str
    current: str
    previous: str
    change: str


@dataclass
class FigureGroup:
    title: str
    rows: list[FigureRow]


@dataclass
class ReportTable:
    header: list[str]
    rows: list[list[str]]
    widths: list[float]  # fractions of the page's text width
    numeric_from: int = 1  # columns from this one on are numbers, aligned right


@dataclass
class Section:
    title: str
    charts: list[BarChart] = field(default_factory=list)
    table: ReportTable | None = None
    note: str = ""  # said instead of (or under) the table, e.g. that nothing happened


@dataclass
class ReportContent:
    lang: str
    hub_name: str
    title: str
    month: str
    previous_month: str
    generated: str  # when, in the hub's zone ("3 Des 2026, 09.15 WIB")
    summary: str
    figures: list[FigureGroup]
    sections: list[Section]


def _styles() -> dict[str, ParagraphStyle]:
    base = ParagraphStyle("body", fontName=REGULAR, fontSize=9, leading=12.5, textColor=INK)
    return {
        "body": base,
        "kicker": ParagraphStyle("kicker", base, fontSize=9, textColor=BRAND, fontName=BOLD, spaceAfter=2),
        "title": ParagraphStyle("title", base, fontName=BOLD, fontSize=21, leading=25, spaceAfter=4),
        "subtitle": ParagraphStyle("subtitle", base, fontSize=11, leading=15, textColor=MUTED, spaceAfter=10),
        "heading": ParagraphStyle("heading", base, fontName=BOLD, fontSize=12.5, leading=16, textColor=BRAND,
                                  spaceBefore=12, spaceAfter=6),
        "cell": ParagraphStyle("cell", base, fontSize=8.5, leading=11),
        "number": ParagraphStyle("number", base, fontSize=8.5, leading=11, alignment=TA_RIGHT),
        # Column names wrap between words only (a narrow number column must not read "Session/s").
        "head": ParagraphStyle("head", base, fontName=BOLD, fontSize=7.5, leading=9.5, textColor=colors.white,
                               splitLongWords=False),
        "head_number": ParagraphStyle("head_number", base, fontName=BOLD, fontSize=7.5, leading=9.5,
                                      textColor=colors.white, alignment=TA_RIGHT, splitLongWords=False),
        "group": ParagraphStyle("group", base, fontName=BOLD, fontSize=8.5, leading=11, textColor=BRAND),
        "note": ParagraphStyle("note", base, fontSize=8.5, textColor=MUTED, spaceBefore=2),
    }


def _text(value: str, style: ParagraphStyle) -> Paragraph:
    """People's words (training titles, space names) as text, never as Paragraph markup."""
    return Paragraph(escape(value), style)


def _table_style(extra: list[tuple]) -> TableStyle:
    return TableStyle([
        ("FONT", (0, 0), (-1, -1), REGULAR, 8.5),  # the cells' own default is Helvetica, not embedded
        ("BACKGROUND", (0, 0), (-1, 0), BRAND),
        ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
        ("TOPPADDING", (0, 0), (-1, -1), 3.5),
        ("BOTTOMPADDING", (0, 0), (-1, -1), 3.5),
        ("LEFTPADDING", (0, 0), (-1, -1), 5),
        ("RIGHTPADDING", (0, 0), (-1, -1), 5),
        ("LINEBELOW", (0, 1), (-1, -1), 0.4, GRID),
        *extra,
    ])


def _figures_table(content: ReportContent, styles) -> Table:
    lang = content.lang
    rows = [[_text(translate("programme_report.figure", lang), styles["head"]),
             _text(content.month, styles["head_number"]),
             _text(content.previous_month, styles["head_number"]),
             _text(translate("programme_report.change", lang), styles["head_number"])]]
    extra = []
    for group in content.figures:
        extra.append(("SPAN", (0, len(rows)), (-1, len(rows))))
        extra.append(("BACKGROUND", (0, len(rows)), (-1, len(rows)), GROUP_BACKGROUND))
        rows.append([_text(group.title, styles["group"]), "", "", ""])
        for row in group.rows:
            rows.append([_text(row.label, styles["cell"]), _text(row.current, styles["number"]),
                         _text(row.previous, styles["number"]), _text(row.change, styles["number"])])
    widths = [CONTENT_WIDTH * share for share in (0.46, 0.18, 0.18, 0.18)]
    table = Table(rows, colWidths=widths, repeatRows=1)
    table.setStyle(_table_style(extra))
    return table


def _report_table(spec: ReportTable, styles) -> Table:
    def cell(value: str, column: int, head: bool) -> Paragraph:
        numeric = column >= spec.numeric_from
        name = ("head_number" if numeric else "head") if head else ("number" if numeric else "cell")
        return _text(value, styles[name])

    rows = [[cell(value, column, True) for column, value in enumerate(spec.header)]]
    rows += [[cell(value, column, False) for column, value in enumerate(row)] for row in spec.rows]
    zebra = [("BACKGROUND", (0, index), (-1, index), ZEBRA) for index in range(2, len(rows), 2)]
    table = Table(rows, colWidths=[CONTENT_WIDTH * share for share in spec.widths], repeatRows=1)
    table.setStyle(_table_style(zebra))
    return table


def _charts(charts: list[BarChart]) -> list:
    """Vertical charts two to a row, horizontal ones across the page."""
    flowables, pair = [], []
    for chart in charts:
        if chart.horizontal:
            flowables.append(draw(chart, CONTENT_WIDTH))
            flowables.append(Spacer(1, 8))
        else:
            pair.append(chart)
    for start in range(0, len(pair), 2):
        two = pair[start:start + 2]
        half = (CONTENT_WIDTH - 14) / 2
        cells = [draw(chart, half) for chart in two] + ([""] if len(two) == 1 else [])
        grid = Table([cells], colWidths=[half + 7, half + 7])
        grid.setStyle(TableStyle([("FONT", (0, 0), (-1, -1), REGULAR, 8.5), ("LEFTPADDING", (0, 0), (-1, -1), 0),
                                  ("RIGHTPADDING", (0, 0), (-1, -1), 7),
                                  ("VALIGN", (0, 0), (-1, -1), "TOP")]))
        flowables += [grid, Spacer(1, 8)]
    return flowables


def _story(content: ReportContent) -> list:
    styles = _styles()
    story = [
        _text(content.hub_name, styles["kicker"]),
        _text(content.title, styles["title"]),
        _text(translate("programme_report.subtitle", content.lang, month=content.month,
                        previous=content.previous_month), styles["subtitle"]),
        _text(content.summary, styles["body"]),
        _text(translate("programme_report.key_figures", content.lang), styles["heading"]),
        _figures_table(content, styles),
    ]
    for section in content.sections:
        # A heading is never left alone at the foot of a page.
        story.append(CondPageBreak(70 * mm))
        parts = [_text(section.title, styles["heading"])]
        parts += _charts(section.charts)
        if section.table is not None and section.table.rows:
            parts.append(_report_table(section.table, styles))
        if section.note:
            parts.append(_text(section.note, styles["note"]))
        # A section stays on one page when it fits; a longer one still splits (tables repeat their header).
        story.append(KeepTogether(parts))
    return story


def _canvas_class(content: ReportContent):
    """A canvas that holds its pages back until the end, so every page can say "page x of y"."""
    lang = content.lang

    class NumberedCanvas(Canvas):
        def __init__(self, *args, **kwargs):
            super().__init__(*args, **kwargs)
            self._held_pages: list[dict] = []

        def showPage(self):  # noqa: N802 (ReportLab's name)
            self._held_pages.append(dict(self.__dict__))
            self._startPage()

        def save(self):
            total = len(self._held_pages)
            for page_state in self._held_pages:
                self.__dict__.update(page_state)
                self._frame(total)
                super().showPage()
            super().save()

        def _frame(self, total: int) -> None:
            top = PAGE_HEIGHT - 11 * mm
            self.setFillColor(BRAND)
            self.rect(0, PAGE_HEIGHT - 5 * mm, PAGE_WIDTH, 5 * mm, stroke=0, fill=1)
            self.setFont(BOLD, 8)
            self.setFillColor(INK)
            self.drawString(MARGIN, top, content.hub_name)
            self.setFont(REGULAR, 8)
            self.setFillColor(MUTED)
            self.drawRightString(PAGE_WIDTH - MARGIN, top, f"{content.title} · {content.month}")
            self.setStrokeColor(GRID)
            self.setLineWidth(0.5)
            self.line(MARGIN, 13 * mm, PAGE_WIDTH - MARGIN, 13 * mm)
            self.drawString(MARGIN, 9 * mm, translate("programme_report.generated", lang, when=content.generated))
            self.drawRightString(PAGE_WIDTH - MARGIN, 9 * mm,
                                 translate("programme_report.page", lang, page=self._pageNumber, total=total))

    return NumberedCanvas


def build_pdf(content: ReportContent) -> bytes:
    register_fonts()
    output = BytesIO()
    document = BaseDocTemplate(
        output, pagesize=A4, title=f"{content.title} · {content.month}", author=content.hub_name,
        subject=content.summary, creator=content.hub_name, lang="id-ID" if content.lang == "id" else "en-GB",
        initialFontName=REGULAR)  # else every page names Helvetica, a font that is not embedded
    # No frame padding: tables, charts and text share the page header's left and right edges.
    frame = Frame(MARGIN, BOTTOM, CONTENT_WIDTH, PAGE_HEIGHT - MARGIN - BOTTOM,
                  leftPadding=0, rightPadding=0, topPadding=0, bottomPadding=0)
    document.addPageTemplates([PageTemplate(id="report", frames=[frame])])
    document.build(_story(content), canvasmaker=_canvas_class(content))
    return output.getvalue()

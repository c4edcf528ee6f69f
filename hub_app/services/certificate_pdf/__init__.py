"""The training certificate as a one-page PDF (ReportLab, A4 landscape), in Indonesian or English.

Everything on it is text a reader can copy and a machine can read (pypdf): the member's name, the
training, its dates and hours, the hub's name and its partners, the code and the address where
anyone checks it; the QR code (segno) holds that address. The fonts are the programme report's
(DejaVu Sans, embedded), so any name prints with its own letters. A certificate that is no longer
valid (staff may download one) is stamped across the page with its status."""

from dataclasses import dataclass
from io import BytesIO
from xml.sax.saxutils import escape

import segno
from reportlab.lib import colors
from reportlab.lib.enums import TA_CENTER
from reportlab.lib.pagesizes import A4, landscape
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.lib.utils import ImageReader
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import Paragraph

from hub_app.i18n import translate
from hub_app.services.programme_report.charts import BRAND, INK, MUTED
from hub_app.services.programme_report.fonts import BOLD, REGULAR, register_fonts

PAGE_WIDTH, PAGE_HEIGHT = landscape(A4)
MARGIN = 16 * mm
QR_SIZE = 34 * mm
# Pixels per QR module in the embedded image: crisp when printed, and each module is a whole square.
QR_SCALE = 8
ACCENT = colors.HexColor("#c8a24a")


@dataclass
class CertificateText:
    lang: str
    name: str
    training: str  # in `lang`
    dates: str
    hours: str
    issued: str
    code: str  # grouped, as printed
    verify_url: str
    hub_name: str
    status: str  # valid | revoked | replaced


def qr_png(url: str) -> bytes:
    """The QR code image printed on the certificate (also what tests compare it with)."""
    output = BytesIO()
    segno.make(url, error="m").save(output, kind="png", scale=QR_SCALE, border=0)
    return output.getvalue()


def _centered(canvas: Canvas, text: str, style: ParagraphStyle, top: float, width: float) -> float:
    """Draws a wrapped, centred paragraph whose top is at `top`; returns where it ends."""
    paragraph = Paragraph(escape(text), style)
    _, height = paragraph.wrap(width, PAGE_HEIGHT)
    paragraph.drawOn(canvas, (PAGE_WIDTH - width) / 2, top - height)
    return top - height


def _style(name: str, font: str, size: float, color=INK, leading: float | None = None) -> ParagraphStyle:
    return ParagraphStyle(name, fontName=font, fontSize=size, leading=leading or size * 1.25,
                          alignment=TA_CENTER, textColor=color)


def _frame(canvas: Canvas) -> None:
    canvas.setStrokeColor(BRAND)
    canvas.setLineWidth(3)
    canvas.rect(8 * mm, 8 * mm, PAGE_WIDTH - 16 * mm, PAGE_HEIGHT - 16 * mm)
    canvas.setStrokeColor(ACCENT)
    canvas.setLineWidth(0.8)
    canvas.rect(11 * mm, 11 * mm, PAGE_WIDTH - 22 * mm, PAGE_HEIGHT - 22 * mm)


def _stamp(canvas: Canvas, text: CertificateText) -> None:
    canvas.saveState()
    canvas.setFillColor(colors.Color(0.75, 0.1, 0.1, alpha=0.25))
    canvas.setFont(BOLD, 80)
    canvas.translate(PAGE_WIDTH / 2, PAGE_HEIGHT / 2)
    canvas.rotate(20)
    canvas.drawCentredString(0, 0, translate(f"certificates.status.{text.status}", text.lang).upper())
    canvas.restoreState()


def build_pdf(text: CertificateText) -> bytes:
    register_fonts()
    lang = text.lang
    output = BytesIO()
    title = translate("certificates.pdf.title", lang)
    canvas = Canvas(output, pagesize=(PAGE_WIDTH, PAGE_HEIGHT), initialFontName=REGULAR,
                    lang="id-ID" if lang == "id" else "en-GB")
    canvas.setTitle(f"{title} · {text.training} · {text.name}")
    canvas.setAuthor(text.hub_name)
    canvas.setCreator(text.hub_name)
    canvas.setSubject(text.code)
    _frame(canvas)
    width = PAGE_WIDTH - 2 * MARGIN - 20 * mm
    top = PAGE_HEIGHT - 22 * mm
    top = _centered(canvas, text.hub_name, _style("hub", BOLD, 15, BRAND), top, width)
    top = _centered(canvas, translate("certificates.pdf.partners", lang), _style("partners", REGULAR, 9, MUTED),
                    top - 2 * mm, width * 0.7)
    top = _centered(canvas, title.upper(), _style("title", BOLD, 30, INK), top - 10 * mm, width)
    top = _centered(canvas, translate("certificates.pdf.awarded_to", lang), _style("lead", REGULAR, 12, MUTED),
                    top - 6 * mm, width)
    top = _centered(canvas, text.name, _style("name", BOLD, 26, BRAND), top - 4 * mm, width)
    canvas.setStrokeColor(ACCENT)
    canvas.setLineWidth(1)
    canvas.line(PAGE_WIDTH / 2 - 60 * mm, top - 3 * mm, PAGE_WIDTH / 2 + 60 * mm, top - 3 * mm)
    top = _centered(canvas, translate("certificates.pdf.completed", lang), _style("lead2", REGULAR, 12, MUTED),
                    top - 8 * mm, width)
    top = _centered(canvas, text.training, _style("training", BOLD, 18, INK), top - 3 * mm, width)
    top = _centered(canvas, translate("certificates.pdf.dates_hours", lang, dates=text.dates, hours=text.hours),
                    _style("dates", REGULAR, 11, INK), top - 4 * mm, width)
    _centered(canvas, translate("certificates.pdf.issued", lang, date=text.issued),
              _style("issued", REGULAR, 10, MUTED), top - 2 * mm, width)

    # The QR code and the code, bottom right; how to check it, bottom left.
    qr_x, qr_y = PAGE_WIDTH - MARGIN - 14 * mm - QR_SIZE, 22 * mm
    canvas.drawImage(ImageReader(BytesIO(qr_png(text.verify_url))), qr_x, qr_y, QR_SIZE, QR_SIZE)
    canvas.setFillColor(INK)
    canvas.setFont(BOLD, 9)
    canvas.drawCentredString(qr_x + QR_SIZE / 2, qr_y - 5 * mm, text.code)
    left = MARGIN + 6 * mm
    canvas.setFont(BOLD, 9)
    canvas.drawString(left, 34 * mm, translate("certificates.pdf.code_label", lang, code=text.code))
    canvas.setFont(REGULAR, 9)
    canvas.setFillColor(MUTED)
    canvas.drawString(left, 29 * mm, translate("certificates.pdf.check_at", lang))
    canvas.setFillColor(BRAND)
    canvas.drawString(left, 24 * mm, text.verify_url)
    if text.status != "valid":
        _stamp(canvas, text)
    canvas.showPage()
    canvas.save()
    return output.getvalue()

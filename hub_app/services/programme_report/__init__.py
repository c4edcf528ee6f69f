"""The monthly programme report for the hub's partners (the City of Jakarta, Berlin, the EU-funded
programme): a PDF in Indonesian or English with the key figures of a calendar month against the
calendar month before it, the charts, the most attended trainings and space use by kind.

The figures are services.insights.hub_insights' own, for the month against the calendar month before
(and that month's own rows per kind of space, for the comparison chart). Staff and admins only;
the command line (`python -m hub_app.cli report`) acts as the system with staff's rights. Read-only.
"""

from dataclasses import dataclass
from datetime import timedelta

from sqlmodel import Session

from hub_app.domain.errors import InvalidInput, NotAllowed
from hub_app.domain.insights import MONTH, Period, month_period
from hub_app.domain.permissions import Actor, may_manage_members
from hub_app.i18n import LOCALES
from hub_app.models.base import utcnow
from hub_app.services.insights import hub_insights
from hub_app.services.programme_report.content import report_content
from hub_app.services.programme_report.document import build_pdf
from hub_app.settings import get_settings


@dataclass
class ProgrammeReport:
    filename: str  # "programme-report-2026-11-en.pdf"
    pdf: bytes


def programme_report(actor: Actor | None, *, session: Session, month: object, lang: object) -> ProgrammeReport:
    """The report of `month` ("YYYY-MM") in `lang` ("id" | "en"). Raises NotAllowed unless the actor
    is active staff (before reading anything), InvalidInput for another language
    ("programme_report.error.lang") or a month that is not YYYY-MM ("figures.error.month")."""
    if not may_manage_members(actor):
        raise NotAllowed()
    if not isinstance(lang, str) or lang not in LOCALES:
        raise InvalidInput("programme_report.error.lang", field="lang")
    period = month_period(month)
    before = period.first_day - timedelta(days=1)
    previous = Period(MONTH, before.replace(day=1), before)
    this = hub_insights(actor, session=session, period=period, previous=previous, lang=lang)
    last = hub_insights(actor, session=session, period=previous, lang=lang)
    content = report_content(this, last, lang=lang, generated_at=utcnow(), timezone=get_settings().timezone)
    return ProgrammeReport(f"programme-report-{period.first_day:%Y-%m}-{lang}.pdf", build_pdf(content))

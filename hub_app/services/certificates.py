"""Training certificates: issued when a member completes a training, checked by anyone at
/certificates/<code>, downloaded as a PDF by their owner (and staff), revoked or reissued by staff.

Issuing happens inside the enrolment service's transaction that records the completion (it holds
the training's lock), so a completion and its certificate are written together or not at all; the
partial unique index on (user_id, training_id) WHERE status = 'valid' keeps one valid certificate
per member and training even if two paths tried at once. A completion taken back (attendance
corrected) revokes the certificate; completing again issues a new one.

What anyone may read about a certificate is its status, the printed name, the training and the
date: CertificateCheck holds nothing else (the reason and the staff actions only for staff).
"""

import time
from collections import OrderedDict, deque
from dataclasses import dataclass
from datetime import datetime
from threading import Lock
from zoneinfo import ZoneInfo

from sqlmodel import Session, col, select

from hub_app.db import begin_write
from hub_app.domain import certificates as rules
from hub_app.domain import validation
from hub_app.domain.errors import Conflict, NotAllowed, NotFound
from hub_app.domain.permissions import Actor
from hub_app.i18n import format_date, pick_marked, translate
from hub_app.models import User
from hub_app.models.base import utcnow
from hub_app.models.certificates import Certificate
from hub_app.models.trainings import Training, TrainingSession
from hub_app.services import audit, personal_data
from hub_app.services.trainings import may_manage_trainings, require_staff
from hub_app.settings import get_settings

HUB_NAME = "Jakarta Future City Hub"
# How many of a member's certificates /trainings/mine and their profile list (newest first).
LIST_LIMIT = 200


def _timezone() -> str:
    return get_settings().timezone


def _local_day(value: datetime, locale: str) -> str:
    return format_date(value.astimezone(ZoneInfo(_timezone())), locale, "d MMMM y")


def _dates(certificate: Certificate, locale: str) -> str:
    first, last = _local_day(certificate.starts_at, locale), _local_day(certificate.ends_at, locale)
    return first if first == last else f"{first} – {last}"


def _title(certificate: Certificate, locale: str) -> str:
    return pick_marked(certificate.title_id, certificate.title_en, locale)


def _hours(certificate: Certificate) -> str:
    return rules.hours_text(certificate.minutes / 60)


def _verify_url(certificate: Certificate) -> str:
    return rules.verify_url(get_settings().public_base_url, certificate.code)


# --- issuing (inside the enrolment service's completion transaction) ---------------------------

def issue_for_completion(session: Session, training: Training, member: User, now: datetime) -> Certificate:
    """The member's valid certificate of `training`, made now if they hold none. The caller holds
    the training's lock and commits."""
    live = session.exec(select(Certificate).where(Certificate.user_id == member.id,
                                                  Certificate.training_id == training.id,
                                                  Certificate.status == rules.VALID)).first()
    if live is not None:
        return live
    certificate = _new_certificate(session, training, member.id, member.name, now)
    session.add(certificate)
    session.flush()
    return certificate


def _new_certificate(session: Session, training: Training, user_id: int, name: str, now: datetime) -> Certificate:
    sessions = session.exec(select(TrainingSession.start_at, TrainingSession.end_at)
                            .where(TrainingSession.training_id == training.id)).all()
    hours = rules.hours_of([(start, end) for start, end in sessions])
    starts = training.starts_at or now
    return Certificate(
        code=_unused_code(session), user_id=user_id, training_id=training.id, name=name[:rules.LIMITS["name"]],
        title_id=training.title_id, title_en=training.title_en, starts_at=starts, ends_at=training.ends_at or starts,
        minutes=round(hours * 60), issued_at=now, status=rules.VALID)


def _unused_code(session: Session) -> str:
    # 100 random bits: a clash is practically impossible, but looking costs one indexed read.
    while True:
        code = rules.new_code()
        if session.exec(select(Certificate.id).where(Certificate.code == code)).first() is None:
            return code


def withdraw_for_completion(session: Session, training: Training, user_id: int, now: datetime) -> None:
    """The member's completion was taken back (attendance corrected): their certificate no longer
    holds. The caller holds the training's lock and commits."""
    live = session.exec(select(Certificate).where(Certificate.user_id == user_id,
                                                  Certificate.training_id == training.id,
                                                  Certificate.status == rules.VALID)).first()
    if live is not None:
        live.status, live.changed_at = rules.REVOKED, now
        live.reason = translate("certificates.reason_completion_withdrawn", "id")
        session.add(live)


# --- the public check ------------------------------------------------------------------------

@dataclass
class CertificateCheck:
    found: bool
    code: str  # grouped, as printed
    status: str  # valid | revoked | replaced ("" when not found)
    name: str
    training: str
    date: str  # the day it was issued, in the reader's language
    replaced_by: str  # the newer certificate's path, when replaced
    # Staff only (empty / False for everyone else):
    may_manage: bool
    reason: str
    member_id: int


NOT_FOUND = CertificateCheck(False, "", "", "", "", "", "", False, "", 0)


def _find(session: Session, code: object, *, for_update: bool = False) -> Certificate:
    parsed = rules.parse_code(code)
    if parsed is None:
        raise NotFound("certificates.error.not_found")
    query = select(Certificate).where(Certificate.code == parsed)
    if for_update:
        query = query.with_for_update().execution_options(populate_existing=True)
    certificate = session.exec(query).first()
    if certificate is None:
        raise NotFound("certificates.error.not_found")
    return certificate


class LookupLimit:
    """At most `per_minute` checks a minute from one client address, in this process: a code has
    100 random bits, so this is not what stops guessing; it keeps one client from keeping the
    database busy. The addresses remembered are bounded too (the oldest forgotten first)."""

    def __init__(self, per_minute: int = 60, addresses: int = 10_000):
        self.per_minute, self.addresses = per_minute, addresses
        self._seen: OrderedDict[str, deque[float]] = OrderedDict()
        self._lock = Lock()

    def allow(self, client: str, now: float | None = None) -> bool:
        now = time.monotonic() if now is None else now
        with self._lock:
            times = self._seen.pop(client, None) or deque()
            while times and times[0] <= now - 60:
                times.popleft()
            self._seen[client] = times
            while len(self._seen) > self.addresses:
                self._seen.popitem(last=False)
            if len(times) >= self.per_minute:
                return False
            times.append(now)
            return True


LOOKUPS = LookupLimit()


def check(actor: Actor | None, *, session: Session, code: object, locale: object = "id",
          client: object = "") -> CertificateCheck:
    """What /certificates/<code> shows to anyone. Raises NotFound ("certificates.error.not_found")
    for a code that is malformed, too long or unknown, Conflict ("certificates.error.too_many")
    past LOOKUPS' limit for the client address; reads only."""
    locale = locale if locale in ("id", "en") else "id"
    if not LOOKUPS.allow(str(client or "")[:64]):
        raise Conflict("certificates.error.too_many")
    certificate = _find(session, code)
    newer = session.get(Certificate, certificate.replaced_by) if certificate.replaced_by else None
    staff = may_manage_trainings(actor)
    return CertificateCheck(
        found=True, code=rules.grouped(certificate.code), status=certificate.status, name=certificate.name,
        training=_title(certificate, locale), date=_local_day(certificate.issued_at, locale),
        replaced_by=rules.verify_path(newer.code) if newer else "", may_manage=staff,
        reason=certificate.reason if staff else "", member_id=certificate.user_id if staff else 0)


# --- the member's own certificates ---------------------------------------------------------------

@dataclass
class MyCertificate:
    code: str  # grouped
    training_id: int
    title: str
    dates: str
    hours: str
    issued: str
    status: str
    verify_url: str
    pdf_url: str
    linkedin_url: str
    show_on_profile: bool


def _linkedin(certificate: Certificate, locale: str) -> str:
    return rules.linkedin_url(certification=_title(certificate, locale), organization=HUB_NAME,
                              issued=certificate.issued_at.astimezone(ZoneInfo(_timezone())),
                              cert_url=_verify_url(certificate), cert_id=rules.grouped(certificate.code))


def mine(actor: Actor | None, *, session: Session) -> list[MyCertificate]:
    """The actor's certificates, newest first (valid ones with their links; revoked and replaced
    ones with their status only)."""
    if actor is None:
        raise NotAllowed("error.sign_in_required")
    rows = session.exec(select(Certificate).where(Certificate.user_id == actor.user_id)
                        .order_by(col(Certificate.issued_at).desc(), col(Certificate.id).desc())
                        .limit(LIST_LIMIT)).all()
    result = []
    for certificate in rows:
        valid = certificate.status == rules.VALID
        grouped = rules.grouped(certificate.code)
        result.append(MyCertificate(
            code=grouped, training_id=certificate.training_id, title=_title(certificate, actor.locale),
            dates=_dates(certificate, actor.locale), hours=_hours(certificate),
            issued=_local_day(certificate.issued_at, actor.locale), status=certificate.status,
            verify_url=_verify_url(certificate),
            pdf_url=f"/api/certificates/{grouped}.pdf?lang={actor.locale}" if valid else "",
            linkedin_url=_linkedin(certificate, actor.locale) if valid else "",
            show_on_profile=certificate.show_on_profile and valid))
    return result


def show_on_profile(actor: Actor | None, *, session: Session, code: object, shown: object) -> None:
    """The owner chooses whether a valid certificate appears on their directory profile."""
    if actor is None:
        raise NotAllowed("error.sign_in_required")
    shown = validation.flag(shown, field="certificates.shown")
    begin_write(session)
    certificate = _find(session, code, for_update=True)
    # Someone else's certificate is refused exactly like an unknown one.
    if certificate.user_id != actor.user_id:
        raise NotFound("certificates.error.not_found")
    if certificate.status != rules.VALID:
        raise Conflict("certificates.error.not_valid")
    certificate.show_on_profile = shown
    session.add(certificate)
    session.commit()


# --- staff: revoke and reissue -------------------------------------------------------------------

def revoke(actor: Actor | None, *, session: Session, code: object, reason: object) -> None:
    """Staff withdraw a valid certificate, saying why (the reason is kept and audited)."""
    actor = require_staff(actor)
    reason = validation.text(reason, field="certificates.reason", max_length=rules.LIMITS["reason"], required=True)
    begin_write(session)
    certificate = _find(session, code, for_update=True)
    if certificate.status != rules.VALID:
        raise Conflict("certificates.error.not_valid")
    certificate.status, certificate.reason = rules.REVOKED, reason
    certificate.changed_at, certificate.changed_by = utcnow(), actor.user_id
    certificate.show_on_profile = False
    session.add(certificate)
    audit.record(session, actor, "certificate.revoke", target_type="user", target_id=certificate.user_id,
                 detail=f"certificate={certificate.code} training={certificate.training_id} {reason}")
    session.commit()


def reissue(actor: Actor | None, *, session: Session, code: object, name: object, reason: object = "") -> str:
    """Staff replace a valid certificate by a new one with a corrected name: the old code then says
    "replaced" and points to the new one. Returns the new code (grouped)."""
    actor = require_staff(actor)
    name = validation.text(name, field="certificates.name", max_length=rules.LIMITS["name"], required=True)
    reason = validation.text(reason, field="certificates.reason", max_length=rules.LIMITS["reason"])
    begin_write(session)
    old = _find(session, code, for_update=True)
    if old.status != rules.VALID:
        raise Conflict("certificates.error.not_valid")
    now = utcnow()
    old.status, old.reason, old.changed_at, old.changed_by = rules.REPLACED, reason, now, actor.user_id
    session.add(old)
    session.flush()  # the old one leaves the "one valid per member and training" index first
    new = Certificate(code=_unused_code(session), user_id=old.user_id, training_id=old.training_id, name=name,
                      title_id=old.title_id, title_en=old.title_en, starts_at=old.starts_at, ends_at=old.ends_at,
                      minutes=old.minutes, issued_at=now, status=rules.VALID, show_on_profile=old.show_on_profile)
    session.add(new)
    session.flush()
    old.replaced_by, old.show_on_profile = new.id, False
    session.add(old)
    audit.record(session, actor, "certificate.reissue", target_type="user", target_id=old.user_id,
                 detail=f"certificate={old.code} new={new.code} training={old.training_id} {reason}")
    new_code = rules.grouped(new.code)
    session.commit()
    return new_code


@dataclass
class StaffCertificate:
    code: str
    title: str
    issued: str
    status: str
    name: str


def of_member(actor: Actor | None, *, session: Session, member_id: object) -> list[StaffCertificate]:
    """Staff: a member's certificates (for their record), newest first."""
    actor = require_staff(actor)
    member_id = validation.identifier(member_id, field="certificates.member_id")
    rows = session.exec(select(Certificate).where(Certificate.user_id == member_id)
                        .order_by(col(Certificate.issued_at).desc(), col(Certificate.id).desc())
                        .limit(LIST_LIMIT)).all()
    return [StaffCertificate(rules.grouped(row.code), _title(row, actor.locale),
                             _local_day(row.issued_at, actor.locale), row.status, row.name) for row in rows]


# --- the PDF -------------------------------------------------------------------------------------

@dataclass
class CertificateFile:
    filename: str
    pdf: bytes


def certificate_pdf(actor: Actor | None, *, session: Session, code: object, lang: object) -> CertificateFile:
    """The certificate as a PDF in `lang`, for its owner (a valid one) and for staff (any).
    Raises NotAllowed without a session, NotFound for anyone else's or an unknown code."""
    from hub_app.services.certificate_pdf import CertificateText, build_pdf

    if actor is None:
        raise NotAllowed("error.sign_in_required")
    lang = lang if lang in ("id", "en") else actor.locale
    certificate = _find(session, code)
    staff = may_manage_trainings(actor)
    if not staff and (certificate.user_id != actor.user_id or certificate.status != rules.VALID):
        raise NotFound("certificates.error.not_found")
    grouped = rules.grouped(certificate.code)
    text = CertificateText(
        lang=lang, name=certificate.name, training=_title(certificate, lang), dates=_dates(certificate, lang),
        hours=_hours(certificate), issued=_local_day(certificate.issued_at, lang), code=grouped,
        verify_url=_verify_url(certificate), hub_name=HUB_NAME, status=certificate.status)
    return CertificateFile(f"certificate-{grouped}-{lang}.pdf", build_pdf(text))


# --- the member's profile in the directory -------------------------------------------------------

def _profile_section(session: Session, reader: Actor | None, member: User, locale: str):
    from hub_app.services.members import ProfileSection, SectionItem

    rows = session.exec(select(Certificate).where(Certificate.user_id == member.id,
                                                  Certificate.status == rules.VALID,
                                                  col(Certificate.show_on_profile).is_(True))
                        .order_by(col(Certificate.issued_at).desc()).limit(LIST_LIMIT)).all()
    if not rows:
        return None
    return ProfileSection(
        title=translate("certificates.profile_title", locale),
        items=[SectionItem(text=_title(row, locale), detail=_local_day(row.issued_at, locale),
                           link=rules.verify_path(row.code)) for row in rows])


def _register_profile_section() -> None:
    from hub_app.services import members

    if _profile_section not in members.PROFILE_SECTIONS:
        members.PROFILE_SECTIONS.append(_profile_section)


_register_profile_section()


# --- personal data (UU 27/2022) ------------------------------------------------------------------

def export_personal_data(session: Session, user_id: int) -> list[dict]:
    return [{"code": rules.grouped(row.code), "name": row.name, "training": row.title_id or row.title_en,
             "issued_at": row.issued_at, "status": row.status, "reason": row.reason,
             "show_on_profile": row.show_on_profile}
            for row in session.exec(select(Certificate).where(Certificate.user_id == user_id)
                                    .order_by(col(Certificate.id))).all()]


def erase_personal_data(session: Session, user_id: int) -> None:
    """An erased account's certificates stop naming them: the name goes, and a check of the code
    says "revoked" (a certificate without its holder proves nothing)."""
    now = utcnow()
    for row in session.exec(select(Certificate).where(Certificate.user_id == user_id)).all():
        row.name, row.show_on_profile = "", False
        if row.status == rules.VALID:
            row.status, row.changed_at = rules.REVOKED, now
            row.reason = translate("certificates.reason_account_erased", "id")
        session.add(row)
    session.flush()


def _register_personal_data() -> None:
    if not any(feature.name == "certificates" for feature in personal_data.FEATURES):
        personal_data.register("certificates", export=export_personal_data, erase=erase_personal_data)


_register_personal_data()

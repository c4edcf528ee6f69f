"""/certificates/<code>: anyone checks a training certificate (the address in its QR code): valid,
revoked or replaced (with a link to the new one), the name, the training and the date, nothing
else about the member. Staff also see the reason and revoke or reissue it here.

Also the "My certificates" section of /trainings/mine and the certificates on a member's record."""

import reflex as rx

from hub_app.components.forms import field, message, required_note
from hub_app.components.shell import shell
from hub_app.domain.certificates import LIMITS, MAX_INPUT
from hub_app.services import certificates
from hub_app.services.certificates import NOT_FOUND, CertificateCheck, MyCertificate, StaffCertificate
from hub_app.state.i18n import page_title, t, tf
from hub_app.state.session import SessionState, form_data, go_to, page_load


class CertificateState(SessionState):
    certificate: CertificateCheck = NOT_FOUND
    found: bool = True
    error: str = ""
    info: str = ""
    busy: bool = False

    def _code(self) -> str:
        # Anything longer cannot be a code; the service says "not found" without a lookup.
        return str(self._route_args().get("code", ""))[:MAX_INPUT + 1]

    async def _reload(self) -> None:
        found, problem = await self._run(certificates.check, code=self._code(), locale=self.lang,
                                         client=self.router.session.client_ip)
        self.certificate = found or NOT_FOUND
        self.found = found is not None
        # "Not found" is the page's own heading; any other refusal (too many checks) is said too.
        if problem and problem != self._t("certificates.error.not_found"):
            self.error = problem

    @rx.event
    @page_load
    async def load(self):
        self.error = self.info = ""
        self.busy = False
        await self._reload()

    @rx.event
    async def revoke(self, form: dict):
        """Staff only (the service refuses anyone else): the certificate on this page, with a reason."""
        self.error = self.info = ""
        reason = form_data(form).get("reason")
        _, self.error = await self._run(certificates.revoke, code=self._code(),
                                        reason=reason if isinstance(reason, str) else "")
        if not self.error:
            self.info = self._t("certificates.revoked_ok")
            await self._reload()

    @rx.event
    async def reissue(self, form: dict):
        """Staff only: a new certificate with a corrected name; the page moves to the new code."""
        self.error = self.info = ""
        name = form_data(form).get("name")
        new_code, self.error = await self._run(certificates.reissue, code=self._code(),
                                               name=name if isinstance(name, str) else "")
        if new_code:
            return go_to(f"/certificates/{new_code}")


def _fact(label_key: str, value: rx.Var, test_id: str) -> rx.Component:
    return rx.el.div(rx.el.dt(t(label_key)), rx.el.dd(value, data_testid=test_id), class_name="fact")


_INLINE = {"display": "flex", "align_items": "center", "gap": ".5rem", "margin": "0"}


def _status_banner(c: rx.Var) -> rx.Component:
    return rx.match(
        c.status,
        ("valid", rx.el.p(rx.icon("badge-check", size=20, aria_hidden="true"), t("certificates.valid_text"),
                          class_name="message ok with-icon", data_testid="certificate-status",
                          data_status="valid")),
        ("revoked", rx.el.p(rx.icon("circle-x", size=20, aria_hidden="true"), t("certificates.revoked_text"),
                            class_name="message error with-icon", data_testid="certificate-status",
                            data_status="revoked")),
        rx.el.div(
            rx.el.p(rx.icon("refresh-cw", size=20, aria_hidden="true"), t("certificates.replaced_text"),
                    style=_INLINE, data_testid="certificate-status", data_status="replaced"),
            rx.el.a(t("certificates.see_new"), href=c.replaced_by, data_testid="certificate-new"),
            class_name="message error"),
    )


def _staff_actions() -> rx.Component:
    s = CertificateState
    return rx.el.section(
        rx.el.h2(t("certificates.staff_title")),
        rx.cond(s.certificate.reason != "", rx.el.p(t("certificates.reason"), ": ", s.certificate.reason,
                                                    data_testid="certificate-reason")),
        rx.el.p(rx.el.a(t("certificates.member_record"),
                        href="/admin/members/" + s.certificate.member_id.to_string())),
        rx.cond(
            s.certificate.status == "valid",
            rx.el.div(
                required_note(),
                rx.el.form(
                    field("certificates.reason", "reason", required=True, max_length=LIMITS["reason"]),
                    rx.el.button(t("certificates.revoke"), type="submit", class_name="button ghost"),
                    on_submit=s.revoke, reset_on_submit=False, class_name="stack"),
                rx.el.form(
                    field("certificates.new_name", "name", required=True, max_length=LIMITS["name"],
                          default_value=s.certificate.name),
                    rx.el.button(t("certificates.reissue"), type="submit", class_name="button"),
                    on_submit=s.reissue, reset_on_submit=False, class_name="stack"),
                class_name="stack"),
        ),
        class_name="card", data_testid="certificate-staff",
    )


@rx.page(route="/certificates/[code]", title=page_title("title.certificate"),
         on_load=CertificateState.load)
def certificate_page() -> rx.Component:
    s = CertificateState
    c = s.certificate
    return shell(
        rx.el.h1(t("certificates.check_title")),
        message(s.info, kind="ok"),
        rx.cond(
            s.found,
            rx.el.div(
                rx.el.section(
                    rx.el.p(t("certificates.check_lead"), class_name="muted"),
                    _status_banner(c),
                    rx.el.dl(
                        _fact("certificates.holder", c.name, "certificate-name"),
                        _fact("certificates.training", c.training, "certificate-training"),
                        _fact("certificates.date", c.date, "certificate-date"),
                        _fact("certificates.code", rx.el.code(c.code), "certificate-code"),
                        class_name="facts"),
                    class_name="card"),
                message(s.error),
                rx.cond(c.may_manage, _staff_actions()),
                class_name="stack"),
            rx.el.section(
                rx.cond(s.error != "",
                        rx.el.p(s.error, role="alert", class_name="message error"),
                        rx.fragment(rx.el.h2(t("certificates.not_found_title")),
                                    rx.el.p(t("certificates.not_found_text")))),
                class_name="card", data_testid="certificate-not-found"),
        ),
    )


# --- "My certificates" on /trainings/mine ----------------------------------------------------

class MyCertificatesState(SessionState):
    my_certificates: list[MyCertificate] = []
    certificates_error: str = ""
    certificates_info: str = ""

    async def _reload_certificates(self) -> None:
        found, problem = await self._run(certificates.mine)
        self.my_certificates = found or []
        self.certificates_error = problem

    @rx.event
    async def load_certificates(self):
        self.certificates_error = self.certificates_info = ""
        await self._reload_certificates()

    @rx.event
    async def set_shown(self, code: str, shown: bool):
        """Shows or hides one of the member's own certificates on their profile (the service
        refuses anyone else's)."""
        self.certificates_info = ""
        _, refused = await self._run(certificates.show_on_profile, code=code, shown=shown)
        await self._reload_certificates()
        self.certificates_error = refused or self.certificates_error
        if not self.certificates_error:
            now_shown = any(item.show_on_profile for item in self.my_certificates if item.code == code)
            self.certificates_info = self._t("certificates.shown_ok" if now_shown else "certificates.hidden_ok")


def _my_certificate(item: MyCertificate) -> rx.Component:
    s = MyCertificatesState
    valid = item.status == "valid"
    return rx.el.li(
        rx.el.div(
            rx.el.div(
                rx.el.strong(item.title), rx.el.br(),
                rx.el.small(item.dates, " · ", tf("certificates.hours", hours=item.hours), class_name="muted"),
                rx.el.br(),
                rx.el.small(rx.el.code(item.code), class_name="muted")),
            rx.el.span(rx.match(item.status, ("valid", t("certificates.status.valid")),
                                ("revoked", t("certificates.status.revoked")), t("certificates.status.replaced")),
                       class_name=rx.cond(valid, "pill ok", "pill warn")),
            class_name="row"),
        rx.cond(
            valid,
            rx.el.div(
                rx.el.div(
                    # The browser fetches the file itself (reload_document): the client-side router knows no /api.
                    rx.el.a(rx.icon("download", size=16, aria_hidden="true"), t("certificates.download"),
                            href=item.pdf_url, reload_document=True, class_name="button small",
                            data_testid="certificate-pdf"),
                    rx.el.a(t("certificates.verify_link"), href=item.verify_url, class_name="button ghost small",
                            data_testid="certificate-verify"),
                    rx.el.button(rx.icon("copy", size=16, aria_hidden="true"), t("certificates.copy_link"),
                                 type="button", on_click=rx.set_clipboard(item.verify_url),
                                 class_name="button ghost small"),
                    rx.el.a(t("certificates.linkedin"), href=item.linkedin_url, target="_blank",
                            rel="noopener noreferrer", class_name="button ghost small",
                            data_testid="certificate-linkedin"),
                    class_name="actions"),
                rx.el.label(
                    rx.el.input(type="checkbox", checked=item.show_on_profile,
                                on_change=lambda checked: s.set_shown(item.code, checked)),
                    " ", t("certificates.show_on_profile"), class_name="check-inline"),
                class_name="stack"),
        ),
        data_testid="my-certificate",
    )


def my_certificates_section() -> rx.Component:
    """On /trainings/mine (its on_load runs MyCertificatesState.load_certificates)."""
    s = MyCertificatesState
    return rx.el.section(
        rx.el.h2(t("certificates.mine_title")),
        message(s.certificates_error),
        message(s.certificates_info, kind="ok"),
        rx.cond(s.my_certificates.length() > 0,
                rx.el.ul(rx.foreach(s.my_certificates, _my_certificate), class_name="list"),
                rx.el.p(t("certificates.mine_none"), class_name="muted")),
        id="certificates", data_testid="mine-certificates",
    )


# --- a member's certificates on their record (/admin/members/<id>) ---------------------------

class MemberCertificatesState(SessionState):
    member_certificates: list[StaffCertificate] = []

    @rx.event
    async def load_member_certificates(self):
        """Staff only (the service refuses anyone else); the member is the record's, from the route."""
        member_id = str(self._route_args().get("record_id", ""))[:20]
        found, _ = await self._run(certificates.of_member, member_id=member_id)
        self.member_certificates = found or []


def member_certificates_section() -> rx.Component:
    """On a member's record (its on_load runs MemberCertificatesState.load_member_certificates)."""
    s = MemberCertificatesState
    return rx.el.section(
        rx.el.h2(t("certificates.staff_list_title")),
        rx.cond(
            s.member_certificates.length() > 0,
            rx.el.ul(rx.foreach(s.member_certificates, lambda item: rx.el.li(
                rx.el.a(item.title, href="/certificates/" + item.code), " · ", item.name, " · ",
                rx.el.small(item.issued, " · ", rx.match(
                    item.status, ("valid", t("certificates.status.valid")),
                    ("revoked", t("certificates.status.revoked")), t("certificates.status.replaced")),
                    class_name="muted"))), class_name="list"),
            rx.el.p(t("common.none"), class_name="muted")),
        class_name="card", data_testid="member-certificates",
    )

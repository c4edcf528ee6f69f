"""/admin/trainings/<id>/sessions/<session>: staff take attendance on a phone by tapping names, and
show the session's QR code for members to scan."""

import reflex as rx

from hub_app.components.forms import message
from hub_app.components.shell import shell
from hub_app.domain.errors import HubError
from hub_app.services import training_attendance
from hub_app.services.training_attendance import AttendanceRow, SessionAttendance
from hub_app.state.i18n import page_title, t, tf
from hub_app.state.services import call
from hub_app.state.session import SessionState, go_to, page_load


def empty_attendance() -> SessionAttendance:
    return SessionAttendance(session_id=0, training_id=0, training_title="", day="", hours="", place="", number=0,
                             total=0, rows=[], present=0, check_in_url="", qr_svg="")


class TrainingAttendanceState(SessionState):
    sheet: SessionAttendance = empty_attendance()
    allowed: bool = True
    show_qr: bool = False
    error: str = ""

    def _session_id(self) -> str:
        return str(self._route_args().get("training_session_id", ""))[:20]

    async def _reload(self) -> None:
        try:
            self.sheet = await call(training_attendance.session_attendance, await self._actor(),
                                    session_id=self._session_id())
        except HubError as error:
            self.allowed = False
            self.sheet = empty_attendance()
            self.error = self._error_text(error)
            return
        self.allowed = True

    @rx.event
    @page_load
    async def load(self):
        self.error = ""
        self.show_qr = False
        if await self._actor() is None:
            return go_to(f"/login?next={self.router.url.path}")
        await self._reload()

    @rx.event
    async def toggle(self, user_id: int, present: bool):
        """Marks one enrolled member present (or not) for this session."""
        self.error = ""
        try:
            await call(training_attendance.set_attendance, await self._actor(), session_id=self._session_id(),
                       user_id=user_id, present=present)
        except HubError as error:
            self.error = self._error_text(error)
        await self._reload()

    @rx.event
    def toggle_qr(self):
        self.show_qr = not self.show_qr


def _person(row: AttendanceRow) -> rx.Component:
    return rx.el.li(
        rx.el.button(
            rx.cond(row.present, rx.icon("circle-check", size=26, aria_hidden="true"),
                    rx.icon("circle", size=26, aria_hidden="true")),
            rx.el.span(row.name, class_name="name"),
            rx.cond(row.method == "qr", rx.el.small(t("trainings.by_qr"), class_name="muted")),
            type="button", role="switch", aria_checked=rx.cond(row.present, "true", "false"),
            on_click=TrainingAttendanceState.toggle(row.user_id, ~row.present),
            class_name=rx.cond(row.present, "tap present", "tap"), data_testid="attendance-toggle",
        ),
    )


@rx.page(route="/admin/trainings/[training_id]/sessions/[training_session_id]",
         title=page_title("title.admin_attendance"), on_load=TrainingAttendanceState.load)
def training_attendance_page() -> rx.Component:
    s = TrainingAttendanceState
    return shell(
        rx.cond(s.allowed,
                rx.el.p(rx.el.a(rx.icon("arrow-left", size=16, aria_hidden="true"), s.sheet.training_title,
                                href="/admin/trainings/" + s.sheet.training_id.to_string()), class_name="crumb")),
        message(s.error),
        rx.cond(
            s.allowed,
            rx.el.div(
                rx.el.h1(t("trainings.attendance")),
                rx.el.p(tf("trainings.session_of", number=s.sheet.number, total=s.sheet.total), " · ",
                        s.sheet.day, " · ", s.sheet.hours, " · ", s.sheet.place, class_name="muted"),
                rx.el.p(tf("trainings.present_count", present=s.sheet.present, total=s.sheet.rows.length()),
                        data_testid="present-count", aria_live="polite"),
                rx.el.ul(rx.foreach(s.sheet.rows, _person), class_name="attendance-list"),
                rx.cond(s.sheet.rows.length() == 0, rx.el.p(t("trainings.nobody_enrolled"), class_name="muted")),
                rx.el.button(rx.icon("qr-code", size=18, aria_hidden="true"),
                             rx.cond(s.show_qr, t("trainings.hide_qr"), t("trainings.show_qr")),
                             type="button", on_click=s.toggle_qr, class_name="button ghost"),
                rx.cond(s.show_qr, rx.el.figure(
                    rx.el.img(src=s.sheet.qr_svg, alt=t("trainings.qr_alt"), width="260", height="260",
                              class_name="qr"),
                    rx.el.figcaption(t("trainings.qr_caption"), rx.el.br(), rx.el.small(s.sheet.check_in_url)),
                    class_name="qr-box",
                )),
                class_name="narrow stack",
            ),
        ),
    )

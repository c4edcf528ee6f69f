"""/trainings/check-in/<code>: the page a session's QR code opens. A signed-in, enrolled member who
opens it during the session is marked present."""

import reflex as rx

from hub_app.components.shell import shell
from hub_app.domain.errors import HubError
from hub_app.services import training_attendance
from hub_app.state.i18n import page_title, t, tf
from hub_app.state.services import call
from hub_app.state.session import SessionState, go_to, page_load


class TrainingCheckInState(SessionState):
    done: bool = False
    title: str = ""
    training_id: int = 0
    session_number: int = 0
    completed: bool = False
    error: str = ""

    @rx.event
    @page_load
    async def load(self):
        self.done, self.error, self.title, self.completed = False, "", "", False
        code = str(self._route_args().get("check_in_code", ""))[:40]
        actor = await self._actor()
        if actor is None:
            return go_to(f"/login?next=/trainings/check-in/{code}")
        try:
            outcome = await call(training_attendance.check_in, actor, code=code)
        except HubError as error:
            self.error = self._error_text(error)
            return
        self.done = True
        self.title, self.training_id = outcome.title, outcome.training_id
        self.session_number, self.completed = outcome.session_number, outcome.completed


@rx.page(route="/trainings/check-in/[check_in_code]", title=page_title("title.training_check_in"),
         on_load=TrainingCheckInState.load)
def training_check_in_page() -> rx.Component:
    s = TrainingCheckInState
    return shell(
        rx.el.div(
            rx.el.h1(t("trainings.check_in_title")),
            rx.cond(
                s.done,
                rx.el.div(
                    rx.el.p(rx.icon("circle-check", size=28, aria_hidden="true"),
                            tf("trainings.checked_in", number=s.session_number), class_name="message ok with-icon",
                            role="status", data_testid="checked-in"),
                    rx.el.p(rx.el.a(s.title, href="/trainings/" + s.training_id.to_string())),
                    rx.cond(s.completed, rx.el.p(t("trainings.you_completed"), class_name="message ok")),
                ),
                rx.cond(s.error != "", rx.el.p(s.error, class_name="message error", role="alert"),
                        rx.el.p(t("common.loading"), class_name="muted")),
            ),
            class_name="narrow stack",
        ),
    )

"""/trainings/mine: my trainings (upcoming, waitlisted, completed, past), cancel, add to calendar."""

import reflex as rx

from hub_app.components.forms import message
from hub_app.components.shell import shell
from hub_app.components.trainings import confirm_leaving
from hub_app.domain.errors import HubError
from hub_app.pages.certificates import MyCertificatesState, my_certificates_section
from hub_app.services import enrolments, trainings_mine
from hub_app.services.trainings_mine import CompletedTraining, MyTraining
from hub_app.state.i18n import page_title, t, tf
from hub_app.state.services import call
from hub_app.state.session import SessionState, go_to, page_load


class MyTrainingsState(SessionState):
    upcoming: list[MyTraining] = []
    waitlisted: list[MyTraining] = []
    completed: list[MyTraining] = []
    past: list[MyTraining] = []
    error: str = ""
    info: str = ""

    async def _reload(self) -> None:
        try:
            result = await call(trainings_mine.mine, await self._actor())
        except HubError as error:
            self.error = self._error_text(error)
            self.upcoming, self.waitlisted, self.completed, self.past = [], [], [], []
            return
        self.upcoming, self.waitlisted = result.upcoming, result.waitlisted
        self.completed, self.past = result.completed, result.past

    @rx.event
    @page_load
    async def load(self):
        self.error = self.info = ""
        if await self._actor() is None:
            return go_to("/login?next=/trainings/mine")
        await self._reload()

    @rx.event
    async def cancel(self, enrolment_id: int):
        """Cancels one of the member's own enrolments (the service refuses anyone else's)."""
        self.error = self.info = ""
        try:
            await call(enrolments.cancel, await self._actor(), enrolment_id=enrolment_id)
        except HubError as error:
            self.error = self._error_text(error)
        else:
            self.info = self._t("trainings.cancelled_ok")
        await self._reload()


def _item(item: MyTraining) -> rx.Component:
    return rx.el.li(
        rx.el.div(
            rx.el.div(rx.el.a(rx.el.strong(item.title), href="/trainings/" + item.training_id.to_string()),
                      rx.el.br(), rx.el.small(item.date, class_name="muted")),
            rx.match(
                item.status,
                ("waitlisted", rx.el.span(tf("trainings.position_short", position=item.position),
                                          class_name="pill warn")),
                rx.cond(item.completed, rx.el.span(t("trainings.completed"), class_name="pill ok"),
                        rx.el.span(t("trainings.you_enrolled"), class_name="pill ok")),
            ),
            class_name="row",
        ),
        rx.cond(item.cancelled, rx.el.p(t("trainings.training_cancelled"), class_name="notice warn")),
        rx.el.div(
            rx.cond(item.can_cancel & ~item.completed,
                    confirm_leaving(item.status == "waitlisted", MyTrainingsState.cancel(item.enrolment_id))),
            rx.cond((item.status == "enrolled") & ~item.cancelled & ~item.past,
                    rx.el.a(rx.icon("calendar-plus", size=16, aria_hidden="true"), t("trainings.add_to_calendar"),
                            href="/api/trainings/" + item.training_id.to_string() + "/calendar.ics",
                            class_name="button ghost small")),
            rx.cond(item.completed & ~item.rated,
                    rx.el.a(t("trainings.rate_now"), href="/trainings/" + item.training_id.to_string(),
                            class_name="button ghost small")),
            class_name="actions",
        ),
        data_testid="my-training",
    )


def _section(title_key: str, items, test_id: str) -> rx.Component:
    return rx.el.section(
        rx.el.h2(t(title_key)),
        rx.cond(items.length() > 0, rx.el.ul(rx.foreach(items, _item), class_name="list"),
                rx.el.p(t("common.none"), class_name="muted")),
        data_testid=test_id,
    )


@rx.page(route="/trainings/mine", title=page_title("title.my_trainings"),
         on_load=[MyTrainingsState.load, MyCertificatesState.load_certificates])
def my_trainings_page() -> rx.Component:
    return shell(
        rx.el.h1(t("trainings.mine_title")),
        rx.el.p(rx.el.a(t("trainings.back_to_catalogue"), href="/trainings")),
        message(MyTrainingsState.error),
        message(MyTrainingsState.info, kind="ok"),
        _section("trainings.upcoming", MyTrainingsState.upcoming, "mine-upcoming"),
        _section("trainings.waitlisted", MyTrainingsState.waitlisted, "mine-waitlisted"),
        _section("trainings.completed_title", MyTrainingsState.completed, "mine-completed"),
        my_certificates_section(),
        rx.cond(MyTrainingsState.past.length() > 0,
                _section("trainings.past_title", MyTrainingsState.past, "mine-past")),
        rx.el.p(t("trainings.calendar_feed_hint"), class_name="muted"),
    )


class ProfileTrainingsState(SessionState):
    """The "Completed trainings" section of /profile."""

    completed_trainings: list[CompletedTraining] = []

    @rx.event
    async def load_completed_trainings(self):
        try:
            self.completed_trainings = await call(trainings_mine.my_completed_trainings, await self._actor())
        except HubError:
            self.completed_trainings = []


def completed_trainings_section() -> rx.Component:
    """Shown on /profile (mounted there; loads itself)."""
    s = ProfileTrainingsState
    return rx.el.section(
        rx.el.h2(t("trainings.profile_title")),
        rx.cond(
            s.completed_trainings.length() > 0,
            rx.el.ul(rx.foreach(s.completed_trainings, lambda item: rx.el.li(
                rx.el.a(item.title, href="/trainings/" + item.training_id.to_string()), " · ",
                rx.el.small(item.completed, class_name="muted"))), data_testid="completed-trainings"),
            rx.el.p(t("trainings.profile_none"), class_name="muted"),
        ),
        rx.el.p(rx.el.a(t("trainings.mine_title"), href="/trainings/mine")),
        id="completed-trainings", class_name="card", on_mount=s.load_completed_trainings,
    )

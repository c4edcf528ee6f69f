"""/trainings/<id>: one training with its sessions, trainers, seats or waitlist, and the enrol button."""

import reflex as rx

from hub_app.components.forms import message
from hub_app.components.shell import shell
from hub_app.components.trainings import (
    confirm_leaving,
    my_status_pill,
    pills,
    seats,
    session_list,
    trainer_list,
)
from hub_app.domain.errors import HubError
from hub_app.domain.permissions import Actor
from hub_app.services import enrolments, trainings, trainings_mine
from hub_app.services.trainings import TrainingDetail
from hub_app.state.i18n import page_title, t, tf
from hub_app.state.services import call
from hub_app.state.session import LOOK_UP, SessionState, form_data, go_to, page_load


def empty_detail() -> TrainingDetail:
    return TrainingDetail(
        id=0, title="", description_html="", topic="", level="", language="", format="", status="", cancel_reason="",
        capacity=0, seats_left=0, waitlist=0, enrol_opens="", enrol_closes="", cancel_until="", enrolment="",
        past=False, completion_share=100, sessions=[], trainers=[], prerequisites=[], missing=[], enrolment_id=0,
        my_status="", my_position=0, online_link="", can_enrol=False, can_cancel=False, can_leave=False,
        completed=False, attended=0, needed=0, can_rate=False, my_rating=0, my_comment="")


class TrainingDetailState(SessionState):
    training: TrainingDetail = empty_detail()
    found: bool = True
    busy: bool = False
    error: str = ""
    info: str = ""
    version: int = 0

    def _training_id(self) -> str:
        return str(self._route_args().get("training_id", ""))[:20]

    async def _reload(self, actor: Actor | None | object = LOOK_UP) -> None:
        """Reads the training again, for `actor` if this event has looked them up already."""
        detail, error = await self._run(trainings.training_detail, actor, training_id=self._training_id(),
                                        locale=self.lang)
        self.training, self.found = detail or empty_detail(), detail is not None
        if error:
            self.error = error
        self.version += 1

    @rx.event
    @page_load
    async def load(self):
        self.error = self.info = ""
        self.busy = False
        await self._reload()

    @rx.event
    async def enrol(self):
        self.error = self.info = ""
        actor = await self._actor()
        if actor is None:
            yield go_to(f"/login?next=/trainings/{self._training_id()}")
            return
        self.busy = True
        yield
        try:
            outcome = await call(enrolments.enrol, actor, training_id=self._training_id())
        except HubError as error:
            self.error = self._error_text(error)
        else:
            self.info = (self._t("trainings.enrolled_ok") if outcome.status == "enrolled"
                         else self._t("trainings.waitlisted_ok", position=outcome.position))
        self.busy = False
        await self._reload(actor)

    @rx.event
    async def cancel(self):
        """Gives up the seat or leaves the waitlist (the member's own enrolment in the training of
        this page's address)."""
        self.error = self.info = ""
        actor = LOOK_UP
        try:
            actor = await self._actor()
            await call(enrolments.leave, actor, training_id=self._training_id())
        except HubError as error:
            self.error = self._error_text(error)
        else:
            self.info = self._t("trainings.cancelled_ok")
        await self._reload(actor)

    @rx.event
    async def rate(self, form: dict):
        data = form_data(form)
        self.error = self.info = ""
        try:
            actor = await self._actor()
            await call(trainings_mine.rate, actor, training_id=self._training_id(),
                       stars=data.get("rating"), comment=data.get("comment", ""))
        except HubError as error:
            self.error = self._error_text(error)
            return
        self.info = self._t("trainings.rated_ok")
        await self._reload(actor)


def _enrol_box() -> rx.Component:
    d = TrainingDetailState.training
    return rx.el.section(
        rx.el.div(seats(d.seats_left, d.waitlist, past=d.past), my_status_pill(d.my_status, d.my_position),
                  class_name="row"),
        rx.cond(d.my_status == "waitlisted",
                rx.el.p(tf("trainings.your_position", position=d.my_position), data_testid="waitlist-position")),
        rx.cond(d.status == "cancelled",
                rx.el.p(t("trainings.training_cancelled"), " ", d.cancel_reason, class_name="notice warn")),
        rx.cond(d.missing.length() > 0,
                rx.el.div(
                    rx.el.p(t("trainings.missing_prerequisites")),
                    rx.el.ul(rx.foreach(d.missing, lambda row: rx.el.li(
                        rx.el.a(row.title, href="/trainings/" + row.id.to_string())))),
                    class_name="notice", data_testid="missing-prerequisites")),
        message(TrainingDetailState.error),
        message(TrainingDetailState.info, kind="ok"),
        rx.el.div(
            rx.cond(
                d.can_enrol,
                rx.cond(
                    SessionState.signed_in,
                    rx.el.button(rx.cond(d.seats_left > 0, t("trainings.enrol"), t("trainings.join_waitlist")),
                                 type="button", on_click=TrainingDetailState.enrol, disabled=TrainingDetailState.busy,
                                 class_name="button", data_testid="enrol"),
                    rx.el.a(t("trainings.sign_in_to_enrol"), href="/login?next=/trainings/" + d.id.to_string(),
                            class_name="button", data_testid="enrol"),
                ),
            ),
            rx.cond(d.can_cancel, confirm_leaving(False, TrainingDetailState.cancel, testid="cancel-enrolment")),
            rx.cond(d.can_leave, confirm_leaving(True, TrainingDetailState.cancel, testid="leave-waitlist")),
            rx.cond((d.my_status == "enrolled") & ~d.past,
                    rx.el.a(rx.icon("calendar-plus", size=16, aria_hidden="true"), t("trainings.add_to_calendar"),
                            href="/api/trainings/" + d.id.to_string() + "/calendar.ics", class_name="button ghost")),
            class_name="actions",
        ),
        rx.cond((d.enrolment == "not_yet") & (d.status == "published"),
                rx.el.p(t("trainings.opens_at"), " ", d.enrol_opens, class_name="muted")),
        rx.cond((d.enrolment == "closed") & (d.status == "published") & ~d.past,
                rx.el.p(t("trainings.enrolment_closed"), class_name="muted")),
        rx.cond(d.online_link != "",
                rx.el.p(rx.icon("video", size=16, aria_hidden="true"), " ", t("trainings.online_link"), ": ",
                        rx.el.a(d.online_link, href=d.online_link, rel="noopener nofollow", target="_blank"),
                        data_testid="online-link")),
        class_name="card enrol-box",
    )


def _facts() -> rx.Component:
    d = TrainingDetailState.training
    return rx.el.dl(
        rx.el.dt(t("trainings.enrolment_window")),
        rx.el.dd(d.enrol_opens, " – ", d.enrol_closes),
        rx.el.dt(t("trainings.cancel_deadline")),
        rx.el.dd(d.cancel_until),
        rx.el.dt(t("trainings.capacity")),
        rx.el.dd(d.capacity),
        rx.el.dt(t("trainings.completion_rule")),
        rx.el.dd(tf("trainings.completion_share", share=d.completion_share)),
        class_name="facts",
    )


def _progress() -> rx.Component:
    d = TrainingDetailState.training
    return rx.cond(
        d.my_status == "enrolled",
        rx.el.section(
            rx.el.h2(t("trainings.your_progress")),
            rx.cond(d.completed,
                    rx.el.p(rx.icon("award", size=18, aria_hidden="true"), t("trainings.you_completed"),
                            class_name="message ok with-icon", data_testid="completed"),
                    rx.el.p(tf("trainings.attended_of", attended=d.attended, needed=d.needed))),
            rx.cond(d.can_rate, _rating_form()),
        ),
    )


def _rating_form() -> rx.Component:
    d = TrainingDetailState.training
    return rx.el.form(
        rx.el.fieldset(
            rx.el.legend(t("trainings.rate_title")),
            rx.el.div(
                *[rx.el.label(rx.el.input(type="radio", name="rating", value=str(stars),
                                          default_checked=d.my_rating == stars, required=True),
                              rx.el.span(str(stars), " ★"), class_name="star")
                  for stars in range(1, 6)],
                class_name="stars",
            ),
            class_name="rating",
        ),
        rx.el.div(rx.el.label(t("trainings.field.comment"), html_for="f-comment"),
                  rx.el.textarea(id="f-comment", name="comment", max_length=1000, rows=3, default_value=d.my_comment),
                  class_name="field"),
        rx.el.button(t("trainings.rate_submit"), type="submit", class_name="button"),
        on_submit=TrainingDetailState.rate, reset_on_submit=False, key=TrainingDetailState.version,
        class_name="card",
    )


@rx.page(route="/trainings/[training_id]", title=page_title("title.training"),
         on_load=TrainingDetailState.load)
def training_detail_page() -> rx.Component:
    d = TrainingDetailState.training
    return shell(
        rx.el.p(rx.el.a(rx.icon("arrow-left", size=16, aria_hidden="true"), t("trainings.back_to_catalogue"),
                        href="/trainings"), class_name="crumb"),
        rx.cond(
            TrainingDetailState.found,
            rx.el.article(
                rx.el.h1(d.title),
                pills(d.topic, d.level, d.format, d.language),
                rx.el.div(
                    rx.el.div(
                        _enrol_box(),
                        # Sanitised on the server (services.trainings.render_markdown); nothing else goes here.
                        rx.html(d.description_html, class_name="prose"),
                        rx.cond(d.prerequisites.length() > 0, rx.el.section(
                            rx.el.h2(t("trainings.prerequisites")),
                            rx.el.ul(rx.foreach(d.prerequisites, lambda row: rx.el.li(
                                rx.el.a(row.title, href="/trainings/" + row.id.to_string()),
                                rx.cond(row.done, rx.el.span(" ✓ ", t("trainings.done"), class_name="muted"))))),
                        )),
                        _progress(),
                        class_name="stack",
                    ),
                    rx.el.aside(
                        rx.el.h2(t("trainings.sessions")),
                        session_list(d.sessions, show_attended=True),
                        rx.cond(d.trainers.length() > 0, rx.fragment(
                            rx.el.h2(t("trainings.trainers")), trainer_list(d.trainers))),
                        _facts(),
                    ),
                    class_name="detail-layout",
                ),
            ),
            rx.el.div(rx.el.h1(t("trainings.not_found_title")), message(TrainingDetailState.error)),
        ),
    )

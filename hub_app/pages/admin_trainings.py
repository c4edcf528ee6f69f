"""/admin/trainings and /admin/trainings/<id>: staff run the programme: create, edit, publish and
cancel trainings; sessions (each at the hub books its room); trainers; prerequisites; enrolments
and the waitlist; CSV exports; ratings."""

import reflex as rx

from hub_app.components.forms import message
from hub_app.components.regions import scroll_region
from hub_app.components.shell import shell
from hub_app.components.trainings import options
from hub_app.domain.errors import HubError
from hub_app.domain.trainings import FORMATS, LANGUAGES, LEVELS, TOPICS, TRAINING_STATUSES
from hub_app.i18n import CATALOGUE
from hub_app.services import enrolments, training_admin
from hub_app.services.enrolments import RatingRow, RosterRow, TrainingRoster
from hub_app.services.training_admin import AdminTraining, AdminTrainingRow
from hub_app.services.trainings import SessionRow, TrainerRow
from hub_app.state.i18n import page_title, t, tf, tp
from hub_app.state.services import call
from hub_app.state.session import SessionState, form_data, go_to, page_load

EMPTY_FORM = {key: "" for key in (
    "title_id", "title_en", "description_id", "description_en", "topic", "level", "language", "format",
    "online_link", "capacity", "completion_share", "enrol_opens_at", "enrol_closes_at", "cancel_until")}


def _status_pill(status) -> rx.Component:
    return rx.el.span(
        rx.match(status, ("draft", t("trainings.status.draft")), ("published", t("trainings.status.published")),
                 ("cancelled", t("trainings.status.cancelled")), status),
        class_name=rx.match(status, ("published", "pill ok"), ("cancelled", "pill bad"), "pill warn"),
        data_testid="training-status")


def _input(label_key: str, name: str, values, *, type: str = "text", required: bool = False,
           max_length: int | None = None, prefix: str = "f", **props) -> rx.Component:
    field_id = f"{prefix}-{name}"
    return rx.el.div(
        rx.el.label(t(label_key), html_for=field_id),
        rx.el.input(id=field_id, name=name, type=type, required=required, max_length=max_length,
                    default_value=values[name] if values is not None else None, **props),
        class_name="field",
    )


def _choice(label_key: str, name: str, choices, values, *, prefix: str = "f") -> rx.Component:
    field_id = f"{prefix}-{name}"
    return rx.el.div(
        rx.el.label(t(label_key), html_for=field_id),
        rx.el.select(*[rx.el.option(t(key), value=value) for value, key in choices], id=field_id, name=name,
                     default_value=values[name] if values is not None else None, required=True),
        class_name="field",
    )


def training_form(values, on_submit, submit_key: str, *, key=None, prefix: str = "f") -> rx.Component:
    """The fields of a training, empty (new) or filled from `values` (a dict Var)."""
    def area(label_key: str, name: str) -> rx.Component:
        field_id = f"{prefix}-{name}"
        return rx.el.div(
            rx.el.label(t(label_key), html_for=field_id),
            rx.el.textarea(id=field_id, name=name, rows=5, max_length=8000,
                           default_value=values[name] if values is not None else None),
            rx.el.small(t("trainings.markdown_hint"), class_name="hint"),
            class_name="field",
        )

    return rx.el.form(
        rx.el.div(
            _input("trainings.field.title_id", "title_id", values, max_length=120, prefix=prefix),
            _input("trainings.field.title_en", "title_en", values, max_length=120, prefix=prefix),
            class_name="grid two",
        ),
        rx.el.div(area("trainings.field.description_id", "description_id"),
                  area("trainings.field.description_en", "description_en"), class_name="grid two"),
        rx.el.div(
            _choice("trainings.field.topic", "topic", options("trainings.topic", TOPICS), values, prefix=prefix),
            _choice("trainings.field.level", "level", options("trainings.level", LEVELS), values, prefix=prefix),
            _choice("trainings.field.language", "language", options("trainings.language", LANGUAGES), values,
                    prefix=prefix),
            _choice("trainings.field.format", "format", options("trainings.format", FORMATS), values, prefix=prefix),
            class_name="grid two",
        ),
        _input("trainings.field.online_link", "online_link", values, type="url", max_length=300, prefix=prefix,
               placeholder="https://"),
        rx.el.div(
            _input("trainings.field.capacity", "capacity", values, type="number", required=True, prefix=prefix,
                   min=1, max=500),
            _input("trainings.field.completion_share", "completion_share", values, type="number", prefix=prefix,
                   min=1, max=100),
            class_name="grid two",
        ),
        rx.el.div(
            _input("trainings.field.enrol_opens", "enrol_opens_at", values, type="datetime-local", required=True,
                   prefix=prefix),
            _input("trainings.field.enrol_closes", "enrol_closes_at", values, type="datetime-local", required=True,
                   prefix=prefix),
            _input("trainings.field.cancel_until", "cancel_until", values, type="datetime-local", required=True,
                   prefix=prefix),
            class_name="grid three",
        ),
        rx.el.button(t(submit_key), type="submit", class_name="button"),
        on_submit=on_submit, reset_on_submit=False, key=key, class_name="card",
    )


# --- /admin/trainings -------------------------------------------------------------------------

class AdminTrainingsState(SessionState):
    rows: list[AdminTrainingRow] = []
    query: str = ""
    status_filter: str = ""
    before_id: int = 0
    next_before_id: int = 0
    allowed: bool = True
    error: str = ""
    create_error: str = ""

    async def _reload(self) -> None:
        try:
            page = await call(training_admin.admin_list, await self._actor(), query=self.query,
                              status=self.status_filter, before_id=self.before_id)
        except HubError as error:
            self.rows, self.next_before_id, self.allowed = [], 0, False
            self.error = self._error_text(error)
            return
        self.allowed = True
        self.rows, self.next_before_id = page.rows, page.next_before_id

    @rx.event
    @page_load
    async def load(self):
        self.error = self.create_error = ""
        if await self._actor() is None:
            return go_to("/login?next=/admin/trainings")
        self.before_id = 0
        await self._reload()

    @rx.event
    async def search(self, form: dict):
        data = form_data(form)
        self.query = str(data.get("query") or "")[:100]
        status = data.get("status")
        self.status_filter = status if status in TRAINING_STATUSES else ""
        self.before_id, self.error = 0, ""
        await self._reload()

    @rx.event
    async def next_page(self):
        self.before_id = self.next_before_id
        await self._reload()

    @rx.event
    async def first_page(self):
        self.before_id = 0
        await self._reload()

    @rx.event
    async def create(self, form: dict):
        self.create_error = ""
        try:
            training_id = await call(training_admin.create_training, await self._actor(), form=form_data(form))
        except HubError as error:
            self.create_error = self._error_text(error)
            return
        return rx.redirect(f"/admin/trainings/{training_id}")


def _admin_row(row: AdminTrainingRow) -> rx.Component:
    return rx.el.li(
        rx.el.div(
            rx.el.div(rx.el.a(rx.el.strong(row.title), href="/admin/trainings/" + row.id.to_string()), rx.el.br(),
                      rx.el.small(row.date, class_name="muted")),
            _status_pill(row.status),
            class_name="row",
        ),
        rx.el.small(tf("trainings.admin_counts", enrolled=row.enrolled, capacity=row.capacity,
                       waitlist=row.waitlist), class_name="muted"),
        data_testid="admin-training-row",
    )


@rx.page(route="/admin/trainings", title=page_title("title.admin_trainings"),
         on_load=AdminTrainingsState.load)
def admin_trainings_page() -> rx.Component:
    s = AdminTrainingsState
    return shell(
        rx.el.h1(t("trainings.admin_title")),
        message(s.error),
        rx.cond(
            s.allowed,
            rx.fragment(
                rx.el.details(
                    rx.el.summary(rx.icon("plus", size=16, aria_hidden="true"), t("trainings.new_training"),
                                  class_name="button"),
                    message(s.create_error),
                    training_form(None, s.create, "trainings.create", prefix="new"),
                    class_name="new-training",
                ),
                rx.el.form(
                    rx.el.div(rx.el.label(t("common.search"), html_for="at-query"),
                              rx.el.input(id="at-query", name="query", type="search", max_length=100),
                              class_name="field"),
                    rx.el.div(rx.el.label(t("trainings.field.status"), html_for="at-status"),
                              rx.el.select(rx.el.option(t("common.all"), value=""),
                                           *[rx.el.option(t(f"trainings.status.{status}"), value=status)
                                             for status in TRAINING_STATUSES],
                                           id="at-status", name="status"),
                              class_name="field"),
                    rx.el.button(t("common.search"), type="submit", class_name="button"),
                    on_submit=s.search, reset_on_submit=False, class_name="filters card",
                ),
                rx.el.ul(rx.foreach(s.rows, _admin_row), class_name="list", style={"margin-top": "1rem"}),
                rx.el.div(
                    rx.cond(s.before_id > 0, rx.el.button(t("common.first_page"), on_click=s.first_page,
                                                          class_name="button ghost")),
                    rx.cond(s.next_before_id > 0, rx.el.button(t("common.next_page"), on_click=s.next_page,
                                                               class_name="button ghost")),
                    class_name="actions",
                ),
            ),
        ),
    )


# --- /admin/trainings/<id> --------------------------------------------------------------------

def empty_admin_view() -> AdminTraining:
    return AdminTraining(id=0, title="", status="", cancel_reason="", form=dict(EMPTY_FORM), capacity=0, enrolled=0,
                         waitlist=0, sessions=[], trainers=[], prerequisites=[], trainer_choices=[],
                         training_choices=[], space_choices=[])


class AdminTrainingState(SessionState):
    view: AdminTraining = empty_admin_view()
    roster: TrainingRoster = TrainingRoster([], [], "", 0, [])
    allowed: bool = True
    error: str = ""
    info: str = ""
    session_error: str = ""
    version: int = 0

    def _training_id(self) -> str:
        return str(self._route_args().get("training_id", ""))[:20]

    async def _reload(self) -> None:
        actor = await self._actor()
        try:
            self.view = await call(training_admin.admin_training, actor, training_id=self._training_id())
            self.roster = await call(enrolments.roster, actor, training_id=self._training_id())
        except HubError as error:
            self.allowed = False
            self.view, self.roster = empty_admin_view(), TrainingRoster([], [], "", 0, [])
            self.error = self._error_text(error)
            return
        self.allowed = True
        self.version += 1

    async def _run(self, function, *, done_key: str = "common.saved", session_form: bool = False, **kwargs) -> bool:
        """Runs a staff action on this training, shows its outcome and reloads."""
        self.error = self.info = self.session_error = ""
        try:
            await call(function, await self._actor(), **kwargs)
        except HubError as error:
            if session_form:
                self.session_error = self._error_text(error)
            else:
                self.error = self._error_text(error)
            return False
        self.info = self._t(done_key)
        await self._reload()
        return True

    @rx.event
    @page_load
    async def load(self):
        self.error = self.info = self.session_error = ""
        if await self._actor() is None:
            return go_to(f"/login?next=/admin/trainings/{self._training_id()}")
        await self._reload()
        outcome = self.router.url.query_parameters.get("photo", "")
        if outcome == "ok":
            self.info = self._t("trainings.photo_saved")
        elif outcome.startswith("error.") and outcome in CATALOGUE:
            self.error = self._t(outcome)

    @rx.event
    async def save(self, form: dict):
        await self._run(training_admin.update_training, training_id=self._training_id(), form=form_data(form))

    @rx.event
    async def publish(self):
        await self._run(training_admin.publish_training, training_id=self._training_id())

    @rx.event
    async def cancel_training(self, form: dict):
        await self._run(training_admin.cancel_training, training_id=self._training_id(),
                        reason=form_data(form).get("reason"))

    @rx.event
    async def add_session(self, form: dict):
        await self._run(training_admin.add_session, training_id=self._training_id(), form=form_data(form),
                        session_form=True)

    @rx.event
    async def move_session(self, form: dict):
        data = form_data(form)
        await self._run(training_admin.move_session, session_id=data.get("session_id"), form=data, session_form=True)

    @rx.event
    async def delete_session(self, session_id: int):
        await self._run(training_admin.delete_session, session_id=session_id, session_form=True)

    @rx.event
    async def add_trainer(self, form: dict):
        await self._run(training_admin.add_trainer, training_id=self._training_id(), form=form_data(form))

    @rx.event
    async def remove_trainer(self, trainer_id: int):
        await self._run(training_admin.remove_trainer, training_id=self._training_id(), trainer_id=trainer_id)

    @rx.event
    async def add_prerequisite(self, form: dict):
        await self._run(training_admin.add_prerequisite, training_id=self._training_id(),
                        required_training_id=form_data(form).get("prerequisite"))

    @rx.event
    async def remove_prerequisite(self, required_training_id: int):
        await self._run(training_admin.remove_prerequisite, training_id=self._training_id(),
                        required_training_id=required_training_id)

    @rx.event
    async def add_member(self, form: dict):
        await self._run(enrolments.staff_add, training_id=self._training_id(), email=form_data(form).get("email"))

    @rx.event
    async def remove_member(self, form: dict):
        data = form_data(form)
        await self._run(enrolments.staff_remove, enrolment_id=data.get("enrolment_id"),
                        reason=data.get("reason", ""))


def _session_item(row: SessionRow) -> rx.Component:
    s = AdminTrainingState
    sid = row.id.to_string()
    return rx.el.li(
        rx.el.div(
            rx.el.div(rx.el.strong(row.number, ". ", row.day), rx.el.br(), row.hours, " · ", row.place),
            rx.el.a(rx.icon("clipboard-check", size=16, aria_hidden="true"), t("trainings.attendance"),
                    href="/admin/trainings/" + s.view.id.to_string() + "/sessions/" + sid,
                    class_name="button small", data_testid="attendance-link"),
            class_name="row",
        ),
        rx.cond(
            ~row.past,
            rx.el.details(
                rx.el.summary(t("trainings.move_session")),
                rx.el.form(
                    rx.el.input(type="hidden", name="session_id", value=row.id),
                    rx.el.div(
                        rx.el.div(rx.el.label(t("trainings.field.session_start"), html_for="ms-start-" + sid),
                                  rx.el.input(id="ms-start-" + sid, name="start", type="datetime-local",
                                              default_value=row.start_input, required=True), class_name="field"),
                        rx.el.div(rx.el.label(t("trainings.field.session_end"), html_for="ms-end-" + sid),
                                  rx.el.input(id="ms-end-" + sid, name="end", type="datetime-local",
                                              default_value=row.end_input, required=True), class_name="field"),
                        _space_select("ms-space-" + sid, row.space_id.to_string()),
                        class_name="grid three",
                    ),
                    rx.el.div(
                        rx.el.button(t("trainings.move_session"), type="submit", class_name="button small"),
                        rx.el.button(t("trainings.delete_session"), type="button",
                                     on_click=s.delete_session(row.id), class_name="button small danger"),
                        class_name="actions",
                    ),
                    on_submit=s.move_session, reset_on_submit=False,
                ),
            ),
        ),
        data_testid="admin-session",
    )


def _space_select(field_id, selected) -> rx.Component:
    return rx.el.div(
        rx.el.label(t("trainings.field.space"), html_for=field_id),
        rx.el.select(rx.el.option(t("trainings.no_space"), value=""),
                     rx.foreach(AdminTrainingState.view.space_choices,
                                lambda choice: rx.el.option(choice.name, value=choice.id.to_string())),
                     id=field_id, name="space_id", default_value=selected),
        class_name="field",
    )


def _sessions() -> rx.Component:
    s = AdminTrainingState
    return rx.el.section(
        rx.el.h2(t("trainings.sessions")),
        message(s.session_error),
        rx.el.ul(rx.foreach(s.view.sessions, _session_item), class_name="list"),
        rx.el.form(
            rx.el.h3(t("trainings.add_session")),
            rx.el.div(
                rx.el.div(rx.el.label(t("trainings.field.session_start"), html_for="ns-start"),
                          rx.el.input(id="ns-start", name="start", type="datetime-local", required=True),
                          class_name="field"),
                rx.el.div(rx.el.label(t("trainings.field.session_end"), html_for="ns-end"),
                          rx.el.input(id="ns-end", name="end", type="datetime-local", required=True),
                          class_name="field"),
                _space_select("ns-space", ""),
                class_name="grid three",
            ),
            rx.el.button(t("trainings.add_session"), type="submit", class_name="button"),
            on_submit=s.add_session, reset_on_submit=False, class_name="card",
        ),
        id="sessions",
    )


def _trainer_item(row: TrainerRow) -> rx.Component:
    return rx.el.li(
        rx.el.div(rx.el.div(rx.el.strong(row.name), rx.el.br(), rx.el.small(row.bio, class_name="muted")),
                  rx.el.button(t("trainings.remove"), type="button",
                               on_click=AdminTrainingState.remove_trainer(row.id), class_name="button ghost small"),
                  class_name="row"),
        rx.el.form(
            rx.el.div(rx.el.label(t("trainings.field.trainer_photo"), html_for="tp-" + row.id.to_string()),
                      rx.el.input(id="tp-" + row.id.to_string(), name="photo", type="file", required=True,
                                  accept="image/png,image/jpeg,image/webp"),
                      class_name="field"),
            rx.el.input(type="hidden", name="back", value="/admin/trainings/" + AdminTrainingState.view.id.to_string()),
            rx.el.button(t("trainings.upload_photo"), type="submit", class_name="button ghost small"),
            action="/api/admin/trainers/" + row.id.to_string() + "/photo", method="post",
            enc_type="multipart/form-data", class_name="actions",
        ),
    )


def _trainers() -> rx.Component:
    s = AdminTrainingState
    return rx.el.section(
        rx.el.h2(t("trainings.trainers")),
        rx.el.ul(rx.foreach(s.view.trainers, _trainer_item), class_name="list"),
        rx.el.form(
            rx.el.h3(t("trainings.add_trainer")),
            rx.el.div(rx.el.label(t("trainings.field.existing_trainer"), html_for="tr-existing"),
                      rx.el.select(rx.el.option(t("trainings.new_trainer"), value=""),
                                   rx.foreach(s.view.trainer_choices,
                                              lambda c: rx.el.option(c.name, value=c.id.to_string())),
                                   id="tr-existing", name="trainer_id"),
                      class_name="field"),
            rx.el.div(rx.el.label(t("trainings.field.trainer_name"), html_for="tr-name"),
                      rx.el.input(id="tr-name", name="name", max_length=100), class_name="field"),
            rx.el.div(rx.el.label(t("trainings.field.trainer_bio_id"), html_for="tr-bio-id"),
                      rx.el.textarea(id="tr-bio-id", name="bio_id", max_length=500, rows=2), class_name="field"),
            rx.el.div(rx.el.label(t("trainings.field.trainer_bio_en"), html_for="tr-bio-en"),
                      rx.el.textarea(id="tr-bio-en", name="bio_en", max_length=500, rows=2), class_name="field"),
            rx.el.button(t("trainings.add_trainer"), type="submit", class_name="button"),
            on_submit=s.add_trainer, reset_on_submit=True, class_name="card",
        ),
    )


def _prerequisites() -> rx.Component:
    s = AdminTrainingState
    return rx.el.section(
        rx.el.h2(t("trainings.prerequisites")),
        rx.el.ul(rx.foreach(s.view.prerequisites, lambda row: rx.el.li(
            rx.el.div(rx.el.span(row.title),
                      rx.el.button(t("trainings.remove"), type="button", on_click=s.remove_prerequisite(row.id),
                                   class_name="button ghost small"), class_name="row"))), class_name="list"),
        rx.el.form(
            rx.el.div(rx.el.label(t("trainings.field.prerequisite"), html_for="pr-select"),
                      rx.el.select(rx.el.option(t("field.choose"), value=""),
                                   rx.foreach(s.view.training_choices,
                                              lambda c: rx.el.option(c.title, value=c.id.to_string())),
                                   id="pr-select", name="prerequisite", required=True),
                      class_name="field"),
            rx.el.button(t("trainings.add_prerequisite"), type="submit", class_name="button ghost"),
            on_submit=s.add_prerequisite, class_name="actions",
        ),
    )


def _roster_row(row: RosterRow) -> rx.Component:
    return rx.el.tr(
        rx.el.td(rx.cond(row.position > 0, rx.el.span("#", row.position, " "), ""), rx.el.strong(row.name),
                 rx.el.br(), rx.el.small(row.email, class_name="muted")),
        rx.el.td(row.since, rx.cond(row.completed, rx.el.span(" ", t("trainings.completed"), class_name="pill ok"))),
        rx.el.td(row.attended),
        rx.el.td(rx.el.form(
            rx.el.input(type="hidden", name="enrolment_id", value=row.enrolment_id),
            rx.el.input(type="hidden", name="reason", value=""),
            rx.el.button(t("trainings.remove"), type="submit", class_name="button ghost small",
                         aria_label=t("trainings.remove") + " " + row.name),
            on_submit=AdminTrainingState.remove_member,
        )),
        data_testid="roster-row",
    )


def _roster_table(rows, test_id: str, label_key: str) -> rx.Component:
    return scroll_region(
        rx.el.table(
            rx.el.thead(rx.el.tr(rx.el.th(t("field.name")), rx.el.th(t("trainings.since")),
                                 rx.el.th(t("trainings.attended_sessions")), rx.el.th(""))),
            rx.el.tbody(rx.foreach(rows, _roster_row)),
        ),
        label=t(label_key), class_name="table-wrap", data_testid=test_id,
    )


def _rating(row: RatingRow) -> rx.Component:
    return rx.el.li(rx.el.strong(row.stars, " ★ "), row.name, " · ", rx.el.small(row.when, class_name="muted"),
                    rx.cond(row.comment != "", rx.el.p(row.comment)))


def _enrolments() -> rx.Component:
    s = AdminTrainingState
    return rx.el.section(
        rx.el.h2(t("trainings.enrolments")),
        rx.el.p(tf("trainings.admin_counts", enrolled=s.view.enrolled, capacity=s.view.capacity,
                   waitlist=s.view.waitlist)),
        rx.el.div(
            rx.el.a(rx.icon("download", size=16, aria_hidden="true"), t("trainings.export_enrolments"),
                    href="/api/admin/trainings/" + s.view.id.to_string() + "/enrolments.csv",
                    class_name="button ghost small"),
            rx.el.a(rx.icon("download", size=16, aria_hidden="true"), t("trainings.export_attendance"),
                    href="/api/admin/trainings/" + s.view.id.to_string() + "/attendance.csv",
                    class_name="button ghost small"),
            class_name="actions",
        ),
        rx.el.form(
            rx.el.div(rx.el.label(t("trainings.field.member_email"), html_for="am-email"),
                      rx.el.input(id="am-email", name="email", type="email", required=True, max_length=254),
                      class_name="field"),
            rx.el.button(t("trainings.add_member"), type="submit", class_name="button"),
            on_submit=s.add_member, reset_on_submit=True, class_name="filters card",
        ),
        rx.el.h3(t("trainings.enrolled_list")),
        _roster_table(s.roster.enrolled, "roster-enrolled", "trainings.enrolled_list"),
        rx.el.h3(t("trainings.waitlist_list")),
        rx.cond(s.roster.waitlist.length() > 0,
                _roster_table(s.roster.waitlist, "roster-waitlist", "trainings.waitlist_list"),
                rx.el.p(t("common.none"), class_name="muted")),
        rx.el.h3(t("trainings.ratings")),
        rx.cond(
            s.roster.ratings_count > 0,
            rx.fragment(
                rx.el.p(tp("trainings.average_rating", s.roster.ratings_count, average=s.roster.average_rating),
                        data_testid="average-rating"),
                rx.el.ul(rx.foreach(s.roster.ratings, _rating), class_name="list"),
            ),
            rx.el.p(t("trainings.no_ratings"), class_name="muted"),
        ),
    )


@rx.page(route="/admin/trainings/[training_id]", title=page_title("title.admin_training"),
         on_load=AdminTrainingState.load)
def admin_training_page() -> rx.Component:
    s = AdminTrainingState
    return shell(
        rx.el.p(rx.el.a(rx.icon("arrow-left", size=16, aria_hidden="true"), t("trainings.admin_title"),
                        href="/admin/trainings"), class_name="crumb"),
        message(s.error),
        message(s.info, kind="ok"),
        rx.cond(
            s.allowed,
            rx.fragment(
                rx.el.div(rx.el.h1(s.view.title), _status_pill(s.view.status), class_name="row"),
                rx.cond(s.view.status == "cancelled",
                        rx.el.p(t("trainings.training_cancelled"), " ", s.view.cancel_reason,
                                class_name="notice warn")),
                rx.el.div(
                    rx.el.a(t("trainings.view_public"), href="/trainings/" + s.view.id.to_string(),
                            class_name="button ghost small"),
                    rx.cond(s.view.status == "draft",
                            rx.el.button(t("trainings.publish"), type="button", on_click=s.publish,
                                         class_name="button small", data_testid="publish")),
                    rx.cond(s.view.status != "cancelled",
                            rx.el.details(
                                rx.el.summary(t("trainings.cancel_training"), class_name="button ghost small"),
                                rx.el.form(
                                    rx.el.div(rx.el.label(t("common.reason"), html_for="ct-reason"),
                                              rx.el.input(id="ct-reason", name="reason", required=True,
                                                          max_length=500), class_name="field"),
                                    rx.el.button(t("trainings.cancel_training"), type="submit",
                                                 class_name="button danger small"),
                                    on_submit=s.cancel_training,
                                ),
                            )),
                    class_name="actions",
                ),
                _sessions(),
                _enrolments(),
                rx.el.section(
                    rx.el.h2(t("trainings.details")),
                    training_form(s.view.form, s.save, "common.save", key=s.version),
                ),
                _trainers(),
                _prerequisites(),
            ),
        ),
    )

"""/: the marketing page for visitors; for a signed-in member, their own hub (today and the next 7
days, what waits for them, quick actions); for a pending member, the checklist to membership."""

import reflex as rx

from hub_app.components.shell import shell
from hub_app.services import booking_checkins, bookings, member_home
from hub_app.services.member_home import AgendaItem, WaitlistPlace
from hub_app.services.notifications import NotificationRow
from hub_app.state.i18n import page_title, t, tf
from hub_app.state.session import SessionState, page_load


class HomeState(SessionState):
    agenda: list[AgendaItem] = []
    waitlist: list[WaitlistPlace] = []
    notes: list[NotificationRow] = []
    forum: list[NotificationRow] = []
    desk_text: str = ""
    desk_open: bool = False
    has_checklist: bool = False
    email_verified: bool = False
    profile_complete: bool = False
    rejected: bool = False
    rejected_reason: str = ""
    error: str = ""
    info: str = ""
    booked_id: int = 0
    _desk: tuple = ()

    async def _reload(self) -> None:
        home, error = await self._run(member_home.my_hub)
        if home is None:
            self.agenda, self.waitlist, self.notes, self.forum = [], [], [], []
            self.has_checklist, self._desk, self.desk_text = False, (), ""
            return
        self.agenda, self.waitlist, self.notes, self.forum = home.agenda, home.waitlist, home.notifications, home.forum
        self._desk = (home.desk.space_id, home.desk.start, home.desk.end) if home.desk else ()
        self.desk_text = home.desk.text if home.desk else ""
        checklist = home.checklist
        self.has_checklist = checklist is not None
        if checklist is not None:
            self.email_verified, self.profile_complete = checklist.email_verified, checklist.profile_complete
            self.rejected, self.rejected_reason = checklist.rejected, checklist.reason

    @rx.event
    @page_load
    async def load(self):
        self.error = self.info = ""
        self.desk_open, self.booked_id = False, 0
        if not self.signed_in:
            return
        await self._reload()

    @rx.event
    def offer_desk(self):
        """"Book a desk now": show the next free seat, to confirm with one more tap."""
        self.error = self.info = ""
        self.desk_open = True

    @rx.event
    async def book_desk(self):
        if not self._desk:
            return
        space_id, start, end = self._desk
        row, self.error = await self._run(member_home.book_desk_now, space_id=space_id, start=start, end=end)
        if row is None:
            return
        self.desk_open = False
        self.booked_id = row.id
        self.info = self._t("booking.pending_done" if row.status == "pending" else "booking.done",
                            space=row.space, when=row.when)
        await self._reload()

    @rx.event
    async def cancel_booking(self, booking_id: int):
        self.info, self.booked_id = "", 0
        done, self.error = await self._run(bookings.cancel, booking_id=booking_id)
        if done is None:
            return
        self.info = self._t("hub.booking_cancelled")
        await self._reload()

    @rx.event
    async def check_in(self, booking_id: int):
        self.info, self.booked_id = "", 0
        _, self.error = await self._run(booking_checkins.check_in, booking_id=booking_id)
        if not self.error:
            self.info = self._t("bookings.checked_in")
            await self._reload()


def _agenda_item(item: AgendaItem) -> rx.Component:
    S = HomeState
    return rx.el.li(
        rx.el.div(
            rx.el.div(rx.el.small(item.day, " · ", item.time, class_name="muted"), rx.el.br(),
                      rx.el.a(item.title, href=item.link), rx.el.br(), rx.el.span(item.place, class_name="small")),
            rx.match(item.kind,
                     ("pending", rx.el.span(t("hub.kind.pending"), class_name="pill warn")),
                     ("session", rx.el.span(t("hub.kind.session"), class_name="pill topic")),
                     rx.el.span(t("hub.kind.booking"), class_name="pill ok")),
            class_name="row"),
        rx.el.div(
            rx.cond(item.can_check_in, rx.el.button(t("bookings.check_in"), type="button",
                                                    on_click=S.check_in(item.booking_id), class_name="button small")),
            rx.cond(item.online_link != "", rx.el.a(t("hub.join_online"), href=item.online_link,
                                                    class_name="button ghost small", rel="noopener", target="_blank")),
            rx.cond(item.booking_id > 0,
                    rx.el.a(t("bookings.add_to_calendar"), href="/api/bookings/" + item.booking_id.to_string() + ".ics",
                            class_name="button ghost small"),
                    rx.el.a(t("bookings.add_to_calendar"), href="/api" + item.link + "/calendar.ics",
                            class_name="button ghost small", custom_attrs={"data-ics": "training"})),
            rx.cond(item.can_cancel, rx.el.details(
                rx.el.summary(t("hub.cancel_booking"), class_name="button ghost small"),
                rx.el.button(t("hub.cancel_booking_confirm"), type="button", on_click=S.cancel_booking(item.booking_id),
                             class_name="button danger small"))),
            class_name="actions"),
        class_name="card", data_testid="agenda-item",
    )


def _notes(title_key: str, rows, empty_key: str, more_href: str, testid: str) -> rx.Component:
    return rx.el.section(
        rx.el.h2(t(title_key)),
        rx.cond(rows.length() > 0,
                rx.el.ul(rx.foreach(rows, lambda row: rx.el.li(
                    rx.el.a(row.title, href=rx.cond(row.link != "", row.link, "/notifications")), rx.el.br(),
                    rx.el.small(row.when, class_name="muted"))), class_name="list"),
                rx.el.p(t(empty_key), class_name="muted")),
        rx.el.p(rx.el.a(t("hub.see_all"), href=more_href)),
        data_testid=testid,
    )


def _check(done, label_key: str, todo: rx.Component) -> rx.Component:
    return rx.el.li(
        rx.el.span(rx.cond(done, "✓ ", "○ "), aria_hidden="true"), t(label_key), " ",
        rx.el.span(rx.cond(done, t("hub.done"), t("hub.todo")), class_name=rx.cond(done, "pill ok", "pill warn")),
        rx.cond(done, rx.fragment(), rx.el.div(todo, class_name="small")),
    )


def checklist() -> rx.Component:
    S = HomeState
    return rx.el.section(
        rx.el.h2(t("hub.checklist_title")),
        rx.el.ol(
            _check(S.email_verified, "hub.check_email", rx.el.span(t("hub.check_email_todo"))),
            _check(S.profile_complete, "hub.check_profile", rx.el.a(t("hub.check_profile_todo"), href="/profile")),
            rx.el.li(t("hub.check_staff"), " ",
                     rx.cond(S.rejected,
                             rx.el.p(tf("hub.check_rejected", reason=S.rejected_reason), class_name="notice warn"),
                             rx.el.span(t("hub.check_staff_waiting"), class_name="small"))),
            class_name="checklist",
        ),
        rx.el.p(t("hub.after_approval"), class_name="muted"),
        class_name="card", data_testid="membership-checklist",
    )


def member_hub() -> rx.Component:
    S = HomeState
    return rx.fragment(
        rx.el.h1(tf("hub.greeting", name=SessionState.user_name)),
        rx.cond(S.has_checklist, checklist(), rx.fragment(
            rx.el.section(
                rx.el.h2(t("hub.quick"), class_name="sr-only"),
                rx.el.div(
                    rx.el.button(t("hub.desk_now"), type="button", on_click=S.offer_desk, class_name="button"),
                    rx.el.a(t("hub.book_room"), href="/book?kind=meeting_room", class_name="button ghost"),
                    rx.el.a(t("hub.find_training"), href="/trainings", class_name="button ghost"),
                    class_name="actions"),
                rx.cond(S.desk_open, rx.el.div(
                    rx.cond(S.desk_text != "", rx.fragment(
                        rx.el.p(S.desk_text, data_testid="desk-offer"),
                        rx.el.button(t("hub.desk_confirm"), type="button", on_click=S.book_desk, class_name="button")),
                        rx.el.p(t("hub.desk_none"))),
                    class_name="card stack")),
            ),
            rx.cond(S.error != "", rx.el.p(S.error, class_name="message error", role="alert")),
            rx.cond(S.info != "", rx.el.div(
                rx.el.p(S.info, role="status"),
                rx.cond(S.booked_id > 0, rx.el.div(
                    rx.el.a(t("nav.bookings"), href="/bookings", class_name="button small"),
                    rx.el.a(t("bookings.add_to_calendar"), href="/api/bookings/" + S.booked_id.to_string() + ".ics",
                            class_name="button ghost small"), class_name="actions")),
                class_name="card ok-card stack", data_testid="hub-confirmation")),
            rx.el.section(
                rx.el.h2(t("hub.next_days")),
                rx.cond(S.agenda.length() > 0, rx.el.ul(rx.foreach(S.agenda, _agenda_item), class_name="list"),
                        rx.el.p(t("hub.nothing_planned"), class_name="muted", data_testid="agenda-empty")),
                data_testid="my-days",
            ),
            rx.cond(S.waitlist.length() > 0, rx.el.section(
                rx.el.h2(t("hub.waitlist")),
                rx.el.ul(rx.foreach(S.waitlist, lambda place: rx.el.li(
                    rx.el.a(place.title, href="/trainings/" + place.training_id.to_string()), " · ",
                    tf("hub.waitlist_position", position=place.position))), class_name="list"))),
            rx.el.div(
                _notes("hub.notifications", S.notes, "hub.no_notifications", "/notifications", "hub-notifications"),
                _notes("hub.forum", S.forum, "hub.no_forum", "/forum", "hub-forum"),
                class_name="grid two"),
        )),
    )


def _offer(icon: str, title_key: str, text_key: str, href: str) -> rx.Component:
    return rx.el.article(
        rx.icon(icon, size=28, aria_hidden="true", color="#0b5f73"),
        rx.el.h2(t(title_key)),
        rx.el.p(t(text_key)),
        rx.el.a(t("home.open"), rx.el.span(" ", t(title_key), class_name="sr-only"), href=href),
        class_name="card",
    )


def visitor_home() -> rx.Component:
    return rx.fragment(
        rx.el.section(
            rx.el.h1(t("home.title")),
            rx.el.p(t("home.lead")),
            rx.el.div(
                rx.el.a(t("home.cta_join"), href="/signup", class_name="button"),
                rx.el.a(t("home.cta_spaces"), href="/spaces", class_name="button ghost"),
                class_name="actions",
            ),
            class_name="hero",
        ),
        rx.el.div(
            _offer("building-2", "home.spaces_title", "home.spaces_text", "/spaces"),
            _offer("graduation-cap", "home.trainings_title", "home.trainings_text", "/trainings"),
            _offer("messages-square", "home.community_title", "home.community_text", "/forum"),
            class_name="grid three", style={"margin-top": "1rem"},
        ),
        rx.el.section(
            rx.el.h2(t("home.how_title")),
            rx.el.ol(rx.el.li(t("home.how_1")), rx.el.li(t("home.how_2")), rx.el.li(t("home.how_3"))),
        ),
    )


@rx.page(route="/", title=page_title("title.home"), on_load=HomeState.load)
def home() -> rx.Component:
    return shell(rx.cond(SessionState.signed_in, member_hub(), visitor_home()))

"""/admin: the staff's home. What needs attention today (WIB), on a phone and a laptop: today's
bookings by hour with check-ins and no-shows, approvals waiting (members, bookings) with one-tap
approve and a reasoned decline, trainings this week, forum reports, closures coming up; each part
links to the page where the work is done. The figures come from services/staff_home.py; approving
and declining are the membership and booking services' own."""

import reflex as rx

from hub_app.components.forms import message
from hub_app.components.shell import shell
from hub_app.services import bookings, member_record, membership, staff_home
from hub_app.services.staff_home import ComingClosure, HourRow, WaitingBooking, WaitingMember, WeekTraining
from hub_app.state.i18n import page_title, t, tf
from hub_app.state.session import SessionState, form_data, go_to, page_load

STAT_VALUE = {"font_size": "1.6rem", "line_height": "1.1"}


class StaffHomeState(SessionState):
    allowed: bool = False
    error: str = ""
    info: str = ""
    day: str = ""
    bookings_today: int = 0
    checked_in_today: int = 0
    no_shows_today: int = 0
    hours: list[HourRow] = []
    members_waiting: int = 0
    members: list[WaitingMember] = []
    bookings_waiting: int = 0
    waiting_bookings: list[WaitingBooking] = []
    trainings_this_week: int = 0
    trainings: list[WeekTraining] = []
    reports_waiting: int = 0
    closures_coming: int = 0
    closures: list[ComingClosure] = []

    async def _reload(self) -> None:
        home, error = await self._run(staff_home.overview)
        if home is None:
            self.allowed, self.error = False, error
            self.hours, self.members, self.waiting_bookings, self.trainings, self.closures = [], [], [], [], []
            return
        self.allowed = True
        self.day = home.day
        self.bookings_today, self.checked_in_today, self.no_shows_today = (
            home.bookings_today, home.checked_in_today, home.no_shows_today)
        self.hours = home.hours
        self.members_waiting, self.members = home.members_waiting, home.members
        self.bookings_waiting, self.waiting_bookings = home.bookings_waiting, home.bookings
        self.trainings_this_week, self.trainings = home.trainings_this_week, home.trainings
        self.reports_waiting = home.reports_waiting
        self.closures_coming, self.closures = home.closures_coming, home.closures

    async def _act(self, service, done_key: str = "staff.done", **kwargs) -> None:
        self.error = self.info = ""
        result, error = await self._run(service, **kwargs)
        if error:
            self.error = error
        else:
            self.info = self._t(done_key)
        await self._reload()
        return result

    @rx.event
    @page_load
    async def load(self):
        self.error = self.info = ""
        if await self._actor() is None:
            return go_to("/login?next=/admin")
        await self._reload()

    @rx.event
    async def approve_member(self, member_id: str):
        await self._act(membership.change_status, "admin.done", member_id=member_id, action="approve", reason="")

    @rx.event
    async def decline_member(self, form: dict):
        data = form_data(form)
        await self._act(membership.change_status, "admin.done", member_id=data.get("member_id"), action="reject",
                        reason=data.get("reason", ""))

    @rx.event
    async def resend(self, member_id: str):
        self.error = self.info = ""
        sent, error = await self._run(member_record.resend_verification, member_id=member_id,
                                      client_address=self.router.session.client_ip)
        self.error = error
        if not error:
            self.info = self._t("staff.resent" if sent else "staff.resend_held")

    @rx.event
    async def approve_booking(self, booking_id: str):
        await self._act(bookings.decide, "admin.done_booking", booking_id=booking_id, approve=True, reason="")

    @rx.event
    async def decline_booking(self, form: dict):
        data = form_data(form)
        await self._act(bookings.decide, "admin.done_booking", booking_id=data.get("booking_id"), approve=False,
                        reason=data.get("reason", ""))


# --- pieces -----------------------------------------------------------------------------------------

def _decline(handler, id_name: str, row_id: rx.Var, prefix: str) -> rx.Component:
    """Declining asks for the reason the member will read."""
    field_id = f"{prefix}-reason-" + row_id.to_string()
    return rx.el.details(
        rx.el.summary(t("staff.decline"), class_name="button ghost small"),
        rx.el.form(
            rx.el.input(type="hidden", name=id_name, value=row_id),
            rx.el.div(rx.el.label(t("common.reason"), html_for=field_id),
                      rx.el.input(id=field_id, name="reason", required=True, max_length=500), class_name="field"),
            rx.el.button(t("staff.decline"), type="submit", class_name="button small danger"),
            on_submit=handler, reset_on_submit=True,
        ),
        class_name="decline",
    )


def _section(title_key: str, count: rx.Var | None, *children, link: str = "", link_key: str = "",
             test_id: str = "") -> rx.Component:
    heading = rx.el.h2(t(title_key), " (", count, ")") if count is not None else rx.el.h2(t(title_key))
    return rx.el.section(
        heading, *children,
        rx.el.p(rx.el.a(t(link_key), href=link)) if link else rx.fragment(),
        class_name="card stack staff-card", data_testid=test_id,
    )


def _stat(value: rx.Var, label_key: str, test_id: str) -> rx.Component:
    return rx.el.div(rx.el.strong(value, style=STAT_VALUE), rx.el.span(t(label_key), class_name="muted small"),
                     style={"display": "flex", "flex_direction": "column"}, data_testid=test_id)


def _hour(row: HourRow) -> rx.Component:
    return rx.el.li(rx.el.strong(row.hour), " ",
                    tf("staff.hour_row", bookings=row.bookings, checked=row.checked_in, missed=row.no_shows),
                    data_testid="staff-hour")


def _waiting_member(row: WaitingMember) -> rx.Component:
    return rx.el.li(
        rx.el.a(rx.el.strong(row.name), href="/admin/members/" + row.id.to_string()),
        rx.el.br(),
        rx.el.small(row.email, rx.cond(row.business_name != "", " · " + row.business_name, ""), class_name="muted"),
        rx.cond(
            row.verified,
            rx.el.div(rx.el.button(t("staff.approve"), type="button", class_name="button small",
                                   on_click=StaffHomeState.approve_member(row.id.to_string())),
                      _decline(StaffHomeState.decline_member, "member_id", row.id, "member"),
                      class_name="actions"),
            rx.el.div(rx.el.span(t("staff.waits_for_email"), class_name="pill warn"),
                      rx.el.button(t("staff.resend"), type="button", class_name="button ghost small",
                                   on_click=StaffHomeState.resend(row.id.to_string())),
                      class_name="actions"),
        ),
        data_testid="staff-waiting-member",
    )


def _waiting_booking(row: WaitingBooking) -> rx.Component:
    return rx.el.li(
        rx.el.strong(row.member), rx.el.br(),
        rx.el.small(row.space, " · ", row.when, class_name="muted"),
        rx.el.div(rx.el.button(t("staff.approve"), type="button", class_name="button small",
                               on_click=StaffHomeState.approve_booking(row.id.to_string())),
                  _decline(StaffHomeState.decline_booking, "booking_id", row.id, "booking"),
                  class_name="actions"),
        data_testid="staff-waiting-booking",
    )


def _training(row: WeekTraining) -> rx.Component:
    return rx.el.li(
        rx.el.a(rx.el.strong(row.title), href="/admin/trainings/" + row.id.to_string()), rx.el.br(),
        rx.el.small(row.when, class_name="muted"), rx.el.br(),
        rx.el.small(tf("staff.seats", enrolled=row.enrolled, capacity=row.capacity, waitlisted=row.waitlisted)),
        data_testid="staff-training",
    )


def _closure(row: ComingClosure) -> rx.Component:
    return rx.el.li(rx.el.strong(row.space), rx.el.br(), rx.el.small(row.when, class_name="muted"),
                    rx.cond(row.reason != "", rx.fragment(rx.el.br(), rx.el.small(row.reason))),
                    data_testid="staff-closure")


def _list(items: rx.Var, render, empty_key: str) -> rx.Component:
    return rx.cond(items.length() > 0, rx.el.ul(rx.foreach(items, render), class_name="list"),
                   rx.el.p(t(empty_key), class_name="muted"))


def _more(shown: rx.Var, total: rx.Var) -> rx.Component:
    return rx.cond(total > shown.length(), rx.el.p(tf("staff.more", count=total - shown.length()),
                                                   class_name="muted small"))


def _today() -> rx.Component:
    return _section(
        "staff.today_title", None,
        rx.el.div(_stat(StaffHomeState.bookings_today, "staff.bookings_today", "staff-bookings-today"),
                  _stat(StaffHomeState.checked_in_today, "staff.checked_in", "staff-checked-in"),
                  _stat(StaffHomeState.no_shows_today, "staff.no_shows", "staff-no-shows"),
                  style={"display": "flex", "flex_wrap": "wrap", "gap": "1.25rem"}),
        _list(StaffHomeState.hours, _hour, "staff.no_bookings_today"),
        link="/admin/bookings", link_key="staff.open_bookings_desk", test_id="staff-today",
    )


def _approvals() -> rx.Component:
    return rx.el.section(
        rx.el.h2(t("staff.approvals_title")),
        rx.el.h3(t("staff.members_waiting"), " (", StaffHomeState.members_waiting, ")",
                 data_testid="staff-members-waiting"),
        _list(StaffHomeState.members, _waiting_member, "staff.nothing_waiting"),
        _more(StaffHomeState.members, StaffHomeState.members_waiting),
        rx.el.p(rx.el.a(t("staff.all_waiting_members"), href="/admin/members?status=pending")),
        rx.el.h3(t("staff.bookings_waiting"), " (", StaffHomeState.bookings_waiting, ")",
                 data_testid="staff-bookings-waiting"),
        _list(StaffHomeState.waiting_bookings, _waiting_booking, "staff.nothing_waiting"),
        _more(StaffHomeState.waiting_bookings, StaffHomeState.bookings_waiting),
        rx.el.p(rx.el.a(t("staff.all_waiting_bookings"), href="/admin/bookings")),
        class_name="card stack staff-card", data_testid="staff-approvals",
    )


@rx.page(route="/admin", title=page_title("title.admin_home"),
         on_load=StaffHomeState.load)
def admin_home() -> rx.Component:
    return shell(
        rx.el.div(rx.el.h1(t("staff.home_title")), rx.el.p(StaffHomeState.day, class_name="muted"),
                  rx.el.p(rx.el.a(t("insights.link"), href="/admin/insights"), " · ",
                          rx.el.span(t("insights.link_hint"), class_name="muted"), data_testid="staff-insights-link"),
                  class_name="page-head"),
        message(StaffHomeState.error),
        message(StaffHomeState.info, kind="ok"),
        rx.cond(
            StaffHomeState.allowed,
            rx.el.div(
                _today(),
                _approvals(),
                _section("staff.trainings_title", StaffHomeState.trainings_this_week,
                         _list(StaffHomeState.trainings, _training, "staff.no_trainings"),
                         _more(StaffHomeState.trainings, StaffHomeState.trainings_this_week),
                         link="/admin/trainings", link_key="staff.all_trainings", test_id="staff-trainings"),
                _section("staff.reports_title", None,
                         rx.el.p(rx.el.strong(StaffHomeState.reports_waiting, style=STAT_VALUE), " ",
                                 t("staff.reports_waiting"), data_testid="staff-reports-waiting"),
                         link="/admin/forum", link_key="staff.open_moderation", test_id="staff-reports"),
                _section("staff.closures_title", StaffHomeState.closures_coming,
                         _list(StaffHomeState.closures, _closure, "staff.no_closures"),
                         _more(StaffHomeState.closures, StaffHomeState.closures_coming),
                         link="/admin/spaces", link_key="staff.manage_spaces", test_id="staff-closures"),
                class_name="grid two", style={"align_items": "start"},
            ),
        ),
    )

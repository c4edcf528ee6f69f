"""/admin/members/<id>: one member's record for staff (services/member_record.py) with the actions on
it: approve, reject, suspend, reactivate (membership.change_status), resend the verification email
(through the limited account-mail path), and the booking quota (booking_admin.set_quota). The member
is the one in the address; no handler takes a member id from the browser."""

import reflex as rx

from hub_app.components.forms import message
from hub_app.components.shell import shell
from hub_app.pages.certificates import MemberCertificatesState, member_certificates_section
from hub_app.services import booking_admin, member_record, membership
from hub_app.services.member_record import HistoryRow, RecordBooking, RecordPost, RecordTraining
from hub_app.state.i18n import page_title, t, tf
from hub_app.state.session import SessionState, form_data, go_to, page_load


class MemberRecordState(SessionState):
    allowed: bool = False
    error: str = ""
    info: str = ""
    member_id: int = 0
    name: str = ""
    email: str = ""
    handle: str = ""
    business_name: str = ""
    sector: str = ""
    stage: str = ""
    role: str = ""
    status: str = ""
    status_reason: str = ""
    verified: bool = False
    joined: str = ""
    actions: list[str] = []
    waits_for_email: bool = False
    history: list[HistoryRow] = []
    upcoming_count: int = 0
    upcoming: list[RecordBooking] = []
    past_count: int = 0
    past: list[RecordBooking] = []
    no_shows: int = 0
    hours_per_week: int = 0
    upcoming_bookings: int = 0
    custom_quota: bool = False
    enrolled: int = 0
    waitlisted: int = 0
    completed: int = 0
    trainings: list[RecordTraining] = []
    posts_count: int = 0
    posts: list[RecordPost] = []
    reports_against: int = 0
    reports_made: int = 0
    audit: list[HistoryRow] = []
    form_version: int = 0

    def _record_id(self) -> str:
        return str(self._route_args().get("record_id", ""))[:20]

    async def _reload(self) -> None:
        found, error = await self._run(member_record.record, member_id=self._record_id())
        if found is None:
            self.reset()
            self.error = error
            return
        self.allowed = True
        for name in ("name", "email", "handle", "business_name", "sector", "stage", "role", "status",
                     "status_reason", "verified", "joined", "actions", "waits_for_email", "history",
                     "upcoming_count", "upcoming", "past_count", "past", "no_shows", "hours_per_week",
                     "upcoming_bookings", "custom_quota", "enrolled", "waitlisted", "completed", "trainings",
                     "posts_count", "posts", "reports_against", "reports_made", "audit"):
            setattr(self, name, getattr(found, name))
        self.member_id = found.id

    async def _act(self, service, done_key: str, **kwargs) -> None:
        self.error = self.info = ""
        if not self.member_id:
            return
        _, error = await self._run(service, member_id=self.member_id, **kwargs)
        self.error = error
        if not error:
            self.info = self._t(done_key)
            self.form_version += 1
        await self._reload()
        self.error = self.error or error

    @rx.event
    @page_load
    async def load(self):
        self.error = self.info = ""
        if await self._actor() is None:
            return go_to(f"/login?next=/admin/members/{self._record_id()}")
        await self._reload()

    @rx.event
    async def change_status(self, form: dict):
        data = form_data(form)
        await self._act(membership.change_status, "admin.done", action=data.get("action"),
                        reason=data.get("reason", ""))

    @rx.event
    async def resend(self):
        self.error = self.info = ""
        if not self.member_id:
            return
        sent, error = await self._run(member_record.resend_verification, member_id=self.member_id,
                                      client_address=self.router.session.client_ip)
        self.error = error
        if not error:
            self.info = self._t("staff.resent" if sent else "staff.resend_held")
            await self._reload()

    @rx.event
    async def set_quota(self, form: dict):
        data = form_data(form)
        await self._act(booking_admin.set_quota, "common.saved", hours_per_week=data.get("hours_per_week"),
                        upcoming_bookings=data.get("upcoming_bookings"))


# --- pieces -----------------------------------------------------------------------------------------

def _status_form(action: str, label_key: str, needs_reason: bool) -> rx.Component:
    hidden = rx.el.input(type="hidden", name="action", value=action)
    if not needs_reason:
        return rx.el.form(hidden, rx.el.input(type="hidden", name="reason", value=""),
                          rx.el.button(t(label_key), type="submit", class_name="button small"),
                          on_submit=MemberRecordState.change_status)
    return rx.el.details(
        rx.el.summary(t(label_key), class_name="button ghost small"),
        rx.el.form(
            hidden,
            rx.el.div(rx.el.label(t("common.reason"), html_for=f"record-reason-{action}"),
                      rx.el.input(id=f"record-reason-{action}", name="reason", required=True, max_length=500),
                      class_name="field"),
            rx.el.button(t(label_key), type="submit", class_name="button small danger"),
            on_submit=MemberRecordState.change_status, reset_on_submit=True,
        ),
    )


def _pill(status: rx.Var, prefix: str, keys: tuple[str, ...]) -> rx.Component:
    return rx.el.span(rx.match(status, *[(key, t(f"{prefix}.{key}")) for key in keys], status),
                      class_name="pill " + status)


def _history(row: HistoryRow) -> rx.Component:
    return rx.el.li(rx.el.strong(row.action), " · ", rx.el.small(row.when, " ", tf("staff.by", name=row.by),
                                                                class_name="muted"),
                    rx.cond(row.reason != "", rx.el.p(t("common.reason"), ": ", row.reason, class_name="small")),
                    data_testid="record-history")


BOOKING_STATUSES = ("pending", "confirmed", "declined", "cancelled", "released")


def _booking(row: RecordBooking) -> rx.Component:
    return rx.el.li(
        rx.el.div(rx.el.strong(row.space), _pill(row.status, "booking.status", BOOKING_STATUSES), class_name="row"),
        rx.el.small(row.when, class_name="muted"),
        rx.cond(row.checked_in, rx.el.span(" · ", t("staff.checked_in_mark"), class_name="small")),
        rx.cond(row.no_show, rx.el.span(" · ", t("staff.no_show_mark"), class_name="small")),
        data_testid="record-booking",
    )


def _training(row: RecordTraining) -> rx.Component:
    return rx.el.li(
        rx.el.div(rx.el.a(rx.el.strong(row.title), href="/admin/trainings/" + row.id.to_string()),
                  _pill(row.status, "staff.enrolment", ("enrolled", "waitlisted", "completed", "withdrawn",
                                                          "removed")),
                  class_name="row"),
        rx.el.small(row.when, class_name="muted"),
        data_testid="record-training",
    )


def _post(row: RecordPost) -> rx.Component:
    return rx.el.li(
        rx.el.a(rx.el.strong(row.thread_title),
                href="/forum/t/" + row.thread_id.to_string() + "?from=" + row.id.to_string()),
        rx.el.br(), rx.el.small(row.when, class_name="muted"),
        rx.cond(row.open_reports > 0, rx.el.span(" ", tf("staff.post_reports", count=row.open_reports),
                                                 class_name="pill bad")),
        rx.el.p(row.excerpt, class_name="small", style={"overflow_wrap": "anywhere"}),
        data_testid="record-post",
    )


def _list(items: rx.Var, render) -> rx.Component:
    return rx.cond(items.length() > 0, rx.el.ul(rx.foreach(items, render), class_name="list"),
                   rx.el.p(t("staff.none"), class_name="muted"))


def _fact(label_key: str, value: rx.Var) -> rx.Component:
    return rx.fragment(rx.el.dt(t(label_key)), rx.el.dd(value, style={"overflow_wrap": "anywhere"}))


def _profile() -> rx.Component:
    S = MemberRecordState
    return rx.el.section(
        rx.el.h2(t("staff.profile")),
        rx.el.dl(_fact("staff.email", S.email), _fact("staff.handle", rx.cond(S.handle != "", "@" + S.handle, "-")),
                 _fact("staff.business", rx.cond(S.business_name != "", S.business_name, "-")),
                 _fact("staff.sector", rx.cond(S.sector != "", S.sector, "-")),
                 _fact("staff.stage", rx.cond(S.stage != "", S.stage, "-")),
                 _fact("staff.joined", S.joined),
                 class_name="facts"),
        class_name="card", data_testid="record-profile",
    )


def _membership() -> rx.Component:
    S = MemberRecordState
    return rx.el.section(
        rx.el.h2(t("staff.membership_title")),
        rx.el.p(_pill(S.status, "status", ("pending", "active", "rejected", "suspended")), " ",
                rx.el.span(rx.match(S.role, ("staff", t("role.staff")), ("admin", t("role.admin")), t("role.member")),
                           class_name="pill"), " ",
                rx.el.small(rx.cond(S.verified, t("admin.verified"), t("admin.unverified")), class_name="muted")),
        rx.cond(S.status_reason != "", rx.el.p(t("common.reason"), ": ", S.status_reason, class_name="muted")),
        rx.cond(S.waits_for_email,
                rx.el.div(rx.el.span(t("staff.waits_for_email"), class_name="pill warn",
                                     data_testid="record-waits-for-email"),
                          rx.el.button(t("staff.resend"), type="button", class_name="button ghost small",
                                       on_click=MemberRecordState.resend),
                          class_name="actions")),
        rx.el.div(
            rx.cond(S.actions.contains("approve"), _status_form("approve", "admin.approve", False)),
            rx.cond(S.actions.contains("reject"), _status_form("reject", "admin.reject", True)),
            rx.cond(S.actions.contains("suspend"), _status_form("suspend", "admin.suspend", True)),
            rx.cond(S.actions.contains("reactivate"), _status_form("reactivate", "admin.reactivate", False)),
            class_name="actions", key=S.form_version.to_string(),
        ),
        rx.el.h3(t("staff.history")),
        rx.cond(S.history.length() > 0, rx.el.ul(rx.foreach(S.history, _history), class_name="list"),
                rx.el.p(t("staff.no_history"), class_name="muted")),
        class_name="card", data_testid="record-membership",
    )


def _bookings() -> rx.Component:
    S = MemberRecordState
    return rx.el.section(
        rx.el.h2(t("staff.bookings_title")),
        rx.el.p(tf("staff.no_show_count", count=S.no_shows), data_testid="record-no-shows"),
        rx.el.h3(t("staff.upcoming"), " (", S.upcoming_count, ")"),
        _list(S.upcoming, _booking),
        rx.el.h3(t("staff.past"), " (", S.past_count, ")"),
        _list(S.past, _booking),
        rx.el.h3(t("staff.quota_title")),
        rx.el.p(tf("staff.quota_now", hours=S.hours_per_week, count=S.upcoming_bookings), " (",
                rx.cond(S.custom_quota, t("staff.quota_custom"), t("staff.quota_default")), ")",
                data_testid="record-quota"),
        rx.el.form(
            rx.el.div(rx.el.label(t("staff.quota_hours"), html_for="quota-hours"),
                      rx.el.input(id="quota-hours", name="hours_per_week", type="number", min=0, max=168,
                                  inputmode="numeric"), class_name="field"),
            rx.el.div(rx.el.label(t("staff.quota_count"), html_for="quota-count"),
                      rx.el.input(id="quota-count", name="upcoming_bookings", type="number", min=0, max=500,
                                  inputmode="numeric"), class_name="field"),
            rx.el.p(t("staff.quota_hint"), class_name="hint"),
            rx.el.button(t("staff.quota_save"), type="submit", class_name="button small"),
            on_submit=MemberRecordState.set_quota, key=S.form_version.to_string(), class_name="stack",
        ),
        class_name="card", data_testid="record-bookings",
    )


def _trainings() -> rx.Component:
    S = MemberRecordState
    return rx.el.section(
        rx.el.h2(t("staff.trainings_record")),
        rx.el.p(tf("staff.training_counts", enrolled=S.enrolled, waitlisted=S.waitlisted, completed=S.completed),
                data_testid="record-training-counts"),
        _list(S.trainings, _training),
        class_name="card", data_testid="record-trainings",
    )


def _forum() -> rx.Component:
    S = MemberRecordState
    return rx.el.section(
        rx.el.h2(t("staff.forum_title")),
        rx.el.p(tf("staff.forum_counts", posts=S.posts_count, against=S.reports_against, made=S.reports_made),
                data_testid="record-forum-counts"),
        _list(S.posts, _post),
        class_name="card", data_testid="record-forum",
    )


def _audit() -> rx.Component:
    return rx.el.section(
        rx.el.h2(t("staff.audit_title")),
        _list(MemberRecordState.audit, _history),
        class_name="card", data_testid="record-audit",
    )


@rx.page(route="/admin/members/[record_id]", title=page_title("title.admin_member"),
         on_load=[MemberRecordState.load, MemberCertificatesState.load_member_certificates])
def admin_member() -> rx.Component:
    return shell(
        rx.el.p(rx.el.a("← ", t("staff.back_to_members"), href="/admin/members"), class_name="crumbs"),
        message(MemberRecordState.error),
        message(MemberRecordState.info, kind="ok"),
        rx.cond(
            MemberRecordState.allowed,
            rx.el.div(
                rx.el.h1(MemberRecordState.name, style={"overflow_wrap": "anywhere"}),
                rx.el.div(_membership(), _profile(), _bookings(), _trainings(), member_certificates_section(),
                          _forum(), _audit(), class_name="grid two"),
                class_name="stack",
            ),
        ),
    )

"""/admin/members (staff): every member, searched and filtered, a page at a time, with the actions
on each (approve, reject, suspend, reactivate, roles for admins) and, for pending members, a
checkbox: approve or decline the ticked ones at once with one reason (membership.decide_many).
An unverified member waits for email verification, with "resend", also after a bulk approval."""

import reflex as rx

from hub_app.components.forms import message
from hub_app.components.queues import bulk_form, chosen_ids, pick_box, refusals
from hub_app.components.shell import shell
from hub_app.domain.errors import HubError
from hub_app.domain.membership import STATUSES
from hub_app.domain.permissions import ROLES
from hub_app.domain.queues import BulkRefusal
from hub_app.services import member_record, membership
from hub_app.services.membership import MemberRow
from hub_app.state.i18n import page_title, t
from hub_app.state.services import call
from hub_app.state.session import SessionState, form_data, go_to, page_load


class AdminMembersState(SessionState):
    rows: list[MemberRow] = []
    query: str = ""
    status_filter: str = ""
    role_filter: str = ""
    after_id: int = 0
    next_after_id: int = 0
    error: str = ""
    info: str = ""
    allowed: bool = True
    refused: list[BulkRefusal] = []
    has_pending: bool = False  # a pending member on this page: the bulk form is shown
    list_version: int = 0  # remounts the list after each change, so no tick stays on a row that moved

    async def _reload(self) -> None:
        self.list_version += 1
        try:
            page = await call(membership.list_members, await self._actor(), query=self.query,
                              status=self.status_filter, role=self.role_filter, after_id=self.after_id)
        except HubError as error:
            self.rows, self.next_after_id, self.has_pending = [], 0, False
            self.allowed = False
            self.error = self._error_text(error)
            return
        self.allowed = True
        self.rows, self.next_after_id = page.rows, page.next_after_id
        self.has_pending = any(row.status == "pending" for row in page.rows)

    @rx.event
    @page_load
    async def load(self):
        self.error = self.info = ""
        if await self._actor() is None:
            return go_to("/login?next=/admin/members")
        self.after_id = 0
        self.status_filter = self.router.url.query_parameters.get("status", "")
        if self.status_filter not in STATUSES:
            self.status_filter = ""
        await self._reload()

    @rx.event
    async def search(self, form: dict):
        data = form_data(form)
        self.query = str(data.get("query", ""))[:100]
        self.status_filter = data.get("status", "") if data.get("status") in STATUSES else ""
        self.role_filter = data.get("role", "") if data.get("role") in ROLES else ""
        self.after_id = 0
        self.error = self.info = ""
        await self._reload()

    @rx.event
    async def next_page(self):
        self.after_id = self.next_after_id
        await self._reload()

    @rx.event
    async def first_page(self):
        self.after_id = 0
        await self._reload()

    @rx.event
    async def change_status(self, form: dict):
        data = form_data(form)
        self.error = self.info = ""
        try:
            await call(membership.change_status, await self._actor(), member_id=data.get("member_id"),
                       action=data.get("action"), reason=data.get("reason", ""))
        except HubError as error:
            self.error = self._error_text(error)
            return
        self.info = self._t("admin.done")
        await self._reload()

    @rx.event
    async def change_role(self, form: dict):
        data = form_data(form)
        self.error = self.info = ""
        try:
            await call(membership.change_role, await self._actor(), member_id=data.get("member_id"),
                       role=data.get("role"))
        except HubError as error:
            self.error = self._error_text(error)
            return
        self.info = self._t("admin.done")
        await self._reload()

    @rx.event
    async def decide_chosen(self, form: dict):
        """Approve or decline the ticked pending members with one reason."""
        data = form_data(form)
        self.error = self.info = ""
        self.refused = []
        action = "reject" if data.get("decision") == "reject" else "approve"
        outcome, self.error = await self._run(membership.decide_many, member_ids=chosen_ids(data), action=action,
                                              reason=data.get("reason", ""))
        if outcome is not None:
            self.info = self._t(f"queues.summary.{'decline' if action == 'reject' else 'approve'}",
                                done=outcome.done)
            self.refused = outcome.refused
        await self._reload()

    @rx.event
    async def resend(self, member_id: str):
        """Sends an unverified member's verification link again (the account-mail limits apply)."""
        self.error = self.info = ""
        sent, self.error = await self._run(member_record.resend_verification, member_id=member_id,
                                           client_address=self.router.session.client_ip)
        if not self.error:
            self.info = self._t("staff.resent" if sent else "staff.resend_held")


def _action(row: MemberRow, action: str, label_key: str, needs_reason: bool) -> rx.Component:
    hidden = [rx.el.input(type="hidden", name="member_id", value=row.id),
              rx.el.input(type="hidden", name="action", value=action)]
    if not needs_reason:
        return rx.el.form(*hidden,
                          rx.el.input(type="hidden", name="reason", value=""),
                          rx.el.button(t(label_key), type="submit", class_name="button small"),
                          on_submit=AdminMembersState.change_status)
    return rx.el.details(
        rx.el.summary(t(label_key), class_name="button ghost small"),
        rx.el.form(
            *hidden,
            rx.el.div(rx.el.label(t("common.reason"), html_for=f"reason-{action}-" + row.id.to_string()),
                      rx.el.input(id=f"reason-{action}-" + row.id.to_string(), name="reason", required=True,
                                  max_length=500),
                      class_name="field"),
            rx.el.button(t(label_key), type="submit", class_name="button small danger"),
            on_submit=AdminMembersState.change_status,
        ),
    )


def _status_pill(status) -> rx.Component:
    return rx.el.span(
        rx.match(status, ("active", t("status.active")), ("pending", t("status.pending")),
                 ("rejected", t("status.rejected")), ("suspended", t("status.suspended")), status),
        class_name="pill " + status)


def _row(row: MemberRow) -> rx.Component:
    # Staff act on members; admins also on staff accounts; nobody on their own account.
    may_act = (row.id != SessionState.user_id) & ((row.role == "member") | SessionState.is_admin)
    return rx.el.li(
        rx.el.div(
            rx.el.div(rx.cond(may_act & (row.status == "pending"), pick_box("bulk-members", row.id, row.name)),
                      rx.el.div(rx.el.a(rx.el.strong(row.name), href="/admin/members/" + row.id.to_string()),
                                rx.el.br(), rx.el.small(row.email, class_name="muted"),
                                rx.cond(row.business_name != "",
                                        rx.el.small(" · ", row.business_name, class_name="muted"))),
                      class_name="picked"),
            rx.el.div(_status_pill(row.status), " ",
                      rx.el.span(rx.match(row.role, ("staff", t("role.staff")), ("admin", t("role.admin")),
                                          t("role.member")), class_name="pill")),
            class_name="row",
        ),
        rx.el.small(rx.cond(row.verified, t("admin.verified"), t("admin.unverified")), " · ",
                    t("admin.joined"), " ", row.joined, class_name="muted"),
        rx.cond(row.status_reason != "", rx.el.p(t("common.reason"), ": ", row.status_reason, class_name="muted")),
        rx.cond(
            may_act,
            rx.el.div(
                # Approving needs a verified email: until then the row says so and offers to resend it.
                rx.cond((row.status == "pending") | (row.status == "rejected"),
                        rx.cond(row.verified, _action(row, "approve", "admin.approve", False),
                                rx.fragment(
                                    rx.el.span(t("staff.waits_for_email"), class_name="pill warn"),
                                    rx.el.button(t("staff.resend"), type="button", class_name="button ghost small",
                                                 on_click=AdminMembersState.resend(row.id.to_string())))),
                        ),
                rx.cond(row.status == "pending", _action(row, "reject", "admin.reject", True)),
                rx.cond(row.status == "active", _action(row, "suspend", "admin.suspend", True)),
                rx.cond(row.status == "suspended", _action(row, "reactivate", "admin.reactivate", False)),
                rx.cond(SessionState.is_admin,
                        rx.el.form(
                            rx.el.input(type="hidden", name="member_id", value=row.id),
                            rx.el.label(t("admin.change_role"), html_for="role-" + row.id.to_string(),
                                        class_name="sr-only"),
                            rx.el.select(*[rx.el.option(t(f"role.{role}"), value=role) for role in ROLES],
                                         id="role-" + row.id.to_string(), name="role", default_value=row.role),
                            rx.el.button(t("admin.change_role"), type="submit", class_name="button ghost small"),
                            on_submit=AdminMembersState.change_role, class_name="actions",
                        )),
                class_name="actions",
            ),
        ),
        data_testid="member-row",
    )


def _filters() -> rx.Component:
    return rx.el.form(
        rx.el.div(rx.el.label(t("common.search"), html_for="f-query"),
                  rx.el.input(id="f-query", name="query", type="search", max_length=100,
                              placeholder=t("admin.search_placeholder")), class_name="field"),
        rx.el.div(rx.el.label(t("admin.filter_status"), html_for="f-status"),
                  rx.el.select(rx.el.option(t("common.all"), value=""),
                               *[rx.el.option(t(f"status.{status}"), value=status) for status in STATUSES],
                               id="f-status", name="status"), class_name="field"),
        rx.el.div(rx.el.label(t("admin.filter_role"), html_for="f-role"),
                  rx.el.select(rx.el.option(t("common.all"), value=""),
                               *[rx.el.option(t(f"role.{role}"), value=role) for role in ROLES],
                               id="f-role", name="role"), class_name="field"),
        rx.el.button(t("common.search"), type="submit", class_name="button"),
        on_submit=AdminMembersState.search, reset_on_submit=False, class_name="filters card",
    )


@rx.page(route="/admin/members", title=page_title("title.admin_members"),
         on_load=AdminMembersState.load)
def admin_members() -> rx.Component:
    return shell(
        rx.el.h1(t("admin.members_title")),
        message(AdminMembersState.error),
        message(AdminMembersState.info, kind="ok"),
        rx.cond(
            AdminMembersState.allowed,
            rx.fragment(
                _filters(),
                rx.cond(AdminMembersState.has_pending,
                        bulk_form("bulk-members", AdminMembersState.decide_chosen, approve="approve",
                                  decline="reject", hint_key="queues.bulk_hint")),
                refusals(AdminMembersState.refused, AdminMembersState.resend),
                rx.el.ul(rx.foreach(AdminMembersState.rows, _row), class_name="list", style={"margin-top": "1rem"},
                         key=AdminMembersState.list_version),
                rx.el.div(
                    rx.cond(AdminMembersState.after_id > 0,
                            rx.el.button(t("common.first_page"), on_click=AdminMembersState.first_page,
                                         class_name="button ghost")),
                    rx.cond(AdminMembersState.next_after_id > 0,
                            rx.el.button(t("common.next_page"), on_click=AdminMembersState.next_page,
                                         class_name="button ghost")),
                    class_name="actions",
                ),
            ),
        ),
    )

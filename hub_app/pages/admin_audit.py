"""/admin/audit (staff): the audit log, newest first a page at a time, filtered by staff member,
member, action and a range of WIB days (services/audit.py), with readable action names and targets
that link to their pages, and a CSV download of the filtered entries (/api/admin/audit.csv). The
filters are in the address (?staff=&member=&action=&from=&to=), so a filtered log can be linked."""

import json
from urllib.parse import urlencode

import reflex as rx

from hub_app.components.forms import message
from hub_app.components.regions import scroll_region
from hub_app.components.shell import shell
from hub_app.domain.audit import ACTIONS, action_key
from hub_app.services import audit
from hub_app.services.audit import AuditRow, StaffOption
from hub_app.state.i18n import page_title, t
from hub_app.state.session import SessionState, form_data, go_to, page_load

PAGE = 50
# Query parameter -> the state's filter field.
FILTERS = {"staff": "staff_id", "member": "member", "action": "action", "from": "date_from", "to": "date_to"}


class AdminAuditState(SessionState):
    entries: list[AuditRow] = []
    before_id: int = 0
    page_start: int = 0  # the id the shown page starts below (0: the newest)
    error: str = ""
    staff_options: list[StaffOption] = []
    staff_id: str = ""
    member: str = ""
    action: str = ""
    date_from: str = ""
    date_to: str = ""
    csv_href: str = "/api/admin/audit.csv"
    form_version: int = 0

    def _filters(self) -> dict[str, str]:
        return {key: getattr(self, name) for key, name in FILTERS.items() if getattr(self, name)}

    def _set_filters(self, values: dict) -> None:
        for key, name in FILTERS.items():
            value = values.get(key, "")
            setattr(self, name, value[:254] if isinstance(value, str) else "")
        query = urlencode(self._filters())
        self.csv_href = "/api/admin/audit.csv" + (f"?{query}" if query else "")
        self.form_version += 1

    async def _reload(self, before_id: int) -> None:
        entries, self.error = await self._run(
            audit.list_entries, before_id=before_id, limit=PAGE, staff_id=self.staff_id, member=self.member,
            action=self.action, date_from=self.date_from, date_to=self.date_to)
        self.entries = entries or []
        self.page_start = before_id if entries else 0
        self.before_id = self.entries[-1].id if len(self.entries) == PAGE else 0

    def _address(self):
        """Keeps the filters in the address bar (without a navigation), so the page can be linked."""
        query = urlencode(self._filters())
        path = "/admin/audit" + (f"?{query}" if query else "")
        return rx.call_script(f"window.history.replaceState(window.history.state, '', {json.dumps(path)})")

    @rx.event
    @page_load
    async def load(self):
        self.error = ""
        if await self._actor() is None:
            return go_to("/login?next=/admin/audit")
        self._set_filters(self.router.url.query_parameters)
        options, _ = await self._run(audit.staff_options)
        self.staff_options = options or []
        await self._reload(0)

    @rx.event
    async def apply_filters(self, form: dict):
        self._set_filters(form_data(form))
        await self._reload(0)
        return self._address()

    @rx.event
    async def clear_filters(self):
        self._set_filters({})
        await self._reload(0)
        return self._address()

    @rx.event
    async def older(self):
        await self._reload(self.before_id)

    @rx.event
    async def newest(self):
        await self._reload(0)


def _entry(entry: AuditRow) -> rx.Component:
    return rx.el.tr(
        rx.el.td(entry.when, data_label=t("audit.when")),
        rx.el.td(entry.actor, data_label=t("audit.who")),
        rx.el.td(entry.action_name, data_label=t("audit.what")),
        rx.el.td(rx.cond(entry.target_href != "", rx.el.a(entry.target, href=entry.target_href), entry.target),
                 data_label=t("audit.target")),
        rx.el.td(entry.detail, data_label=t("audit.detail"), class_name="wrap-anywhere"),
        data_testid="audit-row",
    )


def _field(label_key: str, field_id: str, control: rx.Component) -> rx.Component:
    return rx.el.div(rx.el.label(t(label_key), html_for=field_id), control, class_name="field")


def _filters() -> rx.Component:
    S = AdminAuditState
    return rx.el.form(
        _field("queues.filter_staff", "au-staff", rx.el.select(
            rx.el.option(t("queues.anyone"), value=""),
            rx.foreach(S.staff_options, lambda o: rx.el.option(o.name, value=o.id.to_string())),
            id="au-staff", name="staff", default_value=S.staff_id)),
        _field("queues.filter_member", "au-member", rx.el.input(id="au-member", name="member", type="search",
                                                                max_length=254, default_value=S.member)),
        _field("queues.filter_action", "au-action", rx.el.select(
            rx.el.option(t("queues.any_action"), value=""),
            *[rx.el.option(t(action_key(action)), value=action) for action in ACTIONS],
            id="au-action", name="action", default_value=S.action)),
        _field("queues.filter_from", "au-from", rx.el.input(id="au-from", name="from", type="date",
                                                            default_value=S.date_from)),
        _field("queues.filter_to", "au-to", rx.el.input(id="au-to", name="to", type="date", default_value=S.date_to)),
        rx.el.div(rx.el.button(t("queues.filter_apply"), type="submit", class_name="button"),
                  rx.el.button(t("queues.filter_clear"), type="button", class_name="button ghost",
                               on_click=S.clear_filters),
                  class_name="actions"),
        on_submit=S.apply_filters, reset_on_submit=False, key=S.form_version, class_name="filters card",
    )


@rx.page(route="/admin/audit", title=page_title("title.admin_audit"),
         on_load=AdminAuditState.load)
def admin_audit() -> rx.Component:
    S = AdminAuditState
    return shell(
        rx.el.h1(t("audit.title")),
        _filters(),
        rx.el.p(rx.el.a(t("queues.export_csv"), href=S.csv_href, download=True, data_testid="audit-csv"), " · ",
                rx.el.span(t("queues.audit_zone"), class_name="muted")),
        message(S.error),
        scroll_region(
            rx.el.table(
                rx.el.thead(rx.el.tr(*[rx.el.th(t(key), scope="col") for key in
                                       ("audit.when", "audit.who", "audit.what", "audit.target", "audit.detail")])),
                rx.el.tbody(rx.foreach(S.entries, _entry)),
            ),
            label=t("audit.title"), class_name="table-wrap cards-on-phone",
        ),
        rx.cond((S.entries.length() == 0) & (S.error == ""), rx.el.p(t("queues.audit_none"), class_name="muted")),
        rx.el.div(
            rx.cond(S.page_start > 0, rx.el.button(t("common.first_page"), on_click=S.newest,
                                                   class_name="button ghost")),
            rx.cond(S.before_id > 0, rx.el.button(t("common.next_page"), on_click=S.older, class_name="button ghost")),
            class_name="actions"),
    )

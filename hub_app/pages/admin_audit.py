import reflex as rx

from hub_app.components.forms import message
from hub_app.components.regions import scroll_region
from hub_app.components.shell import shell
from hub_app.domain.errors import HubError
from hub_app.services import audit
from hub_app.services.audit import AuditRow
from hub_app.state.i18n import page_title, t
from hub_app.state.services import call
from hub_app.state.session import SessionState, go_to

PAGE = 50


class AdminAuditState(SessionState):
    entries: list[AuditRow] = []
    before_id: int = 0
    error: str = ""

    async def _reload(self, before_id: int) -> None:
        try:
            self.entries = await call(audit.list_entries, await self._actor(), before_id=before_id, limit=PAGE)
        except HubError as error:
            self.entries, self.before_id = [], 0
            self.error = self._error_text(error)
            return
        self.before_id = self.entries[-1].id if len(self.entries) == PAGE else 0

    @rx.event
    async def load(self):
        self.error = ""
        if await self._actor() is None:
            return go_to("/login?next=/admin/audit")
        await self._reload(0)

    @rx.event
    async def older(self):
        await self._reload(self.before_id)


def _entry(entry: AuditRow) -> rx.Component:
    return rx.el.tr(rx.el.td(entry.when), rx.el.td(entry.actor), rx.el.td(rx.el.code(entry.action)),
                    rx.el.td(entry.target), rx.el.td(entry.detail))


@rx.page(route="/admin/audit", title=page_title("title.admin_audit"),
         on_load=[SessionState.load_shell, AdminAuditState.load])
def admin_audit() -> rx.Component:
    return shell(
        rx.el.h1(t("audit.title")),
        message(AdminAuditState.error),
        scroll_region(
            rx.el.table(
                rx.el.thead(rx.el.tr(*[rx.el.th(t(key), scope="col") for key in
                                       ("audit.when", "audit.who", "audit.what", "audit.target", "audit.detail")])),
                rx.el.tbody(rx.foreach(AdminAuditState.entries, _entry)),
            ),
            label=t("audit.title"), class_name="table-wrap",
        ),
        rx.cond(AdminAuditState.before_id > 0,
                rx.el.button(t("common.next_page"), on_click=AdminAuditState.older, class_name="button ghost")),
    )

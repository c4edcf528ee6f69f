"""/admin/mail: the development outbox for staff (only in development; see services/mail.py)."""

import reflex as rx

from hub_app.components.forms import message
from hub_app.components.shell import shell
from hub_app.services import mail
from hub_app.services.mail import OutboxRow
from hub_app.state.i18n import page_title, t
from hub_app.state.session import SessionState, go_to, page_load

ROUTE = "/admin/mail"


class AdminMailState(SessionState):
    rows: list[OutboxRow] = []
    before_id: int = 0  # the cursor of the page on screen (0: the newest emails)
    next_before_id: int = 0
    error: str = ""

    async def _reload(self) -> None:
        page, self.error = await self._run(mail.list_outbox, before_id=self.before_id)
        self.rows, self.next_before_id = (page.rows, page.before_id) if page else ([], 0)

    @rx.event
    @page_load
    async def load(self):
        self.rows, self.error = [], ""
        if not self._token():
            return go_to(f"/login?next={ROUTE}")
        self.before_id = 0
        await self._reload()

    @rx.event
    async def older(self):
        if self.next_before_id:
            self.before_id = self.next_before_id
            await self._reload()

    @rx.event
    async def newest(self):
        self.before_id = 0
        await self._reload()


def _status_class(row: OutboxRow) -> rx.Var:
    return rx.cond(row.status == "sent", "pill ok", rx.cond(row.status == "failed", "pill bad", "pill warn"))


def _mail(row: OutboxRow) -> rx.Component:
    return rx.el.li(
        rx.el.div(rx.el.strong(row.subject), rx.el.span(row.status_text, class_name=_status_class(row)),
                  class_name="row"),
        rx.el.dl(
            rx.el.div(rx.el.dt(t("mail.to")), rx.el.dd(row.recipient)),
            rx.el.div(rx.el.dt(t("mail.when")), rx.el.dd(row.when)),
            rx.el.div(rx.el.dt(t("mail.link")),
                      rx.el.dd(rx.cond(row.link != "", rx.el.a(row.link, href=row.link), t("mail.no_link")))),
            class_name="details small",
        ),
    )


def admin_mail() -> rx.Component:
    return shell(
        rx.el.h1(t("mail.heading")),
        message(AdminMailState.error),
        rx.cond(
            AdminMailState.error == "",
            rx.el.div(
                rx.el.p(t("mail.intro"), class_name="muted"),
                rx.cond(AdminMailState.rows.length() > 0,
                        rx.el.ul(rx.foreach(AdminMailState.rows, _mail), class_name="list"),
                        rx.el.p(t("mail.empty"), class_name="muted")),
                rx.el.div(
                    rx.cond(AdminMailState.before_id > 0,
                            rx.el.button(t("mail.newest"), on_click=AdminMailState.newest, class_name="button ghost")),
                    rx.cond(AdminMailState.next_before_id > 0,
                            rx.el.button(t("mail.older"), on_click=AdminMailState.older, class_name="button ghost")),
                    class_name="actions",
                ),
                class_name="stack",
            ),
        ),
    )


# The page exists only in development; the service refuses outside it too, since any browser can
# call the state's handlers whether the route is there or not.
if mail.development_mail_shown():
    rx.page(route=ROUTE, title=page_title("title.admin_mail"),
            on_load=AdminMailState.load)(admin_mail)

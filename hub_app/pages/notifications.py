import reflex as rx

from hub_app.components.shell import shell
from hub_app.domain.errors import HubError
from hub_app.services import notifications
from hub_app.services.notifications import NotificationRow
from hub_app.state.i18n import page_title, t
from hub_app.state.services import call
from hub_app.state.session import SessionState, go_to, page_load


class NotificationsState(SessionState):
    items: list[NotificationRow] = []
    before_id: int = 0
    error: str = ""

    async def _reload(self, before_id: int = 0) -> None:
        actor = await self._actor()
        try:
            self.items = await call(notifications.list_notifications, actor, before_id=before_id)
        except HubError as error:  # signed out in the meantime (e.g. "older" after a sign-out)
            self.items, self.before_id, self.unread = [], 0, 0
            self.error = self._error_text(error)
            return
        self.error = ""
        self.before_id = self.items[-1].id if len(self.items) == 30 else 0
        self.unread = await call(notifications.unread_count, actor)

    @rx.event
    @page_load
    async def load(self):
        if await self._actor() is None:
            return go_to("/login?next=/notifications")
        await self._reload()

    @rx.event
    async def older(self):
        await self._reload(self.before_id)

    @rx.event
    async def mark_read(self, notification_id: int):
        try:
            await call(notifications.mark_read, await self._actor(), notification_id=notification_id)
        except HubError as error:
            self.error = self._error_text(error)
            return
        await self._reload()

    @rx.event
    async def mark_all_read(self):
        try:
            await call(notifications.mark_read, await self._actor())
        except HubError as error:
            self.error = self._error_text(error)
            return
        await self._reload()


def _item(item: NotificationRow) -> rx.Component:
    return rx.el.li(
        rx.el.div(
            rx.el.strong(rx.cond(item.link != "", rx.el.a(item.title, href=item.link), item.title)),
            rx.el.small(item.when, class_name="muted"),
            class_name="row",
        ),
        rx.el.p(item.body),
        rx.cond(item.unread, rx.el.button(t("notifications.mark_read"), type="button",
                                          on_click=NotificationsState.mark_read(item.id),
                                          class_name="button ghost small")),
        class_name=rx.cond(item.unread, "unread", ""), data_testid="notification",
    )


@rx.page(route="/notifications", title=page_title("title.notifications"),
         on_load=NotificationsState.load)
def notifications_page() -> rx.Component:
    return shell(
        rx.el.div(
            rx.el.div(
                rx.el.h1(t("notifications.title")),
                rx.cond(NotificationsState.unread > 0,
                        rx.el.button(t("notifications.mark_all"), type="button",
                                     on_click=NotificationsState.mark_all_read, class_name="button ghost small")),
                class_name="row",
            ),
            rx.cond(NotificationsState.error != "", rx.el.p(NotificationsState.error, class_name="message error")),
            rx.cond(NotificationsState.items.length() == 0, rx.el.p(t("notifications.empty"), class_name="muted"),
                    rx.el.ul(rx.foreach(NotificationsState.items, _item), class_name="list")),
            rx.cond(NotificationsState.before_id > 0,
                    rx.el.button(t("notifications.older"), type="button", on_click=NotificationsState.older,
                                 class_name="button ghost")),
            class_name="narrow",
        )
    )

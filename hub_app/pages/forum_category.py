"""/forum/<category>: its threads (pinned first, newest activity first, a page at a time) and the
form to start a thread."""

import reflex as rx

from hub_app.components.forms import message
from hub_app.components.posts import thread_row
from hub_app.components.shell import shell
from hub_app.domain import forum as rules
from hub_app.domain.errors import HubError
from hub_app.services import forum
from hub_app.services.forum import ThreadRow
from hub_app.state.i18n import page_title, t
from hub_app.state.services import call
from hub_app.state.session import SessionState, form_data, page_load


class ForumCategoryState(SessionState):
    slug: str = ""
    name: str = ""
    description: str = ""
    threads: list[ThreadRow] = []
    cursor: str = ""
    next_cursor: str = ""
    previous_cursors: list[str] = []
    may_start: bool = False
    start_hint: str = ""
    found: bool = True
    error: str = ""
    form_error: str = ""
    form_version: int = 0

    async def _reload(self) -> None:
        try:
            page = await call(forum.list_threads, await self._actor(), slug=self.slug, cursor=self.cursor,
                              locale=self.lang)
        except HubError as error:
            self.found = False
            self.threads, self.next_cursor, self.name, self.description = [], "", "", ""
            self.may_start, self.start_hint = False, ""
            self.error = self._error_text(error)
            return
        self.found, self.error = True, ""
        self.name, self.description = page.category.name, page.category.description
        self.threads, self.next_cursor = page.threads, page.next_cursor
        self.may_start, self.start_hint = page.may_start, page.start_hint

    @rx.event
    @page_load
    async def load(self):
        slug = self._route_args().get("forum_category", "")
        self.slug = slug[: rules.SLUG_MAX + 1] if isinstance(slug, str) else ""
        self.cursor, self.previous_cursors, self.form_error = "", [], ""
        await self._reload()

    @rx.event
    async def next_page(self):
        if not self.next_cursor:
            return
        self.previous_cursors = [*self.previous_cursors[-50:], self.cursor]
        self.cursor = self.next_cursor
        await self._reload()

    @rx.event
    async def first_page(self):
        self.cursor, self.previous_cursors = "", []
        await self._reload()

    @rx.event
    async def start_thread(self, form: dict):
        data = form_data(form)
        self.form_error = ""
        try:
            saved = await call(forum.start_thread, await self._actor(), slug=self.slug, title=data.get("title"),
                               body=data.get("body"))
        except HubError as error:
            self.form_error = self._error_text(error)
            return
        self.form_version += 1
        suffix = "?review=1" if saved.waiting_review else ""
        return rx.redirect(f"/forum/t/{saved.thread_id}{suffix}")


def _new_thread_form() -> rx.Component:
    return rx.el.details(
        rx.el.summary(rx.icon("plus", size=18, aria_hidden="true"), t("forum.new_thread"), class_name="button"),
        rx.el.form(
            rx.el.div(
                rx.el.label(t("field.title"), html_for="f-thread-title"),
                rx.el.input(id="f-thread-title", name="title", required=True, max_length=rules.TITLE_MAX,
                            min_length=rules.TITLE_MIN),
                class_name="field",
            ),
            rx.el.div(
                rx.el.label(t("field.body"), html_for="f-thread-body"),
                rx.el.textarea(id="f-thread-body", name="body", required=True, rows=8, max_length=rules.BODY_MAX,
                               aria_describedby="f-thread-body-hint"),
                rx.el.small(t("forum.markdown_hint"), id="f-thread-body-hint", class_name="hint"),
                class_name="field",
            ),
            message(ForumCategoryState.form_error),
            rx.el.button(t("forum.start"), type="submit", class_name="button"),
            on_submit=ForumCategoryState.start_thread, reset_on_submit=False, key=ForumCategoryState.form_version,
            class_name="card stack",
        ),
        class_name="new-thread", open=ForumCategoryState.form_error != "",
    )


@rx.page(route="/forum/[forum_category]", title=page_title("title.forum_category"),
         on_load=ForumCategoryState.load)
def forum_category_page() -> rx.Component:
    return shell(
        rx.el.div(
            rx.el.p(rx.el.a("← ", t("forum.back"), href="/forum"), class_name="crumbs"),
            rx.cond(
                ForumCategoryState.found,
                rx.fragment(
                    rx.el.h1(ForumCategoryState.name),
                    rx.cond(ForumCategoryState.description != "",
                            rx.el.p(ForumCategoryState.description, class_name="muted")),
                    rx.cond(ForumCategoryState.may_start, _new_thread_form(),
                            rx.cond(ForumCategoryState.start_hint != "",
                                    rx.el.p(ForumCategoryState.start_hint, " ",
                                            rx.cond(~SessionState.signed_in,
                                                    rx.el.a(t("nav.sign_in"), href="/login")),
                                            class_name="notice", role="status"))),
                    rx.cond(ForumCategoryState.threads.length() == 0,
                            rx.el.p(t("forum.no_threads"), class_name="muted"),
                            rx.el.ul(rx.foreach(ForumCategoryState.threads, thread_row), class_name="list threads")),
                    rx.el.div(
                        rx.cond(ForumCategoryState.cursor != "",
                                rx.el.button(t("forum.first_threads"), type="button",
                                             on_click=ForumCategoryState.first_page, class_name="button ghost")),
                        rx.cond(ForumCategoryState.next_cursor != "",
                                rx.el.button(t("forum.more_threads"), type="button",
                                             on_click=ForumCategoryState.next_page, class_name="button ghost")),
                        class_name="actions",
                    ),
                ),
                rx.fragment(
                    rx.el.h1(t("forum.not_found_title")),
                    rx.el.p(ForumCategoryState.error, class_name="message error", role="alert"),
                ),
            ),
            class_name="forum",
        )
    )

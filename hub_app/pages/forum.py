"""/forum: the categories this reader may open, with their latest activity, and the search box."""

from urllib.parse import quote

import reflex as rx

from hub_app.components.shell import shell
from hub_app.domain.errors import HubError
from hub_app.services import forum
from hub_app.services.forum import CategoryRow
from hub_app.state.i18n import page_title, t, tp
from hub_app.state.services import call
from hub_app.state.session import SessionState, form_data, page_load


class ForumState(SessionState):
    categories: list[CategoryRow] = []
    error: str = ""

    @rx.event
    @page_load
    async def load(self):
        self.error = ""
        try:
            self.categories = await call(forum.list_categories, await self._actor(), locale=self.lang)
        except HubError as error:
            self.categories = []
            self.error = self._error_text(error)

    @rx.event
    def search(self, form: dict):
        """Opens the results page for the words typed (the results page validates them)."""
        query = form_data(form).get("q")
        query = query.strip()[:200] if isinstance(query, str) else ""
        return rx.redirect(f"/forum/search?q={quote(query)}")


def search_form(on_submit, default_value="") -> rx.Component:
    return rx.el.form(
        rx.el.div(
            rx.el.label(t("forum.search"), html_for="f-forum-q"),
            rx.el.input(id="f-forum-q", name="q", type="search", max_length=200, default_value=default_value,
                        placeholder=t("forum.search_placeholder")),
            class_name="field",
        ),
        rx.el.button(rx.icon("search", size=18, aria_hidden="true"), t("common.search"), type="submit",
                     class_name="button"),
        on_submit=on_submit, reset_on_submit=False, class_name="filters forum-search", role="search",
    )


def _category(row: CategoryRow) -> rx.Component:
    return rx.el.li(
        rx.el.div(
            rx.el.a(rx.el.h2(row.name), href="/forum/" + row.slug, class_name="category-link"),
            rx.el.span(
                rx.cond(row.members_only, rx.el.span(t("forum.members_only"), class_name="pill warn")),
                rx.cond(row.staff_only, rx.el.span(t("forum.staff_posts"), class_name="pill")),
                class_name="thread-flags",
            ),
            class_name="row",
        ),
        rx.cond(row.description != "", rx.el.p(row.description, class_name="muted")),
        rx.el.small(
            tp("count.threads", row.thread_count),
            rx.cond(row.latest_thread_id > 0,
                    rx.fragment(" · ", t("forum.latest"), " ",
                                rx.el.a(row.latest_title, href="/forum/t/" + row.latest_thread_id.to_string()),
                                " · ", row.latest_when)),
            class_name="muted",
        ),
        class_name="category-row", data_testid="forum-category",
    )


@rx.page(route="/forum", title=page_title("title.forum"), on_load=ForumState.load)
def forum_page() -> rx.Component:
    return shell(
        rx.el.div(
            rx.el.h1(t("forum.title")),
            rx.el.p(t("forum.lead"), class_name="muted"),
            search_form(ForumState.search),
            rx.cond(ForumState.error != "", rx.el.p(ForumState.error, class_name="message error", role="alert")),
            rx.el.ul(rx.foreach(ForumState.categories, _category), class_name="list forum-categories"),
            class_name="forum",
        )
    )

"""/forum/search?q=...: posts and thread titles matching the words, best first, highlighted."""

import reflex as rx

from hub_app.components.posts import snippet
from hub_app.components.shell import shell
from hub_app.domain.errors import HubError
from hub_app.pages.forum import ForumState, search_form
from hub_app.services.forum import search
from hub_app.services.forum.search import SearchHit
from hub_app.state.i18n import page_title, t
from hub_app.state.services import call
from hub_app.state.session import SessionState, page_load


class ForumSearchState(SessionState):
    query: str = ""
    hits: list[SearchHit] = []
    searched: bool = False
    error: str = ""
    version: int = 0

    @rx.event
    @page_load
    async def load(self):
        query = self.router.url.query_parameters.get("q", "")
        self.query = query[:200] if isinstance(query, str) else ""
        self.version += 1
        self.error, self.hits, self.searched = "", [], False
        if not search.terms(self.query):
            return
        try:
            self.hits = await call(search.search, await self._actor(), query=self.query, locale=self.lang)
        except HubError as error:
            self.error = self._error_text(error)
            return
        self.searched = True


def _hit(hit: SearchHit) -> rx.Component:
    return rx.el.li(
        rx.el.a(snippet(hit.title_parts), href=hit.link, class_name="thread-title"),
        rx.el.p(snippet(hit.parts), class_name="snippet"),
        rx.el.small(hit.author_name, " · ", t("forum.in_category"), " ", hit.category_name, " · ", hit.when,
                    class_name="muted"),
        class_name="search-hit", data_testid="search-hit",
    )


@rx.page(route="/forum/search", title=page_title("title.forum_search"),
         on_load=ForumSearchState.load)
def forum_search_page() -> rx.Component:
    return shell(
        rx.el.div(
            rx.el.p(rx.el.a("← ", t("forum.back"), href="/forum"), class_name="crumbs"),
            rx.el.h1(t("forum.search_title")),
            rx.el.div(search_form(ForumState.search, ForumSearchState.query), key=ForumSearchState.version),
            rx.cond(ForumSearchState.error != "",
                    rx.el.p(ForumSearchState.error, class_name="message error", role="alert")),
            rx.cond(
                ForumSearchState.searched,
                rx.cond(ForumSearchState.hits.length() == 0,
                        rx.el.p(t("forum.search_none"), class_name="muted"),
                        rx.el.ul(rx.foreach(ForumSearchState.hits, _hit), class_name="list search-hits")),
                rx.el.p(t("forum.search_hint"), class_name="muted"),
            ),
            class_name="forum",
        )
    )

"""/members: the member directory (search, filters, suggestions) and /members/<id>: a public
profile with the member's forum threads and the sections other features add."""

from dataclasses import dataclass

import reflex as rx

from hub_app.components.posts import member_card, thread_row
from hub_app.components.shell import shell
from hub_app.domain.errors import HubError
from hub_app.domain.profiles import SECTORS, STAGES
from hub_app.services import members
from hub_app.services.forum import ThreadRow
from hub_app.services.members import MemberCard, SectionItem
from hub_app.state.i18n import page_title, t
from hub_app.state.services import call
from hub_app.state.session import SessionState, form_data, page_load

FILTERS = ("query", "sector", "stage")


@dataclass
class SectionView:
    """A ProfileSection as the page holds it (a Var named `items` would clash with dict methods)."""

    title: str
    rows: list[SectionItem]
    empty_text: str


class DirectoryState(SessionState):
    rows: list[MemberCard] = []
    suggested: list[MemberCard] = []
    filters: dict[str, str] = {name: "" for name in FILTERS}
    cursor: str = ""
    next_cursor: str = ""
    allowed: bool = True
    error: str = ""
    version: int = 0

    async def _reload(self) -> None:
        try:
            page = await call(members.list_directory, await self._actor(), query=self.filters["query"],
                              sector=self.filters["sector"], stage=self.filters["stage"], cursor=self.cursor,
                              locale=self.lang)
        except HubError as error:
            self.rows, self.next_cursor = [], ""
            self.allowed = error.key != "members.error.sign_in" and self.allowed
            self.error = self._error_text(error)
            return
        self.allowed, self.error = True, ""
        self.rows, self.next_cursor = page.rows, page.next_cursor

    @rx.event
    @page_load
    async def load(self):
        params = self.router.url.query_parameters
        self.filters = {name: str(params.get(name, ""))[:100] for name in FILTERS}
        self.cursor, self.allowed, self.suggested = "", True, []
        self.version += 1
        await self._reload()
        if self.allowed:
            try:
                self.suggested = await call(members.suggestions, await self._actor(), locale=self.lang)
            except HubError:
                self.suggested = []

    @rx.event
    async def search(self, form: dict):
        data = form_data(form)
        self.filters = {name: data[name][:100] if isinstance(data.get(name), str) else "" for name in FILTERS}
        self.cursor = ""
        await self._reload()

    @rx.event
    async def next_page(self):
        if not self.next_cursor:
            return
        self.cursor = self.next_cursor
        await self._reload()

    @rx.event
    async def first_page(self):
        self.cursor = ""
        await self._reload()


class MemberProfileState(SessionState):
    member: dict[str, str] = {}
    threads: list[ThreadRow] = []
    sections: list[SectionView] = []
    found: bool = True
    loaded: bool = False
    error: str = ""

    @rx.event
    @page_load
    async def load(self):
        member_id = self._route_args().get("directory_member", "")
        self.member, self.threads, self.sections, self.error, self.loaded = {}, [], [], "", False
        try:
            profile = await call(members.get_member, await self._actor(), member_id=member_id, locale=self.lang)
        except HubError as error:
            self.found, self.loaded = False, True
            self.error = self._error_text(error)
            return
        self.found, self.loaded = True, True
        self.member = {key: str(value) for key, value in vars(profile).items() if isinstance(value, str | int)}
        self.threads = profile.threads
        self.sections = [SectionView(title=section.title, rows=list(section.items), empty_text=section.empty_text)
                         for section in profile.sections]


def _filters() -> rx.Component:
    def choice(name: str, label_key: str, values: tuple[str, ...], prefix: str) -> rx.Component:
        return rx.el.div(
            rx.el.label(t(label_key), html_for=f"f-dir-{name}"),
            rx.el.select(rx.el.option(t("common.all"), value=""),
                         *[rx.el.option(t(f"{prefix}.{value}"), value=value) for value in values],
                         id=f"f-dir-{name}", name=name, default_value=DirectoryState.filters[name]),
            class_name="field",
        )

    return rx.el.form(
        rx.el.div(
            rx.el.label(t("common.search"), html_for="f-dir-query"),
            rx.el.input(id="f-dir-query", name="query", type="search", max_length=100,
                        default_value=DirectoryState.filters["query"], placeholder=t("members.search_placeholder")),
            class_name="field",
        ),
        choice("sector", "field.sector", SECTORS, "sector"),
        choice("stage", "field.stage", STAGES, "stage"),
        rx.el.button(rx.icon("search", size=18, aria_hidden="true"), t("common.search"), type="submit",
                     class_name="button"),
        on_submit=DirectoryState.search, reset_on_submit=False, key=DirectoryState.version, class_name="filters card",
        role="search",
    )


@rx.page(route="/members", title=page_title("title.members"),
         on_load=DirectoryState.load)
def directory_page() -> rx.Component:
    return shell(
        rx.el.div(
            rx.el.h1(t("members.title")),
            rx.cond(
                DirectoryState.allowed,
                rx.fragment(
                    rx.el.p(t("members.lead"), class_name="muted"),
                    rx.cond(DirectoryState.suggested.length() > 0,
                            rx.el.section(
                                rx.el.h2(t("members.suggested")),
                                rx.el.p(t("members.suggested_lead"), class_name="muted"),
                                rx.el.ul(rx.foreach(DirectoryState.suggested,
                                                    lambda card: member_card(card, suggestion=True)),
                                         class_name="member-grid"),
                                class_name="suggestions",
                            )),
                    _filters(),
                    rx.cond(DirectoryState.error != "",
                            rx.el.p(DirectoryState.error, class_name="message error", role="alert")),
                    rx.cond(DirectoryState.rows.length() == 0,
                            rx.el.p(t("members.none"), class_name="muted"),
                            rx.el.ul(rx.foreach(DirectoryState.rows, member_card), class_name="member-grid")),
                    rx.el.div(
                        rx.cond(DirectoryState.cursor != "",
                                rx.el.button(t("common.first_page"), type="button",
                                             on_click=DirectoryState.first_page, class_name="button ghost")),
                        rx.cond(DirectoryState.next_cursor != "",
                                rx.el.button(t("members.more"), type="button", on_click=DirectoryState.next_page,
                                             class_name="button ghost")),
                        class_name="actions",
                    ),
                    rx.el.p(t("members.listed_hint"), " ", rx.el.a(t("nav.profile"), href="/profile"),
                            class_name="muted"),
                ),
                rx.el.div(
                    rx.el.p(DirectoryState.error, class_name="notice"),
                    rx.el.a(t("nav.sign_in"), href="/login?next=/members", class_name="button"),
                    class_name="stack",
                ),
            ),
            class_name="directory",
        )
    )


def _section(section: SectionView) -> rx.Component:
    return rx.el.section(
        rx.el.h2(section.title),
        rx.cond(section.rows.length() == 0,
                rx.el.p(section.empty_text, class_name="muted"),
                rx.el.ul(rx.foreach(section.rows, lambda item: rx.el.li(
                    rx.cond(item.link != "", rx.el.a(item.text, href=item.link), rx.el.span(item.text)),
                    rx.cond(item.detail != "", rx.el.small(" · ", item.detail, class_name="muted")),
                )), class_name="list")),
        class_name="profile-section",
    )


def _detail(label_key: str, key: str) -> rx.Component:
    value = MemberProfileState.member[key]
    return rx.cond(value != "", rx.el.div(rx.el.dt(t(label_key)), rx.el.dd(value)))


@rx.page(route="/members/[directory_member]", title=page_title("title.member"),
         on_load=MemberProfileState.load)
def member_page() -> rx.Component:
    m = MemberProfileState.member
    return shell(
        rx.el.div(
            rx.el.p(rx.el.a("← ", t("members.back"), href="/members"), class_name="crumbs"),
            rx.cond(
                MemberProfileState.found & MemberProfileState.loaded,
                rx.fragment(
                    rx.el.div(
                        rx.cond(m["avatar_url"] != "",
                                rx.el.img(src=m["avatar_url"], alt="", class_name="avatar", width="72", height="72"),
                                rx.el.span(rx.icon("user", size=36, aria_hidden="true"),
                                           class_name="avatar placeholder")),
                        rx.el.div(
                            rx.el.h1(m["name"]),
                            rx.el.p("@", m["handle"], class_name="muted", data_testid="member-handle"),
                            rx.cond(m["business_name"] != "", rx.el.p(rx.el.strong(m["business_name"]))),
                        ),
                        class_name="member-head",
                    ),
                    rx.el.div(
                        rx.cond(m["sector"] != "", rx.el.span(m["sector"], class_name="pill")),
                        rx.cond(m["stage"] != "", rx.el.span(m["stage"], class_name="pill")),
                        class_name="pills",
                    ),
                    rx.cond(m["bio"] != "", rx.el.p(m["bio"], class_name="bio")),
                    rx.el.dl(
                        _detail("members.offers", "offers"),
                        _detail("members.looking_for", "looking_for"),
                        rx.cond(m["email"] != "",
                                rx.el.div(rx.el.dt(t("members.email")),
                                          rx.el.dd(rx.el.a(m["email"], href="mailto:" + m["email"])))),
                        _detail("profile.member_since", "member_since"),
                        class_name="details card",
                    ),
                    rx.el.section(
                        rx.el.h2(t("members.threads")),
                        rx.cond(MemberProfileState.threads.length() == 0,
                                rx.el.p(t("members.no_threads"), class_name="muted"),
                                rx.el.ul(rx.foreach(MemberProfileState.threads, thread_row),
                                         class_name="list threads")),
                    ),
                    rx.foreach(MemberProfileState.sections, _section),
                ),
                rx.cond(MemberProfileState.loaded, rx.fragment(
                    rx.el.h1(t("forum.not_found_title")),
                    rx.el.p(MemberProfileState.error, class_name="message error", role="alert"),
                    rx.cond(~SessionState.signed_in,
                            rx.el.a(t("nav.sign_in"), href="/login?next=/members", class_name="button")),
                ), rx.el.p(t("common.loading"), class_name="muted")),
            ),
            class_name="member-profile narrow-wide",
        )
    )

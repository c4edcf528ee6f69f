"""/admin/forum: staff moderate: the report queue, posts waiting for review, posting suspensions,
and the categories (names and descriptions in both languages, order, who reads, who starts)."""

import reflex as rx

from hub_app.components.forms import message
from hub_app.components.shell import shell
from hub_app.domain import forum as rules
from hub_app.domain.errors import HubError
from hub_app.services.forum import moderation
from hub_app.services.forum.moderation import CategoryAdminRow, ReportItem, ReviewItem, SuspensionRow
from hub_app.state.i18n import page_title, t
from hub_app.state.services import call
from hub_app.state.session import SessionState, form_data, go_to, page_load


class AdminForumState(SessionState):
    reports: list[ReportItem] = []
    review: list[ReviewItem] = []
    suspensions: list[SuspensionRow] = []
    categories: list[CategoryAdminRow] = []
    allowed: bool = True
    error: str = ""
    info: str = ""
    version: int = 0

    async def _reload(self) -> None:
        actor = await self._actor()
        try:
            self.reports = await call(moderation.list_reports, actor, locale=self.lang)
            self.review = await call(moderation.list_review_queue, actor, locale=self.lang)
            self.suspensions = await call(moderation.list_suspensions, actor, locale=self.lang)
            self.categories = await call(moderation.list_categories_admin, actor)
        except HubError as error:
            self.reports, self.review, self.suspensions, self.categories = [], [], [], []
            self.allowed = False
            self.error = self._error_text(error)
            return
        self.allowed = True
        self.version += 1

    async def _act(self, function, **kwargs) -> None:
        self.error = self.info = ""
        try:
            await call(function, await self._actor(), **kwargs)
        except HubError as error:
            self.error = self._error_text(error)
            return
        self.info = self._t("forum.done")
        await self._reload()

    @rx.event
    @page_load
    async def load(self):
        self.error = self.info = ""
        if await self._actor() is None:
            return go_to("/login?next=/admin/forum")
        await self._reload()

    @rx.event
    async def moderate_post(self, form: dict):
        data = form_data(form)
        await self._act(moderation.moderate_post, post_id=data.get("post_id"), action=data.get("action"),
                        reason=data.get("reason", ""))

    @rx.event
    async def dismiss(self, form: dict):
        await self._act(moderation.dismiss_reports, post_id=form_data(form).get("post_id"))

    @rx.event
    async def suspend(self, form: dict):
        data = form_data(form)
        await self._act(moderation.suspend_poster, member=data.get("member"), days=data.get("days"),
                        reason=data.get("reason"))

    @rx.event
    async def lift(self, form: dict):
        await self._act(moderation.lift_suspension, suspension_id=form_data(form).get("suspension_id"))

    @rx.event
    async def save_category(self, form: dict):
        await self._act(moderation.save_category, form=form_data(form))


S = AdminForumState


def _hide_form(post_id, prefix: str) -> rx.Component:
    field_id = f"{prefix}-reason-" + post_id.to_string()
    return rx.el.form(
        rx.el.input(type="hidden", name="post_id", value=post_id),
        rx.el.input(type="hidden", name="action", value="hide"),
        rx.el.div(rx.el.label(t("field.reason"), html_for=field_id),
                  rx.el.input(id=field_id, name="reason", required=True, max_length=rules.NOTE_MAX),
                  class_name="field"),
        rx.el.button(t("forum.hide"), type="submit", class_name="button small danger"),
        on_submit=S.moderate_post, class_name="filters",
    )


def _report(item: ReportItem) -> rx.Component:
    return rx.el.li(
        rx.el.div(
            rx.el.a(item.thread_title, href="/forum/t/" + item.thread_id.to_string() + "?from="
                    + item.post_id.to_string()),
            rx.el.span(item.report_count, " × ", t("forum.report"), class_name="pill bad"),
            class_name="row",
        ),
        rx.el.p(rx.el.strong(item.author_name), ": ", item.excerpt, class_name="excerpt"),
        rx.el.ul(rx.foreach(item.reasons, lambda reason: rx.el.li(reason)), class_name="muted"),
        rx.cond(item.state == "visible", _hide_form(item.post_id, "report"),
                rx.el.p(rx.el.span(item.state, class_name="pill warn"))),
        rx.el.form(rx.el.input(type="hidden", name="post_id", value=item.post_id),
                   rx.el.button(t("admin.forum_dismiss"), type="submit", class_name="button ghost small"),
                   on_submit=S.dismiss),
        data_testid="report-item",
    )


def _review(item: ReviewItem) -> rx.Component:
    return rx.el.li(
        rx.el.div(
            rx.el.a(item.thread_title, href="/forum/t/" + item.thread_id.to_string() + "?from="
                    + item.post_id.to_string()),
            rx.cond(item.is_opening, rx.el.span(t("admin.forum_opening_post"), class_name="pill")),
            class_name="row",
        ),
        rx.el.p(rx.el.strong(item.author_name), ": ", item.excerpt, class_name="excerpt"),
        rx.el.small(item.created, class_name="muted"),
        rx.el.div(
            rx.el.form(rx.el.input(type="hidden", name="post_id", value=item.post_id),
                       rx.el.input(type="hidden", name="action", value="restore"),
                       rx.el.button(t("forum.approve"), type="submit", class_name="button small"),
                       on_submit=S.moderate_post),
            _hide_form(item.post_id, "review"),
            class_name="actions",
        ),
        data_testid="review-item",
    )


def _suspension(row: SuspensionRow) -> rx.Component:
    return rx.el.li(
        rx.el.div(rx.el.a(row.member_name, href="/members/" + row.member_id.to_string()),
                  rx.el.small(t("admin.forum_until"), " ", row.until, class_name="muted"), class_name="row"),
        rx.el.p(row.reason, class_name="muted"),
        rx.el.form(rx.el.input(type="hidden", name="suspension_id", value=row.id),
                   rx.el.button(t("admin.forum_lift"), type="submit", class_name="button ghost small"),
                   on_submit=S.lift),
    )


def _suspend_form() -> rx.Component:
    return rx.el.form(
        rx.el.div(rx.el.label(t("field.member"), html_for="f-suspend-member"),
                  rx.el.input(id="f-suspend-member", name="member", required=True, max_length=40,
                              placeholder=t("a11y.member_handle_placeholder")),
                  class_name="field"),
        rx.el.div(rx.el.label(t("field.days"), html_for="f-suspend-days"),
                  rx.el.input(id="f-suspend-days", name="days", type="number", min=1, max=rules.MAX_SUSPENSION_DAYS,
                              default_value="7", required=True),
                  class_name="field"),
        rx.el.div(rx.el.label(t("field.reason"), html_for="f-suspend-reason"),
                  rx.el.input(id="f-suspend-reason", name="reason", required=True, max_length=rules.NOTE_MAX),
                  class_name="field"),
        rx.el.button(t("admin.forum_suspend"), type="submit", class_name="button danger"),
        on_submit=S.suspend, class_name="filters card",
    )


def _text_field(label_key: str, name: str, prefix, value, max_length: int, required: bool = False):
    field_id = prefix + "-" + name
    return rx.el.div(rx.el.label(t(label_key), html_for=field_id),
                     rx.el.input(id=field_id, name=name, default_value=value, max_length=max_length,
                                 required=required),
                     class_name="field")


def _select_field(label_key: str, name: str, prefix, value, choices: tuple[str, ...]):
    field_id = prefix + "-" + name
    return rx.el.div(rx.el.label(t(label_key), html_for=field_id),
                     rx.el.select(*[rx.el.option(t(f"forum.access.{choice}"), value=choice) for choice in choices],
                                  id=field_id, name=name, default_value=value),
                     class_name="field")


def _category_form(row: CategoryAdminRow | None) -> rx.Component:
    if row is None:
        prefix, get, identifier = "cat-new", (lambda name: ""), ""
        read_default, start_default, position = "public", "members", "0"
    else:
        prefix = "cat-" + row.id.to_string()
        get, identifier = (lambda name: getattr(row, name)), row.id
        read_default, start_default, position = row.read_access, row.start_access, row.position
    return rx.el.form(
        rx.el.input(type="hidden", name="id", value=identifier),
        rx.el.div(
            _text_field("field.slug", "slug", prefix, get("slug"), rules.SLUG_MAX, True),
            rx.el.div(rx.el.label(t("field.position"), html_for=prefix + "-position"),
                      rx.el.input(id=prefix + "-position", name="position", type="number", min=0, max=10000,
                                  default_value=position),
                      class_name="field"),
            _text_field("field.name_id", "name_id", prefix, get("name_id"), 80, True),
            _text_field("field.name_en", "name_en", prefix, get("name_en"), 80),
            _text_field("field.description_id", "description_id", prefix, get("description_id"), 300),
            _text_field("field.description_en", "description_en", prefix, get("description_en"), 300),
            _select_field("field.read_access", "read_access", prefix, read_default, rules.READ_ACCESS),
            _select_field("field.start_access", "start_access", prefix, start_default, rules.START_ACCESS),
            class_name="grid two",
        ),
        rx.el.button(t("common.save"), type="submit", class_name="button small"),
        on_submit=S.save_category, reset_on_submit=False, class_name="card",
    )


@rx.page(route="/admin/forum", title=page_title("title.admin_forum"),
         on_load=AdminForumState.load)
def admin_forum_page() -> rx.Component:
    return shell(
        rx.el.h1(t("admin.forum")),
        message(S.error),
        message(S.info, kind="ok"),
        rx.cond(
            S.allowed,
            rx.el.div(
                rx.el.section(
                    rx.el.h2(t("admin.forum_reports")),
                    rx.cond(S.reports.length() == 0, rx.el.p(t("admin.forum_reports_none"), class_name="muted"),
                            rx.el.ul(rx.foreach(S.reports, _report), class_name="list")),
                ),
                rx.el.section(
                    rx.el.h2(t("admin.forum_review")),
                    rx.cond(S.review.length() == 0, rx.el.p(t("admin.forum_review_none"), class_name="muted"),
                            rx.el.ul(rx.foreach(S.review, _review), class_name="list")),
                ),
                rx.el.section(
                    rx.el.h2(t("admin.forum_suspensions")),
                    _suspend_form(),
                    rx.cond(S.suspensions.length() == 0,
                            rx.el.p(t("admin.forum_suspensions_none"), class_name="muted"),
                            rx.el.ul(rx.foreach(S.suspensions, _suspension), class_name="list")),
                ),
                rx.el.section(
                    rx.el.h2(t("admin.forum_categories")),
                    rx.el.div(
                        rx.foreach(S.categories, lambda row: rx.el.details(
                            rx.el.summary(row.position, ". ", rx.el.span(row.name_id, lang="id"), " / ",
                                            rx.el.span(row.name_en, lang="en"), " (", row.slug, ")"),
                            _category_form(row))),
                        rx.el.details(rx.el.summary(t("admin.forum_new_category")), _category_form(None)),
                        key=S.version, class_name="stack",
                    ),
                ),
                class_name="stack admin-forum",
            ),
        ),
    )

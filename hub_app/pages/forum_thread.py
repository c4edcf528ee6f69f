"""/forum/t/<id>: a thread and its posts a page at a time, with the reply box; likes, quoting,
editing and deleting one's posts, reporting, watching; staff moderate here too."""

import reflex as rx

from hub_app.components.forms import message
from hub_app.components.posts import author_link, post_body
from hub_app.components.shell import shell
from hub_app.domain import forum as rules
from hub_app.domain.errors import HubError
from hub_app.services import forum
from hub_app.services.forum import PostView, moderation
from hub_app.state.i18n import page_title, t
from hub_app.state.services import call
from hub_app.state.session import SessionState, form_data, page_load


def _small_int(value: object) -> int:
    """A post or thread id from the browser, or 0 (the service refuses 0 with a message)."""
    if isinstance(value, bool):
        return 0
    if isinstance(value, str) and value.isdigit() and len(value) < 16:
        return int(value)
    return value if isinstance(value, int) and 0 < value < 2**62 else 0


class ForumThreadState(SessionState):
    thread_id: int = 0
    title: str = ""
    category_slug: str = ""
    category_name: str = ""
    thread_state: str = ""
    locked: bool = False
    pinned: bool = False
    posts: list[PostView] = []
    from_post: int = 0
    before_post: int = 0
    next_from: int = 0
    prev_before: int = 0
    may_reply: bool = False
    reply_hint: str = ""
    watch_level: str = "normal"
    may_moderate: bool = False
    categories: list[list[str]] = []
    found: bool = True
    error: str = ""
    info: str = ""
    # The reply box: prefilled by "quote & reply", re-mounted through draft_version.
    reply_to: int = 0
    reply_to_name: str = ""
    draft: str = ""
    draft_version: int = 0
    reply_error: str = ""
    # The post being edited (its own form).
    editing: int = 0
    edit_source: str = ""
    edit_error: str = ""

    async def _reload(self) -> None:
        actor = await self._actor()
        try:
            view = await call(forum.get_thread, actor, thread_id=self.thread_id, from_post=self.from_post,
                              before_post=self.before_post, locale=self.lang)
        except HubError as error:
            self.found = False
            self.posts, self.title, self.categories = [], "", []
            self.may_reply = self.may_moderate = False
            self.error = self._error_text(error)
            return
        self.found = True
        self.title, self.category_slug, self.category_name = view.title, view.category_slug, view.category_name
        self.thread_state, self.locked, self.pinned = view.state, view.locked, view.pinned
        self.posts, self.next_from, self.prev_before = view.posts, view.next_from, view.prev_before
        self.may_reply, self.reply_hint, self.watch_level = view.may_reply, view.reply_hint, view.watch_level
        self.may_moderate = view.may_moderate
        if view.may_moderate and not self.categories:
            self.categories = await call(moderation.list_category_choices, actor, locale=self.lang)

    def _clear_messages(self) -> None:
        self.error = self.info = self.reply_error = self.edit_error = ""

    @rx.event
    @page_load
    async def load(self):
        params = self._route_args()
        self.thread_id = _small_int(params.get("forum_thread", ""))
        self.from_post = _small_int(self.router.url.query_parameters.get("from", ""))
        self.before_post = 0
        self._clear_messages()
        self.reply_to, self.reply_to_name, self.draft, self.editing, self.edit_source = 0, "", "", 0, ""
        self.categories = []
        self.draft_version += 1
        if self.router.url.query_parameters.get("review") == "1":
            self.info = self._t("forum.waiting_review")
        await self._reload()

    @rx.event
    async def newer(self):
        if not self.next_from:
            return
        self.from_post, self.before_post = self.next_from, 0
        await self._reload()

    @rx.event
    async def older(self):
        if not self.prev_before:
            return
        self.from_post, self.before_post = 0, self.prev_before
        await self._reload()

    @rx.event
    async def send_reply(self, form: dict):
        data = form_data(form)
        self._clear_messages()
        try:
            saved = await call(forum.reply, await self._actor(), thread_id=self.thread_id, body=data.get("body"),
                               reply_to=self.reply_to or None)
        except HubError as error:
            self.reply_error = self._error_text(error)
            body = data.get("body")
            self.draft = body[: rules.BODY_MAX * 2] if isinstance(body, str) else ""
            return
        self.reply_to, self.reply_to_name, self.draft = 0, "", ""
        self.draft_version += 1
        self.info = self._t("forum.waiting_review" if saved.waiting_review else "forum.posted")
        if not self.next_from:
            await self._reload()
        else:  # the reply is on the last page: go there
            self.from_post, self.before_post = saved.post_id, 0
            await self._reload()

    @rx.event
    async def quote(self, post_id: int):
        self._clear_messages()
        actor = await self._actor()
        try:
            text = await call(forum.quote_post, actor, post_id=post_id)
        except HubError as error:
            self.reply_error = self._error_text(error)
            return
        post = next((post for post in self.posts if post.id == _small_int(post_id)), None)
        self.reply_to = post.id if post else 0
        self.reply_to_name = post.author_name if post else ""
        self.draft = text
        self.draft_version += 1
        return rx.call_script("document.getElementById('f-reply-body')?.focus()")

    @rx.event
    def cancel_quote(self):
        self.reply_to, self.reply_to_name, self.draft = 0, "", ""
        self.draft_version += 1

    @rx.event
    async def start_edit(self, post_id: int):
        self._clear_messages()
        try:
            self.edit_source = await call(forum.post_source, await self._actor(), post_id=post_id)
        except HubError as error:
            self.error = self._error_text(error)
            return
        self.editing = _small_int(post_id)

    @rx.event
    def cancel_edit(self):
        self.editing, self.edit_source, self.edit_error = 0, "", ""

    @rx.event
    async def save_edit(self, form: dict):
        data = form_data(form)
        self._clear_messages()
        try:
            saved = await call(forum.edit_post, await self._actor(), post_id=self.editing, body=data.get("body"),
                               title=data.get("title"))
        except HubError as error:
            self.edit_error = self._error_text(error)
            return
        self.editing, self.edit_source = 0, ""
        self.info = self._t("forum.waiting_review" if saved.waiting_review else "common.saved")
        await self._reload()

    @rx.event
    async def delete_post(self, post_id: int):
        self._clear_messages()
        try:
            await call(forum.delete_post, await self._actor(), post_id=post_id)
        except HubError as error:
            self.error = self._error_text(error)
            return
        await self._reload()

    @rx.event
    async def toggle_like(self, post_id: int):
        self._clear_messages()
        try:
            await call(forum.toggle_like, await self._actor(), post_id=post_id)
        except HubError as error:
            self.error = self._error_text(error)
            return
        await self._reload()

    @rx.event
    async def report(self, form: dict):
        data = form_data(form)
        self._clear_messages()
        try:
            await call(moderation.report_post, await self._actor(), post_id=data.get("post_id"),
                       reason=data.get("reason"), note=data.get("note", ""))
        except HubError as error:
            self.error = self._error_text(error)
            return
        self.info = self._t("forum.reported")

    @rx.event
    async def set_watch(self, level: str):
        self._clear_messages()
        try:
            self.watch_level = await call(forum.set_watch, await self._actor(), thread_id=self.thread_id,
                                          level=level)
        except HubError as error:
            self.error = self._error_text(error)
            return
        self.info = self._t("forum.watch_saved")

    @rx.event
    async def moderate_post(self, form: dict):
        data = form_data(form)
        self._clear_messages()
        try:
            await call(moderation.moderate_post, await self._actor(), post_id=data.get("post_id"),
                       action=data.get("action"), reason=data.get("reason", ""))
        except HubError as error:
            self.error = self._error_text(error)
            return
        self.info = self._t("forum.done")
        await self._reload()

    @rx.event
    async def moderate_thread(self, form: dict):
        data = form_data(form)
        self._clear_messages()
        try:
            await call(moderation.moderate_thread, await self._actor(), thread_id=self.thread_id,
                       action=data.get("action"), slug=data.get("slug", ""), reason=data.get("reason", ""))
        except HubError as error:
            self.error = self._error_text(error)
            return
        self.info = self._t("forum.done")
        await self._reload()


# --- Layout ------------------------------------------------------------------------------------

S = ForumThreadState


def _post_header(post: PostView) -> rx.Component:
    return rx.el.div(
        rx.el.div(
            author_link(post.author_id, post.author_name),
            rx.cond(post.author_handle != "", rx.el.small(" @", post.author_handle, class_name="muted")),
            class_name="post-author",
        ),
        rx.el.small(
            post.created,
            rx.cond(post.edited != "", rx.fragment(" · ", t("forum.edited"), " ", post.edited)),
            class_name="muted",
        ),
        class_name="row",
    )


def _report_form(post: PostView) -> rx.Component:
    field_id = "report-reason-" + post.id.to_string()
    note_id = "report-note-" + post.id.to_string()
    return rx.el.details(
        rx.el.summary(rx.icon("flag", size=16, aria_hidden="true"), t("forum.report"), class_name="button ghost small"),
        rx.el.form(
            rx.el.input(type="hidden", name="post_id", value=post.id),
            rx.el.div(
                rx.el.label(t("field.reason"), html_for=field_id),
                rx.el.select(*[rx.el.option(t(f"forum.reason.{reason}"), value=reason)
                               for reason in rules.REPORT_REASONS], id=field_id, name="reason"),
                class_name="field",
            ),
            rx.el.div(
                rx.el.label(t("forum.report_note"), html_for=note_id),
                rx.el.input(id=note_id, name="note", max_length=rules.NOTE_MAX),
                class_name="field",
            ),
            rx.el.button(t("forum.report_send"), type="submit", class_name="button small"),
            on_submit=S.report, class_name="card",
        ),
        class_name="report",
    )


def _staff_post_tools(post: PostView) -> rx.Component:
    reason_id = "hide-reason-" + post.id.to_string()
    return rx.cond(
        S.may_moderate,
        rx.fragment(
            rx.cond(
                (post.state == "visible") | (post.state == "pending"),
                rx.el.details(
                    rx.el.summary(rx.icon("eye-off", size=16, aria_hidden="true"), t("forum.hide"),
                                  class_name="button ghost small"),
                    rx.el.form(
                        rx.el.input(type="hidden", name="post_id", value=post.id),
                        rx.el.input(type="hidden", name="action", value="hide"),
                        rx.el.div(rx.el.label(t("field.reason"), html_for=reason_id),
                                  rx.el.input(id=reason_id, name="reason", required=True, max_length=rules.NOTE_MAX),
                                  class_name="field"),
                        rx.el.button(t("forum.hide"), type="submit", class_name="button small danger"),
                        on_submit=S.moderate_post, class_name="card",
                    ),
                ),
            ),
            rx.cond(
                (post.state == "hidden") | (post.state == "pending"),
                rx.el.form(
                    rx.el.input(type="hidden", name="post_id", value=post.id),
                    rx.el.input(type="hidden", name="action", value="restore"),
                    rx.el.button(rx.cond(post.state == "pending", t("forum.approve"), t("forum.restore")),
                                 type="submit", class_name="button small"),
                    on_submit=S.moderate_post,
                ),
            ),
        ),
    )


def _post_actions(post: PostView) -> rx.Component:
    return rx.el.div(
        rx.cond(
            post.may_like,
            rx.el.button(rx.icon("heart", size=16, aria_hidden="true"),
                         rx.cond(post.liked, t("forum.unlike"), t("forum.like")), " (", post.like_count, ")",
                         type="button", on_click=S.toggle_like(post.id),
                         aria_pressed=rx.cond(post.liked, "true", "false"),
                         class_name=rx.cond(post.liked, "button small liked", "button ghost small")),
            rx.cond(post.like_count > 0,
                    rx.el.span(rx.icon("heart", size=16, aria_hidden="true"), " ", post.like_count,
                               class_name="muted")),
        ),
        rx.cond(S.may_reply & (post.state == "visible"),
                rx.el.button(rx.icon("quote", size=16, aria_hidden="true"), t("forum.quote"), type="button",
                             on_click=S.quote(post.id), class_name="button ghost small")),
        rx.cond(post.may_edit,
                rx.el.button(rx.icon("pencil", size=16, aria_hidden="true"), t("forum.edit"), type="button",
                             on_click=S.start_edit(post.id), class_name="button ghost small")),
        rx.cond(post.may_delete,
                rx.el.details(
                    rx.el.summary(rx.icon("trash-2", size=16, aria_hidden="true"), t("forum.delete"),
                                  class_name="button ghost small"),
                    rx.el.div(rx.el.p(t("forum.delete_confirm")),
                              rx.el.button(t("forum.delete"), type="button", on_click=S.delete_post(post.id),
                                           class_name="button small danger"),
                              class_name="card"),
                )),
        rx.cond(post.may_report, _report_form(post)),
        _staff_post_tools(post),
        class_name="actions post-actions",
    )


def _edit_form(post: PostView) -> rx.Component:
    return rx.el.form(
        rx.cond(post.is_opening,
                rx.el.div(rx.el.label(t("field.title"), html_for="f-edit-title"),
                          rx.el.input(id="f-edit-title", name="title", default_value=S.title, required=True,
                                      max_length=rules.TITLE_MAX),
                          class_name="field")),
        rx.el.div(rx.el.label(t("field.body"), html_for="f-edit-body"),
                  rx.el.textarea(id="f-edit-body", name="body", default_value=S.edit_source, rows=8, required=True,
                                 max_length=rules.BODY_MAX),
                  class_name="field"),
        message(S.edit_error),
        rx.el.div(rx.el.button(t("forum.save_edit"), type="submit", class_name="button"),
                  rx.el.button(t("common.cancel"), type="button", on_click=S.cancel_edit, class_name="button ghost"),
                  class_name="actions"),
        on_submit=S.save_edit, reset_on_submit=False, class_name="stack",
    )


def _post(post: PostView) -> rx.Component:
    return rx.el.li(
        _post_header(post),
        rx.cond(post.reply_to_id > 0,
                rx.el.p(rx.icon("corner-down-right", size=14, aria_hidden="true"), t("forum.in_reply_to"), " ",
                        rx.el.a(post.reply_to_author, href="#p" + post.reply_to_id.to_string()),
                        class_name="muted in-reply")),
        rx.cond(post.state == "hidden",
                rx.el.p(t("forum.hidden_post"),
                        rx.cond(post.moderation_note != "", rx.fragment(" ", t("common.reason"), ": ",
                                                                        post.moderation_note)),
                        class_name="notice warn")),
        rx.cond(post.state == "pending", rx.el.p(t("forum.review_post"), class_name="notice")),
        rx.cond(
            post.state == "deleted",
            rx.el.p(rx.icon("trash-2", size=14, aria_hidden="true"), " ", t("forum.deleted_post"),
                    class_name="muted deleted-post"),
            rx.cond(S.editing == post.id, _edit_form(post), post_body(post.body_html)),
        ),
        rx.cond(post.state != "deleted", _post_actions(post)),
        id="p" + post.id.to_string(),
        class_name=rx.cond(post.state == "visible", "post", "post " + post.state),
        data_testid="post",
    )


def _reply_box() -> rx.Component:
    return rx.cond(
        S.may_reply,
        rx.el.form(
            rx.el.h2(t("forum.reply_title"), id="reply"),
            rx.cond(S.reply_to > 0,
                    rx.el.p(t("forum.in_reply_to"), " ", S.reply_to_name, " ",
                            rx.el.button(t("forum.cancel_reply_to"), type="button", on_click=S.cancel_quote,
                                         class_name="button ghost small"),
                            class_name="muted")),
            rx.el.div(
                rx.el.label(t("field.body"), html_for="f-reply-body"),
                rx.el.textarea(id="f-reply-body", name="body", required=True, rows=6, max_length=rules.BODY_MAX,
                               default_value=S.draft, aria_describedby="f-reply-hint"),
                rx.el.small(t("forum.markdown_hint"), id="f-reply-hint", class_name="hint"),
                class_name="field",
            ),
            message(S.reply_error),
            rx.el.button(rx.icon("send", size=18, aria_hidden="true"), t("forum.send_reply"), type="submit",
                         class_name="button"),
            on_submit=S.send_reply, reset_on_submit=False, key=S.draft_version, class_name="card reply-box",
        ),
        rx.cond(S.reply_hint != "",
                rx.el.p(S.reply_hint, " ", rx.cond(~SessionState.signed_in, rx.el.a(t("nav.sign_in"), href="/login")),
                        class_name="notice", role="status")),
    )


def _watch() -> rx.Component:
    return rx.cond(
        SessionState.signed_in,
        rx.el.div(
            rx.el.label(t("forum.watch_label"), html_for="f-watch"),
            rx.el.select(*[rx.el.option(t(f"forum.watch.{level}"), value=level) for level in rules.WATCH_LEVELS],
                         id="f-watch", value=S.watch_level, on_change=S.set_watch),
            class_name="field watch",
        ),
    )


def _staff_thread_tools() -> rx.Component:
    def flag(action: str, label_key: str) -> rx.Component:
        return rx.el.form(rx.el.input(type="hidden", name="action", value=action),
                          rx.el.button(t(label_key), type="submit", class_name="button ghost small"),
                          on_submit=S.moderate_thread)

    return rx.cond(
        S.may_moderate & (S.thread_state != "deleted"),
        rx.el.details(
            rx.el.summary(rx.icon("shield", size=16, aria_hidden="true"), t("forum.staff_tools"),
                          class_name="button ghost small"),
            rx.el.div(
                rx.el.div(
                    rx.cond(S.locked, flag("unlock", "forum.unlock"), flag("lock", "forum.lock")),
                    rx.cond(S.pinned, flag("unpin", "forum.unpin"), flag("pin", "forum.pin")),
                    class_name="actions",
                ),
                rx.el.form(
                    rx.el.input(type="hidden", name="action", value="move"),
                    rx.el.div(rx.el.label(t("forum.move_to"), html_for="f-move-slug"),
                              rx.el.select(rx.foreach(S.categories, lambda pair: rx.el.option(pair[1], value=pair[0])),
                                           id="f-move-slug", name="slug", default_value=S.category_slug),
                              class_name="field"),
                    rx.el.button(t("forum.move"), type="submit", class_name="button ghost small"),
                    on_submit=S.moderate_thread, class_name="filters",
                ),
                rx.el.form(
                    rx.el.input(type="hidden", name="action", value="delete"),
                    rx.el.div(rx.el.label(t("field.reason"), html_for="f-delete-reason"),
                              rx.el.input(id="f-delete-reason", name="reason", required=True,
                                          max_length=rules.NOTE_MAX),
                              class_name="field"),
                    rx.el.button(t("forum.delete_thread"), type="submit", class_name="button small danger"),
                    on_submit=S.moderate_thread, class_name="filters",
                ),
                class_name="card stack",
            ),
            class_name="staff-tools",
        ),
    )


@rx.page(route="/forum/t/[forum_thread]", title=page_title("title.forum_thread"),
         on_load=ForumThreadState.load)
def forum_thread_page() -> rx.Component:
    return shell(
        rx.el.div(
            rx.cond(
                S.found,
                rx.fragment(
                    rx.el.p(rx.el.a("← ", t("forum.back"), href="/forum"), " / ",
                            rx.el.a(S.category_name, href="/forum/" + S.category_slug), class_name="crumbs"),
                    rx.el.h1(S.title),
                    rx.el.div(
                        rx.cond(S.pinned, rx.el.span(t("forum.pinned"), class_name="pill ok")),
                        rx.cond(S.locked, rx.el.span(rx.icon("lock", size=14, aria_hidden="true"), t("forum.locked"),
                                                     class_name="pill warn")),
                        _watch(),
                        _staff_thread_tools(),
                        class_name="actions thread-meta",
                    ),
                    rx.cond(S.thread_state == "pending", rx.el.p(t("forum.pending_thread"), class_name="notice")),
                    rx.cond(S.thread_state == "deleted", rx.el.p(t("forum.deleted_thread"), class_name="notice warn")),
                    message(S.error),
                    message(S.info, kind="ok"),
                    rx.cond(S.prev_before > 0,
                            rx.el.button(t("forum.older_posts"), type="button", on_click=S.older,
                                         class_name="button ghost")),
                    rx.el.ol(rx.foreach(S.posts, _post), class_name="posts"),
                    rx.cond(S.next_from > 0,
                            rx.el.button(t("forum.newer_posts"), type="button", on_click=S.newer,
                                         class_name="button ghost")),
                    _reply_box(),
                ),
                rx.fragment(
                    rx.el.p(rx.el.a("← ", t("forum.back"), href="/forum"), class_name="crumbs"),
                    rx.el.h1(t("forum.not_found_title")),
                    rx.el.p(S.error, class_name="message error", role="alert"),
                ),
            ),
            class_name="forum narrow-wide",
        )
    )
